"""The alerts of the "Suivi" tab: one card per alert, its sentence in full, the technical detail apart,
and the handling panel of the alert chosen, which stays open across reruns and saves.

The choice is kept in ``st.session_state`` under a key per use case; every write goes through the
monitoring service (role checks and audit there)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from monitoring.drift import METHOD_LABELS_FR
from monitoring.sentences import sentence_from_details
from policies.access import can
from policies.vocabulary import Action, Principal
from portal.services import Services
from portal.services.monitoring import AlertView
from portal.services.schemas import UseCaseView
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date, fmt_number
from portal.ui.text import plain

SEVERITY_BADGE = {"critical": ":red-badge[Critique]", "warning": ":orange-badge[Avertissement]",
                  "info": ":blue-badge[Information]"}
STATUS_BADGE = {"open": ":gray-badge[À traiter]", "acknowledged": ":green-badge[Prise en compte]",
                "closed": ":gray-badge[Classée]"}
KIND_FR = {
    "dataset_drift": "dérive d'ensemble des données",
    "critical_column_drift": "dérive d'une colonne critique",
    "missing_rate_change": "valeurs manquantes",
    "new_categories": "nouvelles catégories",
    "outcome_below": "qualité des résultats",
    "override_rate_above": "corrections par les agents",
    "territorial_gap": "écart entre territoires",
}
#: The technical names, shown only in the « Détail technique » expander.
MEASURE_TECH = {"accuracy": "exactitude (accuracy)", "precision": "précision", "recall": "rappel (recall)",
                "f1": "F1", "mape": "MAPE (erreur absolue moyenne en pourcentage)",
                "wape": "WAPE (erreur absolue pondérée par le volume)", "mae": "MAE (erreur absolue moyenne)",
                "rmse": "RMSE"}


def pick_key(use_case_id: int) -> str:
    return f"mon_alert_pick_{use_case_id}"


def sentence(alert: AlertView) -> str:
    """The alert's plain sentence: rebuilt from its details (older alerts read like new ones), else as stored."""
    return sentence_from_details(alert.kind, alert.details) or alert.message


def _num(value: Any, digits: int = 3) -> str:
    return fmt_number(value, digits) if isinstance(value, int | float) else plain(str(value), inline=True)


def technical_lines(alert: AlertView) -> list[str]:
    """The measures behind an alert, with their technical names."""
    d = alert.details
    lines = [f"Type d'alerte : {KIND_FR.get(alert.kind, 'autre')}"]
    if alert.run_id:
        lines.append(f"Contrôle n° {alert.run_id}")
    if "method" in d:
        lines.append(f"Mesure : {METHOD_LABELS_FR.get(d['method'], d['method'])} — score {_num(d.get('score'))}, "
                     f"seuil {_num(d.get('threshold'))}")
    dataset = d.get("dataset_drift") if isinstance(d.get("dataset_drift"), dict) else (
        d if alert.kind == "dataset_drift" else None)
    if dataset:
        lines.append(f"Dérive d'ensemble : {_num(dataset.get('share_drifted'))} des colonnes en dérive "
                     f"(seuil {_num(dataset.get('drift_share'))}) — "
                     + ", ".join(f"« {plain(str(c), inline=True)} »" for c in dataset.get("drifted_columns", [])))
    measures = d.get("metrics") or ([{"metric": d["metric"], "value": d.get("value"), "threshold": d.get("threshold")}]
                                   if alert.kind == "outcome_below" and "metric" in d else [])
    for m in measures:
        bound = "maximum" if m.get("direction") == "maximum" else "minimum" if m.get("direction") else "seuil"
        lines.append(f"{MEASURE_TECH.get(m['metric'], m['metric'])} : {_num(m.get('value'))} "
                     f"({bound} {_num(m.get('threshold'))})")
    shown = {"method", "score", "threshold", "dataset_drift", "metrics", "metric", "value", "share_drifted",
             "drift_share", "drifted_columns", "label", "column", "n_computable"}
    for key, value in d.items():
        if key in shown or value in (None, [], ""):
            continue
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        lines.append(f"{DETAIL_FR.get(key, key.replace('_', ' '))} : {_num(value)}")
    return lines


