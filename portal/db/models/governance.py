"""Governance: classifications (versioned), obligations with evidence, gate requests and decisions,
periodic reviews. Gate requests and decisions are append-only (database triggers, migration 0002)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from policies.vocabulary import ObligationStatus
from portal.db.base import Base, UTCDateTime, utcnow


class Classification(Base):
    """One run of the AI Act / RGPD / CRPA / impact questionnaires for a use case; a new row per run."""

    __tablename__ = "classification"
    __table_args__ = (UniqueConstraint("use_case_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per use case
    ai_act_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rgpd_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    crpa_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    impact_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    risk_class: Mapped[str] = mapped_column(String(20), index=True)
    role: Mapped[str | None] = mapped_column(String(20))
    impact_level: Mapped[str | None] = mapped_column(String(4), index=True)
    dpia_required: Mapped[bool] = mapped_column(Boolean, default=False)
    fria_required: Mapped[bool] = mapped_column(Boolean, default=False)
    complete: Mapped[bool] = mapped_column(Boolean, default=True)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # engines' results, reasons with articles
    policy_version: Mapped[str] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    validated_by_id: Mapped[int | None] = mapped_column(Integer)
    validated_by_name: Mapped[str | None] = mapped_column(String(200))
    validated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ObligationRecord(Base):
    """An obligation derived from the use case's profile, with its tracking."""

    __tablename__ = "obligation_record"
    __table_args__ = (UniqueConstraint("use_case_id", "obligation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    obligation_id: Mapped[str] = mapped_column(String(64))
    family: Mapped[str] = mapped_column(String(20))
    title_fr: Mapped[str] = mapped_column(Text)
    article: Mapped[str] = mapped_column(Text)
    applies_from: Mapped[dt.date] = mapped_column(Date)
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)  # False once a reclassification drops it
    status: Mapped[str] = mapped_column(String(20), default=ObligationStatus.TODO.value)
    justification: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class ObligationEvidence(Base):
    """A proof that an obligation is met: a file kept under the data folder, or a link."""

    __tablename__ = "obligation_evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    obligation_record_id: Mapped[int] = mapped_column(ForeignKey("obligation_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # file, link
    filename: Mapped[str | None] = mapped_column(String(255))
    stored_path: Mapped[str | None] = mapped_column(String(500))  # relative to the data folder
    url: Mapped[str | None] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(Integer)
    added_by_name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GateRequest(Base):
    """A request to move a use case to another stage, with the gate check as it stood then.

    Append-only: its outcome is the :class:`GateDecision` that answers it.
    """

    __tablename__ = "gate_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    from_stage: Mapped[str] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # forward, resume, suspend, retire
    motive: Mapped[str] = mapped_column(Text, default="")
    attestations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    authority: Mapped[str] = mapped_column(String(32))
    impact_level: Mapped[str | None] = mapped_column(String(4))
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)  # French, unmet conditions at request time
    policy_version: Mapped[str] = mapped_column(String(300))
    requested_by_id: Mapped[int | None] = mapped_column(Integer)
    requested_by_name: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GateDecision(Base):
    """The decision on a gate request; immutable once written (database triggers)."""

    __tablename__ = "gate_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("gate_request.id"), unique=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    decision: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str | None] = mapped_column(Text)
    authority: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    act_number: Mapped[str | None] = mapped_column(String(100))  # deliberation or executive act
    act_date: Mapped[dt.date | None] = mapped_column(Date)
    stage_before: Mapped[str] = mapped_column(String(20))
    stage_after: Mapped[str] = mapped_column(String(20))
    policy_version: Mapped[str] = mapped_column(String(300))
    decided_by_id: Mapped[int | None] = mapped_column(Integer)
    decided_by_name: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PeriodicReview(Base):
    """A periodic review of a deployed use case; the next one is due by its impact level."""

    __tablename__ = "periodic_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    reviewed_on: Mapped[dt.date] = mapped_column(Date)
    impact_level: Mapped[str | None] = mapped_column(String(4))
    cadence_months: Mapped[int] = mapped_column(Integer)
    next_due: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))  # continue, adjust, suspend
    notes: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(Integer)
    reviewed_by_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
