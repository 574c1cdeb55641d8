"""Streamlit pieces of governance: the questionnaire widgets, the gate decision form, the
"Gouvernance" tab of the use-case sheet. Every write goes through GovernanceService."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import pandas as pd
import streamlit as st

from policies.access import can
from policies.conditions import matches
from policies.prefill import Proposal
from policies.questionnaire import Question
from policies.rulebook import load_rules as _load_rules
from policies.vocabulary import (
    FORWARD_PATH,
    Action,
    GateDecision,
    ObligationStatus,
    Principal,
    Stage,
)
from portal.services import Services
from portal.services.errors import NotFound
from portal.services.evidence_types import EXTENSIONS as EVIDENCE_EXTENSIONS
from portal.services.governance import ATTESTATIONS, ClassificationView, GateRequestView
from portal.services.schemas import UseCaseView
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date, fmt_rules, section_title
from portal.ui.text import plain

_NO_ANSWER = "—"


# ---- questionnaire widgets ----------------------------------------------------------------------


def questions_form(questions: list[Question], defaults: Mapping[str, Any], key: str,
                   derive: Callable[[Mapping[str, Any]], Mapping[str, Any]] = dict,
                   proposals: Mapping[str, Proposal] | None = None) -> dict[str, Any]:
    """One widget per visible question, in order; a question shows once the answers it depends on do.

    Meant to sit in an ``st.form``: a question that an answer of the same section reveals appears
    once the section is submitted (a hint says so). An answer the sheet gives (``proposals``) stands
    in for a missing one, marked « d'après la fiche »; a recorded answer (``defaults``) wins."""
    answers: dict[str, Any] = {}
    proposals = proposals or {}
    section = None
    hidden = 0
    for q in questions:
        if not matches(q.visible_if, derive(answers)):
            hidden += 1
            continue
        if q.section != section:
            section = q.section
            st.markdown(f"**{section_title(section)}**")
        wkey = f"{key}_{q.id}"
        proposal = proposals.get(q.id) if q.id not in defaults else None
        current = proposal.value if proposal is not None else defaults.get(q.id)
        help_text = q.help_fr or None
        if q.kind == "multi":
            values = [o.value for o in q.options]
            labels = {o.value: o.label_fr for o in q.options}
            value = st.multiselect(q.text_fr, values, default=[v for v in (current or []) if v in values],
                                   format_func=labels.__getitem__, key=wkey, help=help_text, placeholder="Aucun", select_all=False)
        else:
            values = [_NO_ANSWER, *[o.value for o in q.options]]
            labels = {o.value: o.label_fr for o in q.options} | {_NO_ANSWER: "Sans réponse"}
            index = values.index(current) if current in values else 0
            if q.kind == "yes_no":
                value = st.radio(q.text_fr, values, index=index, format_func=labels.__getitem__, key=wkey,
                                 help=help_text, horizontal=True)
            else:
                value = st.selectbox(q.text_fr, values, index=index, format_func=labels.__getitem__, key=wkey,
                                     help=help_text)
            value = None if value == _NO_ANSWER else value
        if proposal is not None:
            said = q.answer_label(proposal.value)
            st.caption(f":material/description: Réponse proposée d'après la fiche : « {said} » "
                       f"({plain(proposal.reason_fr, inline=True)})"
                       + (" — vous l'avez modifiée." if value != proposal.value else " — modifiable."))
        if q.article:
            st.caption(f"Fondement : {q.article}" + (f" ({q.rule})" if q.rule else ""))
        if value is not None:  # an empty multiple choice is an answer: none of them
            answers[q.id] = value
    if hidden:
        st.caption(f":material/info: {hidden} question(s) complémentaire(s) ne se posent que selon vos réponses "
                   "(si … alors …) : elles apparaissent quand vous validez la section.")
    return answers