#: The other measures an alert may carry, by their French names (never the field's key).
DETAIL_FR = {
    "override_rate": "taux de corrections par les agents", "max_override_rate": "taux de corrections maximal",
    "n_overridden": "décisions corrigées", "period": "période", "territory": "territoire", "gap": "écart",
    "gap_threshold": "écart maximal", "max_territorial_gap": "écart territorial maximal", "n": "effectif",
    "rows": "lignes", "new_categories": "nouvelles catégories", "cur_missing_rate": "part de valeurs manquantes (lot)",
    "ref_missing_rate": "part de valeurs manquantes (référence)", "p_value": "valeur p", "n_unlabelled":
    "lignes sans résultat connu", "n_zero_actuals": "valeurs réelles nulles", "positive_label": "valeur positive",
    "worst": "pire valeur", "best": "meilleure valeur", "average": "moyenne", "overall": "ensemble",
    "suspension_runs": "contrôles en alerte d'affilée", "severity": "gravité", "level": "niveau", "drift": "dérive",
}


def render(svc: Services, me: Principal, uc: UseCaseView, fresh: set[int]) -> None:
    """Alert cards, newest first; closed ones folded away. ``fresh``: ids raised by a check just run here."""
    alerts = svc.monitoring.alerts(uc.id)
    open_alerts = [a for a in alerts if a.status != "closed"]
    st.header(f"Alertes ({len(open_alerts)} à traiter)" if open_alerts else "Alertes")
    if not alerts:
        st.success("Aucune alerte.")
        return
    proposals = [a for a in open_alerts if a.suspension_proposed and a.suspension_decision is None]
    if proposals:
        st.warning("Alertes répétées sur un cas d'usage déployé : **suspension proposée**. Vigie ne suspend rien "
                   "d'elle-même ; la décision revient à la gouvernance (direction ou conformité), par une "
                   "décision de passage.", icon=":material/gavel:")
        if can(me, Action.SUSPEND_USE_CASE):
            _decide_suspension(svc, me, uc, proposals)
    may_handle = can(me, Action.ACKNOWLEDGE_ALERT, owner_ids=[uc.lead_id])
    picked = st.session_state.get(pick_key(uc.id))
    shown = [a for a in alerts if a.status != "closed" or a.id == picked]
    if not open_alerts:
        st.success("Toutes les alertes ont été traitées.")
    for alert in shown:
        _card(svc, me, uc, alert, fresh=alert.id in fresh, may_handle=may_handle, picked=alert.id == picked)
    closed = [a for a in alerts if a.status == "closed" and a.id != picked]
    if closed:
        with st.expander(f"Alertes closes ({len(closed)})", icon=":material/inventory_2:"):
            for alert in closed:
                _card(svc, me, uc, alert, fresh=False, may_handle=False, picked=False)


def _choose(use_case_id: int, alert_id: int | None) -> None:
    st.session_state[pick_key(use_case_id)] = alert_id
    st.session_state.pop(f"mon_alert_note_{use_case_id}", None)


