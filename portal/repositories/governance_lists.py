"""Queries of the compliance page's lists: counted and paged in SQL, so a large portfolio is never read whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from portal.db.models import Classification, GateDecision, GateRequest, ObligationRecord, UseCase

#: The filter value of « not classified » (risk class) and « not assessed » (impact level).
NONE = ""


def _undecided() -> Any:
    return ~exists().where(GateDecision.request_id == GateRequest.id)


def pending_count(session: Session) -> int:
    """How many gate requests await their decision."""
    return session.scalar(select(func.count(GateRequest.id)).where(_undecided())) or 0


def pending_page(session: Session, offset: int, limit: int) -> list[tuple]:
    """(request, reference, title) of the undecided requests, newest first, one page."""
    stmt = (select(GateRequest, UseCase.reference, UseCase.title).join(UseCase, UseCase.id == GateRequest.use_case_id)
            .where(_undecided()).order_by(GateRequest.id.desc()).offset(offset).limit(limit))
    return [tuple(r) for r in session.execute(stmt)]


def decided_count(session: Session) -> int:
    return session.scalar(select(func.count(GateDecision.id))) or 0


def decided_page(session: Session, offset: int, limit: int) -> list[tuple]:
    """(request, decision, reference, title) of the decided requests, newest request first, one page."""
    stmt = (select(GateRequest, GateDecision, UseCase.reference, UseCase.title)
            .join(GateDecision, GateDecision.request_id == GateRequest.id)
            .join(UseCase, UseCase.id == GateRequest.use_case_id)
            .order_by(GateRequest.id.desc()).offset(offset).limit(limit))
    return [tuple(r) for r in session.execute(stmt)]


def _is_latest() -> Any:
    """The classification is its use case's latest (no newer number): an index search per row, where a
    grouped subquery would be materialised whole."""
    newer = aliased(Classification)
    return ~exists().where(newer.use_case_id == Classification.use_case_id, newer.number > Classification.number)


def _with_latest_classification(stmt: Select) -> Select:
    return stmt.outerjoin(Classification, (Classification.use_case_id == UseCase.id) & _is_latest())


def _unvalidated(stmt: Select) -> Select:
    """``stmt`` over the latest classifications not validated yet, with their use case."""
    return (stmt.select_from(Classification).join(UseCase, UseCase.id == Classification.use_case_id)
            .where(Classification.validated_at.is_(None), _is_latest()))


def unvalidated_count(session: Session) -> int:
    """How many use cases have a latest classification not validated yet."""
    return session.scalar(_unvalidated(select(func.count(Classification.id)))) or 0


def unvalidated_page(session: Session, offset: int, limit: int) -> list[tuple]:
    """(classification, reference, title) of the latest classifications not validated yet, by reference."""
    stmt = _unvalidated(select(Classification, UseCase.reference, UseCase.title))
    return [tuple(r) for r in session.execute(stmt.order_by(UseCase.reference).offset(offset).limit(limit))]


def class_level_counts(session: Session) -> list[tuple[str | None, str | None, int]]:
    """(risk class or None, impact level or None, how many use cases) over the register, by the latest
    classification of each."""
    stmt = _with_latest_classification(
        select(Classification.risk_class, Classification.impact_level, func.count(UseCase.id)).select_from(UseCase))
    return [tuple(r) for r in session.execute(stmt.group_by(Classification.risk_class, Classification.impact_level))]


def _portfolio(stmt: Select, text: str | None, classes: Sequence[str], levels: Sequence[str]) -> Select:
    stmt = _with_latest_classification(stmt.select_from(UseCase))
    if text and text.strip():
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(UseCase.reference).like(like), func.lower(UseCase.title).like(like)))
    for column, wanted in ((Classification.risk_class, classes), (Classification.impact_level, levels)):
        if wanted:
            named = [w for w in wanted if w != NONE]
            stmt = stmt.where(or_(column.in_(named), *([column.is_(None)] if NONE in wanted else [])))
    return stmt


def portfolio_count(session: Session, *, text: str | None = None, classes: Sequence[str] = (),
                    levels: Sequence[str] = ()) -> int:
    """How many use cases match the filters of the compliance page's « Classes et niveaux » list."""
    return session.scalar(_portfolio(select(func.count(UseCase.id)), text, classes, levels)) or 0


def portfolio_page(session: Session, *, text: str | None = None, classes: Sequence[str] = (),
                   levels: Sequence[str] = (), offset: int = 0, limit: int = 50) -> list[tuple]:
    """(id, reference, title, stage, risk class, impact level, validated at) of one page, by reference."""
    stmt = _portfolio(select(UseCase.id, UseCase.reference, UseCase.title, UseCase.stage, Classification.risk_class,
                             Classification.impact_level, Classification.validated_at), text, classes, levels)
    return [tuple(r) for r in session.execute(stmt.order_by(UseCase.reference).offset(offset).limit(limit))]


def pending_stages(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Use case id -> the stage its newest undecided gate request asks for (of ``ids`` only)."""
    newest = (select(func.max(GateRequest.id).label("rid"))
              .where(GateRequest.use_case_id.in_(list(ids)), _undecided()).group_by(GateRequest.use_case_id)
              .subquery())
    rows = session.execute(select(GateRequest.use_case_id, GateRequest.to_stage)
                           .join(newest, GateRequest.id == newest.c.rid))
    return dict(rows.tuples().all())


def open_obligation_counts(session: Session, ids: Sequence[int]) -> dict[int, int]:
    """Use case id -> how many applicable obligations are neither done nor set aside (of ``ids`` only)."""
    rows = session.execute(select(ObligationRecord.use_case_id, func.count(ObligationRecord.id))
                           .where(ObligationRecord.use_case_id.in_(list(ids)), ObligationRecord.applicable.is_(True),
                                  ObligationRecord.status.not_in(["done", "not_applicable"]))
                           .group_by(ObligationRecord.use_case_id))
    return dict(rows.tuples().all())


def late_obligation_facts(session: Session, today: dt.date) -> list[tuple[int, str, str | None]]:
    """(record id, status, justification) of the candidates to « overdue » (applicable, due before ``today``,
    not done, use case not withdrawn), in the order of :func:`governance.late_obligations`, without the rows."""
    stmt = (select(ObligationRecord.id, ObligationRecord.status, ObligationRecord.justification)
            .join(UseCase, UseCase.id == ObligationRecord.use_case_id)
            .where(ObligationRecord.applicable.is_(True), ObligationRecord.due_date.is_not(None),
                   ObligationRecord.due_date < today, ObligationRecord.status != "done", UseCase.stage != "retired")
            .order_by(ObligationRecord.use_case_id, ObligationRecord.id))
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


def obligations_with_case(session: Session, ids: Sequence[int]) -> list[tuple]:
    """(record, reference, title) of the obligation records ``ids``, by use case then record."""
    stmt = (select(ObligationRecord, UseCase.reference, UseCase.title)
            .join(UseCase, UseCase.id == ObligationRecord.use_case_id)
            .where(ObligationRecord.id.in_(list(ids))).order_by(ObligationRecord.use_case_id, ObligationRecord.id))
    return [tuple(r) for r in session.execute(stmt)]