@cache
def _questions() -> tuple[tuple[Question, ...], ...]:
    """The four questionnaires' questions, parsed from the rules once (a queue shows many classifications)."""
    from policies import ai_act, impact, rgpd
    from portal.services.governance.engine import CRPA_QUESTIONS

    return (tuple(ai_act.questions()), tuple(rgpd.dpia_questions()) + tuple(rgpd.art22_questions()),
            tuple(CRPA_QUESTIONS), tuple(impact.questions()))


@cache
def _gate_rules() -> dict[str, Any]:
    return _load_rules("gates")  # read only


def _questionnaires(cl: ClassificationView) -> list[tuple[str, list[Question], Mapping[str, Any]]]:
    ai, rgpd_questions, crpa_questions, impact_questions = _questions()
    return [("Règlement IA", list(ai), cl.ai_act_answers), ("RGPD", list(rgpd_questions), cl.rgpd_answers),
            ("CRPA", list(crpa_questions), cl.crpa_answers), ("Niveau d'impact", list(impact_questions), cl.impact_answers)]


def classification_answers(cl: ClassificationView) -> None:
    """The classification's result, then every answer (question, then answer) grouped by section."""
    st.markdown(
        f"**Résultat** — règlement IA : {cl.risk_class.label} · niveau d'impact : "
        + (cl.impact_level.label if cl.impact_level else "non évalué")
        + f" · AIPD : {'requise' if cl.dpia_required else 'non requise'}"
        + f" · AIDF : {'requise' if cl.fria_required else 'non requise'}")
    for title, questions, answers in _questionnaires(cl):
        asked = [q for q in questions if q.id in answers]
        if not asked:
            continue
        st.markdown(f"##### {title}")
        section = None
        lines: list[str] = []
        for q in asked:
            if q.section != section:
                section = q.section
                lines.append(f"\n**{plain(section_title(section), inline=True)}**\n")
            lines.append(f"- {plain(q.text_fr, inline=True)} → **{plain(q.answer_label(answers[q.id]), inline=True)}**")
        st.markdown("\n".join(lines))


def validation_form(svc: Services, me: Principal, cl: ClassificationView, key: str) -> None:
    """The answers and the result in view, then the « Valider » button."""
    with st.container(border=True):
        classification_answers(cl)
        st.caption(f"Classification n° {cl.number} du {fmt_date(cl.created_at)} par "
                   f"{plain(cl.created_by_name, inline=True)}.")
        if st.button("Valider", key=key, type="primary") and attempt(
                lambda: svc.governance.validate_classification(me, cl.use_case_id),
                success="Classification validée."):
            st.rerun()


# ---- gates ----------------------------------------------------------------------------------------


def decision_form(svc: Services, me: Principal, req: GateRequestView, key: str) -> None:
    """The decision form of a pending request, for a person the approving authority allows.

    No decision is preselected. Whoever is not the authority itself records the decision on its
    behalf: the form says so and asks for the act (number and date) or the date of the meeting.
    """
    if not svc.governance.can_decide(me, req):
        st.caption(f"Décision réservée à : {req.authority.label}.")
        return
    reference_required = req.authority.value in _gate_rules()["reference_required"]
    on_behalf = svc.governance.on_behalf(me, req)
    with st.form(f"decide_{key}"):
        if on_behalf:
            st.info(f"Vous enregistrez cette décision pour le compte de : **{req.authority.label}**. "
                    "Indiquez l'acte qui la porte (numéro et date de la délibération ou de l'arrêté) "
                    "ou la date de la séance où elle a été prise.", icon=":material/assignment_ind:")
        decision = st.radio("Décision *", list(GateDecision), index=None, format_func=lambda d: d.label,
                            key=f"{key}_decision", horizontal=True)
        reasons = st.text_area("Motifs", key=f"{key}_reasons")
        conditions = st.text_area("Conditions (approbation sous conditions)", key=f"{key}_conditions")
        act_number = act_date = session_date = None
        if reference_required or on_behalf:
            if reference_required:
                st.caption(f"L'autorité « {req.authority.label} » décide par un acte : indiquez son numéro et sa "
                           "date.")
            c1, c2, c3 = st.columns(3)
            act_number = c1.text_input("Numéro de la délibération ou de l'acte", key=f"{key}_act")
            act_date = c2.date_input("Date de l'acte", value=None, format="DD/MM/YYYY", key=f"{key}_act_date")
            if on_behalf:
                session_date = c3.date_input("ou : décision prise en séance le", value=None, format="DD/MM/YYYY",
                                             key=f"{key}_session_date")
        if st.form_submit_button("Enregistrer la décision", type="primary") and attempt(
                lambda: svc.governance.decide(me, req.id, decision, reasons=reasons, conditions=conditions,
                                              act_number=act_number, act_date=act_date, session_date=session_date),
                success="Décision enregistrée."):
            st.rerun()


