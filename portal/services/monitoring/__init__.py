"""Monitoring of pilots and deployments: reference batch, drift checks, outcomes, alerts.

The computations are the pure ``monitoring`` package; this service stores them. Every mutation
checks the role matrix (owner scope for project leads), validates its input with French
messages, writes in one transaction and appends an audit event in that same transaction.
Heavy work (reading the batch, the drift, Evidently's HTML report) happens *before* the
transaction opens, so a bad file or a failed computation writes nothing.

Impact level. Thresholds tighten with the use case's impact level (I–IV, ``monitoring.levels``).
The level comes from governance through ``classification_of(use_case_id) -> (class, level)``;
without it, or while a use case is not classified, level II applies and every run records ``level_source="default"`` so the page says so.

Suspension. After ``suspension_runs`` consecutive alerting checks on a *deployed* use case the
newest alert carries ``suspension_proposed=True`` and shows in the attention list. Vigie never
suspends: a human decides through the governance gate. Hooks:
``on_suspension_proposed(use_case_id, alert_id)`` (constructor, called after commit) and
``record_suspension_decision`` (called by the gate once the human decided).

Parts: ``base`` (sessions, level, owner checks), ``reads`` (what pages show), ``configuration``
(settings and reference batch), ``checks`` (drift checks and the due job), ``outcomes``
(predictions against actuals, KPIs), ``alerts`` (raised, handled, suspension proposed),
``batches`` (files in, frames out) and ``views`` (the read models).
"""

from portal.services.monitoring.batches import JOB_MAX_BYTES, module_columns
from portal.services.monitoring.checks import describe_run
from portal.services.monitoring.configuration import CONFIG_LABELS, ConfigFields
from portal.services.monitoring.service import MonitoringService
from portal.services.monitoring.views import (
    ALERT_STATUS_LABELS,
    HEALTH_LABELS,
    AlertView,
    CheckOutcome,
    ColumnView,
    ConfigView,
    DueCheck,
    HealthRow,
    LevelInfo,
    OutcomeView,
    RunView,
)

__all__ = [
    "ALERT_STATUS_LABELS",
    "CONFIG_LABELS",
    "HEALTH_LABELS",
    "JOB_MAX_BYTES",
    "AlertView",
    "CheckOutcome",
    "ColumnView",
    "ConfigFields",
    "ConfigView",
    "DueCheck",
    "HealthRow",
    "LevelInfo",
    "MonitoringService",
    "OutcomeView",
    "RunView",
    "describe_run",
    "module_columns",
]
