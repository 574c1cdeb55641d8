"""The monitoring service's reads: configuration, checks, alerts, outcomes, what is due, portfolio health."""

from __future__ import annotations

import datetime as dt
import gzip

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
from portal.services.monitoring.base import MonitoringBase
from portal.services.monitoring.batches import decode_reference, module_columns
from portal.services.monitoring.views import (
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

    def due(self, today: dt.date | None = None) -> list[DueCheck]:
        """Active use cases with a reference whose last check is older than their cadence."""
        today = today or dt.date.today()
        out = []
        with self._reader() as s:
            last = repo.last_runs(s)
            configs = repo.configs(s)
            cases = {uc.id: uc for uc in register_repo.search(s, ids=[c.use_case_id for c in configs],
                                                                children=False)}  # no query per config
            for cfg in configs:
                uc = cases.get(cfg.use_case_id)
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
            cases = register_repo.in_stages(s, [st.value for st in ACTIVE_STAGES])
            known = self.classifications_of([uc.id for uc in cases]) if self.classifications_of else None
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
                    level=self.level_of(uc.id, known), next_due=next_due,
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
