"""Read models of the deployment in waves, and the monitoring readings of each wave's criteria.

A wave's readings come from what monitoring already records: the share of drifted columns of the drift
checks run between the wave's start and the next wave's start, and the outcomes (accuracy, agents'
override rate, business KPI — residents' satisfaction or service quality) of the periods the wave covers,
for its territory when the outcomes are kept per territory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.vocabulary import Authority, Stage
from portal.db.models import DeploymentWave, MonitoringOutcome, MonitoringRun, WaveDecision

#: metric -> (French label, unit shown, default bound); percentages are entered and shown in per cent.
METRICS: dict[str, tuple[str, str, str]] = {
    "drift_share": ("Part des variables en dérive", "%", "max"),
    "accuracy": ("Exactitude des suggestions", "%", "min"),
    "override_rate": ("Taux de reprise par les agents", "%", "max"),
    "kpi": ("Indicateur de résultat (satisfaction des usagers ou qualité de service)", "", "min"),
}
PERCENT_METRICS = frozenset({"drift_share", "accuracy", "override_rate"})
BOUNDS = {"min": "au moins", "max": "au plus"}
SCOPES = {"territory": "Un territoire", "service": "Un service", "share_cases": "Une part des dossiers",
          "share_agents": "Une part des agents"}
DECISIONS = {"go": "Lancer la vague", "no_go": "Ne pas lancer la vague",
             "roll_back": "Revenir en arrière sur cette vague"}
STATUS_FR = {"planned": "Prévue", "go": "Lancée", "no_go": "Non lancée", "rolled_back": "Revenue en arrière"}


@dataclass(frozen=True)
class Reading:
    metric: str
    bound: str
    threshold: float
    value: float | None  # in the criterion's unit (per cent for percentages); None: nothing measured
    sources: int = 0  # checks or periods read

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.value >= self.threshold if self.bound == "min" else self.value <= self.threshold

    @property
    def label(self) -> str:
        return METRICS[self.metric][0]

    @property
    def unit(self) -> str:
        return METRICS[self.metric][1]

    def as_record(self) -> dict[str, Any]:
        return {"metric": self.metric, "bound": self.bound, "threshold": self.threshold, "value": self.value,
                "met": self.met, "sources": self.sources}


@dataclass(frozen=True)
class WaveDecisionView:
    id: int
    decision: str
    reasons: str
    authority: Authority
    on_behalf: bool
    decided_on: dt.date
    act_number: str | None
    act_date: dt.date | None
    session_date: dt.date | None
    readings: list[dict[str, Any]]
    decided_by_name: str
    decided_at: dt.datetime

    @property
    def decision_fr(self) -> str:
        return DECISIONS[self.decision]


@dataclass(frozen=True)
class WaveView:
    id: int
    use_case_id: int
    number: int
    label: str
    scope_kind: str
    scope: str | None
    share: float | None
    start_date: dt.date
    criteria: list[dict[str, Any]]
    periods: list[str]
    version: int
    readings: list[Reading]
    decisions: list[WaveDecisionView] = field(default_factory=list)

    @property
    def status(self) -> str:
        kinds = [d.decision for d in self.decisions]
        if "roll_back" in kinds:
            return "rolled_back"
        return kinds[0] if kinds else "planned"

    @property
    def status_fr(self) -> str:
        return STATUS_FR[self.status]

    @property
    def scope_fr(self) -> str:
        if self.scope_kind in ("share_cases", "share_agents"):
            share = f"{self.share:g}".replace(".", ",") if self.share is not None else "?"
            return f"{share} % des {'dossiers' if self.scope_kind == 'share_cases' else 'agents'}" + (
                f" ({self.scope})" if self.scope else "")
        return f"{'Territoire' if self.scope_kind == 'territory' else 'Service'} : {self.scope or '—'}"

    @property
    def criteria_met(self) -> bool | None:
        """True when every criterion is met, False when one is not, None when nothing is measured yet."""
        mets = [r.met for r in self.readings]
        if any(m is False for m in mets):
            return False
        return True if mets and all(m is True for m in mets) else None


@dataclass(frozen=True)
class RollbackPlanView:
    id: int
    procedure: str
    decider: str
    delay_days: int
    tested_on: dt.date | None
    updated_by_name: str
    updated_at: dt.datetime
    version: int


@dataclass(frozen=True)
class DeploymentPlanView:
    use_case_id: int
    stage: Stage
    authority: Authority  # who decides a wave's go/no-go (the deployment gate's authority)
    rollback_plan: RollbackPlanView | None
    waves: list[WaveView]
    periods: list[str]  # the outcome periods monitoring has recorded, to assign to waves


def decision_view(d: WaveDecision) -> WaveDecisionView:
    return WaveDecisionView(
        id=d.id, decision=d.decision, reasons=d.reasons, authority=Authority(d.authority), on_behalf=d.on_behalf,
        decided_on=d.decided_on, act_number=d.act_number, act_date=d.act_date, session_date=d.session_date,
        readings=list(d.readings or []), decided_by_name=d.decided_by_name, decided_at=d.decided_at,
    )


def _window_end(wave: DeploymentWave, waves: Sequence[DeploymentWave]) -> dt.date | None:
    later = [w.start_date for w in waves if w.number > wave.number and w.start_date > wave.start_date]
    return min(later) if later else None


def _outcome_rows(wave: DeploymentWave, outcomes: Sequence[MonitoringOutcome]) -> list[MonitoringOutcome]:
    rows = [o for o in outcomes if o.period in set(wave.periods or [])]
    if wave.scope_kind == "territory" and wave.scope:
        local = [o for o in rows if (o.territory or "").strip().lower() == wave.scope.strip().lower()]
        if local:
            return local
    overall = [o for o in rows if o.territory is None]
    return overall or rows


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def readings(wave: DeploymentWave, waves: Sequence[DeploymentWave], runs: Sequence[MonitoringRun],
             outcomes: Sequence[MonitoringOutcome]) -> list[Reading]:
    """Each criterion of ``wave`` against what monitoring recorded for it (see the module docstring)."""
    end = _window_end(wave, waves)
    in_window = [r for r in runs if r.created_at.date() >= wave.start_date
                 and (end is None or r.created_at.date() < end)]
    rows = _outcome_rows(wave, outcomes)
    out = []
    for crit in wave.criteria or []:
        metric = crit["metric"]
        if metric == "drift_share":
            values = [r.share_drifted for r in in_window]
            value = max(values) if values else None  # the worst check of the wave
        else:
            column = "kpi_value" if metric == "kpi" else metric
            values = [getattr(o, column) for o in rows if getattr(o, column) is not None]
            value = _mean(values)
        if value is not None and metric in PERCENT_METRICS:
            value = round(value * 100, 2)
        out.append(Reading(metric=metric, bound=crit["bound"], threshold=float(crit["threshold"]), value=value,
                           sources=len(values)))
    return out
