"""A monitoring alert's suspension proposal, decided by a human through the governance gate.

Monitoring only *proposes* a suspension (repeated alerts on a deployed use case). The person who
may suspend decides here: "suspend" records a suspension decision through the governance gate
(``GovernanceService.suspend``, which moves the stage and answers any pending request) and then
marks the proposal as decided; "continue" keeps the use case running and records why. The gate
writes first: if it refuses, nothing is recorded on the alert.
"""

from __future__ import annotations

from typing import Literal

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.services.errors import InvalidInput, NotFound
from portal.services.governance import GovernanceService
from portal.services.monitoring import AlertView, MonitoringService


class SuspensionService:
    def __init__(self, governance: GovernanceService, monitoring: MonitoringService) -> None:
        self._governance = governance
        self._monitoring = monitoring

    def decide(self, principal: Principal, alert_id: int, decision: Literal["suspend", "continue"],
               reason: str) -> AlertView:
        require(principal, Action.SUSPEND_USE_CASE)
        reason = (reason or "").strip()
        if decision not in ("suspend", "continue"):
            raise InvalidInput([f"Décision inconnue : « {decision} » (suspendre ou maintenir)."])
        if not reason:
            raise InvalidInput(["Motif : obligatoire pour trancher une proposition de suspension."])
        alert = next((a for a in self._monitoring.alerts() if a.id == alert_id), None)
        if alert is None or not alert.suspension_proposed:
            raise NotFound(f"Aucune proposition de suspension sur l'alerte n° {alert_id}.")
        if alert.suspension_decision is not None:
            raise InvalidInput([f"La proposition de suspension de l'alerte n° {alert_id} a déjà été tranchée."])
        if decision == "suspend":
            self._governance.suspend(principal, alert.use_case_id,
                                     f"Suspension sur alertes de suivi répétées (alerte n° {alert_id}) : {reason}")
        return self._monitoring.record_suspension_decision(principal, alert_id, decision, reason)