def decide_expander(svc: Services, me: Principal, req: GateRequestView, key: str) -> None:
    """A folded decision form for whoever the approving authority allows; a caption for the others."""
    if svc.governance.can_decide(me, req):
        with st.expander("Décider", icon=":material/gavel:"):
            decision_form(svc, me, req, key)
    else:
        st.caption(f"Décision réservée à : {req.authority.label}.")


def requests_frame(requests: list[GateRequestView]) -> pd.DataFrame:
    return pd.DataFrame([{
        "N°": r.id, "Référence": r.reference, "Cas d'usage": r.title, "Nature": r.kind_fr,
        "De": r.from_stage.label, "Vers": r.to_stage.label, "Demandé par": r.requested_by_name,
        "Le": fmt_date(r.requested_at), "Statut": r.status_fr,
        "Décidé par": r.decision.decided_by_name if r.decision else "",
        "Date de décision": fmt_date(r.decision.decided_on) if r.decision else "",
        "Autorité": (r.decision.authority if r.decision else r.authority).label,
        "Acte": (f"{r.decision.act_number} du {fmt_date(r.decision.act_date)}"
                 if r.decision and r.decision.act_number else ""),
        "Motifs": r.decision.reasons if r.decision else r.motive,
        "Conditions": (r.decision.conditions or "") if r.decision else "; ".join(r.missing),
        "Version des règles": fmt_rules(r.policy_version),
    } for r in requests])


def decisions_list(requests: list[GateRequestView]) -> None:
    """Decided requests as sentences with their reasons in full: read down the page, never scrolled sideways."""
    for r in requests:
        d = r.decision
        if d is None:
            continue
        act = f", acte n° {plain(d.act_number, inline=True)} du {fmt_date(d.act_date)}" if d.act_number else ""
        lines = [f"**Demande n° {r.id}** ({r.kind_fr}) — {r.from_stage.label} → {r.to_stage.label} : **{r.status_fr}** "
                 f"le {fmt_date(d.decided_on)} par {plain(d.decided_by_name, inline=True)} "
                 f"(autorité : {d.authority.label}{act})."]
        if d.reasons:
            lines.append(f"Motifs : {plain(d.reasons, inline=True)}")
        if d.conditions:
            lines.append(f"Conditions : {plain(d.conditions, inline=True)}")
        st.markdown("  \n".join(lines))


def pending_box(req: GateRequestView) -> None:
    st.markdown(f"**Demande n° {req.id}** — {req.from_stage.label} → **{req.to_stage.label}**, par "
                f"{plain(req.requested_by_name, inline=True)} le {fmt_date(req.requested_at)} · décision : {req.authority.label}")
    if req.motive:
        st.text(req.motive)
    for k in req.attestations:
        st.caption(f"Attesté par le demandeur : {ATTESTATIONS.get(k, k)}")
    if req.missing:
        st.warning("Conditions manquantes — l'approbation est impossible tant qu'elles le sont :\n\n"
                   + "\n".join(f"- {m}" for m in req.missing))
    else:
        st.success("Conditions réunies au moment de la demande.")


# ---- the sheet's "Gouvernance" tab ----------------------------------------------------------------


