"""Compliance: the gate review queue, use cases by class and level, what is late, the gate history.

Every list is counted and paged by the service (nothing reads the whole portfolio), and only the open
tab is drawn."""

import pandas as pd
import streamlit as st

from policies.access import can
from policies.vocabulary import Action, AiActClass, ImpactLevel
from portal.services.governance.lists import NONE
from portal.ui.deps import services
from portal.ui.feedback import flash
from portal.ui.formats import fmt_date, fmt_int
from portal.ui.governance import decide_expander, pending_box, requests_frame, review_form, validation_form
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.session import principal
from portal.ui.text import plain

QUEUE_PAGE = 10  # requests and classifications shown with their forms, a page at a time
UNCLASSIFIED, UNASSESSED = "Non classé", "—"
me = principal()
svc = services()
gov = svc.governance

st.title("Conformité")
st.caption("Demandes de passage d'étape à décider, classification du portefeuille, retards et décisions.")
flash()

n_pending = gov.pending_count()
n_late_obligations = gov.late_obligation_count()
late_reviews = gov.late_reviews()
n_to_validate = gov.to_validate_count()
c1, c2, c3, c4 = st.columns(4)
c1.metric("Demandes à décider", fmt_int(n_pending))
c2.metric("Obligations en retard", fmt_int(n_late_obligations))
c3.metric("Revues en retard", fmt_int(len(late_reviews)))
c4.metric("Classifications à valider", fmt_int(n_to_validate))

tab_queue, tab_classes, tab_late, tab_history = st.tabs(
    [f"File d'attente ({fmt_int(n_pending)})", "Classes et niveaux", "Retards", "Historique des passages"],
    key="compliance_tabs", on_change="rerun")

# Only the open tab is drawn: a decision, a filter or a page turn costs one tab, not four.
if tab_queue.open:
    with tab_queue:
        if n_to_validate and can(me, Action.VALIDATE_CLASSIFICATION):
            st.markdown("**Classifications à valider**")
            first = QUEUE_PAGE * page_number(n_to_validate, "validate_page", QUEUE_PAGE)  # one form per row shown
            to_validate = gov.to_validate_page(first, QUEUE_PAGE)
            st.caption(shown(first, len(to_validate), n_to_validate, "classification(s)"))
            for ref, title, cl in to_validate:
                # the answers (four questionnaires) are drawn when their row is opened, not for every row
                row = st.expander(f"{ref} — {plain(title, inline=True)} : {cl.risk_class.label}"
                                  + (f", niveau {cl.impact_level.value}" if cl.impact_level else ""),
                                  key=f"validate_open_{cl.use_case_id}", on_change="rerun")
                if row.open:
                    with row:
                        validation_form(svc, me, cl, key=f"validate_row_{cl.use_case_id}")
        if not n_pending:
            st.success("Aucune demande en attente.")
        first = QUEUE_PAGE * page_number(n_pending, "pending_page", QUEUE_PAGE)
        pending = gov.pending_page(first, QUEUE_PAGE) if n_pending else []
        if n_pending > QUEUE_PAGE:
            st.caption(shown(first, len(pending), n_pending, "demande(s)"))
        for req in pending:
            with st.container(border=True):
                st.markdown(f"## {req.reference} — {plain(req.title, inline=True)}")
                pending_box(req)
                st.page_link("app_pages/sheet.py", label="Ouvrir la fiche", icon=":material/description:",
                             query_params={"ref": req.reference})
                decide_expander(svc, me, req, key=f"queue_{req.id}")

