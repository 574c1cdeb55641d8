"""Queries on the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, TypedDict, Unpack

from sqlalchemy import Row, Select, func, select, text
from sqlalchemy.orm import Session

from portal.db.models import AuditEvent

#: Key of the PostgreSQL advisory lock that serialises appenders to the chain.
AUDIT_LOCK_KEY = 7_202_611


def lock_chain(session: Session) -> None:
    """Serialise writers on PostgreSQL (SQLite's BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})


def last_hash(session: Session) -> str | None:
    return session.execute(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).scalar()


def iter_chain(session: Session, batch: int = 5000) -> Iterator[Row[Any]]:
    """Every event in sequence order, as plain rows read ``batch`` at a time by keyset (``seq > last``):
    memory stays one batch deep however long the trail is (``vigie audit verify`` on years of events)."""
    columns = [AuditEvent.__table__.c[name] for name in (
        "seq", "at", "actor_id", "actor_name", "action", "entity", "entity_id", "use_case_id", "payload",
        "prev_hash", "hash")]
    last = 0
    while True:
        rows = session.execute(select(*columns).where(AuditEvent.seq > last).order_by(AuditEvent.seq)
                               .limit(batch)).all()
        if not rows:
            return
        last = rows[-1].seq
        yield from rows


class AuditFilters(TypedDict, total=False):
    """What the audit trail may be searched by (every filter optional; ``until`` excluded)."""

    use_case_id: int | None
    actor_id: int | None
    action: str | None
    since: dt.datetime | None
    until: dt.datetime | None
    limit: int
    offset: int


def _filtered(stmt: Select, filters: AuditFilters) -> Select:
    if filters.get("use_case_id") is not None:
        stmt = stmt.where(AuditEvent.use_case_id == filters["use_case_id"])
    if filters.get("actor_id") is not None:
        stmt = stmt.where(AuditEvent.actor_id == filters["actor_id"])
    if filters.get("action"):
        stmt = stmt.where(AuditEvent.action == filters["action"])
    if filters.get("since") is not None:
        stmt = stmt.where(AuditEvent.at >= filters["since"])
    if filters.get("until") is not None:
        stmt = stmt.where(AuditEvent.at < filters["until"])
    return stmt


def search(session: Session, **filters: Unpack[AuditFilters]) -> Sequence[AuditEvent]:
    """The newest events first that match every filter given (500 at most unless ``limit`` says),
    skipping the ``offset`` newest (a page of the trail)."""
    stmt: Select[tuple[AuditEvent]] = _filtered(select(AuditEvent), filters)
    stmt = stmt.order_by(AuditEvent.seq.desc()).offset(filters.get("offset", 0))
    return list(session.scalars(stmt.limit(filters.get("limit", 500))))


def count(session: Session, **filters: Unpack[AuditFilters]) -> int:
    """How many events match the filters (``limit`` and ``offset`` ignored)."""
    return session.scalar(_filtered(select(func.count(AuditEvent.seq)), filters)) or 0


def changed_since(session: Session, seq: int, global_entities: Sequence[str]) -> tuple[set[int], bool]:
    """The use cases that some event after ``seq`` names, and whether an event after ``seq`` is about
    one of ``global_entities`` (what concerns every use case: the organisation, a restore)."""
    after = AuditEvent.seq > seq
    ids = {i for i in session.scalars(select(AuditEvent.use_case_id).where(after, AuditEvent.use_case_id.is_not(None))
                                      .distinct()) if i is not None}
    everything = session.scalar(select(AuditEvent.seq).where(after, AuditEvent.use_case_id.is_(None),
                                                             AuditEvent.entity.in_(list(global_entities))).limit(1))
    return ids, everything is not None


def head_seq(session: Session) -> int:
    """The sequence number of the chain's newest event (0 when empty): the database's write stamp."""
    return session.scalar(select(func.max(AuditEvent.seq))) or 0
