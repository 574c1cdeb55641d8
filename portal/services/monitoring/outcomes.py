"""Outcomes: predictions against actuals and business KPIs per period, stored and alerted on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import pandas as pd

from monitoring.alerts import (
    evaluate_alerts,
    thresholds_for_level,
)
from monitoring.outcomes import (
    summarise_outcomes,
)
from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import (
    MonitoringOutcome,
)
from portal.repositories import monitoring as repo
from portal.services import audit
from portal.services.errors import InvalidInput
from portal.services.monitoring.alerts import AlertsMixin
from portal.services.monitoring.batches import read_outcomes
from portal.services.monitoring.views import AlertView


class OutcomesMixin(AlertsMixin):
    def record_outcomes(self, principal: Principal, use_case_id: int, frame: pd.DataFrame | bytes, *,
                        label: str, kind: Literal["classification", "regression"] = "classification",
                        filename: str | None = None, period: str | None = "period", date: str | None = None,
                        freq: str = "M", territory: str | None = None,
                        kpi: Mapping[str, float] | None = None) -> list[AlertView]:
        """Predictions against actuals per period (columns ``actual``, ``prediction``, optional
        ``overridden`` and territory), optional business KPI per period; stored per period and
        per territory, replacing earlier figures of the same periods. Returns the alerts raised."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.RECORD_OUTCOMES, owner_ids=[uc.lead_id])
            baseline, target = uc.kpi_baseline, uc.kpi_target
        if isinstance(frame, bytes | bytearray):
            frame = read_outcomes(bytes(frame), filename or "resultats.csv", kind)
        thresholds, _level = self.thresholds(use_case_id) if self.config(use_case_id) else (
            thresholds_for_level(self.level_of(use_case_id).level), None)
        period_col = period if period and period in frame.columns else None
        if period and not period_col and not date:
            raise InvalidInput([f"Colonne de période « {period} » absente du fichier."])
        try:
            summary = summarise_outcomes(frame, kind=kind, period=period_col, date=date, freq=freq,
                                         territory=territory, kpi=dict(kpi or {}), kpi_baseline=baseline,
                                         kpi_target=target)
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None
        specs = evaluate_alerts(thresholds, outcomes=summary.reports, territories=summary.territory_reports)
        label = (label or "").strip()[:300] or "Résultats"
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.RECORD_OUTCOMES)
            replaced = 0
            for old in repo.outcomes_of(s, uc.id):
                if old.period in summary.periods:
                    s.delete(old)
                    replaced += 1
            s.flush()
            for r in summary.rows:
                s.add(MonitoringOutcome(use_case_id=uc.id, batch_label=label, kind=kind, kpi_baseline=baseline,
                                        kpi_target=target, created_by_id=principal.person_id or None, **r))
            alerts = self._raise_alerts(s, principal, uc, specs, run_id=None)
            audit.append(s, principal, "record_outcomes", "monitoring_outcome", uc.id, use_case_id=uc.id,
                         details={"label": label, "kind": kind, "periods": summary.periods,
                                  "rows": len(summary.rows), "replaced": replaced, "alerts": len(alerts)})
            return [self._alert_view(a) for a in alerts]
