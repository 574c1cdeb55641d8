"""The public register of algorithms: what was published, by whom, when; never rewritten."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class PublicRegisterEntry(Base):
    """One publication (a snapshot of the record as published) or one withdrawal of a use case's
    entry. Rows are only ever added: the public record of a use case is its latest row."""

    __tablename__ = "public_register_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # publish, withdraw
    record: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PublicReport(Base):
    """A member of the public reports an error in a published entry, asks a question, or contests
    the use of an algorithm; a compliance officer answers and closes it. The contact address, if
    given, serves only to answer."""

    __tablename__ = "public_report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # error, question, objection
    message: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    handled_by_id: Mapped[int | None] = mapped_column(Integer)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    response: Mapped[str | None] = mapped_column(Text)


class PublicReportRefusal(Base):
    """How many posts of the public report form were refused, per hour, entry and reason, for the
    administrators to see a flood; who posted is never stored (no address, IP or browser trace)."""

    __tablename__ = "public_report_refusal"
    __table_args__ = (UniqueConstraint("hour", "use_case_id", "reason"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hour: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # the start of the hour, UTC
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # duplicate, entry_limit, hourly_limit
    count: Mapped[int] = mapped_column(Integer, default=0)
