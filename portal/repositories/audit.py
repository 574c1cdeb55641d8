"""Queries on the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from sqlalchemy import Select, select, text
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


def iter_chain(session: Session, batch: int = 2000) -> Iterator[AuditEvent]:
    """Every event in sequence order, read in batches."""
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def search(
    session: Session,
    *,
    use_case_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 500,
) -> Sequence[AuditEvent]:
    stmt: Select[tuple[AuditEvent]] = select(AuditEvent)
    if use_case_id is not None:
        stmt = stmt.where(AuditEvent.use_case_id == use_case_id)
    if actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return list(session.scalars(stmt.order_by(AuditEvent.seq.desc()).limit(limit)))
