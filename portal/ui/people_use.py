"""The sheet's « Agents et usagers » tab and the portfolio's view of the same: the needs a use case
serves, the agents who use it (services, training, feedback), and what residents get, beside the
administration's own KPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from policies.access import can
from policies.vocabulary import Action, NeedStatus, OverrideReason, Principal, ResidentMeasureKind
from portal.services import Services
from portal.services.schemas import UseCaseView
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date, fmt_int, fmt_number
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.text import plain


def _pct(value: Any) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{fmt_number(float(value) * 100, 1)} %"


def _reasons(reasons: dict[str, int]) -> str:
    return " ; ".join(f"{OverrideReason(k).label} : {fmt_int(v)}" for k, v in reasons.items() if v) or "—"


def usages_tab(svc: Services, me: Principal, uc: UseCaseView) -> None:
    """Needs served, agents (groups, training, feedback) and residents' measures of one use case."""
    adoption = svc.adoption.of(uc.id)
    editable = can(me, Action.RECORD_ADOPTION, owner_ids=[uc.lead_id])
    _needs_served(svc, uc)
    st.header("Agents qui l'utilisent")
    c1, c2, c3 = st.columns(3)
    c1.metric("Agents utilisateurs", fmt_int(adoption.agents))
    c2.metric("Services", fmt_int(len(adoption.groups)))
    c3.metric("Agents formés", fmt_int(adoption.trained))
    if adoption.groups:
        st.dataframe(pd.DataFrame([{"Service": g.service, "Agents": g.agents} for g in adoption.groups]),
                     hide_index=True)
    if editable:
        _group_form(svc, me, uc)
    _trainings(svc, me, uc, adoption.trainings, editable)
    _feedback(svc, me, uc, adoption, editable)
    _residents(svc, me, uc)


def _needs_served(svc: Services, uc: UseCaseView) -> None:
    served = svc.needs.list(use_case_ids=[uc.id])
    st.header(f"Besoins des services auxquels il répond ({len(served)})")
    if not served:
        st.caption("Aucun besoin exprimé par un service n'est rattaché à ce cas d'usage.")
        return
    st.dataframe(pd.DataFrame([{"Besoin": n.title, "Service": n.service, "Fréquence": n.frequency.label,
                                "Pour qui": n.beneficiaries, "Exprimé le": fmt_date(n.submitted_at)}
                               for n in served]), hide_index=True)


def _group_form(svc: Services, me: Principal, uc: UseCaseView) -> None:
    with st.expander("Déclarer les agents d'un service", icon=":material/group_add:"), \
            st.form(f"group_{uc.id}"):
        c1, c2 = st.columns([3, 1])
        service = c1.text_input("Service", key=f"group_service_{uc.id}")
        agents = c2.number_input("Nombre d'agents", min_value=0, step=1, value=1, key=f"group_agents_{uc.id}")
        if st.form_submit_button("Enregistrer") and attempt(
                lambda: svc.adoption.set_user_group(me, uc.id, {"service": service, "agents": int(agents)}),
                success="Agents du service enregistrés."):
            st.rerun()


def _trainings(svc: Services, me: Principal, uc: UseCaseView, trainings: list, editable: bool) -> None:
    st.header("Formations")
    st.caption("Chaque session enregistrée devient une preuve de l'obligation de maîtrise de l'IA "
               "(règlement IA, art. 4) dans l'onglet Gouvernance, quand elle s'applique.")
    if trainings:
        st.dataframe(pd.DataFrame([{
            "Date": fmt_date(t.held_on), "Intitulé": t.title, "Formateur": t.trainer or "—", "Service": t.service or "—",
            "Participants": len(t.attendees), "Noms": ", ".join(t.attendees),
            "Durée (h)": fmt_number(t.hours, 1) if t.hours else "—"} for t in trainings]), hide_index=True)
    else:
        st.info("Aucune session de formation enregistrée.")
    if not editable:
        return
    with st.expander("Enregistrer une session de formation", icon=":material/school:"), \
            st.form(f"training_{uc.id}"):
        c1, c2 = st.columns([1, 3])
        held_on = c1.date_input("Date de la session", value=dt.date.today(), format="DD/MM/YYYY",
                                key=f"training_date_{uc.id}")
        title = c2.text_input("Intitulé", key=f"training_title_{uc.id}")
        c3, c4, c5 = st.columns([2, 2, 1])
        trainer = c3.text_input("Formateur", key=f"training_trainer_{uc.id}")
        service = c4.text_input("Service", key=f"training_service_{uc.id}")
        hours = c5.number_input("Durée (heures)", min_value=0.0, step=0.5, value=2.0, key=f"training_hours_{uc.id}")
        names = st.text_area("Participants (un nom par ligne)", key=f"training_names_{uc.id}")
        if st.form_submit_button("Enregistrer la session") and attempt(
                lambda: svc.adoption.record_training(me, uc.id, {
                    "held_on": held_on, "title": title, "trainer": trainer or None, "service": service or None,
                    "attendees": [n.strip() for n in names.splitlines() if n.strip()], "hours": hours or None}),
                success="Session de formation enregistrée."):
            st.rerun()


