"""Alert rules: pure functions from drift and outcome results to ``AlertSpec``s.

Each alert is one problem, told in one French sentence (``monitoring.sentences``) without
technical metric names; the measures behind it stay in ``details``. When several measures flag
the same problem in the same check (MAPE and WAPE of one period, a critical column that is the
whole dataset drift), the rule raises one alert and lists the measures in its details.

The portal stores each ``AlertSpec`` and opens a review on the use case; nothing here
touches a database. Thresholds come from the impact level (``thresholds_for_level``): every
"above" threshold is multiplied by the level's factor (I ×1, II ×0.85, III ×0.7, IV ×0.5) and
every "below" threshold tightens through its complement (see ``monitoring.levels``).

Severity, fixed per rule so that a reader knows what each means:

=====================  =========  ===================================================
kind                   severity   why
=====================  =========  ===================================================
dataset_drift          warning    the inputs no longer look like the reference
critical_column_drift  critical   a column the use case declared critical moved
missing_rate_change    warning    a data pipeline probably changed
new_categories         warning    the model meets values it never saw
outcome_below          critical   the use case performs worse than agreed
override_rate_above    warning    agents disagree with the system more than agreed
territorial_gap        critical   places are treated unequally
=====================  =========  ===================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from monitoring import _fmt
from monitoring.drift import DriftConfig, DriftResult
from monitoring.levels import level_factor, parse_level
from monitoring.outcomes import OutcomeReport, TerritoryReport
from monitoring.sentences import alert_sentence


class AlertKind(StrEnum):
    DATASET_DRIFT = "dataset_drift"
    CRITICAL_COLUMN_DRIFT = "critical_column_drift"
    MISSING_RATE_CHANGE = "missing_rate_change"
    NEW_CATEGORIES = "new_categories"
    OUTCOME_BELOW = "outcome_below"
    OVERRIDE_RATE_ABOVE = "override_rate_above"
    TERRITORIAL_GAP = "territorial_gap"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return {"info": "Information", "warning": "Avertissement", "critical": "Critique"}[self.value]


@dataclass(frozen=True)
class AlertSpec:
    kind: AlertKind
    severity: Severity
    message_fr: str
    details: dict[str, Any] = field(default_factory=dict)  # JSON-serialisable

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "severity": str(self.severity),
            "message_fr": self.message_fr,
            "details": self.details,
        }


#: Level I defaults. Metrics "higher is better" get a minimum, "lower is better" a maximum.
BASE_MIN_METRICS: dict[str, float] = {"accuracy": 0.80, "f1": 0.70, "precision": 0.70, "recall": 0.70}
BASE_MAX_METRICS: dict[str, float] = {"mape": 0.20, "wape": 0.20}
BASE_MAX_OVERRIDE_RATE = 0.30
BASE_MAX_TERRITORIAL_GAP = 0.10
DEFAULT_SUSPENSION_RUNS = 3

_METRIC_FR = {
    "accuracy": "exactitude",
    "f1": "F1",
    "precision": "précision",
    "recall": "rappel",
    "mape": "MAPE",
    "wape": "WAPE",
    "mae": "MAE",
    "rmse": "RMSE",
}


@dataclass(frozen=True)
class AlertThresholds:
    level: int
    drift: DriftConfig
    min_metrics: dict[str, float]
    max_metrics: dict[str, float]
    max_override_rate: float
    max_territorial_gap: float  # for accuracy / override-rate gaps, in share (0.1 = 10 points)
    suspension_runs: int = DEFAULT_SUSPENSION_RUNS

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "drift": self.drift.model_dump(),
            "min_metrics": dict(self.min_metrics),
            "max_metrics": dict(self.max_metrics),
            "max_override_rate": self.max_override_rate,
            "max_territorial_gap": self.max_territorial_gap,
            "suspension_runs": self.suspension_runs,
        }


def thresholds_for_level(
    level: int | str,
    *,
    drift: DriftConfig | None = None,
    min_metrics: Mapping[str, float] | None = None,
    max_metrics: Mapping[str, float] | None = None,
    max_override_rate: float = BASE_MAX_OVERRIDE_RATE,
    max_territorial_gap: float = BASE_MAX_TERRITORIAL_GAP,
    suspension_runs: int = DEFAULT_SUSPENSION_RUNS,
) -> AlertThresholds:
    """Thresholds for impact level I–IV, from level-I values (defaults above, or given) tightened
    by the level's factor. The number of consecutive alerting runs before a suspension is
    proposed is not scaled (default 3)."""
    number = parse_level(level)
    factor = level_factor(number)
    mins = dict(BASE_MIN_METRICS if min_metrics is None else min_metrics)
    maxs = dict(BASE_MAX_METRICS if max_metrics is None else max_metrics)
    return AlertThresholds(
        level=number,
        drift=(drift or DriftConfig()).tightened(factor),
        min_metrics={k: 1 - (1 - v) * factor for k, v in mins.items()},
        max_metrics={k: v * factor for k, v in maxs.items()},
        max_override_rate=max_override_rate * factor,
        max_territorial_gap=max_territorial_gap * factor,
        suspension_runs=suspension_runs,
    )


# --------------------------------------------------------------------------- rules


def drift_alerts(result: DriftResult, critical_columns: Iterable[str] = ()) -> list[AlertSpec]:
    """Alerts from a drift result. Its thresholds are those of the ``DriftConfig`` it was
    computed with (use ``thresholds_for_level(level).drift``).

    One alert per problem: when every drifted column is a critical one (each with its own
    alert), the dataset-wide drift is the same problem and goes into those alerts' details
    instead of a second alert."""
    alerts: list[AlertSpec] = []
    critical = set(critical_columns)
    dataset = {
        "share_drifted": result.share_drifted,
        "drift_share": result.drift_share,
        "drifted_columns": result.drifted_columns,
        "n_computable": result.n_computable,
    }
    critical_drifted = [c for c in result.columns if c.drifted and c.column in critical]
    dataset_alone = result.dataset_drift and not set(result.drifted_columns) <= {c.column for c in critical_drifted}
    if dataset_alone:
        alerts.append(
            AlertSpec(
                AlertKind.DATASET_DRIFT,
                Severity.WARNING,
                alert_sentence(AlertKind.DATASET_DRIFT, None, result.share_drifted, result.drift_share,
                               columns=result.drifted_columns, n_columns=result.n_computable),
                dict(dataset),
            )
        )
    for col in result.columns:
        if col.drifted and col.column in critical:
            details: dict[str, Any] = {
                "column": col.column,
                "method": col.method,
                "score": col.score,
                "threshold": col.threshold,
            }
            if result.dataset_drift and not dataset_alone:
                details["dataset_drift"] = dict(dataset)
            alerts.append(
                AlertSpec(
                    AlertKind.CRITICAL_COLUMN_DRIFT,
                    Severity.CRITICAL,
                    alert_sentence(AlertKind.CRITICAL_COLUMN_DRIFT, col.column, col.score, col.threshold),
                    details,
                )
            )
        if col.missing_rate_changed:
            alerts.append(
                AlertSpec(
                    AlertKind.MISSING_RATE_CHANGE,
                    Severity.WARNING,
                    alert_sentence(AlertKind.MISSING_RATE_CHANGE, col.column, col.cur_missing_rate, None,
                                   reference_rate=col.ref_missing_rate),
                    {
                        "column": col.column,
                        "ref_missing_rate": col.ref_missing_rate,
                        "cur_missing_rate": col.cur_missing_rate,
                    },
                )
            )
        if col.new_categories:
            alerts.append(
                AlertSpec(
                    AlertKind.NEW_CATEGORIES,
                    Severity.WARNING,
                    alert_sentence(AlertKind.NEW_CATEGORIES, col.column, categories=col.new_categories),
                    {"column": col.column, "new_categories": [_fmt.plain(v) for v in col.new_categories]},
                )
            )
    return alerts


def _periods_to_check(report: OutcomeReport, all_periods: bool) -> list[dict[str, Any]]:
    rows = [{k: _fmt.plain(v) for k, v in r.items()} for r in report.table.to_dict("records")]
    return rows if all_periods else rows[-1:]


def _breach(value: float, threshold: float, lower_is_better: bool) -> float:
    """How far past its threshold a measure is, relative to the room the threshold leaves."""
    if lower_is_better:
        return (value - threshold) / threshold if threshold else math.inf
    return (threshold - value) / (1 - threshold) if threshold < 1 else math.inf


def outcome_alerts(
    report: OutcomeReport, thresholds: AlertThresholds, *, all_periods: bool = False
) -> list[AlertSpec]:
    """Quality below its minimum (or error above its maximum) and override rate above its maximum,
    for the latest period (or every period with ``all_periods=True``).

    One alert per period: the measures that cross their threshold together (MAPE and WAPE, or
    accuracy and F1) describe one problem. The alert names the measure furthest past its
    threshold and carries all of them in ``details["metrics"]``."""
    alerts: list[AlertSpec] = []
    for row in _periods_to_check(report, all_periods):
        period = row.get("period")
        if report.kind == "override":
            rate = row.get("override_rate")
            if rate is not None and rate > thresholds.max_override_rate:
                alerts.append(
                    AlertSpec(
                        AlertKind.OVERRIDE_RATE_ABOVE,
                        Severity.WARNING,
                        alert_sentence(AlertKind.OVERRIDE_RATE_ABOVE, None, rate, thresholds.max_override_rate,
                                       period=period, n=row.get("n"), n_overridden=row.get("n_overridden")),
                        {"period": period, "override_rate": rate, "threshold": thresholds.max_override_rate},
                    )
                )
            continue
        breaches: list[dict[str, Any]] = []
        for limits, lower in ((thresholds.min_metrics, False), (thresholds.max_metrics, True)):
            for metric, limit in limits.items():
                value = row.get(metric)
                if value is None or math.isnan(value) or not (value > limit if lower else value < limit):
                    continue
                breaches.append({"metric": metric, "value": value, "threshold": limit,
                                 "direction": "maximum" if lower else "minimum",
                                 "label": _METRIC_FR.get(metric, metric)})
        if not breaches:
            continue
        main = max(breaches, key=lambda b: _breach(b["value"], b["threshold"], b["direction"] == "maximum"))
        alerts.append(
            AlertSpec(
                AlertKind.OUTCOME_BELOW,
                Severity.CRITICAL,
                alert_sentence(AlertKind.OUTCOME_BELOW, main["metric"], main["value"], main["threshold"],
                               period=period, others=[b["metric"] for b in breaches]),
                {"period": period, "metric": main["metric"], "value": main["value"],
                 "threshold": main["threshold"], "metrics": breaches},
            )
        )
    return alerts


def territory_alerts(report: TerritoryReport, thresholds: AlertThresholds | None = None) -> list[AlertSpec]:
    """One alert when territories are treated unequally: a gap at or above the threshold, or a
    territory significantly worse than the others. With ``thresholds``, the gap threshold of a
    proportion metric is ``thresholds.max_territorial_gap``; otherwise the report's own."""
    gap_threshold = report.gap_threshold
    if thresholds is not None and report.metric != "mae":
        gap_threshold = thresholds.max_territorial_gap
    gap_exceeded = report.gap is not None and report.gap >= gap_threshold - 1e-12
    if not (gap_exceeded or report.significantly_worse):
        return []
    return [
        AlertSpec(
            AlertKind.TERRITORIAL_GAP,
            Severity.CRITICAL,
            alert_sentence(AlertKind.TERRITORIAL_GAP, report.metric, report.gap if gap_exceeded else None,
                           gap_threshold, best=_fmt.plain(report.best), worst=_fmt.plain(report.worst),
                           worse=[_fmt.plain(t) for t in report.significantly_worse]),
            {
                "metric": report.metric,
                "gap": report.gap,
                "gap_threshold": gap_threshold,
                "best": _fmt.plain(report.best),
                "worst": _fmt.plain(report.worst),
                "significantly_worse": [_fmt.plain(t) for t in report.significantly_worse],
            },
        )
    ]


