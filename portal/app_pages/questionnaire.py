"""Guided classification: AI Act, RGPD, CRPA and impact level, with the article behind each question."""

import pandas as pd
import streamlit as st

from policies import ai_act, impact, rgpd
from policies.access import can
from policies.vocabulary import Action
from portal.services.errors import InvalidInput
from portal.services.governance.engine import CRPA_QUESTIONS, sheet_proposals
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_number
from portal.ui.governance import questions_form
from portal.ui.picker import pick_use_case
from portal.ui.places import back_to_sheet, keep_ref
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()

st.title("Questionnaire de classification")
st.caption("Chaque question cite l'article qui la fonde. Les réponses que la fiche donne déjà sont proposées "
           "« d'après la fiche » et restent modifiables. Chaque onglet se valide d'un bouton : le résultat se met "
           "à jour à chaque section validée ; rien n'est enregistré avant « Enregistrer la classification ».")
flash()

# who may classify which case: every case (compliance, administration), only their own (project leads), none
if can(me, Action.ANSWER_QUESTIONNAIRE, owner_ids=[None]):
    lead_id = None
elif can(me, Action.ANSWER_QUESTIONNAIRE) and me.person_id is not None:
    lead_id = me.person_id
else:
    st.info("Aucun cas d'usage que vous puissiez classer.")
    st.stop()
asked = st.query_params.get("ref")
if asked and not svc.register.choices_named([asked], lead_id=lead_id):
    # a link to a case this person may not classify: say so, never open another
    st.warning(f"Vous ne pouvez pas classer le cas d'usage {plain(asked, inline=True)} (ou il n'existe pas).",
               icon=":material/block:")
    back_to_sheet(asked, "gouvernance")
    st.stop()
choice = pick_use_case(svc, me, key="q_ref", lead_id=lead_id)
if choice is None:
    st.info("Aucun cas d'usage que vous puissiez classer.")
    st.stop()
ref = choice.reference
keep_ref(ref)
back_to_sheet(ref, "gouvernance")
uc = svc.register.get(choice.id)  # the full sheet of the one chosen
previous = svc.governance.classification(uc.id)
defaults = previous.model_dump() if previous else {}
key = f"q{uc.id}_{previous.number if previous else 0}"
proposed = sheet_proposals(uc)
SUBMIT = "Valider la section"

tab_ai, tab_rgpd, tab_crpa, tab_impact, tab_result = st.tabs(
    ["Règlement IA", "RGPD", "CRPA", "Niveau d'impact", "Résultat"], key="questionnaire_tabs", on_change="rerun")
with tab_ai, st.form(f"{key}_ai_form", border=False):
    ai_answers = questions_form(ai_act.questions(), defaults.get("ai_act_answers", {}), f"{key}_ai",
                                derive=ai_act.derive_facts, proposals=proposed["ai_act"])
    st.form_submit_button(SUBMIT, key=f"{key}_ai_submit", type="primary")
with tab_rgpd, st.form(f"{key}_rgpd_form", border=False):
    st.caption("Les données personnelles et leurs bases légales viennent des sources de données de la fiche "
               f"({len(uc.data_sources)} source(s)).")
    rgpd_answers = questions_form(rgpd.dpia_questions() + rgpd.art22_questions(), defaults.get("rgpd_answers", {}),
                                  f"{key}_rgpd", proposals=proposed["rgpd"])
    st.form_submit_button(SUBMIT, key=f"{key}_rgpd_submit", type="primary")
with tab_crpa, st.form(f"{key}_crpa_form", border=False):
    crpa_answers = questions_form(CRPA_QUESTIONS, defaults.get("crpa_answers", {}), f"{key}_crpa",
                                  proposals=proposed["crpa"])
    previous_crpa = defaults.get("crpa_answers", {})
    org = svc.organisation.get()
    if org is not None and org.complete:
        st.caption(f"Collectivité : {org.name} — {fmt_number(org.staff_fte, 0)} agents (ETP), "
                   f"{fmt_number(org.population, 0)} habitants ; contact pour les explications : {org.contact}. "
                   "Ces informations valent pour tous les cas d'usage (page Administration). "
                   "Fondement : CRPA L312-1-3, D312-1-4 (publication des règles à partir de 50 agents).")
    else:
        st.warning("Les informations de la collectivité (nom, effectif, population, contact) ne sont pas renseignées : "
                   "un administrateur les saisit une fois, page Administration. En attendant, la publication des "
                   "règles est présumée obligatoire (effectif inconnu).", icon=":material/account_balance:")
    if crpa_answers.get("secret_l311_5"):
        justification = st.text_area("Justification du secret (L311-5)",
                                     value=previous_crpa.get("secret_justification", ""),
                                     key=f"{key}_crpa_secret_justification",
                                     help="Quel secret de l'article L311-5 2°, et en quoi la mention ou la publication "
                                          "y porterait atteinte. Sans justification, le secret n'est pas retenu.")
        if justification.strip():
            crpa_answers["secret_justification"] = justification.strip()
    rules_url = st.text_input("Adresse de publication des règles (facultatif)", value=previous_crpa.get("rules_url", ""),
                              key=f"{key}_crpa_rules_url")
    if rules_url.strip():
        crpa_answers["rules_url"] = rules_url.strip()
    st.form_submit_button(SUBMIT, key=f"{key}_crpa_submit", type="primary")
