"""Queries on the people around the use cases: needs, user groups, training, feedback, residents' measures.

Every read that a portfolio page makes is one grouped query over the use cases it shows, never one per row.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from portal.db.models import (
    AgentFeedback,
    BudgetLine,
    GateDecision,
    GateRequest,
    MonitoringOutcome,
    ObligationRecord,
    Person,
    ResidentMeasure,
    ServiceNeed,
    TrainingSession,
    UseCase,
    UserGroup,
)

# --- needs -------------------------------------------------------------------------------------


def need(session: Session, need_id: int) -> ServiceNeed | None:
    return session.get(ServiceNeed, need_id)


def needs(session: Session, *, ids: Sequence[int] | None = None, statuses: Sequence[str] = (),
          use_case_ids: Sequence[int] | None = None,
          search: str | None = None, limit: int | None = None,
          offset: int = 0) -> Sequence[tuple[ServiceNeed, str | None, str | None, str | None]]:
    """(need, submitter's name, reference and title of the use case answering it), newest first."""
    q = (select(ServiceNeed, Person.display_name, UseCase.reference, UseCase.title)
         .outerjoin(Person, Person.id == ServiceNeed.submitted_by_id)
         .outerjoin(UseCase, UseCase.id == ServiceNeed.use_case_id)
         .order_by(ServiceNeed.submitted_at.desc(), ServiceNeed.id.desc()))
    if ids is not None:
        q = q.where(ServiceNeed.id.in_(list(ids)))
    if statuses:
        q = q.where(ServiceNeed.status.in_(list(statuses)))
    if use_case_ids is not None:
        q = q.where(ServiceNeed.use_case_id.in_(list(use_case_ids)))
    if search:
        like = f"%{search.strip().lower()}%"
        q = q.where(or_(func.lower(ServiceNeed.title).like(like), func.lower(ServiceNeed.service).like(like),
                        func.lower(ServiceNeed.difficulty).like(like)))
    if limit is not None:
        q = q.limit(limit).offset(offset)
    return session.execute(q).tuples().all()


def need_counts(session: Session) -> dict[str, int]:
    """Number of needs by status."""
    rows = session.execute(select(ServiceNeed.status, func.count()).group_by(ServiceNeed.status)).tuples().all()
    return {status: n for status, n in rows}


def needs_served(session: Session, use_case_ids: Sequence[int] | None = None) -> dict[int, int]:
    """use case id -> number of needs it answers (one grouped query)."""
    q = (select(ServiceNeed.use_case_id, func.count()).where(ServiceNeed.use_case_id.is_not(None))
         .group_by(ServiceNeed.use_case_id))
    if use_case_ids is not None:
        q = q.where(ServiceNeed.use_case_id.in_(list(use_case_ids)))
    return {uc_id: n for uc_id, n in session.execute(q).tuples().all() if uc_id is not None}


# --- agents ------------------------------------------------------------------------------------


def user_groups(session: Session, use_case_id: int) -> Sequence[UserGroup]:
    return session.scalars(select(UserGroup).where(UserGroup.use_case_id == use_case_id)
                           .order_by(UserGroup.service)).all()


def user_group(session: Session, use_case_id: int, service: str) -> UserGroup | None:
    return session.scalars(select(UserGroup).where(UserGroup.use_case_id == use_case_id,
                                                   UserGroup.service == service)).first()


def trainings(session: Session, use_case_id: int) -> Sequence[TrainingSession]:
    return session.scalars(select(TrainingSession).where(TrainingSession.use_case_id == use_case_id)
                           .order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())).all()


def feedback(session: Session, use_case_id: int) -> Sequence[AgentFeedback]:
    return session.scalars(select(AgentFeedback).where(AgentFeedback.use_case_id == use_case_id)
                           .order_by(AgentFeedback.period, AgentFeedback.service)).all()


def feedback_row(session: Session, use_case_id: int, period: str, service: str) -> AgentFeedback | None:
    return session.scalars(select(AgentFeedback).where(
        AgentFeedback.use_case_id == use_case_id, AgentFeedback.period == period,
        AgentFeedback.service == service)).first()


def feedback_of_period(session: Session, use_case_id: int, period: str) -> Sequence[AgentFeedback]:
    return session.scalars(select(AgentFeedback).where(AgentFeedback.use_case_id == use_case_id,
                                                       AgentFeedback.period == period)).all()


