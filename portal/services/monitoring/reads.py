"""The monitoring service's reads: configuration, checks, alerts, outcomes, what is due, portfolio health."""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
from sqlalchemy.orm import Session

from monitoring.alerts import AlertThresholds
from policies.vocabulary import ACTIVE_STAGES, Principal, Role, Stage
from portal.db.models import (
    MonitoringAlert,
    MonitoringColumnResult,
    MonitoringConfig,
    MonitoringRun,
)
from portal.repositories import monitoring as repo
from portal.repositories import register as register_repo
from portal.services.errors import NotFound
from portal.services.monitoring.base import DEFAULT_LEVEL, MonitoringBase
from portal.services.monitoring.batches import decode_reference, module_columns
from portal.services.monitoring.views import (
    HEALTH_LABELS,
    AlertView,
    ColumnView,
    ConfigView,
    DueCheck,
    HealthRow,
    LevelInfo,
    OutcomeView,
    RunView,
)
from portal.services.register import AttentionItem


class MonitoringReads(MonitoringBase):
    def thresholds(self, use_case_id: int) -> tuple[AlertThresholds, LevelInfo]:
        cfg = self.config(use_case_id)
        if cfg is None:
            raise NotFound("Le suivi de ce cas d'usage n'est pas configuré.")
        level = self.level_of(use_case_id)
        return self._thresholds(cfg.drift_settings, cfg.min_metrics, cfg.max_metrics, cfg.suspension_runs,
                                level), level

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
            return decode_reference(ref)

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

    def _health(self, today: dt.date) -> list[tuple[HealthRow, DueCheck | None]]:
        """Every piloted, evaluated or deployed use case's health (its level left at the default) and, when
        a check is due, the due check; from one query, cached per day until the next write."""
        def compute() -> list[tuple[HealthRow, DueCheck | None]]:
            with self._reader() as s:
                facts = repo.health_facts(s, [st.value for st in ACTIVE_STAGES])
            out = [_health_of(f, today) for f in facts]
            return sorted(out, key=lambda pair: (HEALTH_ORDER[pair[0].status], pair[0].reference))
        return self._health_cache.get(("health", today), compute)

    def _with_levels(self, rows: list[HealthRow]) -> list[HealthRow]:
        """``rows`` with the impact level governance recorded, read for these rows only (one query)."""
        known = self.classifications_of([r.use_case_id for r in rows]) if self.classifications_of and rows else None
        return [replace(r, level=self.level_of(r.use_case_id, known)) for r in rows]

    def due(self, today: dt.date | None = None) -> list[DueCheck]:
        """Active use cases with a reference whose last check is older than their cadence, by reference."""
        due = [d for _, d in self._health(today or dt.date.today()) if d is not None]
        return sorted(due, key=lambda d: d.reference)

    def due_page(self, *, offset: int = 0, limit: int = 50,
                 today: dt.date | None = None) -> tuple[list[DueCheck], int]:
        """One page of :meth:`due` and how many there are in all."""
        due = self.due(today)
        return due[offset:offset + limit], len(due)

    def portfolio_health(self, today: dt.date | None = None) -> list[HealthRow]:
        """Every piloted, evaluated or deployed use case: healthy, drifting, stale, awaiting its first
        check (a reference but no check yet) or not monitored; the most urgent first, then by reference."""
        return self._with_levels([row for row, _ in self._health(today or dt.date.today())])

    def health_counts(self, today: dt.date | None = None) -> dict[str, int]:
        """How many use cases are in each health status (every key of ``HEALTH_LABELS``)."""
        counts = dict.fromkeys(HEALTH_LABELS, 0)
        for row, _ in self._health(today or dt.date.today()):
            counts[row.status] += 1
        return counts

    def health_page(self, *, statuses: Sequence[str] = (), text: str | None = None, suspension_only: bool = False,
                    offset: int = 0, limit: int = 50, today: dt.date | None = None) -> tuple[list[HealthRow], int]:
        """One page of :meth:`portfolio_health` narrowed by status, by a text in the reference or the title,
        or to the use cases with a suspension proposal; and how many match in all. Only the page's rows
        read their impact level."""
        needle = (text or "").strip().lower()
        rows = [row for row, _ in self._health(today or dt.date.today())
                if (not statuses or row.status in statuses) and (not suspension_only or row.suspension_proposed)
                and (not needle or needle in row.reference.lower() or needle in row.title.lower())]
        return self._with_levels(rows[offset:offset + limit]), len(rows)

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
            cases = {uc.id: uc for uc in register_repo.search(s, ids=list(by_case), children=False)}  # no N+1
            for use_case_id, alerts in by_case.items():
                uc = cases.get(use_case_id)
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


#: The health statuses, most urgent first (the order of the Suivi page's list).
HEALTH_ORDER = {"drifting": 0, "stale": 1, "awaiting": 2, "not_monitored": 3, "healthy": 4}
_UNREAD_LEVEL = LevelInfo(DEFAULT_LEVEL, "default")


def _health_of(fact: tuple, today: dt.date) -> tuple[HealthRow, DueCheck | None]:
    """A use case's health and its due check (if any) from its row of ``repo.health_facts``."""
    (uc_id, reference, title, stage, lead_id, reference_id, cadence_days, current_source, last_check,
     dataset_drift, share_drifted, n_open, n_proposed) = fact
    n_open, next_due, due = n_open or 0, None, None
    if reference_id is None:  # no configuration, or no reference batch yet
        status = "not_monitored"
    elif last_check is None:  # a reference is set (e.g. an analysis run): the first check is due
        status = "awaiting"
        due = DueCheck(uc_id, reference, title, None, current_source)
    else:
        next_due = last_check.date() + dt.timedelta(days=cadence_days)
        if next_due <= today:
            due = DueCheck(uc_id, reference, title, last_check, current_source)
        if dataset_drift or n_open:
            status = "drifting"
        elif next_due <= today:
            status = "stale"
        else:
            status = "healthy"
    row = HealthRow(use_case_id=uc_id, reference=reference, title=title, stage=Stage(stage), lead_id=lead_id,
                    status=status, last_check=last_check, share_drifted=None if last_check is None else share_drifted,
                    open_alerts=n_open, suspension_proposed=bool(n_proposed), level=_UNREAD_LEVEL, next_due=next_due)
    return row, due
