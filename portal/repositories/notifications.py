"""Queries for notifications: the audit cursor, the facts notifications are derived from, the inbox
and the deliveries to send."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from portal.db.models import (
    AuditEvent,
    GateDecision,
    GateRequest,
    Notification,
    NotificationCursor,
    NotificationDelivery,
    NotificationPreference,
    ObligationRecord,
    Person,
    UseCase,
)

# ---- the audit cursor -------------------------------------------------------------------------


def cursor(session: Session, name: str, *, lock: bool = False) -> NotificationCursor | None:
    stmt = select(NotificationCursor).where(NotificationCursor.name == name)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalars(stmt).first()


def events_after(session: Session, seq: int, limit: int) -> Sequence[AuditEvent]:
    return session.scalars(select(AuditEvent).where(AuditEvent.seq > seq).order_by(AuditEvent.seq).limit(limit)).all()


# ---- facts ------------------------------------------------------------------------------------


def people(session: Session) -> Sequence[Person]:
    return session.scalars(select(Person).options(selectinload(Person.roles))).all()


def use_cases(session: Session) -> Sequence[UseCase]:
    return session.scalars(select(UseCase)).all()


def gate_request(session: Session, request_id: int) -> GateRequest | None:
    return session.get(GateRequest, request_id)


def is_decided(session: Session, request_id: int) -> bool:
    return session.scalar(select(GateDecision.id).where(GateDecision.request_id == request_id)) is not None


def pending_gate_requests(session: Session) -> Sequence[GateRequest]:
    decided = select(GateDecision.request_id)
    return session.scalars(select(GateRequest).where(GateRequest.id.not_in(decided)).order_by(GateRequest.id)).all()


def obligations_with_due_date(session: Session) -> Sequence[ObligationRecord]:
    return session.scalars(select(ObligationRecord).where(ObligationRecord.applicable.is_(True),
                                                          ObligationRecord.due_date.is_not(None))).all()


# ---- inbox ------------------------------------------------------------------------------------


def existing_keys(session: Session, source_keys: Sequence[str]) -> set[tuple[int, str]]:
    if not source_keys:
        return set()
    rows = session.execute(select(Notification.recipient_id, Notification.source_key)
                           .where(Notification.source_key.in_(list(source_keys)))).all()
    return {(r[0], r[1]) for r in rows}


def inbox(session: Session, person_id: int, *, include_done: bool, limit: int) -> Sequence[Notification]:
    stmt = select(Notification).where(Notification.recipient_id == person_id)
    if not include_done:
        stmt = stmt.where(Notification.done_at.is_(None))
    return session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)).all()


def unread_count(session: Session, person_id: int) -> int:
    return int(session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == person_id, Notification.read_at.is_(None), Notification.done_at.is_(None))) or 0)


def unread(session: Session, person_id: int) -> Sequence[Notification]:
    return session.scalars(select(Notification).where(
        Notification.recipient_id == person_id, Notification.read_at.is_(None))).all()


def awaiting_email(session: Session, since: dt.datetime) -> Sequence[Notification]:
    """Open notifications no e-mail carries yet, made after ``since``, oldest first."""
    return session.scalars(select(Notification).where(
        Notification.email_delivery_id.is_(None), Notification.done_at.is_(None), Notification.created_at >= since,
    ).order_by(Notification.id)).all()


def preferences(session: Session) -> dict[int, NotificationPreference]:
    return {p.person_id: p for p in session.scalars(select(NotificationPreference))}


# ---- deliveries -------------------------------------------------------------------------------


def delivery_by_key(session: Session, key: str) -> NotificationDelivery | None:
    return session.scalars(select(NotificationDelivery).where(NotificationDelivery.idempotency_key == key)).first()


def due_deliveries(session: Session, now: dt.datetime, limit: int) -> Sequence[NotificationDelivery]:
    return session.scalars(select(NotificationDelivery).where(
        NotificationDelivery.status == "pending", NotificationDelivery.next_attempt_at <= now,
    ).order_by(NotificationDelivery.id).limit(limit)).all()


def claim(session: Session, delivery_id: int, attempts: int, until: dt.datetime) -> bool:
    """Take one try of a pending delivery (compare-and-set on its attempt count): True for the one
    process that gets it; the delivery is not due again before ``until``."""
    result = session.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id == delivery_id, NotificationDelivery.status == "pending",
               NotificationDelivery.attempts == attempts)
        .values(attempts=attempts + 1, next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def deliveries(session: Session, *, statuses: Sequence[str] = (), failing_only: bool = False,
               limit: int = 200) -> Sequence[NotificationDelivery]:
    stmt = select(NotificationDelivery)
    if statuses:
        stmt = stmt.where(NotificationDelivery.status.in_(list(statuses)))
    if failing_only:
        stmt = stmt.where(NotificationDelivery.last_error.is_not(None), NotificationDelivery.status != "sent")
    return session.scalars(stmt.order_by(NotificationDelivery.id.desc()).limit(limit)).all()


def delivery_counts(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(select(NotificationDelivery.channel, NotificationDelivery.status, func.count())
                           .group_by(NotificationDelivery.channel, NotificationDelivery.status)).all()
    return {(r[0], r[1]): int(r[2]) for r in rows}


def people_by_id(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)