def banner(svc: Services, uc: UseCaseView) -> None:
    """At the top of the sheet: an overdue review, a held or refused gate."""
    status = svc.governance.review_status(uc.id)
    if status and status.overdue:
        st.error(f"Revue périodique en retard : due le {fmt_date(status.due_date)} "
                 f"(tous les {status.cadence_months} mois à ce niveau d'impact).", icon=":material/event_busy:")
    reqs = svc.governance.requests(uc.id)
    if reqs:
        last = reqs[0]
        if last.pending and last.missing:
            st.warning(f"Passage à l'étape « {last.to_stage.label} » en attente ; conditions manquantes :\n\n"
                       + "\n".join(f"- {plain(m, inline=True)}" for m in last.missing), icon=":material/pending_actions:")
        elif last.decision and last.decision.decision is GateDecision.REFUSE:
            st.error(f"Passage à l'étape « {last.to_stage.label} » refusé le {fmt_date(last.decision.decided_on)} "
                     f"par {plain(last.decision.decided_by_name, inline=True)} : {plain(last.decision.reasons)}",
                     icon=":material/block:")


def governance_tab(svc: Services, me: Principal, uc: UseCaseView) -> None:
    gov = svc.governance
    owners = [uc.lead_id]
    _classification_section(svc, me, uc)
    st.divider()
    _gate_section(svc, me, uc, owners)
    st.divider()
    _obligations_section(svc, me, uc, owners)
    st.divider()
    st.header("Revue périodique")
    status = gov.review_status(uc.id)
    if status is None:
        st.caption("La revue périodique commence au déploiement.")
    else:
        (st.error if status.overdue else st.info)(
            f"{status.label_fr} — tous les {status.cadence_months} mois (depuis le {fmt_date(status.since)}).")
    reviews = gov.reviews(uc.id)
    if reviews:
        st.dataframe(pd.DataFrame([{"Date": fmt_date(r.reviewed_on), "Par": r.reviewed_by_name,
                                    "Conclusion": r.outcome, "Notes": r.notes,
                                    "Prochaine": fmt_date(r.next_due)} for r in reviews]), hide_index=True)
    if status is not None and can(me, Action.RECORD_REVIEW):
        review_form(svc, me, uc.id, key=f"review_{uc.id}")
    st.divider()
    _crpa_section(svc, uc)


def review_form(svc: Services, me: Principal, use_case_id: int, key: str) -> None:
    from portal.services.governance import REVIEW_OUTCOMES

    with st.expander("Enregistrer une revue périodique", icon=":material/fact_check:"), st.form(key):
        on = st.date_input("Date de la revue", value=dt.date.today(), format="DD/MM/YYYY", key=f"{key}_on")
        outcome = st.selectbox("Conclusion", list(REVIEW_OUTCOMES), format_func=REVIEW_OUTCOMES.__getitem__,
                               key=f"{key}_outcome")
        notes = st.text_area("Notes", key=f"{key}_notes")
        if st.form_submit_button("Enregistrer la revue", type="primary") and attempt(
                lambda: svc.governance.record_review(me, use_case_id, reviewed_on=on, outcome=outcome, notes=notes),
                success="Revue enregistrée."):
            st.rerun()