def adoption_totals(session: Session, use_case_ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
    """use case id -> {agents, services, sessions}: three grouped queries whatever the number of use cases."""
    out: dict[int, dict[str, int]] = {}
    q = select(UserGroup.use_case_id, func.sum(UserGroup.agents), func.count()).group_by(UserGroup.use_case_id)
    t = select(TrainingSession.use_case_id, func.count()).group_by(TrainingSession.use_case_id)
    if use_case_ids is not None:
        q = q.where(UserGroup.use_case_id.in_(list(use_case_ids)))
        t = t.where(TrainingSession.use_case_id.in_(list(use_case_ids)))
    for uc_id, agents, services in session.execute(q).tuples():
        out.setdefault(uc_id, {"agents": 0, "services": 0, "sessions": 0}).update(agents=int(agents or 0),
                                                                                  services=int(services))
    for uc_id, n in session.execute(t).tuples():
        out.setdefault(uc_id, {"agents": 0, "services": 0, "sessions": 0})["sessions"] = int(n)
    return out


def applicable_obligation(session: Session, use_case_id: int, obligation_id: str) -> ObligationRecord | None:
    return session.scalars(select(ObligationRecord).where(
        ObligationRecord.use_case_id == use_case_id, ObligationRecord.obligation_id == obligation_id,
        ObligationRecord.applicable.is_(True))).first()


def outcomes_of_period(session: Session, use_case_id: int, period: str) -> Sequence[MonitoringOutcome]:
    return session.scalars(select(MonitoringOutcome).where(MonitoringOutcome.use_case_id == use_case_id,
                                                           MonitoringOutcome.period == period)).all()


# --- residents ---------------------------------------------------------------------------------


def resident_measure(session: Session, measure_id: int) -> ResidentMeasure | None:
    return session.get(ResidentMeasure, measure_id)


def resident_measure_of(session: Session, use_case_id: int, indicator: str, period: str) -> ResidentMeasure | None:
    return session.scalars(select(ResidentMeasure).where(
        ResidentMeasure.use_case_id == use_case_id, ResidentMeasure.indicator == indicator,
        ResidentMeasure.period == period)).first()


def resident_measures(session: Session, use_case_id: int) -> Sequence[ResidentMeasure]:
    return session.scalars(select(ResidentMeasure).where(ResidentMeasure.use_case_id == use_case_id)
                           .order_by(ResidentMeasure.indicator, ResidentMeasure.period)).all()


def latest_resident_measures(session: Session,
                             use_case_ids: Sequence[int] | None = None) -> Sequence[tuple[ResidentMeasure, str, str]]:
    """The last period of each indicator of each use case, with its reference and title (one query)."""
    last = (select(ResidentMeasure.use_case_id.label("uc"), ResidentMeasure.indicator.label("ind"),
                   func.max(ResidentMeasure.period).label("period"))
            .group_by(ResidentMeasure.use_case_id, ResidentMeasure.indicator))
    if use_case_ids is not None:
        last = last.where(ResidentMeasure.use_case_id.in_(list(use_case_ids)))
    sub = last.subquery()
    q = (select(ResidentMeasure, UseCase.reference, UseCase.title)
         .join(sub, and_(sub.c.uc == ResidentMeasure.use_case_id, sub.c.ind == ResidentMeasure.indicator,
                         sub.c.period == ResidentMeasure.period))
         .join(UseCase, UseCase.id == ResidentMeasure.use_case_id)
         .order_by(UseCase.reference, ResidentMeasure.indicator))
    return session.execute(q).tuples().all()


# --- elected officials -------------------------------------------------------------------------


def requests_awaiting(session: Session, authorities: Sequence[str]) -> Sequence[tuple[GateRequest, str, str]]:
    """Gate requests no decision answers yet whose approving authority is one of ``authorities``."""
    decision = aliased(GateDecision)
    q = (select(GateRequest, UseCase.reference, UseCase.title)
         .join(UseCase, UseCase.id == GateRequest.use_case_id)
         .outerjoin(decision, decision.request_id == GateRequest.id)
         .where(decision.id.is_(None), GateRequest.authority.in_(list(authorities)))
         .order_by(GateRequest.requested_at))
    return session.execute(q).tuples().all()


def spent_by_use_case(session: Session, use_case_ids: Sequence[int]) -> dict[int, float]:
    q = (select(BudgetLine.use_case_id, func.sum(BudgetLine.spent)).where(BudgetLine.use_case_id.in_(list(use_case_ids)))
         .group_by(BudgetLine.use_case_id))
    return {uc: float(total or 0.0) for uc, total in session.execute(q).tuples()}
