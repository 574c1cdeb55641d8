"""The portfolio: scoring weights (versioned), score inputs, budget lines, benefit measures, scenarios."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class ScoringWeightsVersion(Base):
    """One version of the prioritisation weights; a change adds a row, a row never changes."""

    __tablename__ = "scoring_weights_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(50), unique=True)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UseCaseScore(Base):
    """The eight criteria (1–5) and the effort of one use case."""

    __tablename__ = "use_case_score"
    __table_args__ = (
        *(CheckConstraint(f"{c} IS NULL OR {c} BETWEEN 1 AND 5", name=f"{c}_range")
          for c in ("service_to_residents", "efficiency_gain", "strategic_alignment", "reuse", "data_readiness",
                    "technical_maturity", "internal_skills", "vendor_dependency")),
        CheckConstraint("effort_days IS NULL OR effort_days >= 0", name="effort_days_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), unique=True)
    service_to_residents: Mapped[int | None] = mapped_column(Integer)
    efficiency_gain: Mapped[int | None] = mapped_column(Integer)
    strategic_alignment: Mapped[int | None] = mapped_column(Integer)
    reuse: Mapped[int | None] = mapped_column(Integer)
    data_readiness: Mapped[int | None] = mapped_column(Integer)
    technical_maturity: Mapped[int | None] = mapped_column(Integer)
    internal_skills: Mapped[int | None] = mapped_column(Integer)
    vendor_dependency: Mapped[int | None] = mapped_column(Integer)
    effort_days: Mapped[float | None] = mapped_column(Float)
    rationale: Mapped[str | None] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class BudgetLine(Base):
    """What the collectivité voted, committed and spent on one use case in one year (€)."""

    __tablename__ = "budget_line"
    __table_args__ = (
        UniqueConstraint("use_case_id", "year", name="uq_budget_line_use_case_year"),
        CheckConstraint("voted >= 0 AND committed >= 0 AND spent >= 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    voted: Mapped[float] = mapped_column(Float, default=0.0)
    committed: Mapped[float] = mapped_column(Float, default=0.0)
    spent: Mapped[float] = mapped_column(Float, default=0.0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class BenefitMeasure(Base):
    """An indicator measured at evaluation, against the baseline and the target expected."""

    __tablename__ = "benefit_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(50))
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    measured: Mapped[float] = mapped_column(Float)
    measured_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class SavedScenario(Base):
    """A scenario the direction saved: its parameters and its result, who and when."""

    __tablename__ = "saved_scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    weights_version: Mapped[str] = mapped_column(String(50))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
