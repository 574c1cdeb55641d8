"""The append-only, hash-chained audit trail."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime


class AuditEvent(Base):
    """One event: who did what to which object, with its before/after, chained to the previous one.

    ``hash`` = SHA-256 over the previous hash and the canonical event; ``prev_hash`` is unique,
    so two appenders can never share a predecessor and the chain stays linear in the database.
    """

    __tablename__ = "audit_event"
    # a use case's history, newest first (its sheet's « Historique » tab)
    __table_args__ = (Index("ix_audit_event_use_case_seq", "use_case_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    use_case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
