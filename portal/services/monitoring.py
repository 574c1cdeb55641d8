"""Monitoring of pilots and deployments: reference batch, drift checks, outcomes, alerts.

The computations are the pure ``monitoring`` package; this service stores them. Every mutation
checks the role matrix (owner scope for project leads), validates its input with French
messages, writes in one transaction and appends an audit event in that same transaction.
Heavy work (reading the batch, the drift, Evidently's HTML report) happens *before* the
transaction opens, so a bad file or a failed computation writes nothing.

Impact level. Thresholds tighten with the use case's impact level (I–IV, ``monitoring.levels``).
The level comes from governance through ``classification_of(use_case_id) -> (class, level)``,
wired by the lead; without it, or while a use case is not classified, level II applies and
every run records ``level_source="default"`` so the page says so.

Suspension. After ``suspension_runs`` consecutive alerting checks on a *deployed* use case the
newest alert carries ``suspension_proposed=True`` and shows in the attention list. Vigie never
suspends: a human decides through the governance gate. Hooks for the lead:
``on_suspension_proposed(use_case_id, alert_id)`` (constructor, called after commit) and
``record_suspension_decision`` (to call from the gate once the human decided).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from monitoring.alerts import (
    AlertSpec,
    AlertThresholds,
    evaluate_alerts,
    propose_suspension,
    thresholds_for_level,
)
from monitoring.drift import DriftConfig, DriftResult, compute_drift, evidently_html_report
from monitoring.levels import roman
from monitoring.outcomes import (
    assess_kpi,
    classification_by_period,
    override_rate_by_period,
    performance_by_territory,
    regression_by_period,
)
from policies.access import require
from policies.vocabulary import ACTIVE_STAGES, Action, Principal, Role, Stage
from portal.db.models import (
    MonitoringAlert,
    MonitoringColumnResult,
    MonitoringConfig,
    MonitoringOutcome,
    MonitoringReference,
    MonitoringRun,
    UseCase,
)
from portal.repositories import monitoring as repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.register import AttentionItem
from portal.services.validation import validate
from usecases import loading, parsing
from usecases.base import Column, InputSchema, coerce, fingerprint

ClassificationOf = Callable[[int], tuple[str | None, int | None]]
DEFAULT_LEVEL = 2
REPORT_MAX_ROWS = 100_000  # per side, for Evidently's HTML report only
_PLAIN_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
JOB_MAX_BYTES = 1024 * 1024 * 1024  # files read by `vigie monitor` jobs (pages keep the 20 MB upload limit)
MONITORED_KINDS = ("numerical", "categorical")

HEALTH_LABELS = {
    "healthy": "Sain",
    "drifting": "Dérive ou alerte",
    "stale": "Contrôle en retard",
    "awaiting": "Premier contrôle attendu",
    "not_monitored": "Non suivi",
}
ALERT_STATUS_LABELS = {"open": "Ouverte", "acknowledged": "Prise en compte", "closed": "Close"}


# --------------------------------------------------------------------------- input models


class ConfigFields(BaseModel):
    """What a person sets for a use case's monitoring (thresholds are those of level I)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    columns: dict[str, Literal["numerical", "categorical"]] = Field(min_length=1, max_length=500)
    critical_columns: list[str] = Field(default_factory=list, max_length=500)
    cadence_days: int = Field(30, ge=1, le=366)
    numerical_threshold: float = Field(0.1, gt=0, le=1)
    categorical_threshold: float = Field(0.1, gt=0, le=1)
    drift_share: float = Field(0.5, gt=0, le=1)
    missing_rate_threshold: float = Field(0.1, gt=0, le=1)
    min_metrics: dict[str, float] | None = Field(None, max_length=50)
    max_metrics: dict[str, float] | None = Field(None, max_length=50)
    suspension_runs: int = Field(3, ge=1, le=24)
    current_source: str | None = Field(None, max_length=500)

    @field_validator("critical_columns")
    @classmethod
    def _known(cls, value: list[str], info: Any) -> list[str]:
        columns = info.data.get("columns") or {}
        unknown = [c for c in value if c not in columns]
        if unknown:
            raise ValueError(f"colonnes critiques non suivies : {', '.join(unknown)}")
        return value


CONFIG_LABELS = {
    "columns": "Colonnes suivies",
    "critical_columns": "Colonnes critiques",
    "cadence_days": "Fréquence des contrôles (jours)",
    "numerical_threshold": "Seuil de dérive des colonnes numériques",
    "categorical_threshold": "Seuil de dérive des colonnes catégorielles",
    "drift_share": "Part de colonnes en dérive déclenchant l'alerte",
    "missing_rate_threshold": "Écart de taux de valeurs manquantes",
    "min_metrics": "Minimums de qualité",
    "max_metrics": "Maximums d'erreur",
    "suspension_runs": "Contrôles en alerte avant proposition de suspension",
    "current_source": "Emplacement du lot courant",
}


# --------------------------------------------------------------------------- views


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


# --------------------------------------------------------------------------- helpers


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def _frame_to_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.17g").encode("utf-8")


def _schema(columns: Mapping[str, str]) -> InputSchema:
    return InputSchema(tuple(Column(name, kind, role="feature", required=False)  # type: ignore[arg-type]
                             for name, kind in columns.items()))


