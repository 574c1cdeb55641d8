"""Deployment in waves (plan, waves, go/no-go decisions, rollback plan) and bought AI (contract,
supplier's documents). Wave decisions are append-only (database triggers, migration 0020)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class RollbackPlan(Base):
    """How to return to the previous way of working, who decides and in how long; one per use case."""

    __tablename__ = "rollback_plan"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), unique=True)
    procedure: Mapped[str] = mapped_column(Text)
    decider: Mapped[str] = mapped_column(String(300))
    delay_days: Mapped[int] = mapped_column(Integer)
    tested_on: Mapped[dt.date | None] = mapped_column(Date)  # last rehearsal of the return
    updated_by_name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class DeploymentWave(Base):
    """One wave of a deployment: a territory, a service or a share of cases or agents, from a date,
    with success criteria read from monitoring. Editable until its first decision."""

    __tablename__ = "deployment_wave"
    __table_args__ = (UniqueConstraint("use_case_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per use case
    label: Mapped[str] = mapped_column(String(200))
    scope_kind: Mapped[str] = mapped_column(String(20))  # territory, service, share_cases, share_agents
    scope: Mapped[str | None] = mapped_column(String(200))  # the territory or the service
    share: Mapped[float | None] = mapped_column(Float)  # per cent of the cases or the agents
    start_date: Mapped[dt.date] = mapped_column(Date)
    #: [{"metric": "override_rate", "bound": "max", "threshold": 0.2}, …]
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: monitoring outcome periods that belong to this wave (e.g. "2024-01")
    periods: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class WaveDecision(Base):
    """A go, no-go or rollback decision on a wave; immutable once written (database triggers)."""

    __tablename__ = "wave_decision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("deployment_wave.id"), index=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))  # go, no_go, roll_back
    reasons: Mapped[str] = mapped_column(Text, default="")
    authority: Mapped[str] = mapped_column(String(32))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    act_number: Mapped[str | None] = mapped_column(String(100))
    act_date: Mapped[dt.date | None] = mapped_column(Date)
    session_date: Mapped[dt.date | None] = mapped_column(Date)
    #: the criteria as read from monitoring when deciding (the previous wave's for a go or no-go, this wave's for
    #: a rollback)
    readings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(300))
    decided_by_id: Mapped[int | None] = mapped_column(Integer)
    decided_by_name: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SupplierContract(Base):
    """The contract under which a bought or delegated system is used; one per use case."""

    __tablename__ = "supplier_contract"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(100))
    supplier: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    renewal: Mapped[str] = mapped_column(String(20))  # none, tacit, express
    notice_days: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    updated_by_name: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class SupplierDocument(Base):
    """A supplier's document kept as evidence (a file under the data folder, or a link), with its SHA-256."""

    __tablename__ = "supplier_document"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # see policies.suppliers.SUPPLIER_DOCUMENTS
    source: Mapped[str] = mapped_column(String(10))  # file, link
    filename: Mapped[str | None] = mapped_column(String(255))
    stored_path: Mapped[str | None] = mapped_column(String(500))  # relative to the data folder
    url: Mapped[str | None] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(200))  # e.g. the EU database registration number
    note: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(Integer)
    added_by_name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