if tab_classes.open:
    with tab_classes:
        classes = [c.label for c in AiActClass] + [UNCLASSIFIED]
        levels = [lv.value for lv in ImpactLevel] + [UNASSESSED]
        cross = pd.DataFrame(0, index=pd.Index(classes, name="Règlement IA"),
                             columns=pd.Index(levels, name="Niveau d'impact"))
        for (cls, level), n in gov.class_level_counts().items():
            cross.loc[cls.label if cls else UNCLASSIFIED, level.value if level else UNASSESSED] += n
        st.markdown("**Nombre de cas d'usage par classe (règlement IA) et niveau d'impact**")
        st.dataframe(cross, width="content")
        f1, f2, f3 = st.columns([2, 2, 2])
        text = f1.text_input("Rechercher (référence ou titre)", key="classes_text")
        class_names = {c.value: c.label for c in AiActClass} | {NONE: UNCLASSIFIED}
        picked_classes = f2.multiselect("Règlement IA", list(class_names), format_func=class_names.__getitem__,
                                        key="classes_class", placeholder="Toutes")
        level_names = {lv.value: lv.value for lv in ImpactLevel} | {NONE: "non évalué"}
        picked_levels = f3.multiselect("Niveau d'impact", list(level_names), format_func=level_names.__getitem__,
                                       key="classes_level", placeholder="Tous")
        filters = {"text": text, "classes": picked_classes, "levels": picked_levels}
        total = gov.portfolio_count(**filters)
        first = PAGE_SIZE * page_number(total, "classes_page")
        rows = gov.portfolio_page(**filters, offset=first, limit=PAGE_SIZE)
        st.caption(shown(first, len(rows), total, "cas d'usage") + ", par référence.")
        st.dataframe(pd.DataFrame([{
            "Référence": r.reference, "Cas d'usage": r.title, "Étape": r.stage.label,
            "Règlement IA": r.risk_class.label if r.risk_class else UNCLASSIFIED,
            "Niveau d'impact": r.impact_level.value if r.impact_level else UNASSESSED,
            "Classification validée": "oui" if r.validated else ("non" if r.risk_class else "—"),
            "Demande en attente": r.pending_request or "", "Obligations ouvertes": r.open_obligations,
            "Revue périodique": r.review,
        } for r in rows]), hide_index=True)

if tab_late.open:
    with tab_late:
        st.markdown("**Revues périodiques en retard**")
        if late_reviews:
            first = PAGE_SIZE * page_number(len(late_reviews), "late_reviews_page")
            page = late_reviews[first:first + PAGE_SIZE]
            st.caption(shown(first, len(page), len(late_reviews), "revue(s) en retard") + ", la plus ancienne d'abord.")
            st.dataframe(pd.DataFrame([{
                "Référence": r.reference, "Cas d'usage": r.title,
                "Niveau": r.impact_level.value if r.impact_level else "non évalué",
                "Cadence (mois)": r.cadence_months,
                "Dernière revue": fmt_date(r.last_review) if r.last_review else "aucune",
                "Due le": fmt_date(r.due_date)} for r in page]), hide_index=True)
            if can(me, Action.RECORD_REVIEW):
                names = {r.use_case_id: f"{r.reference} — {r.title}" for r in page}
                uc_id = st.selectbox("Cas d'usage revu", list(names), format_func=names.__getitem__,
                                     key="review_pick")
                review_form(svc, me, uc_id, key=f"late_review_{uc_id}")
        else:
            st.success("Aucune revue en retard.")
        st.markdown("**Obligations en retard**")
        if n_late_obligations:
            first = PAGE_SIZE * page_number(n_late_obligations, "late_obligations_page")
            late_obligations = gov.late_obligation_page(first, PAGE_SIZE)
            st.caption(shown(first, len(late_obligations), n_late_obligations, "obligation(s) en retard"))
            st.dataframe(pd.DataFrame([{
                "Référence": ref, "Cas d'usage": title, "Obligation": o.title_fr, "Article": o.article,
                "Statut": o.status.label, "Responsable": o.owner_name or "", "Échéance": fmt_date(o.due_date),
            } for ref, title, o in late_obligations]), hide_index=True)
        else:
            st.success("Aucune obligation en retard.")

if tab_history.open:
    with tab_history:
        n_decided = gov.decided_count()
        if n_decided:
            first = PAGE_SIZE * page_number(n_decided, "decided_page")
            decided = gov.decided_page(first, PAGE_SIZE)
            st.caption(shown(first, len(decided), n_decided, "décision(s)"))
            st.dataframe(requests_frame(decided), hide_index=True,
                         column_order=["N°", "Référence", "Cas d'usage", "Vers", "Statut", "Décidé par",
                                       "Date de décision", "Autorité", "Acte", "Motifs", "Conditions"],
                         column_config={"Cas d'usage": st.column_config.TextColumn(width="medium"),
                                        "Motifs": st.column_config.TextColumn(width="large"),
                                        "Conditions": st.column_config.TextColumn(width="medium")})
            st.caption("Le détail d'une décision (motifs et conditions en entier) se lit dans l'onglet "
                       "« Gouvernance » de la fiche.")
        else:
            st.info("Aucune décision enregistrée.")
