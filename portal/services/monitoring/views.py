"""Read models of the monitoring pages: levels, configurations, checks, alerts, outcomes, health."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from monitoring.drift import DriftResult
from monitoring.levels import roman
from policies.vocabulary import Stage

HEALTH_LABELS = {
    "healthy": "Sain",
    "drifting": "Dérive ou alerte",
    "stale": "Contrôle en retard",
    "awaiting": "Premier contrôle attendu",
    "not_monitored": "Non suivi",
}
ALERT_STATUS_LABELS = {"open": "Ouverte", "acknowledged": "Prise en compte", "closed": "Close"}


@dataclass(frozen=True)
class LevelInfo:
    level: int
    source: str  # governance, default
    ai_class: str | None = None

    @property
    def label(self) -> str:
        text = f"niveau {roman(self.level)}"
        if self.source == "default":
            text += " (par défaut : cas d'usage non encore classé)"
        return text


@dataclass(frozen=True)
class ConfigView:
    id: int
    use_case_id: int
    module_key: str | None
    columns: dict[str, str]
    critical_columns: list[str]
    cadence_days: int
    drift_settings: dict[str, Any]
    min_metrics: dict[str, float] | None
    max_metrics: dict[str, float] | None
    suspension_runs: int
    current_source: str | None
    reference_id: int | None
    version: int
    reference_label: str | None = None
    reference_rows: int | None = None
    reference_checksum: str | None = None
    reference_source: str | None = None
    reference_at: dt.datetime | None = None


@dataclass(frozen=True)
class ColumnView:
    column: str
    kind: str
    method: str
    score: float | None
    threshold: float
    drifted: bool
    computable: bool
    ref_missing_rate: float | None
    cur_missing_rate: float | None
    missing_rate_change: float | None
    missing_rate_changed: bool
    new_categories: list[Any]
    messages: list[str]


@dataclass(frozen=True)
class RunView:
    id: int
    use_case_id: int
    current_label: str
    current_fingerprint: str
    n_reference: int
    n_current: int
    share_drifted: float
    dataset_drift: bool
    n_drifted: int
    n_computable: int
    impact_level: int
    level_source: str
    engine: str
    messages: list[str]
    n_alerts: int
    has_report: bool
    report_error: str | None
    trigger: str
    seconds: float
    created_by_id: int | None
    created_at: dt.datetime
    columns: list[ColumnView] = field(default_factory=list)


@dataclass(frozen=True)
class AlertView:
    id: int
    use_case_id: int
    run_id: int | None
    kind: str
    severity: str
    message: str
    details: dict[str, Any]
    status: str
    review_opened: bool
    suspension_proposed: bool
    suspension_decision: str | None
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    closed_at: dt.datetime | None
    note: str | None
    version: int

    @property
    def status_label(self) -> str:
        return ALERT_STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class OutcomeView:
    period: str
    territory: str | None
    kind: str
    n: int
    batch_label: str
    metrics: dict[str, float | None]
    kpi_value: float | None
    kpi_baseline: float | None
    kpi_target: float | None
    kpi_status: str | None


@dataclass(frozen=True)
class HealthRow:
    use_case_id: int
    reference: str
    title: str
    stage: Stage
    lead_id: int | None
    status: str  # healthy, drifting, stale, not_monitored
    last_check: dt.datetime | None
    share_drifted: float | None
    open_alerts: int
    suspension_proposed: bool
    level: LevelInfo
    next_due: dt.date | None

    @property
    def status_label(self) -> str:
        return HEALTH_LABELS[self.status]


@dataclass(frozen=True)
class DueCheck:
    use_case_id: int
    reference: str
    title: str
    last_check: dt.datetime | None
    current_source: str | None


@dataclass(frozen=True)
class CheckOutcome:
    """What ``run_check`` stored: the run, the alerts it raised, whether a suspension is proposed."""

    run: RunView
    alerts: list[AlertView]
    suspension_proposed: bool
    drift: DriftResult
