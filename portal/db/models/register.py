"""The register: use cases, their data sources and their risks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from policies.vocabulary import RiskStatus, Stage
from portal.db.base import Base, UTCDateTime, utcnow


class UseCase(Base):
    """An AI use case of the collectivité, from the first idea to its withdrawal."""

    __tablename__ = "use_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    family: Mapped[str] = mapped_column(String(32), index=True)
    #: The public policy domain served (policies.vocabulary.PublicDomain); None until someone says.
    domain: Mapped[str | None] = mapped_column(String(32))
    direction: Mapped[str] = mapped_column(String(200), index=True)
    service: Mapped[str | None] = mapped_column(String(200))
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20), default=Stage.IDEA.value, index=True)
    public_concerned: Mapped[str | None] = mapped_column(Text)
    decisions_per_year: Mapped[int | None] = mapped_column(Integer)
    automation: Mapped[str | None] = mapped_column(String(32))
    human_role: Mapped[str | None] = mapped_column(Text)
    provider_type: Mapped[str | None] = mapped_column(String(32))
    provider_name: Mapped[str | None] = mapped_column(String(200))
    expected_benefits: Mapped[str | None] = mapped_column(Text)
    kpi_name: Mapped[str | None] = mapped_column(String(200))
    kpi_unit: Mapped[str | None] = mapped_column(String(50))
    kpi_baseline: Mapped[float | None] = mapped_column(Float)
    kpi_target: Mapped[float | None] = mapped_column(Float)
    build_cost: Mapped[float | None] = mapped_column(Float)
    run_cost_per_year: Mapped[float | None] = mapped_column(Float)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # transparency (Eurocities standard, Dutch register, CRPA explanation): empty until someone writes them
    contact_phone: Mapped[str | None] = mapped_column(String(50))
    remark: Mapped[str | None] = mapped_column(Text)
    proportionality: Mapped[str | None] = mapped_column(Text)
    training_data: Mapped[str | None] = mapped_column(Text)
    data_bias: Mapped[str | None] = mapped_column(Text)
    dpia_summary: Mapped[str | None] = mapped_column(Text)
    technical_description: Mapped[str | None] = mapped_column(Text)
    methods_and_models: Mapped[str | None] = mapped_column(Text)
    performance: Mapped[str | None] = mapped_column(Text)
    alternatives_considered: Mapped[str | None] = mapped_column(Text)
    product_information: Mapped[str | None] = mapped_column(Text)
    aia_summary: Mapped[str | None] = mapped_column(Text)
    monitoring_summary: Mapped[str | None] = mapped_column(Text)
    rollback: Mapped[str | None] = mapped_column(Text)
    dpia_url: Mapped[str | None] = mapped_column(String(500))
    codebase_url: Mapped[str | None] = mapped_column(String(500))
    product_page: Mapped[str | None] = mapped_column(String(500))
    aia_url: Mapped[str | None] = mapped_column(String(500))
    #: The parameters processed (``name``, ``source``, ``weight``) and the operations, in order (R311-3-1-2 CRPA).
    parameters: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    operations: Mapped[list[str] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    data_sources: Mapped[list[DataSource]] = relationship(
        back_populates="use_case", cascade="all, delete-orphan", order_by="DataSource.id"
    )
    risks: Mapped[list[Risk]] = relationship(
        back_populates="use_case", cascade="all, delete-orphan", order_by="Risk.id"
    )

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class DataSource(Base):
    """A data source a use case reads, with what the RGPD needs to know about it."""

    __tablename__ = "data_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    producer: Mapped[str | None] = mapped_column(String(200))
    origin: Mapped[str] = mapped_column(String(32))
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    sensitive_data: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    #: For sensitive data, the Art. 9(2) RGPD exception it rests on ("9(2)(g)"…), see policies.rgpd.
    art9_exception: Mapped[str | None] = mapped_column(String(16))
    retention: Mapped[str | None] = mapped_column(String(200))
    quality_notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    use_case: Mapped[UseCase] = relationship(back_populates="data_sources")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class Risk(Base):
    """A risk of a use case, scored likelihood × severity on 1–5 scales, before and after mitigation."""

    __tablename__ = "risk"
    __table_args__ = (
        CheckConstraint("likelihood BETWEEN 1 AND 5", name="likelihood_range"),
        CheckConstraint("severity BETWEEN 1 AND 5", name="severity_range"),
        CheckConstraint(
            "residual_likelihood IS NULL OR residual_likelihood BETWEEN 1 AND 5", name="residual_likelihood_range"
        ),
        CheckConstraint(
            "residual_severity IS NULL OR residual_severity BETWEEN 1 AND 5", name="residual_severity_range"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    likelihood: Mapped[int] = mapped_column(Integer)
    severity: Mapped[int] = mapped_column(Integer)
    mitigation: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    status: Mapped[str] = mapped_column(String(20), default=RiskStatus.OPEN.value)
    residual_likelihood: Mapped[int | None] = mapped_column(Integer)
    residual_severity: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    use_case: Mapped[UseCase] = relationship(back_populates="risks")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
