"""The public register of algorithms (CRPA L312-1-3): what is published, what must be, open-data export."""

import pandas as pd
import streamlit as st

from policies.access import can
from policies.vocabulary import Action
from portal.services.public_register import FIELDS, STATES
from portal.services.public_reports import KINDS_FR, REFUSALS_FR
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_date
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.session import principal
from portal.ui.text import plain
from portal.ui.transparency import entry_definitions

me = principal()
svc = services()

st.title("Registre public des algorithmes")
st.caption("Les règles des principaux traitements algorithmiques fondant des décisions individuelles sont publiées "
           "en ligne (CRPA, art. L312-1-3). Chaque fiche suit l'inventaire recommandé par Etalab ; le texte public "
           "ne change que lorsqu'un agent de la conformité le republie.")
flash()

counts = svc.public_register.counts()  # added up in the database: no record built for the counters
c1, c2, c3 = st.columns(3)
c1.metric("Fiches publiées", counts.published)
c2.metric("Publication obligatoire non faite", counts.required_not_published,
          help="Décisions individuelles fondées sur un traitement algorithmique (questionnaire CRPA).")
c3.metric("À republier", counts.stale, help="La fiche ou la classification a changé depuis la publication.")

if not counts.listed:
    st.info("Aucun cas d'usage en expérimentation, en évaluation ou déployé, ni soumis à publication.")
    st.stop()

f1, f2 = st.columns(2)
text = f1.text_input("Rechercher", placeholder="référence ou titre", key="public_search")
state = f2.selectbox("État", [None, *STATES], format_func=lambda s: "Tous les états" if s is None else s,
                     key="public_state")
# one page of rows, filtered by the service: a métropole's register lists thousands of algorithms
matching, total = svc.public_register.listing(state, text)  # light rows: no record built
offset = PAGE_SIZE * page_number(total, "public_page", PAGE_SIZE)
rows = matching[offset:offset + PAGE_SIZE]
table = pd.DataFrame([{
    "Référence": e.reference, "Algorithme": e.title, "État": e.state,
    "Publiée le": fmt_date(e.published_at) if e.published_at else "", "Par": e.published_by or "",
    "Obligatoire (CRPA)": "oui" if e.crpa_publication else "non",
} for e in rows], columns=["Référence", "Algorithme", "État", "Publiée le", "Par", "Obligatoire (CRPA)"])
st.caption(f"{shown(offset, len(rows), total, 'traitement(s)')} — cliquez sur une ligne pour voir sa fiche.")
event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode=ROW_CLICK, key="public_table",
                     height=min(640, 38 + 35 * max(len(table), 1)),
                     column_config={"État": st.column_config.TextColumn(width="medium")})
row = picked_row(event)
wanted = st.query_params.get("ref")  # a link from elsewhere opens that entry, listed on this page or not
# the full entry (record, what is missing, the standards' gaps) is built for the one entry opened only
entry = (svc.public_register.entry(rows[row].use_case_id) if row is not None and row < len(rows)
         else svc.public_register.listed_entry(wanted) if wanted else None)
if entry is not None:
    st.header(f"{entry.reference} — {plain(entry.title, inline=True)}")
    if entry.published:
        st.caption(f"Fiche publiée le {fmt_date(entry.published_at)} par {plain(entry.published_by, inline=True)}"
                   + (" — la fiche interne a changé depuis : à republier." if entry.stale else "."))
    else:
        st.caption("Aperçu : voici la fiche telle qu'elle serait publiée maintenant.")
        for problem in svc.public_register.missing(entry.use_case_id):
            st.warning(plain(problem))
    with st.container(border=True):
        entry_definitions(entry.record, FIELDS)
    for standard, empty in svc.public_register.standard_gaps(entry).items():
        st.caption(f"Export {standard} : " + (f"champs encore vides — {', '.join(empty)} (section « Transparence » "
                                               "de la fiche)." if empty else "complet."))
    if can(me, Action.PUBLISH_REGISTER):
        with st.expander("Vérifier la lisibilité avant publication"):
            st.caption("Les rubriques rédigées de la fiche passent par le module « Lisibilité de l'information "
                       "publique » : phrases longues, jargon administratif, sigles, voix passive, mots rares.")
            if st.button("Vérifier la lisibilité", key=f"readability_{entry.use_case_id}"):
                tables = svc.public_register.readability(me, entry.use_case_id)
                if tables is None:
                    st.info("Aucune rubrique rédigée à vérifier.")
                else:
                    st.dataframe(tables["texts"][["id", "score_difficulte", "niveau", "mots_par_phrase",
                                                   "jargon", "sigles_non_expliques", "suggestions"]],
                                 hide_index=True, column_config={
                                     "id": "Rubrique", "score_difficulte": "Difficulté (sur 100)", "niveau": "Niveau",
                                     "mots_par_phrase": "Mots par phrase", "jargon": "Jargon administratif",
                                     "sigles_non_expliques": "Sigles non expliqués", "suggestions": "Suggestions"})
                    sugg = tables["suggestions"]
                    if sugg.empty:
                        st.success("Aucune suggestion : la fiche se lit bien.")
                    else:
                        st.dataframe(sugg[["id", "phrase", "type", "suggestion"]], hide_index=True,
                                     column_config={"id": "Rubrique", "type": "Nature", "phrase": st.column_config.TextColumn(
                                         "Phrase", width="large"), "suggestion": st.column_config.TextColumn(
                                         "Suggestion", width="large")})
        c1, c2 = st.columns(2)
        label = "Republier la fiche" if entry.published else "Publier la fiche"
        if c1.button(label, type="primary", key=f"publish_{entry.use_case_id}") and attempt(
                lambda: svc.public_register.publish(me, entry.use_case_id),
                success=f"{entry.reference} publié au registre public."):
            st.rerun()
        if entry.published:
            with c2.popover("Retirer du registre public"):
                reason = st.text_area("Motif du retrait", key=f"withdraw_reason_{entry.use_case_id}")
                if st.button("Retirer", key=f"withdraw_{entry.use_case_id}") and attempt(
                        lambda: svc.public_register.withdraw(me, entry.use_case_id, reason),
                        success=f"{entry.reference} retiré du registre public."):
                    st.rerun()

