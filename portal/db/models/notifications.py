"""Notifications: what a person is told, how each message leaves, and their preference."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class Notification(Base):
    """One item of one person's inbox. ``source_key`` names what it comes from (an audit event, a
    due-date state), so deriving it again never makes a second one."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("recipient_id", "source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    source_key: Mapped[str] = mapped_column(String(200))
    use_case_id: Mapped[int | None] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    #: the page and its query, relative to the portal's base address ("sheet?ref=UC-2026-001")
    link: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(10), default="normal")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: the e-mail (immediate or digest) that carries it; None while none does
    email_delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_delivery.id", ondelete="SET NULL"), index=True)


class NotificationDelivery(Base):
    """One message to send (an e-mail, a digest, a webhook post). ``idempotency_key`` is unique: a
    message is recorded once, and a restart finds it sent."""

    __tablename__ = "notification_delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # email, digest, webhook
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(1000))  # e-mail address, or "webhook"
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class NotificationPreference(Base):
    """How a person wants to be told: each e-mail at once, or a daily digest; e-mail on or off."""

    __tablename__ = "notification_preference"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(10), default="immediate")  # immediate, digest
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class NotificationCursor(Base):
    """How far a reader of the audit trail has gone (the last event sequence it turned into notifications)."""

    __tablename__ = "notification_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