def _classification_section(svc: Services, me: Principal, uc: UseCaseView) -> None:
    gov = svc.governance
    st.header("Classification")
    cl = gov.classification(uc.id)
    if cl is None:
        st.info("Ce cas d'usage n'est pas encore classé (règlement IA, RGPD, CRPA, niveau d'impact).")
    else:
        c1, c2, c3, c4 = st.columns([2, 1, 1.5, 1.5])  # the AI Act class reads in full
        c1.metric("Règlement IA", cl.risk_class.label.split(" (")[0], help=cl.risk_class.label)
        c2.metric("Niveau d'impact", cl.impact_level.value if cl.impact_level else "non évalué",
                  help=cl.impact_level.label if cl.impact_level else None)
        c3.metric("AIPD", "requise" if cl.dpia_required else "non requise")
        c4.metric("AIDF", "requise" if cl.fria_required else "non requise")
        st.caption(
            f"Classification n° {cl.number} du {fmt_date(cl.created_at)} par {plain(cl.created_by_name, inline=True)}"
            f"{' — rôle : ' + cl.role.label if cl.role else ''} · "
            + (f"validée par {plain(cl.validated_by_name, inline=True)} le {fmt_date(cl.validated_at)}" if cl.validated
               else "en attente de validation par la conformité")
            + f" · règles : {fmt_rules(cl.policy_version)}")
        if not cl.validated and can(me, Action.VALIDATE_CLASSIFICATION):
            with st.expander("Valider la classification (réponses et résultat)", icon=":material/verified:"):
                validation_form(svc, me, cl, key=f"validate_{uc.id}")
        with st.expander("Motifs et articles"):
            st.dataframe(pd.DataFrame([{"Règle": r["rule_id"], "Article": r["article"], "Motif": r["text_fr"]}
                                       for r in cl.reasons()]), hide_index=True)
            drivers = cl.impact_drivers()
            if drivers:
                st.markdown("**Réponses qui ont déterminé le niveau d'impact**")
                st.dataframe(pd.DataFrame([{"Question": d["question_fr"], "Réponse": d["answer_fr"],
                                            "Points": d["points"]} for d in drivers]), hide_index=True)
        history = gov.classification_history(uc.id)
        if len(history) > 1:
            with st.expander(f"Historique des classifications ({len(history)})"):
                st.dataframe(pd.DataFrame([{"N°": h.number, "Date": fmt_date(h.created_at), "Par": h.created_by_name,
                                            "Classe": h.risk_class.label,
                                            "Niveau": h.impact_level.value if h.impact_level else "",
                                            "Validée": "oui" if h.validated else "non"} for h in history]),
                             hide_index=True)
    if can(me, Action.ANSWER_QUESTIONNAIRE, owner_ids=[uc.lead_id]):
        st.page_link("app_pages/questionnaire.py", label="Ouvrir le questionnaire de classification",
                     icon=":material/quiz:", query_params={"ref": uc.reference})


def _gate_section(svc: Services, me: Principal, uc: UseCaseView, owners: list[int | None]) -> None:
    gov = svc.governance
    st.header("Passages d'étape")
    requests = gov.requests(uc.id)
    pending = next((r for r in requests if r.pending), None)
    if pending is not None:
        pending_box(pending)
        decide_expander(svc, me, pending, key=f"sheet_{pending.id}")
    elif can(me, Action.REQUEST_GATE, owner_ids=owners) and uc.stage not in (Stage.RETIRED,):
        _request_form(svc, me, uc)
    if can(me, Action.SUSPEND_USE_CASE) and uc.stage is not Stage.RETIRED:
        with st.expander("Suspendre ou retirer le cas d'usage", icon=":material/pause_circle:"), \
                st.form(f"stop_{uc.id}"):
            reason = st.text_area("Motif *", key=f"stop_{uc.id}_reason")
            c1, c2 = st.columns(2)
            if c1.form_submit_button("Suspendre") and attempt(lambda: gov.suspend(me, uc.id, reason),
                                                              success="Cas d'usage suspendu."):
                st.rerun()
            if c2.form_submit_button("Retirer") and attempt(lambda: gov.withdraw(me, uc.id, reason),
                                                            success="Cas d'usage retiré."):
                st.rerun()
    decided = [r for r in requests if not r.pending]
    if decided:
        st.markdown("**Décisions** (enregistrées, non modifiables)")
        decisions_list(decided)


