"""Alerts: raised by checks and outcomes, acknowledged and closed by people, suspension proposed to a human."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from monitoring.alerts import (
    AlertSpec,
    propose_suspension,
)
from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import (
    MonitoringAlert,
    UseCase,
)
from portal.repositories import monitoring as repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.monitoring.reads import MonitoringReads
from portal.services.monitoring.views import AlertView


class AlertsMixin(MonitoringReads):
    def _raise_alerts(self, s: Session, principal: Principal, uc: UseCase, specs: list[AlertSpec], *,
                      run_id: int | None) -> list[MonitoringAlert]:
        alerts = []
        for spec in specs:
            alert = MonitoringAlert(use_case_id=uc.id, run_id=run_id, kind=str(spec.kind), severity=str(spec.severity),
                                    message=spec.message_fr, details=spec.details, status="open", review_opened=True,
                                    suspension_proposed=False)
            s.add(alert)
            s.flush()
            audit.append(s, principal, "raise_alert", "monitoring_alert", alert.id, use_case_id=uc.id,
                         details={"kind": alert.kind, "severity": alert.severity, "message": alert.message,
                                  "review_for": ["project_lead", "compliance"]})
            alerts.append(alert)
        return alerts

    def _maybe_propose_suspension(self, s: Session, principal: Principal, uc: UseCase, stage: str,
                                  alerts: list[MonitoringAlert], consecutive: int) -> int | None:
        if not alerts:
            return None
        history = [r.n_alerts for r in reversed(repo.runs_of(s, uc.id, limit=consecutive))]
        if not propose_suspension(history, stage, consecutive=consecutive):
            return None
        pending = [a for a in repo.alerts(s, use_case_id=uc.id, statuses=("open", "acknowledged"))
                   if a.suspension_proposed and a.suspension_decision is None]
        if pending:
            return None  # one undecided proposal at a time
        target = alerts[0]  # critical first
        target.suspension_proposed = True
        s.flush()
        audit.append(s, principal, "propose_suspension", "monitoring_alert", target.id, use_case_id=uc.id,
                     details={"consecutive_alerting_checks": consecutive,
                              "reason": f"{consecutive} contrôles consécutifs en alerte sur un cas déployé",
                              "decision": "à prendre par une personne habilitée via la décision de passage"})
        return target.id

    def _change_alert(self, principal: Principal, alert_id: int, expected_version: int, status: str,
                      note: str | None) -> AlertView:
        with self._writer.begin() as s:
            alert = s.get(MonitoringAlert, alert_id)
            if alert is None:
                raise NotFound(f"Alerte n° {alert_id} introuvable.")
            uc = self._owned(s, principal, alert.use_case_id, Action.ACKNOWLEDGE_ALERT)
            if alert.version != expected_version:
                raise StaleEdit("Cette alerte a été traitée par quelqu'un d'autre entre-temps : rechargez la page.")
            if alert.status == "closed":
                raise InvalidInput(["Cette alerte est déjà close."])
            before = {"status": alert.status}
            now = dt.datetime.now(dt.UTC)
            alert.status = status
            if note and note.strip():
                alert.note = note.strip()[:2000]
            if status == "acknowledged":
                alert.acknowledged_by_id, alert.acknowledged_at = principal.person_id or None, now
            else:
                alert.closed_by_id, alert.closed_at = principal.person_id or None, now
                if alert.acknowledged_at is None:
                    alert.acknowledged_by_id, alert.acknowledged_at = principal.person_id or None, now
            try:
                s.flush()
            except StaleDataError:
                raise StaleEdit("Cette alerte a été traitée par quelqu'un d'autre entre-temps : rechargez la page.") \
                    from None
            audit.append(s, principal, "acknowledge_alert" if status == "acknowledged" else "close_alert",
                         "monitoring_alert", alert.id, use_case_id=uc.id, before=before,
                         after={"status": status, "note": alert.note})
            return self._alert_view(alert)

    def acknowledge_alert(self, principal: Principal, alert_id: int, expected_version: int,
                          note: str | None = None) -> AlertView:
        return self._change_alert(principal, alert_id, expected_version, "acknowledged", note)

    def close_alert(self, principal: Principal, alert_id: int, expected_version: int,
                    note: str | None = None) -> AlertView:
        return self._change_alert(principal, alert_id, expected_version, "closed", note)

    def record_suspension_decision(self, principal: Principal, alert_id: int, decision: Literal["suspend", "continue"],
                                   note: str | None = None) -> AlertView:
        """Called by the governance gate (SuspensionService.decide): record the human decision on a proposed suspension.
        This does not change the use case's stage; the gate does, in its own transaction."""
        with self._writer.begin() as s:
            alert = s.get(MonitoringAlert, alert_id)
            if alert is None or not alert.suspension_proposed:
                raise NotFound(f"Aucune proposition de suspension sur l'alerte n° {alert_id}.")
            require(principal, Action.SUSPEND_USE_CASE)
            if decision not in ("suspend", "continue"):
                raise InvalidInput([f"Décision inconnue : « {decision} » (suspend ou continue)."])
            alert.suspension_decision = decision
            if note:
                alert.note = note.strip()[:2000]
            s.flush()
            audit.append(s, principal, "decide_suspension_proposal", "monitoring_alert", alert.id,
                         use_case_id=alert.use_case_id, after={"suspension_decision": decision, "note": alert.note})
            return self._alert_view(alert)
