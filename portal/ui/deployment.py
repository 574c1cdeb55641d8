"""The sheet's « Déploiement et achat » tab: the rollback plan, the waves with their monitoring results and
go/no-go decisions, « Revenir en arrière », then the contract and the supplier's documents."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from policies.access import can
from policies.rulebook import load_rules
from policies.vocabulary import ACTIVE_STAGES, Action, Principal
from portal.services.deployment_views import (
    BOUNDS,
    DECISIONS,
    METRICS,
    PERCENT_METRICS,
    SCOPES,
    DeploymentPlanView,
    Reading,
    WaveView,
)
from portal.ui import procurement as procurement_ui
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date, fmt_number
from portal.ui.session import forget_version, remembered_version
from portal.ui.text import plain

if TYPE_CHECKING:
    from portal.services import Services
    from portal.services.schemas import UseCaseView

MET_FR = {True: "atteint", False: "non atteint", None: "pas encore mesuré"}


def render(svc: Services, me: Principal, uc: UseCaseView) -> None:
    plan = svc.deployment.plan(uc.id)
    planner = can(me, Action.PLAN_DEPLOYMENT, owner_ids=[uc.lead_id])
    st.header("Déploiement par vagues")
    st.caption(f"Chaque vague (un territoire, un service, une part des dossiers ou des agents) se décide comme un "
               f"passage d'étape : décision réservée à « {plan.authority.label} », enregistrée et non modifiable.")
    _rollback_plan(svc, me, uc, plan, planner)
    _waves(svc, me, plan, uc.lead_id)
    if planner:
        with st.expander("Ajouter une vague", icon=":material/add:"):
            wave_form(svc, me, uc.id, plan, key=f"wave_new_{uc.id}")
    _roll_back_use_case(svc, me, uc, plan)
    st.divider()
    procurement_ui.render(svc, me, uc)


def _rollback_plan(svc: Services, me: Principal, uc: UseCaseView, plan: DeploymentPlanView, planner: bool) -> None:
    st.subheader("Plan de retour arrière")
    rp = plan.rollback_plan
    if rp is None:
        st.warning("Aucun plan de retour arrière : il est exigé avant de lancer la première vague.")
    else:
        st.markdown(f"**Comment revenir à l'ancienne façon de travailler** : {plain(rp.procedure)}")
        st.markdown(f"**Qui décide du retour** : {plain(rp.decider, inline=True)} · **Délai** : "
                    f"{rp.delay_days} jour{'s' if rp.delay_days > 1 else ''} · **Dernier essai** : "
                    f"{fmt_date(rp.tested_on) if rp.tested_on else 'jamais essayé'}")
        st.caption(f"Mis à jour le {fmt_date(rp.updated_at)} par {plain(rp.updated_by_name, inline=True)}")
    if not planner:
        return
    vkey = f"rollback_plan_version_{uc.id}"
    expected = remembered_version(vkey, rp.version) if rp else None
    with st.expander("Rédiger le plan de retour arrière" if rp is None else "Modifier le plan de retour arrière",
                     icon=":material/edit:"), st.form(f"rollback_plan_{uc.id}"):
        procedure = st.text_area("Comment revenir à l'ancienne façon de travailler *",
                                 value=rp.procedure if rp else "", key=f"rp_procedure_{uc.id}")
        decider = st.text_input("Qui décide du retour *", value=rp.decider if rp else "", key=f"rp_decider_{uc.id}")
        c1, c2 = st.columns(2)
        delay = c1.number_input("Délai de retour (jours) *", min_value=0, step=1, value=rp.delay_days if rp else 1,
                                key=f"rp_delay_{uc.id}")
        tested = c2.date_input("Retour en arrière essayé le", value=rp.tested_on if rp else None,
                               format="DD/MM/YYYY", key=f"rp_tested_{uc.id}")
        if st.form_submit_button("Enregistrer le plan", type="primary"):
            saved = attempt(lambda: svc.deployment.save_rollback_plan(
                me, uc.id, expected, {"procedure": procedure, "decider": decider, "delay_days": delay,
                                      "tested_on": tested}),
                success="Plan de retour arrière enregistré.", on_stale=lambda: forget_version(vkey))
            if saved is not None:
                st.session_state[vkey] = saved.version
                st.rerun()


def _reading_fr(r: Reading) -> str:
    unit = f" {r.unit}" if r.unit else ""
    value = f"{fmt_number(r.value)}{unit}" if r.value is not None else "—"
    return f"{r.label} : {value} ({BOUNDS[r.bound]} {fmt_number(r.threshold)}{unit}, {MET_FR[r.met]})"


def _waves(svc: Services, me: Principal, plan: DeploymentPlanView, lead_id: int | None) -> None:
    st.subheader("Vagues")
    if not plan.waves:
        st.info("Aucune vague prévue.")
        return
    st.table(pd.DataFrame([{
        "N°": w.number, "Vague": w.label, "Périmètre": w.scope_fr, "Début": fmt_date(w.start_date),
        "Critères de réussite": "Atteints" if w.criteria_met else (
            "Non atteints" if w.criteria_met is False else "Pas encore mesurés"),
        "Décision": w.status_fr,
    } for w in plan.waves]).set_index("N°"))
    for w in plan.waves:
        with st.expander(f"Vague n° {w.number} — {w.label} : {w.status_fr.lower()}", icon=":material/waves:"):
            _wave_detail(svc, me, plan, w, lead_id)


def _wave_detail(svc: Services, me: Principal, plan: DeploymentPlanView, w: WaveView, lead_id: int | None) -> None:
    st.markdown(f"**Périmètre** : {plain(w.scope_fr, inline=True)} · **Début** : {fmt_date(w.start_date)} · "
                f"**Périodes de suivi** : {plain(', '.join(w.periods), inline=True) or '—'}")
    if w.readings:
        st.markdown("**Résultats du suivi pour cette vague**")
        st.table(pd.DataFrame([{
            "Mesure": r.label, "Seuil": f"{BOUNDS[r.bound]} {fmt_number(r.threshold)}{(' ' + r.unit) if r.unit else ''}",
            "Mesuré": f"{fmt_number(r.value)}{(' ' + r.unit) if r.unit else ''}" if r.value is not None else "—",
            "Résultat": MET_FR[r.met],
        } for r in w.readings]))
    else:
        st.caption("Aucun critère de réussite défini pour cette vague.")
    for d in w.decisions:
        where = (f", acte n° {plain(d.act_number, inline=True)} du {fmt_date(d.act_date)}" if d.act_number else
                 (f", décision prise en séance le {fmt_date(d.session_date)}" if d.session_date else ""))
        behalf = f" pour le compte de : {d.authority.label}" if d.on_behalf else ""
        st.markdown(f"**{d.decision_fr}** — le {fmt_date(d.decided_on)}, enregistrée par "
                    f"{plain(d.decided_by_name, inline=True)}{behalf}{where}."
                    + (f"  \nMotifs : {plain(d.reasons, inline=True)}" if d.reasons else ""))
        if d.readings:
            read = [Reading(metric=r["metric"], bound=r["bound"], threshold=r["threshold"], value=r["value"],
                            sources=r.get("sources", 0)) for r in d.readings]
            st.caption("Résultats lus au moment de la décision : " + " ; ".join(_reading_fr(r) for r in read) + ".")
    if w.status == "planned" and can(me, Action.PLAN_DEPLOYMENT, owner_ids=[lead_id]):
        with st.popover("Modifier la vague", icon=":material/edit:"):
            wave_form(svc, me, w.use_case_id, plan, key=f"wave_edit_{w.id}_{w.version}", wave=w)
    if w.status in ("no_go", "rolled_back"):
        return
    if svc.deployment.can_decide(me, plan):
        decision_form(svc, me, plan, w)
    elif w.status == "planned":
        st.caption(f"Décision réservée à : {plan.authority.label}.")


def decision_form(svc: Services, me: Principal, plan: DeploymentPlanView, w: WaveView) -> None:
    """The go/no-go (or, once launched, rollback) of a wave; nothing preselected."""
    key = f"wave_decide_{w.id}"
    choices = ["roll_back"] if w.status == "go" else ["go", "no_go"]
    on_behalf = svc.deployment.on_behalf(me, plan)
    reference_required = plan.authority.value in load_rules("gates")["reference_required"]
    with st.form(key):
        if on_behalf:
            st.info(f"Vous enregistrez cette décision pour le compte de : **{plan.authority.label}**. Indiquez "
                    "l'acte qui la porte (numéro et date) ou la date de la séance où elle a été prise.",
                    icon=":material/assignment_ind:")
        decision = st.radio("Décision *", choices, index=None, format_func=DECISIONS.__getitem__,
                            key=f"{key}_decision", horizontal=True)
        reasons = st.text_area("Motifs", key=f"{key}_reasons")
        act_number = act_date = session_date = None
        if on_behalf or reference_required:
            c1, c2, c3 = st.columns(3)
            act_number = c1.text_input("Numéro de l'acte", key=f"{key}_act")
            act_date = c2.date_input("Date de l'acte", value=None, format="DD/MM/YYYY", key=f"{key}_act_date")
            session_date = c3.date_input("ou : décision prise en séance le", value=None, format="DD/MM/YYYY",
                                         key=f"{key}_session")
        if st.form_submit_button("Enregistrer la décision", type="primary") and attempt(
                lambda: svc.deployment.decide_wave(me, w.id, w.version, decision, reasons=reasons,
                                                   act_number=act_number, act_date=act_date,
                                                   session_date=session_date),
                success="Décision enregistrée."):
            st.rerun()


def wave_form(svc: Services, me: Principal, use_case_id: int, plan: DeploymentPlanView, key: str,
              wave: WaveView | None = None) -> None:
    """A new wave, or a planned one to correct: its scope, start, monitoring periods and success criteria
    (an empty threshold: no criterion)."""
    crit = {c["metric"]: c for c in (wave.criteria if wave else [])}
    kinds = list(SCOPES)
    with st.form(key, clear_on_submit=wave is None):
        label = st.text_input("Nom de la vague *", value=wave.label if wave else "", key=f"{key}_label")
        c1, c2, c3 = st.columns(3)
        scope_kind = c1.selectbox("Périmètre *", kinds, index=kinds.index(wave.scope_kind) if wave else 0,
                                  format_func=SCOPES.__getitem__, key=f"{key}_kind")
        scope = c2.text_input("Territoire ou service", value=(wave.scope or "") if wave else "", key=f"{key}_scope")
        share = c3.text_input("Part (%)", value=fmt_number(wave.share) if wave and wave.share else "",
                              key=f"{key}_share", help="Pour une part des dossiers ou des agents.")
        c1, c2 = st.columns(2)
        start = c1.date_input("Début de la vague *", value=wave.start_date if wave else dt.date.today(),
                              format="DD/MM/YYYY", key=f"{key}_start")
        periods = c2.multiselect("Périodes de suivi de la vague", sorted(set(plan.periods) | set(wave.periods if wave
                                                                                                else [])),
                                 default=wave.periods if wave else [], key=f"{key}_periods",
                                 help="Les périodes de résultats enregistrées dans l'onglet Suivi.")
        st.markdown("**Critères de réussite** (laisser vide : pas de critère)")
        criteria = []
        for metric, (name, unit, bound) in METRICS.items():
            c1, c2 = st.columns([3, 1])
            chosen = bound
            if metric not in PERCENT_METRICS:
                chosen = c2.selectbox(f"Sens — {name}", list(BOUNDS), format_func=BOUNDS.__getitem__,
                                      index=list(BOUNDS).index(crit[metric]["bound"]) if metric in crit else 0,
                                      key=f"{key}_{metric}_bound")
            threshold = c1.text_input(f"{name} — {BOUNDS[bound] if metric in PERCENT_METRICS else 'seuil'}"
                                      f"{' (' + unit + ')' if unit else ''}",
                                      value=fmt_number(crit[metric]["threshold"]) if metric in crit else "",
                                      key=f"{key}_{metric}")
            if threshold.strip():
                criteria.append({"metric": metric, "bound": chosen, "threshold": threshold})
        fields = {"label": label, "scope_kind": scope_kind, "scope": scope, "share": share, "start_date": start,
                  "periods": periods, "criteria": criteria}
        if st.form_submit_button("Ajouter la vague" if wave is None else "Enregistrer la vague", type="primary") \
                and attempt(lambda: svc.deployment.add_wave(me, use_case_id, fields) if wave is None
                            else svc.deployment.update_wave(me, wave.id, wave.version, fields),
                            success="Vague ajoutée." if wave is None else "Vague enregistrée."):
            st.rerun()


def _roll_back_use_case(svc: Services, me: Principal, uc: UseCaseView, plan: DeploymentPlanView) -> None:
    if plan.stage not in ACTIVE_STAGES or not can(me, Action.ROLL_BACK):
        return
    st.subheader("Revenir en arrière")
    with st.form(f"roll_back_{uc.id}"):
        st.caption(f"Ramène le cas d'usage de l'étape « {plan.stage.label} » à l'étape précédente, par une décision "
                   "de passage enregistrée avec son motif.")
        reason = st.text_area("Motif du retour en arrière *", key=f"roll_back_reason_{uc.id}")
        if st.form_submit_button("Revenir en arrière", icon=":material/undo:") and attempt(
                lambda: svc.governance.roll_back(me, uc.id, reason),
                success="Le cas d'usage est revenu à l'étape précédente."):
            st.rerun()