if can(me, Action.PUBLISH_REGISTER):
    st.divider()
    reports = svc.public_reports.reports(me)
    waiting = [r for r in reports if r.status == "open"]
    st.header(f"Signalements du public ({len(waiting)} à traiter)")
    st.caption("Erreurs signalées, questions et contestations envoyées depuis le registre public (sans connexion). "
               "Notez la réponse apportée pour clore ; l'adresse laissée ne sert qu'à répondre.")
    if not reports:
        st.info("Aucun signalement.")
    for r in waiting:
        with st.expander(f"n° {r.id} — {r.reference} — {KINDS_FR[r.kind]} — {fmt_date(r.created_at)}"):
            st.text(r.message)  # written by the public: shown as plain text, never markdown
            st.text(f"Répondre à : {r.contact}" if r.contact else "Aucune adresse laissée.")  # typed by the public
            answer = st.text_area("Réponse apportée", key=f"report_answer_{r.id}")
            if st.button("Clore le signalement", key=f"report_close_{r.id}") and attempt(
                    lambda r=r, answer=answer: svc.public_reports.close(me, r.id, answer),
                    success=f"Signalement n° {r.id} clos."):
                st.rerun()
    refusals = svc.public_reports.refusals(me)  # security: a flood shows, who posted does not
    if refusals:
        with st.expander(f"Envois refusés par le formulaire, 7 derniers jours ({sum(c.count for c in refusals)})"):
            st.caption("Messages déjà reçus et envois au-delà des limites horaires (par fiche et pour tout le "
                       "registre). Seul le nombre est gardé : ni adresse, ni IP, ni trace du navigateur.")
            st.dataframe(pd.DataFrame([{
                "Heure (UTC)": c.hour.strftime("%d/%m/%Y %H:00"), "Fiche": c.reference,
                "Motif": REFUSALS_FR.get(c.reason, c.reason), "Envois refusés": c.count,
            } for c in refusals]), hide_index=True)
    closed = [r for r in reports if r.status == "closed"]
    if closed:
        with st.expander(f"Signalements clos ({len(closed)})"):
            st.dataframe(pd.DataFrame([{
                "N°": r.id, "Fiche": r.reference, "Objet": KINDS_FR[r.kind], "Reçu le": fmt_date(r.created_at),
                "Clos le": fmt_date(r.handled_at), "Message": r.message, "Réponse": r.response or "",
            } for r in closed]), hide_index=True)

st.divider()
st.header("Données ouvertes")
st.caption("Les fiches publiées, en CSV (rubriques en français, séparateur « ; ») ou en JSON, pour data.gouv.fr "
           "ou le site de la collectivité ; ou au standard européen de transparence algorithmique d'Eurocities "
           "(v0.3.1, celui des registres d'Amsterdam, Helsinki ou Barcelone), en JSON ou CSV. Chaque export est "
           "consigné dans le journal d'audit.")
c1, c2, c3, c4, _ = st.columns([1, 1, 1, 1, 1])
for fmt, label, col in (("csv", "Préparer le CSV", c1), ("json", "Préparer le JSON", c2),
                        ("eurocities_json", "Eurocities (JSON)", c3), ("eurocities_csv", "Eurocities (CSV)", c4)):
    if col.button(label, key=f"public_prepare_{fmt}"):
        st.session_state[f"public_export_{fmt}"] = attempt(lambda fmt=fmt: svc.public_register.export(me, fmt))
    ready = st.session_state.get(f"public_export_{fmt}")
    if ready is not None:
        col.download_button("Télécharger", ready.data, file_name=ready.filename, mime=ready.mime,
                            key=f"public_download_{fmt}", on_click="ignore", icon=":material/download:",
                            help=f"{ready.filename} — {ready.rows} fiche(s) publiée(s)")