def _request_form(svc: Services, me: Principal, uc: UseCaseView) -> None:
    if uc.stage is Stage.SUSPENDED:
        targets = [r.from_stage for r in svc.governance.requests(uc.id) if r.kind == "suspend" and r.decision][:1]
    elif uc.stage in FORWARD_PATH and uc.stage is not Stage.DEPLOYED:
        targets = [FORWARD_PATH[FORWARD_PATH.index(uc.stage) + 1]]
    else:
        targets = []
    if not targets:
        return
    target = targets[0]
    with st.expander(f"Demander le passage à l'étape « {target.label} »", icon=":material/arrow_forward:"):
        check = svc.governance.check(uc.id, target)
        if check.missing:
            st.warning("Conditions encore manquantes :\n\n" + "\n".join(f"- {m}" for m in check.missing))
        else:
            st.success("Conditions réunies.")
        st.caption(f"Décision : {check.authority.label}.")
        with st.form(f"request_{uc.id}"):
            motive = st.text_area("Motif de la demande", key=f"request_{uc.id}_motive")
            offered = svc.governance.attestations_for(uc.id)
            att = {k: st.checkbox(label, key=f"request_{uc.id}_{k}") for k, label in offered.items()}
            if not offered:
                st.caption("Rien à attester : le rapport d'évaluation et la formation des agents se lisent dans "
                           "leurs obligations (liste des obligations).")
            elif "evaluation_done" not in offered:
                st.caption("Le rapport d'évaluation se joint à l'obligation « Rédiger le rapport d'évaluation de "
                           "l'expérimentation » (liste des obligations) : le passage au déploiement le lit là.")
            if st.form_submit_button("Envoyer la demande", type="primary") and attempt(
                    lambda: svc.governance.request_gate(me, uc.id, target, motive=motive, attestations=att),
                    success="Demande envoyée à la décision."):
                st.rerun()


def _obligations_section(svc: Services, me: Principal, uc: UseCaseView, owners: list[int | None]) -> None:
    gov = svc.governance
    obligations = gov.obligations(uc.id)
    st.header(f"Obligations ({len(obligations)})")
    if not obligations:
        st.info("Les obligations sont déduites de la classification.")
        return
    today = dt.date.today()
    # a static table: the obligations and their justifications wrap within the page width
    st.table(pd.DataFrame([{
        "Statut": o.status.label + (" (en retard)" if o.overdue(today) else ""), "Obligation": o.title_fr,
        "Article": o.article, "Échéance": fmt_date(o.due_date) if o.due_date else "",
        "Responsable": o.owner_name or "", "Preuves": len(o.evidence), "Justification": o.justification or "",
    } for o in obligations]), hide_index=True)
    if not can(me, Action.MANAGE_OBLIGATIONS, owner_ids=owners):
        return
    if st.button("Recalculer les obligations", key=f"sync_obl_{uc.id}", icon=":material/sync:",
                 help="Après un changement des sources de données : applique à nouveau la règle d'applicabilité.") \
            and attempt(lambda: gov.sync_obligations(me, uc.id), success="Obligations recalculées."):
        st.rerun()
    by_id = {o.id: o for o in obligations}
    with st.expander("Mettre à jour une obligation, joindre une preuve", icon=":material/task_alt:"):
        oid = st.selectbox("Obligation", list(by_id), format_func=lambda i: by_id[i].title_fr[:110],
                           key=f"pick_obl_{uc.id}")
        ob = by_id[oid]
        people = svc.people.list(active_only=True)
        ids: list[int | None] = [None, *[p.id for p in people]]
        names = {p.id: p.display_name for p in people}
        with st.form(f"obl_{oid}"):
            c1, c2, c3 = st.columns(3)
            status = c1.selectbox("Statut", list(ObligationStatus), index=list(ObligationStatus).index(ob.status),
                                  format_func=lambda s: s.label, key=f"obl_{oid}_status")
            owner = c2.selectbox("Responsable", ids, index=ids.index(ob.owner_id) if ob.owner_id in ids else 0,
                                 format_func=lambda i: "—" if i is None else names[i], key=f"obl_{oid}_owner")
            due = c3.date_input("Échéance", value=ob.due_date, format="DD/MM/YYYY", key=f"obl_{oid}_due")
            justification = st.text_area("Justification (obligatoire si non applicable)",
                                         value=ob.justification or "", key=f"obl_{oid}_just")
            if st.form_submit_button("Enregistrer", type="primary") and attempt(
                    lambda: gov.update_obligation(me, oid, ob.version, status=status, justification=justification,
                                                  owner_id=owner, due_date=due),
                    success="Obligation mise à jour."):
                st.rerun()
        with st.form(f"evidence_{oid}", clear_on_submit=True):
            st.markdown("**Joindre une preuve** (fichier conservé avec son empreinte SHA-256, ou lien)")
            upload = st.file_uploader("Fichier (PDF, bureautique, image, texte, CSV, zip)",
                                      key=f"evidence_{oid}_file", type=list(EVIDENCE_EXTENSIONS))
            link = st.text_input("ou lien", key=f"evidence_{oid}_link", placeholder="https://…")
            note = st.text_input("Note", key=f"evidence_{oid}_note")
            if st.form_submit_button("Joindre"):
                if upload is not None:
                    done = attempt(lambda: gov.add_evidence_file(me, oid, upload.name, upload.getvalue(), note),
                                   success="Preuve jointe.")
                else:
                    done = attempt(lambda: gov.add_evidence_link(me, oid, link, note), success="Lien joint.")
                if done:
                    st.rerun()
        for ev in ob.evidence:
            label = ev.filename if ev.kind == "file" else (ev.url or ev.note)  # a training session: its note
            st.caption(f"Preuve n° {ev.id} : {plain(label, inline=True)} — SHA-256 {ev.sha256[:16]}… — "
                       f"{plain(ev.added_by_name, inline=True)}, "
                       f"{fmt_date(ev.added_at)}")
            if ev.kind == "file":
                try:
                    name, data, intact = gov.evidence_file(ev.id)
                except NotFound as exc:
                    st.error(str(exc))
                    continue
                if not intact:
                    st.error(f"Le fichier de la preuve n° {ev.id} ne correspond plus à son empreinte SHA-256.")
                st.download_button(f"Télécharger {name}", data, file_name=name, key=f"evidence_dl_{ev.id}",
                                   on_click="ignore")