def _decode_reference(ref: MonitoringReference) -> pd.DataFrame:
    """The stored batch with its kinds: written by ``_frame_to_csv`` (dot decimals), so read natively."""
    dtypes = {c: ("float64" if k == "numerical" else "object") for c, k in ref.columns.items()}
    return pd.read_csv(io.BytesIO(gzip.decompress(ref.data)), dtype=dtypes, keep_default_na=False, na_values=[""])


def _problems_for(frame: pd.DataFrame, columns: Mapping[str, str], side_fr: str) -> list[str]:
    problems = []
    found = list(frame.attrs.get(loading.HEADER_ATTR, frame.columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(
            f"Colonne(s) suivie(s) absente(s) du lot {side_fr} : {', '.join('« ' + c + ' »' for c in missing)}. "
            f"Colonnes trouvées : {', '.join('« ' + str(c) + ' »' for c in found[:20])}."
        )
    if len(frame) == 0:
        problems.append(f"Le lot {side_fr} ne contient aucune ligne.")
    return problems


_OUTCOME_FLAGS = InputSchema((Column("overridden", "boolean", required=False),))


def _read_outcomes(data: bytes, filename: str, kind: str) -> pd.DataFrame:
    """An outcomes file through the strict reader: numbers as everywhere else (French decimals and
    thousands), the override flag checked, every problem named by its line in the file."""
    try:
        frame = loading.read_table(data, filename)
    except loading.InvalidInput as exc:
        raise InvalidInput(exc.problems) from None
    schema = InputSchema(tuple(
        Column(col, "numerical" if kind == "regression" else "categorical")
        for col in ("actual", "prediction") if col in frame.columns
    ))
    problems = schema.problems(frame) + _OUTCOME_FLAGS.problems(frame)
    if problems:
        raise InvalidInput(problems)
    for col in ("actual", "prediction"):
        if col not in frame.columns:
            continue
        numbers = parsing.to_number(frame[col])
        present = ~parsing.is_blank(frame[col])
        if kind == "regression" or bool((numbers.notna() == present).all()):  # class labels written as numbers
            frame[col] = numbers
    if "overridden" in frame.columns:
        frame["overridden"] = parsing.to_boolean(frame["overridden"])
    return frame


def _infer_columns(frame: pd.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        out[str(name)] = "numerical" if pd.api.types.is_numeric_dtype(series) else "categorical"
    return out


def module_columns(module_key: str | None, present: Any = None) -> dict[str, str]:
    """Monitored columns of an analysis module's primary input (its first: the rows it analyses;
    other inputs such as crews, failures, references or accounts are context, not a flow to watch):
    numerical and categorical columns whose role is feature, group, target or prediction (ids and
    timestamps are not compared). With ``present`` (a frame's columns), an optional column missing
    from it is left out."""
    if not module_key:
        return {}
    from usecases import registry

    try:
        module = registry.get(module_key)
    except KeyError:
        return {}
    if not module.inputs:
        return {}
    have = set(present) if present is not None else None
    return {col.name: col.kind for col in module.inputs[0].schema.columns
            if col.kind in MONITORED_KINDS and col.role in ("feature", "group", "target", "prediction")
            and (have is None or col.required or col.name in have)}


def module_key_of(tags: Any) -> str | None:
    for tag in tags or ():
        if str(tag).startswith("module:"):
            return str(tag).removeprefix("module:")
    return None


def _float(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN -> None


# --------------------------------------------------------------------------- service


class MonitoringService:
    def __init__(
        self,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        classification_of: ClassificationOf | None = None,
        *,
        on_suspension_proposed: Callable[[int, int], None] | None = None,
        module_of: Callable[[int], str | None] | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._classification_of = classification_of
        self._on_suspension_proposed = on_suspension_proposed
        #: The analysis module bound to a use case (its input schema gives the monitored columns);
        #: without it, or when none is bound, a ``module:<key>`` tag on the use case is read.
        self.module_of = module_of

    def _module_key(self, uc: UseCase) -> str | None:
        bound = self.module_of(uc.id) if self.module_of is not None else None
        return bound or module_key_of(uc.tags)

    # ---- levels ---------------------------------------------------------------------------

    def level_of(self, use_case_id: int) -> LevelInfo:
        """The impact level from governance, or level II by default (and said so)."""
        if self._classification_of is not None:
            ai_class, level = self._classification_of(use_case_id)
            if level in (1, 2, 3, 4):
                return LevelInfo(int(level), "governance", ai_class)
            return LevelInfo(DEFAULT_LEVEL, "default", ai_class)
        return LevelInfo(DEFAULT_LEVEL, "default")

    def thresholds(self, use_case_id: int) -> tuple[AlertThresholds, LevelInfo]:
        cfg = self.config(use_case_id)
        if cfg is None:
            raise NotFound("Le suivi de ce cas d'usage n'est pas configuré.")
        level = self.level_of(use_case_id)
        return self._thresholds(cfg.drift_settings, cfg.min_metrics, cfg.max_metrics, cfg.suspension_runs,
                                level), level

    @staticmethod
    def _thresholds(drift_settings: dict[str, Any], min_metrics: dict[str, float] | None,
                    max_metrics: dict[str, float] | None, suspension_runs: int, level: LevelInfo) -> AlertThresholds:
        return thresholds_for_level(level.level, drift=DriftConfig(**drift_settings), min_metrics=min_metrics,
                                    max_metrics=max_metrics, suspension_runs=suspension_runs)

    # ---- reads ----------------------------------------------------------------------------

    def _use_case(self, s: Session, use_case_id: int) -> UseCase:
        uc = s.get(UseCase, use_case_id)
        if uc is None:
            raise NotFound(f"Cas d'usage n° {use_case_id} introuvable.")
        return uc

    def config(self, use_case_id: int) -> ConfigView | None:
        with self._reader() as s:
            cfg = repo.config_of(s, use_case_id)
            return None if cfg is None else self._config_view(s, cfg)

    def _config_view(self, s: Session, cfg: MonitoringConfig) -> ConfigView:
        ref = repo.reference(s, cfg.reference_id) if cfg.reference_id else None
        return ConfigView(
            id=cfg.id, use_case_id=cfg.use_case_id, module_key=cfg.module_key, columns=dict(cfg.columns),
            critical_columns=list(cfg.critical_columns), cadence_days=cfg.cadence_days,
            drift_settings=dict(cfg.drift_settings), min_metrics=cfg.min_metrics, max_metrics=cfg.max_metrics,
            suspension_runs=cfg.suspension_runs, current_source=cfg.current_source, reference_id=cfg.reference_id,
            version=cfg.version,
            reference_label=ref.source_label if ref else None, reference_rows=ref.n_rows if ref else None,
            reference_checksum=ref.checksum if ref else None, reference_source=ref.source if ref else None,
            reference_at=ref.created_at if ref else None,
        )

    def default_columns(self, use_case_id: int) -> dict[str, str]:
        """Columns proposed for a new configuration: the bound module's input schema."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            return module_columns(self._module_key(uc))

    def reference_frame(self, use_case_id: int) -> pd.DataFrame:
        with self._reader() as s:
            cfg = repo.config_of(s, use_case_id)
            if cfg is None or cfg.reference_id is None:
                raise NotFound("Aucune référence n'est enregistrée pour ce cas d'usage.")
            ref = repo.reference(s, cfg.reference_id)
            assert ref is not None
            return _decode_reference(ref)

    @staticmethod
    def _run_view(run: MonitoringRun, columns: list[MonitoringColumnResult] | None = None) -> RunView:
        return RunView(
            id=run.id, use_case_id=run.use_case_id, current_label=run.current_label,
            current_fingerprint=run.current_fingerprint, n_reference=run.n_reference, n_current=run.n_current,
            share_drifted=run.share_drifted, dataset_drift=run.dataset_drift, n_drifted=run.n_drifted,
            n_computable=run.n_computable, impact_level=run.impact_level, level_source=run.level_source,
            engine=run.engine, messages=list(run.messages), n_alerts=run.n_alerts,
            has_report=run.report_html is not None, report_error=run.report_error, trigger=run.trigger,
            seconds=run.seconds, created_by_id=run.created_by_id, created_at=run.created_at,
            columns=[ColumnView(
                column=c.column, kind=c.kind, method=c.method, score=c.score, threshold=c.threshold,
                drifted=c.drifted, computable=c.computable, ref_missing_rate=c.ref_missing_rate,
                cur_missing_rate=c.cur_missing_rate, missing_rate_change=c.missing_rate_change,
                missing_rate_changed=c.missing_rate_changed, new_categories=list(c.new_categories),
                messages=list(c.messages),
            ) for c in (columns or [])],
        )

    def runs(self, use_case_id: int, limit: int | None = None) -> list[RunView]:
        """Newest first, with their column results."""
        with self._reader() as s:
            runs = repo.runs_of(s, use_case_id, limit)
            cols: dict[int, list[MonitoringColumnResult]] = {}
            for c in repo.column_results(s, [r.id for r in runs]):
                cols.setdefault(c.run_id, []).append(c)
            return [self._run_view(r, cols.get(r.id, [])) for r in runs]

    def report_html(self, run_id: int) -> str:
        """The Evidently HTML report stored with a run."""
        with self._reader() as s:
            run = s.get(MonitoringRun, run_id)
            if run is None:
                raise NotFound(f"Contrôle n° {run_id} introuvable.")
            if run.report_html is None:
                raise NotFound(run.report_error or "Aucun rapport Evidently n'a été produit pour ce contrôle.")
            return gzip.decompress(run.report_html).decode("utf-8")

    @staticmethod
    def _alert_view(a: MonitoringAlert) -> AlertView:
        return AlertView(
            id=a.id, use_case_id=a.use_case_id, run_id=a.run_id, kind=a.kind, severity=a.severity,
            message=a.message, details=dict(a.details), status=a.status, review_opened=a.review_opened,
            suspension_proposed=a.suspension_proposed, suspension_decision=a.suspension_decision,
            raised_at=a.raised_at, acknowledged_at=a.acknowledged_at, closed_at=a.closed_at, note=a.note,
            version=a.version,
        )

    def alerts(self, use_case_id: int | None = None, *, statuses: tuple[str, ...] = ()) -> list[AlertView]:
        with self._reader() as s:
            return [self._alert_view(a) for a in repo.alerts(s, use_case_id=use_case_id, statuses=statuses)]

    def outcomes(self, use_case_id: int) -> list[OutcomeView]:
        with self._reader() as s:
            return [OutcomeView(
                period=o.period, territory=o.territory, kind=o.kind, n=o.n, batch_label=o.batch_label,
                metrics={k: getattr(o, k) for k in ("accuracy", "precision", "recall", "f1", "mae", "mape",
                                                     "override_rate")},
                kpi_value=o.kpi_value, kpi_baseline=o.kpi_baseline, kpi_target=o.kpi_target, kpi_status=o.kpi_status,
            ) for o in repo.outcomes_of(s, use_case_id)]

    def suspension_proposals(self) -> list[AlertView]:
        """Alerts carrying a suspension proposal no human has decided yet (for the governance gate)."""
        return [a for a in self.alerts() if a.suspension_proposed and a.suspension_decision is None]

    def due(self, today: dt.date | None = None) -> list[DueCheck]:
        """Active use cases with a reference whose last check is older than their cadence."""
        today = today or dt.date.today()
        out = []
        with self._reader() as s:
            last = repo.last_runs(s)
            for cfg in repo.configs(s):
                uc = s.get(UseCase, cfg.use_case_id)
                if uc is None or Stage(uc.stage) not in ACTIVE_STAGES or cfg.reference_id is None:
                    continue
                run = last.get(cfg.use_case_id)
                if run is None or run.created_at.date() + dt.timedelta(days=cfg.cadence_days) <= today:
                    out.append(DueCheck(uc.id, uc.reference, uc.title, run.created_at if run else None,
                                        cfg.current_source))
        return sorted(out, key=lambda d: d.reference)

    def portfolio_health(self, today: dt.date | None = None) -> list[HealthRow]:
        """Every piloted, evaluated or deployed use case: healthy, drifting, stale, awaiting its first
        check (a reference but no check yet) or not monitored."""
        today = today or dt.date.today()
        rows: list[HealthRow] = []
        with self._reader() as s:
            last = repo.last_runs(s)
            configs = {c.use_case_id: c for c in repo.configs(s)}
            open_alerts: dict[int, list[MonitoringAlert]] = {}
            for a in repo.alerts(s, statuses=("open", "acknowledged")):
                open_alerts.setdefault(a.use_case_id, []).append(a)
            cases = s.scalars(select(UseCase).where(UseCase.stage.in_([st.value for st in ACTIVE_STAGES]))
                              .order_by(UseCase.reference)).all()
            for uc in cases:
                cfg, run = configs.get(uc.id), last.get(uc.id)
                alerts = open_alerts.get(uc.id, [])
                next_due = None
                if cfg is None or cfg.reference_id is None:
                    status = "not_monitored"
                elif run is None:  # a reference is set (e.g. an analysis run): the first check is due
                    status = "awaiting"
                else:
                    next_due = run.created_at.date() + dt.timedelta(days=cfg.cadence_days)
                    if run.dataset_drift or any(a.status == "open" for a in alerts):
                        status = "drifting"
                    elif next_due <= today:
                        status = "stale"
                    else:
                        status = "healthy"
                rows.append(HealthRow(
                    use_case_id=uc.id, reference=uc.reference, title=uc.title, stage=Stage(uc.stage),
                    lead_id=uc.lead_id, status=status, last_check=run.created_at if run else None,
                    share_drifted=run.share_drifted if run else None,
                    open_alerts=sum(a.status == "open" for a in alerts),
                    suspension_proposed=any(a.suspension_proposed and a.suspension_decision is None for a in alerts),
                    level=self.level_of(uc.id), next_due=next_due,
                ))
        order = {"drifting": 0, "stale": 1, "awaiting": 2, "not_monitored": 3, "healthy": 4}
        return sorted(rows, key=lambda r: (order[r.status], r.reference))

    def attention(self, principal: Principal) -> list[AttentionItem]:
        """Open alerts and suspension proposals for the home page, one line per use case (and one
        per proposal): the project lead sees those of the use cases they lead; compliance,
        directors and administrators see all of them."""
        if not principal.has(Role.PROJECT_LEAD, Role.COMPLIANCE, Role.DIRECTOR, Role.ADMIN):
            return []
        mine_only = not principal.has(Role.COMPLIANCE, Role.DIRECTOR, Role.ADMIN)
        by_case: dict[int, list[MonitoringAlert]] = {}
        items: list[AttentionItem] = []
        with self._reader() as s:
            for a in repo.alerts(s, statuses=("open",)):  # newest first
                by_case.setdefault(a.use_case_id, []).append(a)
            for use_case_id, alerts in by_case.items():
                uc = s.get(UseCase, use_case_id)
                if uc is None or (mine_only and uc.lead_id != principal.person_id):
                    continue
                if any(a.suspension_proposed and a.suspension_decision is None for a in alerts):
                    items.append(AttentionItem(uc.id, uc.reference, uc.title,
                                               "Suivi : alertes répétées sur un cas déployé — suspension proposée, "
                                               "décision humaine attendue (gouvernance).", "error"))
                critical = sum(a.severity == "critical" for a in alerts)
                text = (f"Suivi : {len(alerts)} alerte(s) ouverte(s)"
                        + (f", dont {critical} critique(s)" if critical else "")
                        + f" — la plus récente : {alerts[0].message}")
                items.append(AttentionItem(uc.id, uc.reference, uc.title, text, "error" if critical else "warning"))
        return items

    # ---- configuration --------------------------------------------------------------------

    def _owned(self, s: Session, principal: Principal, use_case_id: int, action: Action) -> UseCase:
        uc = self._use_case(s, use_case_id)
        require(principal, action, owner_ids=[uc.lead_id])
        return uc

    def _authorise(self, principal: Principal, use_case_id: int, action: Action) -> None:
        """Permission before validation: a refused caller learns nothing of the configuration or the file."""
        with self._reader() as s:
            self._owned(s, principal, use_case_id, action)

    def configure(self, principal: Principal, use_case_id: int, data: dict[str, Any],
                  expected_version: int | None = None) -> ConfigView:
        """Create or update the monitoring configuration of a use case."""
        self._authorise(principal, use_case_id, Action.CONFIGURE_MONITORING)
        fields = validate(ConfigFields, data, CONFIG_LABELS)
        drift_settings = {
            "numerical_threshold": fields.numerical_threshold, "categorical_threshold": fields.categorical_threshold,
            "drift_share": fields.drift_share, "missing_rate_threshold": fields.missing_rate_threshold,
        }
        with self._writer.begin() as s:
            uc = self._owned(s, principal, use_case_id, Action.CONFIGURE_MONITORING)
            cfg = repo.config_of(s, use_case_id)
            before = None
            if cfg is None:
                cfg = MonitoringConfig(use_case_id=uc.id, module_key=self._module_key(uc))
                s.add(cfg)
            else:
                if expected_version is not None and cfg.version != expected_version:
                    raise StaleEdit("La configuration du suivi a été modifiée par quelqu'un d'autre : rechargez-la.")
                before = self._config_audit(cfg)
            cfg.columns = dict(fields.columns)
            cfg.critical_columns = list(fields.critical_columns)
            cfg.cadence_days = fields.cadence_days
            cfg.drift_settings = drift_settings
            cfg.min_metrics = fields.min_metrics
            cfg.max_metrics = fields.max_metrics
            cfg.suspension_runs = fields.suspension_runs
            cfg.current_source = fields.current_source
            try:
                s.flush()
            except StaleDataError:
                raise StaleEdit("La configuration du suivi a été modifiée par quelqu'un d'autre : rechargez-la.") \
                    from None
            audit.append(s, principal, "configure_monitoring", "monitoring_config", cfg.id, use_case_id=uc.id,
                         before=before, after=self._config_audit(cfg))
            return self._config_view(s, cfg)

    @staticmethod
    def _config_audit(cfg: MonitoringConfig) -> dict[str, Any]:
        return {"columns": dict(cfg.columns), "critical_columns": list(cfg.critical_columns),
                "cadence_days": cfg.cadence_days, "drift_settings": dict(cfg.drift_settings),
                "min_metrics": cfg.min_metrics, "max_metrics": cfg.max_metrics,
                "suspension_runs": cfg.suspension_runs, "current_source": cfg.current_source}

    # ---- reference ------------------------------------------------------------------------

    def set_reference(self, principal: Principal, use_case_id: int,
                      frame_or_inputs: pd.DataFrame | Mapping[str, pd.DataFrame], *, source_label: str,
                      analysis_run_id: int | None = None) -> ConfigView:
        """Store a reference batch and make it the use case's reference.

        Called by the analysis service when a run is marked as reference (``analysis_run_id``
        given, ``frame_or_inputs`` = the run's inputs by name), and by ``upload_reference``.
        Without a configuration, one is created with the columns of the bound module's schema
        (tag ``module:<key>``), or else inferred from the frame's types.
        """
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.SET_REFERENCE_RUN if analysis_run_id is not None else Action.CONFIGURE_MONITORING,
                    owner_ids=[uc.lead_id])
            cfg = repo.config_of(s, use_case_id)
            module_key = self._module_key(uc)
            columns = dict(cfg.columns) if cfg else module_columns(module_key)
        frame = self._pick_frame(frame_or_inputs, columns)
        if cfg is None and columns:  # an optional schema column the reference lacks is not monitored
            columns = module_columns(module_key, present=frame.columns)
        if not columns:
            columns = _infer_columns(frame)
        problems = _problems_for(frame, columns, "de référence")
        if problems:
            raise InvalidInput(problems)
        label = (source_label or "").strip()[:300] or "Référence"
        kept = frame[list(columns)].reset_index(drop=True)
        csv_bytes = _frame_to_csv(kept)
        checksum = hashlib.sha256(csv_bytes).hexdigest()
        with self._writer.begin() as s:
            uc = self._owned(s, principal, use_case_id,
                             Action.SET_REFERENCE_RUN if analysis_run_id is not None else Action.CONFIGURE_MONITORING)
            cfg = repo.config_of(s, use_case_id)
            if cfg is None:
                cfg = MonitoringConfig(use_case_id=uc.id, module_key=self._module_key(uc), columns=columns,
                                       critical_columns=[], drift_settings={}, cadence_days=30, suspension_runs=3)
                s.add(cfg)
                s.flush()
                audit.append(s, principal, "configure_monitoring", "monitoring_config", cfg.id, use_case_id=uc.id,
                             after=self._config_audit(cfg), details={"reason": "configuration créée avec la référence"})
            ref = MonitoringReference(
                use_case_id=uc.id, source="analysis_run" if analysis_run_id is not None else "upload",
                source_label=label, analysis_run_id=analysis_run_id, data=_gzip(csv_bytes), checksum=checksum,
                n_rows=len(kept), columns=columns, created_by_id=principal.person_id or None,
            )
            s.add(ref)
            s.flush()
            previous = cfg.reference_id
            cfg.reference_id = ref.id
            s.flush()
            audit.append(s, principal, "set_reference", "monitoring_reference", ref.id, use_case_id=uc.id,
                         before={"reference_id": previous},
                         after={"reference_id": ref.id, "checksum": checksum, "rows": len(kept), "label": label,
                                "analysis_run_id": analysis_run_id})
            return self._config_view(s, cfg)

    @staticmethod
    def _pick_frame(frame_or_inputs: pd.DataFrame | Mapping[str, pd.DataFrame],
                    columns: Mapping[str, str]) -> pd.DataFrame:
        if isinstance(frame_or_inputs, pd.DataFrame):
            return frame_or_inputs
        frames = list(frame_or_inputs.values())
        if not frames:
            raise InvalidInput(["Aucune donnée fournie pour la référence."])
        # the input holding most of the monitored columns
        return max(frames, key=lambda f: sum(c in f.columns for c in columns))

    def _read_file(self, data: bytes, filename: str, columns: Mapping[str, str], side_fr: str,
                   max_bytes: int = loading.DEFAULT_MAX_BYTES) -> pd.DataFrame:
        try:
            # only the monitored columns are kept: a large batch costs what they need, not the whole file
            raw = loading.read_table(data, filename, max_bytes=max_bytes, usecols=list(columns))
        except loading.InvalidInput as exc:
            raise InvalidInput([f"Lot {side_fr} : {p}" for p in exc.problems]) from None
        problems = _problems_for(raw, columns, side_fr)
        if problems:
            raise InvalidInput(problems)
        # Fast path: a numerical column written with plain dot decimals (as most exports are) is read
        # by pandas; any other spelling (French decimals, spaces, text) goes through the shared
        # French parser, which also names the first bad cell.
        fast: dict[str, pd.Series] = {}
        for name, kind in columns.items():
            if kind != "numerical":
                continue
            text = raw[name].astype("string").str.strip()
            plain = text.isna() | (text == "") | text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
            if bool(plain.all()):
                values = pd.to_numeric(text.mask(text == ""), errors="coerce").astype("float64")
                blank = text.isna() | (text == "")
                if bool(np.isinf(values).any()) or bool((values.isna() & ~blank).any()):
                    continue  # « 1e309 »: the French parser names the cell
                fast[name] = values
        schema = _schema({c: k for c, k in columns.items() if c not in fast})
        problems = [f"Lot {side_fr} — {p}" for p in schema.problems(raw)]
        if problems:
            raise InvalidInput(problems)
        frame = coerce(raw, schema)
        for name, values in fast.items():
            frame[name] = values
        return frame

    def upload_reference(self, principal: Principal, use_case_id: int, data: bytes, filename: str) -> ConfigView:
        self._authorise(principal, use_case_id, Action.CONFIGURE_MONITORING)
        cfg = self.config(use_case_id)
        columns = cfg.columns if cfg else self.default_columns(use_case_id)
        if not columns:
            raise InvalidInput(["Configurez d'abord les colonnes suivies de ce cas d'usage."])
        frame = self._read_file(data, filename, columns, "de référence")
        return self.set_reference(principal, use_case_id, frame, source_label=f"Fichier « {filename} »")

    # ---- drift checks ---------------------------------------------------------------------

    def run_check(self, principal: Principal, use_case_id: int, current: pd.DataFrame | bytes, *,
                  label: str, filename: str | None = None, trigger: Literal["manual", "job"] = "manual",
                  engine: Literal["fast", "evidently"] = "fast", html_report: bool = True) -> CheckOutcome:
        """Compare a current batch with the reference; store the run, its columns and its alerts."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.RUN_MONITORING, owner_ids=[uc.lead_id])
            cfg = repo.config_of(s, use_case_id)
            if cfg is None or cfg.reference_id is None:
                raise InvalidInput(["Aucune référence n'est enregistrée pour ce cas d'usage : "
                                    "enregistrez d'abord un lot de référence."])
            ref = repo.reference(s, cfg.reference_id)
            assert ref is not None
            reference = _decode_reference(ref)
            columns, critical, ref_id = dict(cfg.columns), list(cfg.critical_columns), ref.id
            settings = (dict(cfg.drift_settings), cfg.min_metrics, cfg.max_metrics, cfg.suspension_runs)
            stage = uc.stage
        if isinstance(current, bytes | bytearray):
            # jobs read the collectivité's own drop folder: larger files than a page upload
            frame = self._read_file(bytes(current), filename or "lot.csv", columns, "courant",
                                    JOB_MAX_BYTES if trigger == "job" else loading.DEFAULT_MAX_BYTES)
        else:
            problems = _problems_for(current, columns, "courant")
            if problems:
                raise InvalidInput(problems)
            frame = coerce(current, _schema(columns))
        level = self.level_of(use_case_id)
        thresholds = self._thresholds(*settings, level)
        started = time.perf_counter()
        try:
            result = compute_drift(reference, frame, columns, thresholds.drift, engine=engine)  # type: ignore[arg-type]
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None
        seconds = time.perf_counter() - started
        specs = evaluate_alerts(thresholds, drift=result, critical_columns=critical)
        html: bytes | None = None
        report_error: str | None = None
        messages = list(result.messages)
        if html_report:
            ref_r, cur_r = reference, frame
            if max(len(reference), len(frame)) > REPORT_MAX_ROWS:
                # Evidently's report costs ~45 s and 1 GB at 1M rows: draw it on a seeded sample
                ref_r = reference.sample(min(len(reference), REPORT_MAX_ROWS), random_state=0)
                cur_r = frame.sample(min(len(frame), REPORT_MAX_ROWS), random_state=0)
                messages.append(f"Rapport Evidently dessiné sur un échantillon de {REPORT_MAX_ROWS:,} lignes par lot "
                                "(tirage fixe) ; les scores enregistrés portent sur toutes les lignes."
                                .replace(",", "\u202f"))
            try:
                html = _gzip(evidently_html_report(ref_r, cur_r, columns, thresholds.drift).encode("utf-8"))
            except Exception as exc:  # the report is optional; the run is stored anyway
                report_error = f"Rapport Evidently non produit : {exc}"
        current_fp = fingerprint({"current": frame[list(columns)]})
        label = (label or "").strip()[:300] or "Lot courant"
        with self._writer.begin() as s:
            uc = self._owned(s, principal, use_case_id, Action.RUN_MONITORING)
            run = MonitoringRun(
                use_case_id=uc.id, reference_id=ref_id, current_label=label, current_fingerprint=current_fp,
                n_reference=result.n_reference, n_current=result.n_current, share_drifted=float(result.share_drifted),
                dataset_drift=bool(result.dataset_drift), n_drifted=result.n_drifted,
                n_computable=result.n_computable, impact_level=level.level, level_source=level.source,
                engine=engine, settings=thresholds.to_dict(), messages=messages, n_alerts=len(specs),
                report_html=html, report_error=report_error, trigger=trigger, seconds=seconds,
                created_by_id=principal.person_id or None,
            )
            s.add(run)
            s.flush()
            for col in result.columns:
                s.add(MonitoringColumnResult(
                    run_id=run.id, column=col.column, kind=col.kind, method=col.method, score=_float(col.score),
                    threshold=float(col.threshold), drifted=bool(col.drifted), computable=bool(col.computable),
                    ref_missing_rate=_float(col.ref_missing_rate), cur_missing_rate=_float(col.cur_missing_rate),
                    missing_rate_change=_float(col.missing_rate_change),
                    missing_rate_changed=bool(col.missing_rate_changed),
                    new_categories=col.to_dict()["new_categories"], p_value=_float(col.p_value),
                    messages=list(col.messages),
                ))
            alerts = self._raise_alerts(s, principal, uc, specs, run_id=run.id)
            proposed = self._maybe_propose_suspension(s, principal, uc, stage, alerts, settings[3])
            s.flush()
            audit.append(s, principal, "run_monitoring", "monitoring_run", run.id, use_case_id=uc.id,
                         details={"label": label, "trigger": trigger, "fingerprint": current_fp,
                                  "share_drifted": run.share_drifted, "dataset_drift": run.dataset_drift,
                                  "alerts": len(alerts), "level": level.level, "level_source": level.source})
            cols = s.query(MonitoringColumnResult).filter_by(run_id=run.id).order_by(MonitoringColumnResult.id).all()
            out = CheckOutcome(self._run_view(run, list(cols)), [self._alert_view(a) for a in alerts],
                               proposed is not None, result)
        if proposed is not None and self._on_suspension_proposed is not None:
            self._on_suspension_proposed(use_case_id, proposed)
        return out

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

    # ---- outcomes -------------------------------------------------------------------------

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
            frame = _read_outcomes(bytes(frame), filename or "resultats.csv", kind)
        thresholds, _level = self.thresholds(use_case_id) if self.config(use_case_id) else (
            thresholds_for_level(self.level_of(use_case_id).level), None)
        period_col = period if period and period in frame.columns else None
        if period and not period_col and not date:
            raise InvalidInput([f"Colonne de période « {period} » absente du fichier."])
        try:
            by = classification_by_period if kind == "classification" else regression_by_period
            report = by(frame, period=period_col, date=date, freq=freq)
            reports = [report]
            override = None
            if "overridden" in frame.columns:
                override = override_rate_by_period(frame, period=period_col, date=date, freq=freq)
                reports.append(override)
            per_territory: list[tuple[str, pd.DataFrame]] = []
            territory_reports = []
            if territory:
                if territory not in frame.columns:
                    raise ValueError(f"Colonne de territoire « {territory} » absente du fichier.")
                for place, sub in frame.groupby(territory, sort=True):
                    per_territory.append((str(place), by(sub, period=period_col, date=date, freq=freq).table))
                periods_all = report.table["period"].tolist()
                latest = periods_all[-1] if periods_all else None
                if latest is not None and period_col:
                    latest_rows = frame[frame[period_col].astype(str) == str(latest)]
                else:
                    latest_rows = frame
                if kind == "classification":
                    territory_reports.append(performance_by_territory(latest_rows, territory=territory,
                                                                      metric="accuracy"))
                else:
                    territory_reports.append(performance_by_territory(latest_rows, territory=territory, metric="mae"))
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None
        file_periods = [str(p) for p in report.table["period"]]
        unknown = sorted({str(p).strip() for p in (kpi or {})} - set(file_periods))
        if unknown:
            raise InvalidInput([
                "Indicateur métier : période" + ("s " if len(unknown) > 1 else " ")
                + ", ".join(f"« {p} »" for p in unknown) + " absente" + ("s" if len(unknown) > 1 else "")
                + " du fichier (périodes du fichier : " + ", ".join(file_periods[:12])
                + (" …" if len(file_periods) > 12 else "") + ")."])
        kpi = {str(p).strip(): v for p, v in (kpi or {}).items()}
        specs = evaluate_alerts(thresholds, outcomes=reports, territories=territory_reports)
        overrides = {} if override is None else dict(zip(override.table["period"].astype(str),
                                                         override.table["override_rate"], strict=False))
        rows = []
        for rec in report.table.to_dict("records"):
            p = str(rec["period"])
            kpi_value = _float((kpi or {}).get(p))
            status = None
            if kpi_value is not None and baseline is not None and target is not None:
                status = str(assess_kpi("kpi", kpi_value, baseline, target,
                                        higher_is_better=target >= baseline).status)
            rows.append(dict(period=p, territory=None, n=int(rec["n"]), kpi_value=kpi_value, kpi_status=status,
                             override_rate=_float(overrides.get(p)),
                             **{k: _float(rec.get(k)) for k in ("accuracy", "precision", "recall", "f1", "mae",
                                                                 "mape")}))
        for place, table in per_territory:
            for rec in table.to_dict("records"):
                rows.append(dict(period=str(rec["period"]), territory=place, n=int(rec["n"]), kpi_value=None,
                                 kpi_status=None, override_rate=None,
                                 **{k: _float(rec.get(k)) for k in ("accuracy", "precision", "recall", "f1",
                                                                     "mae", "mape")}))
        label = (label or "").strip()[:300] or "Résultats"
        with self._writer.begin() as s:
            uc = self._owned(s, principal, use_case_id, Action.RECORD_OUTCOMES)
            periods = sorted({r["period"] for r in rows})
            replaced = 0
            for old in repo.outcomes_of(s, uc.id):
                if old.period in periods:
                    s.delete(old)
                    replaced += 1
            s.flush()
            for r in rows:
                s.add(MonitoringOutcome(use_case_id=uc.id, batch_label=label, kind=kind, kpi_baseline=baseline,
                                        kpi_target=target, created_by_id=principal.person_id or None, **r))
            alerts = self._raise_alerts(s, principal, uc, specs, run_id=None)
            audit.append(s, principal, "record_outcomes", "monitoring_outcome", uc.id, use_case_id=uc.id,
                         details={"label": label, "kind": kind, "periods": periods, "rows": len(rows),
                                  "replaced": replaced, "alerts": len(alerts)})
            return [self._alert_view(a) for a in alerts]

    # ---- alerts ---------------------------------------------------------------------------

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
        """For the governance gate (lead wiring): record the human decision on a proposed suspension.
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

    # ---- jobs -----------------------------------------------------------------------------

    def run_due(self, principal: Principal, today: dt.date | None = None) -> list[tuple[DueCheck, str]]:
        """Run every due check whose configuration names a current source (a file, or a folder
        whose newest file is read). Returns (check, French outcome) pairs; never stops on one failure."""
        out: list[tuple[DueCheck, str]] = []
        for due in self.due(today):
            if not due.current_source:
                out.append((due, "contrôle dû, mais aucun emplacement de lot courant n'est configuré"))
                continue
            path = Path(due.current_source)
            if path.is_dir():
                files = sorted((p for p in path.iterdir() if p.is_file()), key=lambda p: p.stat().st_mtime)
                path = files[-1] if files else path
            if not path.is_file():
                out.append((due, f"lot courant introuvable : {due.current_source}"))
                continue
            try:
                res = self.run_check(principal, due.use_case_id, path.read_bytes(), label=f"Fichier « {path.name} »",
                                     filename=path.name, trigger="job")
            except InvalidInput as exc:
                out.append((due, "refusé : " + " ; ".join(exc.problems)))
                continue
            out.append((due, describe_run(res)))
        return out


def describe_run(res: CheckOutcome) -> str:
    run = res.run
    text = (f"contrôle n° {run.id} : {run.n_drifted} colonne(s) en dérive sur {run.n_computable} "
            f"({run.share_drifted * 100:.0f} %), {len(res.alerts)} alerte(s)")
    if res.suspension_proposed:
        text += ", suspension proposée (décision humaine attendue)"
    return text