def _card(svc: Services, me: Principal, uc: UseCaseView, alert: AlertView, *, fresh: bool, may_handle: bool,
          picked: bool) -> None:
    with st.container(border=True, key=f"mon_card_{alert.id}"):
        head, action = st.columns([5, 1], vertical_alignment="center")
        badges = [SEVERITY_BADGE.get(alert.severity, alert.severity), STATUS_BADGE.get(alert.status, alert.status)]
        if fresh:
            badges.append(":violet-badge[Nouvelle]")
        if alert.suspension_proposed:
            badges.append(":red-badge[Suspension proposée]")
        head.markdown(" ".join(badges) + f" &nbsp; n° {alert.id} · levée le {fmt_date(alert.raised_at)}"
                      + (" · revue ouverte (chef de projet et conformité)" if alert.review_opened else ""))
        if may_handle and alert.status != "closed" and not picked:
            action.button("Traiter", key=f"mon_pick_{uc.id}_{alert.id}", icon=":material/task_alt:",
                          on_click=_choose, args=(uc.id, alert.id), width="stretch")
        st.markdown(plain(sentence(alert)))
        if alert.note:
            st.caption(f"Note : {plain(alert.note, inline=True)}")
        with st.expander("Détail technique"):
            st.markdown("\n".join(f"- {line}" for line in technical_lines(alert)))
        if picked:
            _handling_panel(svc, me, uc, alert)


def _handling_panel(svc: Services, me: Principal, uc: UseCaseView, alert: AlertView) -> None:
    """Stays open while this alert is the chosen one: after the choice, and after each save."""
    st.markdown("**Traitement de l'alerte**")
    done = st.session_state.pop(f"mon_alert_done_{uc.id}", None)
    if done:
        st.success(done)
    if alert.status == "closed":
        st.info(f"Alerte close le {fmt_date(alert.closed_at)}.")
        st.button("Fermer ce panneau", key=f"mon_unpick_{uc.id}", on_click=_choose, args=(uc.id, None))
        return
    note = st.text_area("Note (analyse, action décidée)", key=f"mon_alert_note_{uc.id}",
                        placeholder="par exemple : lot incomplet, extraction relancée le 3 ; ou : changement réel, "
                                    "équipe prévenue")
    with st.container(horizontal=True):
        if alert.status == "open" and st.button("Prendre en compte", key=f"mon_ack_{uc.id}", type="primary"):
            _save(uc, lambda: svc.monitoring.acknowledge_alert(me, alert.id, alert.version, note),
                  "Alerte prise en compte : elle reste ouverte ici jusqu'à sa clôture.")
        if st.button("Clore l'alerte", key=f"mon_close_{uc.id}",
                     type="primary" if alert.status == "acknowledged" else "secondary"):
            _save(uc, lambda: svc.monitoring.close_alert(me, alert.id, alert.version, note), "Alerte close.")
        st.button("Fermer ce panneau", key=f"mon_unpick_{uc.id}", on_click=_choose, args=(uc.id, None))


def _save(uc: UseCaseView, action: Any, message: str) -> None:
    if attempt(action) is not None:
        st.session_state[f"mon_alert_done_{uc.id}"] = message
        st.session_state.pop(f"mon_alert_note_{uc.id}", None)
        st.rerun()


def _decide_suspension(svc: Services, me: Principal, uc: UseCaseView, proposals: list[AlertView]) -> None:
    with st.expander("Trancher la proposition de suspension", icon=":material/gavel:"):
        by_id = {a.id: a for a in proposals}
        aid = st.selectbox("Alerte", list(by_id), format_func=lambda i: f"n° {i} — {sentence(by_id[i])[:100]}",
                           key=f"mon_susp_alert_{uc.id}")
        reason = st.text_area("Motif de la décision (obligatoire)", key=f"mon_susp_reason_{uc.id}")
        c1, c2 = st.columns(2)
        if c1.button("Suspendre le cas d'usage", type="primary", key=f"mon_susp_yes_{uc.id}") and attempt(
                lambda: svc.suspensions.decide(me, aid, "suspend", reason),
                success="Cas d'usage suspendu ; la décision est inscrite dans l'historique des passages."):
            st.rerun()
        if c2.button("Maintenir en service", key=f"mon_susp_no_{uc.id}") and attempt(
                lambda: svc.suspensions.decide(me, aid, "continue", reason),
                success="Proposition de suspension écartée ; le motif est enregistré."):
            st.rerun()
