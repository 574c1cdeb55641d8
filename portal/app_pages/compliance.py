"""Compliance: the gate review queue, use cases by class and level, what is late, the gate history."""

import pandas as pd
import streamlit as st

from policies.access import can
from policies.vocabulary import Action, AiActClass, ImpactLevel
from portal.ui.deps import services
from portal.ui.feedback import flash
from portal.ui.formats import fmt_date
from portal.ui.governance import decide_expander, pending_box, requests_frame, review_form, validation_form
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.session import principal
from portal.ui.text import plain

QUEUE_PAGE = 20  # requests and classifications shown with their forms, a page at a time
me = principal()
svc = services()
gov = svc.governance

st.title("Conformité")
st.caption("Demandes de passage d'étape à décider, classification du portefeuille, retards et décisions.")
flash()

pending = gov.pending_requests()
late_obligations = gov.overdue_obligations()
late_reviews = gov.overdue_reviews()
rows = gov.portfolio()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Demandes à décider", len(pending))
c2.metric("Obligations en retard", len(late_obligations))
c3.metric("Revues en retard", len(late_reviews))
c4.metric("Classifications à valider", sum(1 for r in rows if r.risk_class and not r.validated))

tab_queue, tab_classes, tab_late, tab_history = st.tabs(
    [f"File d'attente ({len(pending)})", "Classes et niveaux", "Retards", "Historique des passages"],
    key="compliance_tabs", on_change="rerun")

with tab_queue:
    to_validate = [r for r in rows if r.risk_class and not r.validated]
    if to_validate and can(me, Action.VALIDATE_CLASSIFICATION):
        st.markdown("**Classifications à valider**")
        first = QUEUE_PAGE * page_number(len(to_validate), "validate_page", QUEUE_PAGE)  # one form per row shown
        st.caption(shown(first, len(to_validate[first:first + QUEUE_PAGE]), len(to_validate), "classification(s)"))
        for r in to_validate[first:first + QUEUE_PAGE]:
            cl = gov.classification(r.use_case_id)
            if cl is None:
                continue
            with st.expander(f"{r.reference} — {plain(r.title, inline=True)} : {r.risk_class.label}"
                             + (f", niveau {r.impact_level.value}" if r.impact_level else "")):
                validation_form(svc, me, cl, key=f"validate_row_{r.use_case_id}")
    if not pending:
        st.success("Aucune demande en attente.")
    first = QUEUE_PAGE * page_number(len(pending), "pending_page", QUEUE_PAGE)
    if len(pending) > QUEUE_PAGE:
        st.caption(shown(first, len(pending[first:first + QUEUE_PAGE]), len(pending), "demande(s)"))
    for req in pending[first:first + QUEUE_PAGE]:
        with st.container(border=True):
            st.markdown(f"## {req.reference} — {plain(req.title, inline=True)}")
            pending_box(req)
            st.page_link("app_pages/sheet.py", label="Ouvrir la fiche", icon=":material/description:",
                         query_params={"ref": req.reference})
            decide_expander(svc, me, req, key=f"queue_{req.id}")

with tab_classes:
    frame = pd.DataFrame([{
        "Référence": r.reference, "Cas d'usage": r.title, "Étape": r.stage.label,
        "Règlement IA": r.risk_class.label if r.risk_class else "Non classé",
        "Niveau d'impact": r.impact_level.value if r.impact_level else "—",
        "Classification validée": "oui" if r.validated else ("non" if r.risk_class else "—"),
        "Demande en attente": r.pending_request or "", "Obligations ouvertes": r.open_obligations,
        "Revue périodique": r.review,
    } for r in rows])
    classes = [c.label for c in AiActClass] + ["Non classé"]
    levels = [lv.value for lv in ImpactLevel] + ["—"]
    cross = (pd.crosstab(frame["Règlement IA"], frame["Niveau d'impact"])
             .reindex(index=classes, columns=levels, fill_value=0))
    st.markdown("**Nombre de cas d'usage par classe (règlement IA) et niveau d'impact**")
    st.dataframe(cross, width="content")
    st.dataframe(frame, hide_index=True)

with tab_late:
    st.markdown("**Revues périodiques en retard**")
    if late_reviews:
        st.dataframe(pd.DataFrame([{
            "Référence": r.reference, "Cas d'usage": r.title,
            "Niveau": r.impact_level.value if r.impact_level else "non évalué",
            "Cadence (mois)": r.cadence_months, "Dernière revue": fmt_date(r.last_review) if r.last_review else "aucune",
            "Due le": fmt_date(r.due_date)} for r in late_reviews]), hide_index=True)
        if can(me, Action.RECORD_REVIEW):
            names = {r.use_case_id: f"{r.reference} — {r.title}" for r in late_reviews}
            uc_id = st.selectbox("Cas d'usage revu", list(names), format_func=names.__getitem__, key="review_pick")
            review_form(svc, me, uc_id, key=f"late_review_{uc_id}")
    else:
        st.success("Aucune revue en retard.")
    st.markdown("**Obligations en retard**")
    if late_obligations:
        st.dataframe(pd.DataFrame([{
            "Référence": ref, "Cas d'usage": title, "Obligation": o.title_fr, "Article": o.article,
            "Statut": o.status.label, "Responsable": o.owner_name or "", "Échéance": fmt_date(o.due_date),
        } for ref, title, o in late_obligations]), hide_index=True)
    else:
        st.success("Aucune obligation en retard.")

with tab_history:
    decided = [r for r in gov.requests() if not r.pending]
    if decided:
        first = PAGE_SIZE * page_number(len(decided), "decided_page")
        st.caption(shown(first, len(decided[first:first + PAGE_SIZE]), len(decided), "décision(s)"))
        st.dataframe(requests_frame(decided[first:first + PAGE_SIZE]), hide_index=True,
                     column_order=["N°", "Référence", "Cas d'usage", "Vers", "Statut", "Décidé par", "Date de décision",
                                   "Autorité", "Acte", "Motifs", "Conditions"],
                     column_config={"Cas d'usage": st.column_config.TextColumn(width="medium"),
                                    "Motifs": st.column_config.TextColumn(width="large"),
                                    "Conditions": st.column_config.TextColumn(width="medium")})
        st.caption("Le détail d'une décision (motifs et conditions en entier) se lit dans l'onglet « Gouvernance » "
                   "de la fiche.")
    else:
        st.info("Aucune décision enregistrée.")
