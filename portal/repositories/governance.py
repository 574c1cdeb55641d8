"""Queries on governance records: classifications, obligations, gate requests and decisions, reviews."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from portal.db.models import (
    Classification,
    GateDecision,
    GateRequest,
    ObligationEvidence,
    ObligationRecord,
    PeriodicReview,
    UseCase,
)


def latest_classification(session: Session, use_case_id: int) -> Classification | None:
    return session.scalars(
        select(Classification).where(Classification.use_case_id == use_case_id).order_by(Classification.number.desc())
    ).first()


def latest_classifications(session: Session, ids: Sequence[int] | None = None) -> dict[int, Classification]:
    """The latest classification of every classified use case (of those of ``ids`` when given)."""
    last_stmt = select(Classification.use_case_id, func.max(Classification.number).label("n"))
    if ids is not None:
        last_stmt = last_stmt.where(Classification.use_case_id.in_(list(ids)))
    last = last_stmt.group_by(Classification.use_case_id).subquery()
    rows = session.scalars(
        select(Classification).join(
            last, (Classification.use_case_id == last.c.use_case_id) & (Classification.number == last.c.n)
        )
    )
    return {c.use_case_id: c for c in rows}


def classifications(session: Session, use_case_id: int) -> Sequence[Classification]:
    return session.scalars(
        select(Classification).where(Classification.use_case_id == use_case_id).order_by(Classification.number.desc())
    ).all()


def obligations(session: Session, use_case_id: int | None = None) -> Sequence[ObligationRecord]:
    stmt = select(ObligationRecord).order_by(ObligationRecord.use_case_id, ObligationRecord.id)
    if use_case_id is not None:
        stmt = stmt.where(ObligationRecord.use_case_id == use_case_id)
    return session.scalars(stmt).all()


def evidence_for(session: Session, record_ids: Sequence[int]) -> Sequence[ObligationEvidence]:
    if not record_ids:
        return []
    return session.scalars(
        select(ObligationEvidence)
        .where(ObligationEvidence.obligation_record_id.in_(record_ids))
        .order_by(ObligationEvidence.id)
    ).all()


def requests(session: Session, use_case_id: int | None = None) -> Sequence[GateRequest]:
    stmt = select(GateRequest).order_by(GateRequest.id.desc())
    if use_case_id is not None:
        stmt = stmt.where(GateRequest.use_case_id == use_case_id)
    return session.scalars(stmt).all()


def decisions(session: Session, use_case_id: int | None = None) -> dict[int, GateDecision]:
    """Decisions keyed by the request they answer."""
    stmt = select(GateDecision)
    if use_case_id is not None:
        stmt = stmt.where(GateDecision.use_case_id == use_case_id)
    return {d.request_id: d for d in session.scalars(stmt)}


def pending_request(session: Session, use_case_id: int) -> GateRequest | None:
    decided = select(GateDecision.request_id)
    return session.scalars(
        select(GateRequest)
        .where(GateRequest.use_case_id == use_case_id, GateRequest.id.not_in(decided))
        .order_by(GateRequest.id.desc())
    ).first()


def last_suspension(session: Session, use_case_id: int) -> GateRequest | None:
    return session.scalars(
        select(GateRequest)
        .join(GateDecision, GateDecision.request_id == GateRequest.id)
        .where(GateRequest.use_case_id == use_case_id, GateRequest.kind == "suspend")
        .order_by(GateRequest.id.desc())
    ).first()


def reviews(session: Session, use_case_id: int | None = None) -> Sequence[PeriodicReview]:
    stmt = select(PeriodicReview).order_by(PeriodicReview.reviewed_on.desc(), PeriodicReview.id.desc())
    if use_case_id is not None:
        stmt = stmt.where(PeriodicReview.use_case_id == use_case_id)
    return session.scalars(stmt).all()


# ---- the home page's attention list: only the rows that call for attention ---------------------------

def open_latest_requests(session: Session, lead_id: int | None = None) -> list[tuple]:
    """(request, decision or None, reference, title) of each use case's latest gate request when it is
    pending or refused (of the use cases ``lead_id`` leads, when given)."""
    latest = select(func.max(GateRequest.id).label("rid")).group_by(GateRequest.use_case_id).subquery()
    stmt = (select(GateRequest, GateDecision, UseCase.reference, UseCase.title)
            .join(latest, GateRequest.id == latest.c.rid)
            .join(UseCase, UseCase.id == GateRequest.use_case_id)
            .outerjoin(GateDecision, GateDecision.request_id == GateRequest.id)
            .where(or_(GateDecision.id.is_(None), GateDecision.decision == "refuse")))
    if lead_id is not None:
        stmt = stmt.where(UseCase.lead_id == lead_id)
    return [tuple(r) for r in session.execute(stmt.order_by(GateRequest.id.desc()))]


def latest_crpa(session: Session, ids: Sequence[int]) -> dict[int, tuple[dict[str, Any], dict[str, Any], str]]:
    """Use case id -> (CRPA answers, CRPA result, AI Act class) of the latest classification of each of
    ``ids`` that was classified, without reading the other answers and results."""
    last = (select(Classification.use_case_id, func.max(Classification.number).label("n"))
            .where(Classification.use_case_id.in_(list(ids))).group_by(Classification.use_case_id).subquery())
    rows = session.execute(select(Classification.use_case_id, Classification.crpa_answers,
                                  Classification.result["crpa"], Classification.risk_class)
                           .join(last, (Classification.use_case_id == last.c.use_case_id)
                                 & (Classification.number == last.c.n)))
    return {i: (answers or {}, crpa or {}, rc) for i, answers, crpa, rc in rows}


def latest_profiles(session: Session, ids: Sequence[int] | None = None) -> list[tuple]:
    """(use case id, risk class, impact level, validated at) of each latest classification, without
    reading the answers."""
    last_stmt = select(Classification.use_case_id, func.max(Classification.number).label("n"))
    if ids is not None:
        last_stmt = last_stmt.where(Classification.use_case_id.in_(list(ids)))
    last = last_stmt.group_by(Classification.use_case_id).subquery()
    rows = session.execute(select(Classification.use_case_id, Classification.risk_class, Classification.impact_level,
                                  Classification.validated_at)
                           .join(last, (Classification.use_case_id == last.c.use_case_id)
                                 & (Classification.number == last.c.n)))
    return [tuple(r) for r in rows]


def latest_impact_levels(session: Session, ids: Sequence[int] | None = None) -> dict[int, str | None]:
    """Use case id -> impact level of its latest classification, without reading the answers."""
    return {i: level for i, _, level, _ in latest_profiles(session, ids)}


def deployed_on(session: Session, ids: Sequence[int] | None = None) -> dict[int, dt.date]:
    """Use case id -> the latest date a decision moved it into deployment."""
    stmt = (select(GateDecision.use_case_id, func.max(GateDecision.decided_on))
            .where(GateDecision.stage_after == "deployed", GateDecision.stage_before != "deployed"))
    if ids is not None:
        stmt = stmt.where(GateDecision.use_case_id.in_(list(ids)))
    return dict(session.execute(stmt.group_by(GateDecision.use_case_id)).tuples().all())


def last_reviews(session: Session, ids: Sequence[int] | None = None) -> dict[int, PeriodicReview]:
    """Use case id -> its latest periodic review."""
    stmt = select(PeriodicReview).order_by(PeriodicReview.reviewed_on.desc(), PeriodicReview.id.desc())
    if ids is not None:
        stmt = stmt.where(PeriodicReview.use_case_id.in_(list(ids)))
    out: dict[int, PeriodicReview] = {}
    for r in session.scalars(stmt):
        out.setdefault(r.use_case_id, r)
    return out


def late_obligations(session: Session, today: object, lead_id: int | None = None) -> list[tuple]:
    """(record, reference, title) of the applicable obligations due before ``today``, not done, of use
    cases not withdrawn (of those ``lead_id`` leads, when given): the candidates to « overdue »."""
    stmt = (select(ObligationRecord, UseCase.reference, UseCase.title)
            .join(UseCase, UseCase.id == ObligationRecord.use_case_id)
            .where(ObligationRecord.applicable.is_(True), ObligationRecord.due_date.is_not(None),
                   ObligationRecord.due_date < today, ObligationRecord.status != "done", UseCase.stage != "retired"))
    if lead_id is not None:
        stmt = stmt.where(UseCase.lead_id == lead_id)
    return [tuple(r) for r in session.execute(stmt.order_by(ObligationRecord.use_case_id, ObligationRecord.id))]


def pending_stages(session: Session) -> dict[int, str]:
    """Use case id -> the stage its newest undecided gate request asks for."""
    newest = (select(func.max(GateRequest.id).label("rid"))
              .where(GateRequest.id.not_in(select(GateDecision.request_id))).group_by(GateRequest.use_case_id)
              .subquery())
    rows = session.execute(select(GateRequest.use_case_id, GateRequest.to_stage)
                           .join(newest, GateRequest.id == newest.c.rid))
    return dict(rows.tuples().all())


def open_obligation_counts(session: Session) -> dict[int, int]:
    """Use case id -> how many applicable obligations are neither done nor set aside."""
    rows = session.execute(select(ObligationRecord.use_case_id, func.count(ObligationRecord.id))
                           .where(ObligationRecord.applicable.is_(True),
                                  ObligationRecord.status.not_in(["done", "not_applicable"]))
                           .group_by(ObligationRecord.use_case_id))
    return dict(rows.tuples().all())