with tab_impact, st.form(f"{key}_impact_form", border=False):
    impact_answers = questions_form(impact.questions(), defaults.get("impact_answers", {}), f"{key}_impact",
                                    proposals=proposed["impact"])
    st.form_submit_button(SUBMIT, key=f"{key}_impact_submit", type="primary")

with tab_result:
    try:
        result = svc.governance.preview(uc.id, ai_act=ai_answers, rgpd=rgpd_answers, crpa=crpa_answers,
                                        impact=impact_answers)
    except InvalidInput as exc:
        st.error("\n".join(f"- {plain(p, inline=True)}" for p in exc.problems))
        st.stop()
    a, r, c, i = result.ai_act, result.rgpd, result.crpa, result.impact
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    c1.metric("Règlement IA", a.risk_class.label)
    c2.metric("Niveau d'impact", i.level.value if i else "non évalué", help=i.level.label if i else None)
    c3.metric("AIPD", "requise" if r.dpia.required else ("recommandée" if r.dpia.recommended else "non requise"))
    c4.metric("AIDF", "requise" if a.fria_required else "non requise")
    st.caption(f"Rôle de la collectivité : {a.role.label if a.role else '—'}")
    if not a.complete:
        st.warning(f"{len(a.unanswered)} question(s) du règlement IA sans réponse : une question sur une pratique "
                   "interdite sans réponse fait présumer la pratique ; les autres comptent comme « non ».")
    if a.presumed_practices:
        st.warning(f"{len(a.presumed_practices)} pratique(s) interdite(s) présumée(s) faute de réponse : répondez aux "
                   "questions de la section « Pratiques interdites » pour lever la présomption.")
    if result.contradictions:
        st.warning("**Réponses contradictoires, à revoir avant d'enregistrer** (l'enregistrement reste possible ; "
                   "les contradictions sont conservées avec la classification) :\n"
                   + "\n".join(f"- {plain(c.message_fr, inline=True)}" for c in result.contradictions),
                   icon=":material/rule:")
    st.markdown("**Motifs, avec leurs articles**")
    reasons = [*a.reasons, *r.reasons, *c.reasons]
    # static tables: the reasons are sentences, read in full rather than cut at the right edge
    st.table(pd.DataFrame([{"Règle": x.rule_id, "Article": x.article, "Motif": x.text_fr} for x in reasons]),
             hide_index=True)
    if i is not None:
        st.markdown(f"**Niveau d'impact** : score {fmt_number(i.score, 2)} sur {i.max_raw} "
                    f"({fmt_number(100 * i.share, 0)} %) ; "
                    f"atténuation {i.mitigation}/{i.max_mitigation}"
                    + (" — réduction appliquée" if i.mitigation_applied else ""))
        st.markdown("**Réponses qui ont déterminé le niveau**")
        st.table(pd.DataFrame([{"Question": d.question_fr, "Réponse": d.answer_fr, "Points": d.points}
                               for d in i.drivers]), hide_index=True)
    st.markdown(f"**Obligations qui en découlent ({len(result.obligations)})**")
    st.dataframe(pd.DataFrame([{"Obligation": o.title_fr, "Article": o.article,
                                "Applicable depuis": o.applies_from.strftime("%d/%m/%Y")}
                               for o in result.obligations]), hide_index=True)
    if st.button("Enregistrer la classification", type="primary", key="q_save") and attempt(
            lambda: svc.governance.classify(me, uc.id, ai_act=ai_answers, rgpd=rgpd_answers, crpa=crpa_answers,
                                            impact=impact_answers),
            success="Classification enregistrée ; obligations mises à jour."):
        st.rerun()
