"""Queries on monitoring: configuration, references, runs, outcomes and alerts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.db.models import (
    MonitoringAlert,
    MonitoringColumnResult,
    MonitoringConfig,
    MonitoringOutcome,
    MonitoringReference,
    MonitoringRun,
    UseCase,
)


def config_of(session: Session, use_case_id: int) -> MonitoringConfig | None:
    return session.scalars(select(MonitoringConfig).where(MonitoringConfig.use_case_id == use_case_id)).first()


def configs(session: Session) -> Sequence[MonitoringConfig]:
    return session.scalars(select(MonitoringConfig).order_by(MonitoringConfig.use_case_id)).all()


def reference(session: Session, reference_id: int) -> MonitoringReference | None:
    return session.get(MonitoringReference, reference_id)


def runs_of(session: Session, use_case_id: int, limit: int | None = None) -> Sequence[MonitoringRun]:
    """Newest first."""
    stmt = (select(MonitoringRun).where(MonitoringRun.use_case_id == use_case_id)
            .order_by(MonitoringRun.created_at.desc(), MonitoringRun.id.desc()))
    if limit:
        stmt = stmt.limit(limit)
    return session.scalars(stmt).all()


def last_runs(session: Session) -> dict[int, MonitoringRun]:
    """The latest run of each use case."""
    latest = (select(MonitoringRun.use_case_id, func.max(MonitoringRun.id).label("rid"))
              .group_by(MonitoringRun.use_case_id).subquery())
    rows = session.scalars(select(MonitoringRun).join(latest, MonitoringRun.id == latest.c.rid)).all()
    return {r.use_case_id: r for r in rows}


def column_results(session: Session, run_ids: Sequence[int]) -> Sequence[MonitoringColumnResult]:
    if not run_ids:
        return []
    return session.scalars(select(MonitoringColumnResult).where(MonitoringColumnResult.run_id.in_(run_ids))
                           .order_by(MonitoringColumnResult.run_id, MonitoringColumnResult.id)).all()


def outcomes_of(session: Session, use_case_id: int) -> Sequence[MonitoringOutcome]:
    return session.scalars(select(MonitoringOutcome).where(MonitoringOutcome.use_case_id == use_case_id)
                           .order_by(MonitoringOutcome.period, MonitoringOutcome.id)).all()


def alerts(session: Session, *, use_case_id: int | None = None, statuses: Sequence[str] = ()) -> Sequence[MonitoringAlert]:
    stmt = select(MonitoringAlert).order_by(MonitoringAlert.raised_at.desc(), MonitoringAlert.id.desc())
    if use_case_id is not None:
        stmt = stmt.where(MonitoringAlert.use_case_id == use_case_id)
    if statuses:
        stmt = stmt.where(MonitoringAlert.status.in_(list(statuses)))
    return session.scalars(stmt).all()


def health_facts(session: Session, stages: Sequence[str]) -> list[tuple]:
    """What the portfolio health of each use case at one of ``stages`` is computed from, in one query, by
    reference: (id, reference, title, stage, lead id, reference batch id, cadence in days, current source,
    latest check's time, its dataset drift, its drifted share, open alerts, undecided suspension proposals
    among the open or acknowledged alerts). The latest check of each use case is one search of the
    (use case, id) index, not a scan of every run."""
    latest = (select(func.max(MonitoringRun.id)).where(MonitoringRun.use_case_id == UseCase.id)
              .correlate(UseCase).scalar_subquery())
    proposed = MonitoringAlert.suspension_proposed.is_(True) & MonitoringAlert.suspension_decision.is_(None)
    alerts = (select(MonitoringAlert.use_case_id,
                     func.sum(case((MonitoringAlert.status == "open", 1), else_=0)).label("n_open"),
                     func.sum(case((proposed, 1), else_=0)).label("n_proposed"))
              .where(MonitoringAlert.status.in_(["open", "acknowledged"]))
              .group_by(MonitoringAlert.use_case_id).subquery())
    stmt = (select(UseCase.id, UseCase.reference, UseCase.title, UseCase.stage, UseCase.lead_id,
                   MonitoringConfig.reference_id, MonitoringConfig.cadence_days, MonitoringConfig.current_source,
                   MonitoringRun.created_at, MonitoringRun.dataset_drift, MonitoringRun.share_drifted,
                   alerts.c.n_open, alerts.c.n_proposed)
            .outerjoin(MonitoringConfig, MonitoringConfig.use_case_id == UseCase.id)
            .outerjoin(MonitoringRun, MonitoringRun.id == latest)
            .outerjoin(alerts, alerts.c.use_case_id == UseCase.id)
            .where(UseCase.stage.in_(list(stages)))
            .order_by(UseCase.reference))
    return [tuple(r) for r in session.execute(stmt)]