def _feedback(svc: Services, me: Principal, uc: UseCaseView, adoption: Any, editable: bool) -> None:
    st.header("Retours des agents sur les suggestions")
    st.caption("Par période et par service : suggestions utiles, erronées, écartées, et pourquoi. Le taux "
               "d'écart alimente le suivi des résultats ; la part écartée parce que la suggestion était "
               "erronée se lit à part de celle où l'agent savait ce que le système ne pouvait savoir.")
    if adoption.feedback:
        st.dataframe(pd.DataFrame([{
            "Période": f.period, "Service": f.service, "Suggestions": fmt_int(f.n_suggestions),
            "Utiles": _pct(f.useful_rate), "Erronées": fmt_int(f.n_wrong), "Écartées": fmt_int(f.n_overridden),
            "Raisons des écarts": _reasons(f.override_reasons), "Commentaire": f.comment or ""}
            for f in adoption.feedback]), hide_index=True)
        rates = adoption.overrides
        st.dataframe(pd.DataFrame({"Période": rates["period"], "Suggestions": rates["n"].map(fmt_int),
                                   "Taux d'écart (suivi)": rates["override_rate"].map(_pct),
                                   "dont suggestion erronée": rates["wrong_rate"].map(_pct)}), hide_index=True)
    else:
        st.info("Aucun retour des agents enregistré.")
    if editable:
        _feedback_form(svc, me, uc)


def _feedback_form(svc: Services, me: Principal, uc: UseCaseView) -> None:
    with st.expander("Enregistrer les retours d'une période", icon=":material/rate_review:"), \
            st.form(f"feedback_{uc.id}"):
        c1, c2 = st.columns(2)
        period = c1.text_input("Période (aaaa-mm)", value=f"{dt.date.today():%Y-%m}", key=f"fb_period_{uc.id}")
        service = c2.text_input("Service", key=f"fb_service_{uc.id}")
        cols = st.columns(4)
        counts = {k: cols[i].number_input(label, min_value=0, step=1, key=f"fb_{k}_{uc.id}") for i, (k, label) in
                  enumerate([("n_suggestions", "Suggestions reçues"), ("n_useful", "Utiles"), ("n_wrong", "Erronées"),
                             ("n_overridden", "Écartées par l'agent")])}
        st.caption("Raisons des suggestions écartées (leur total doit égaler le nombre d'écartées)")
        rcols = st.columns(len(OverrideReason))
        reasons = {r.value: rcols[i].number_input(r.label, min_value=0, step=1, key=f"fb_r_{r.value}_{uc.id}")
                   for i, r in enumerate(OverrideReason)}
        comment = st.text_input("Commentaire", key=f"fb_comment_{uc.id}")
        if st.form_submit_button("Enregistrer les retours") and attempt(
                lambda: svc.adoption.record_feedback(me, uc.id, {
                    "period": period, "service": service, **{k: int(v) for k, v in counts.items()},
                    "override_reasons": {k: int(v) for k, v in reasons.items() if v}, "comment": comment or None}),
                success="Retours des agents enregistrés ; le suivi des résultats est à jour."):
            st.rerun()


def _residents(svc: Services, me: Principal, uc: UseCaseView) -> None:
    st.header("Ce que constatent les usagers")
    measures = svc.residents.measures(uc.id)
    latest = {m.indicator: m for m in measures}  # by period: the last of each indicator stays
    kpi = _latest_kpi(svc, uc)
    cards = ([kpi] if kpi else []) + [_card(m) for m in latest.values()]
    if cards:
        st.caption("L'indicateur de l'administration, puis ceux des usagers : dernière valeur, écart à la "
                   "valeur d'avant le cas d'usage.")
        for start in range(0, len(cards), 4):
            cols = st.columns(4)
            for col, (label, value, delta, inverse) in zip(cols, cards[start:start + 4], strict=False):
                col.metric(label, value, delta, delta_color="inverse" if inverse else "normal", help=label)
    if measures:
        st.dataframe(measures_frame(measures), hide_index=True)
    else:
        st.info("Aucune mesure de qualité de service aux usagers.")
    if can(me, Action.RECORD_RESIDENT_MEASURES, owner_ids=[uc.lead_id]):
        _measure_form(svc, me, uc)


def _card(m: Any) -> tuple[str, str, str, bool]:
    unit = f" {m.unit}" if m.unit else ""
    return (f"Usagers — {plain(m.indicator, inline=True)} ({m.period})", f"{fmt_number(m.value)}{unit}",
            f"{fmt_number(m.change)}{unit} depuis l'avant", not m.higher_is_better)