def evaluate_alerts(
    thresholds: AlertThresholds,
    *,
    drift: DriftResult | None = None,
    outcomes: Sequence[OutcomeReport] = (),
    territories: Sequence[TerritoryReport] = (),
    critical_columns: Iterable[str] = (),
) -> list[AlertSpec]:
    """All the rules for one monitoring run, critical alerts first."""
    alerts: list[AlertSpec] = []
    if drift is not None:
        alerts += drift_alerts(drift, critical_columns)
    for outcome in outcomes:
        alerts += outcome_alerts(outcome, thresholds)
    for territory in territories:
        alerts += territory_alerts(territory, thresholds)
    order = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(alerts, key=lambda a: order[a.severity])


def propose_suspension(
    history: Sequence[bool | int | Sequence[Any]],
    stage: str,
    *,
    consecutive: int = DEFAULT_SUSPENSION_RUNS,
) -> bool:
    """True when a *deployed* use case had at least ``consecutive`` alerting runs in a row,
    ending with the latest one. ``history`` is ordered oldest first; each entry is a bool
    (the run alerted), an alert count, or the run's list of alerts. The proposal goes to a
    human: Vigie never suspends on its own."""
    if consecutive < 1:
        raise ValueError("Le nombre de contrôles consécutifs doit être au moins 1.")
    if str(stage) != "deployed" or len(history) < consecutive:
        return False

    def alerting(entry: bool | int | Sequence[Any]) -> bool:
        if isinstance(entry, bool | int):
            return entry > 0
        return len(entry) > 0

    return all(alerting(entry) for entry in history[-consecutive:])