def _crpa_section(svc: Services, uc: UseCaseView) -> None:
    from portal.services.errors import InvalidInput

    st.header("Transparence (CRPA)")
    cl = svc.governance.classification(uc.id)
    if cl is None:
        st.caption("Classez le cas d'usage pour générer la mention explicite.")
        return
    required = bool(cl.result.get("crpa", {}).get("mention_required"))
    st.caption("Mention explicite " + ("obligatoire" if required else "non obligatoire (aucune décision "
                                                                       "individuelle)")
               + " — article L311-3-1 du CRPA.")
    try:
        mention = svc.governance.crpa_mention(uc.id)
        template = svc.governance.crpa_explanation(uc.id)
    except InvalidInput as exc:
        st.warning(plain(" ".join(exc.problems)))
        return
    st.markdown("**Mention explicite à porter sur les décisions**")
    st.code(mention, language=None, wrap_lines=True)
    with st.expander("Modèle de réponse à une demande d'explication (R311-3-1-2)"):
        gaps = svc.governance.crpa_explanation_gaps(uc.id)
        if gaps:
            st.warning("La fiche ne dit pas encore : " + "; ".join(plain(g, inline=True) for g in gaps)
                       + ". Complétez-la (onglet « Vue d'ensemble », section « Transparence ») ; sinon, la lettre "
                       "les laisse « à compléter ».")
        else:
            st.caption("Modèle complet : seules les valeurs propres au dossier de la personne restent à reporter.")
        st.code(template, language="markdown", wrap_lines=True)
        st.download_button("Télécharger le modèle", template.encode("utf-8"),
                           file_name=f"{uc.reference}-explication.md", mime="text/markdown",
                           key=f"crpa_dl_{uc.id}", on_click="ignore")