def _latest_kpi(svc: Services, uc: UseCaseView) -> tuple[str, str, str, bool] | None:
    """The administration's KPI: its last value from outcome monitoring, else its last benefit measure."""
    if not uc.kpi_name or uc.kpi_baseline is None:
        return None
    unit = f" {uc.kpi_unit}" if uc.kpi_unit else ""
    values = [(o.period, o.kpi_value) for o in svc.monitoring.outcomes(uc.id)
              if o.territory is None and o.kpi_value is not None]
    if not values:
        benefits = svc.portfolio.benefits(uc.id)
        benefits = benefits[benefits["indicator"] == uc.kpi_name]
        values = [(fmt_date(r.measured_on), r.measured_value) for r in benefits.itertuples()]
    if not values:
        return None
    period, value = values[-1]
    lower_is_better = uc.kpi_target is not None and uc.kpi_target < uc.kpi_baseline
    return (f"Administration — {plain(uc.kpi_name, inline=True)} ({period})", f"{fmt_number(value)}{unit}",
            f"{fmt_number(value - uc.kpi_baseline)}{unit} depuis l'avant", lower_is_better)


def measures_frame(measures: list) -> pd.DataFrame:
    trend = {True: "Mieux", False: "Moins bien", None: "Inchangé"}
    return pd.DataFrame([{
        **({"Référence": m.reference} if m.reference else {}),
        "Indicateur": m.indicator, "Nature": m.kind.label, "Période": m.period,
        "Avant": f"{fmt_number(m.baseline)} {m.unit or ''}".strip(), "Mesuré": f"{fmt_number(m.value)} {m.unit or ''}".strip(),
        "Évolution": trend[m.improved]} for m in measures])


def _measure_form(svc: Services, me: Principal, uc: UseCaseView) -> None:
    with st.expander("Enregistrer une mesure côté usagers", icon=":material/sentiment_satisfied:"), \
            st.form(f"resident_{uc.id}"):
        c1, c2 = st.columns([1, 2])
        kind = c1.selectbox("Nature de la mesure", list(ResidentMeasureKind), format_func=lambda k: k.label,
                            key=f"rm_kind_{uc.id}")
        indicator = c2.text_input("Indicateur", key=f"rm_indicator_{uc.id}")
        c3, c4, c5, c6 = st.columns(4)
        period = c3.text_input("Période (aaaa-mm)", value=f"{dt.date.today():%Y-%m}", key=f"rm_period_{uc.id}")
        unit = c4.text_input("Unité", key=f"rm_unit_{uc.id}")
        baseline = c5.number_input("Valeur de référence (avant)", value=0.0, key=f"rm_base_{uc.id}")
        value = c6.number_input("Valeur mesurée", value=0.0, key=f"rm_value_{uc.id}")
        higher = st.checkbox("Plus haut, c'est mieux", value=kind is ResidentMeasureKind.SATISFACTION,
                             key=f"rm_higher_{uc.id}")
        source = st.text_input("Source de la mesure", key=f"rm_source_{uc.id}")
        if st.form_submit_button("Enregistrer la mesure") and attempt(
                lambda: svc.residents.record(me, uc.id, {
                    "kind": kind.value, "indicator": indicator, "unit": unit or None, "period": period,
                    "baseline": baseline, "value": value, "higher_is_better": higher, "source": source or None}),
                success="Mesure enregistrée."):
            st.rerun()


def portfolio_tab(svc: Services, ranked: pd.DataFrame) -> None:
    """For the active use cases, in ranked order and one page at a time: needs served, agents, training and
    residents' latest measures (a handful of grouped queries on the page's use cases)."""
    counts = svc.needs.counts()
    offset = PAGE_SIZE * page_number(len(ranked), "people_use_page", PAGE_SIZE)
    total, ranked = len(ranked), ranked.iloc[offset:offset + PAGE_SIZE]
    ids = [int(i) for i in ranked["use_case_id"]]
    served = svc.needs.served_counts(ids)
    totals = svc.adoption.totals(ids)
    latest: dict[int, list] = {}
    for m in svc.residents.latest(ids):
        latest.setdefault(m.use_case_id, []).append(m)
    c1, c2 = st.columns(2)
    c1.metric("Besoins des services en attente de réponse", fmt_int(counts[NeedStatus.OPEN]))
    c2.metric("Besoins pris en charge par un cas d'usage", fmt_int(counts[NeedStatus.ANSWERED]))
    trend = {True: "↗ mieux", False: "↘ moins bien", None: "= inchangé"}
    st.caption(shown(offset, len(ranked), total, "cas d'usage actifs") + ", dans l'ordre du classement.")
    st.dataframe(pd.DataFrame([{
        "Référence": r.reference, "Intitulé": r.title, "Besoins servis": served.get(int(r.use_case_id), 0),
        "Agents": totals.get(int(r.use_case_id), {}).get("agents", 0),
        "Formations": totals.get(int(r.use_case_id), {}).get("sessions", 0),
        "Côté usagers (dernière mesure)": " ; ".join(
            f"{m.indicator} : {fmt_number(m.baseline)} → {fmt_number(m.value)} {m.unit or ''} ({trend[m.improved]})".strip()
            for m in latest.get(int(r.use_case_id), [])) or "—"} for r in ranked.itertuples()]), hide_index=True,
        column_config={"Intitulé": st.column_config.TextColumn(width="medium"),
                       "Côté usagers (dernière mesure)": st.column_config.TextColumn(width="large")})
    st.caption("Les besoins s'expriment et se traitent dans la page « Besoins des services ».")
