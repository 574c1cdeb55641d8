"""The people around each use case: the services' needs, the agents who use it (groups, training,
feedback) and the residents it serves (service-quality measures per period)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class ServiceNeed(Base):
    """A need a service expressed (« besoin d'un service »), then triaged: merged into another need,
    answered by a use case (a new idea or an existing one) or declined with the reason."""

    __tablename__ = "service_need"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    difficulty: Mapped[str] = mapped_column(Text)  # what is hard today
    frequency: Mapped[str] = mapped_column(String(20))
    beneficiaries: Mapped[str] = mapped_column(String(300))  # for whom
    service: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("service_need.id"))
    use_case_id: Mapped[int | None] = mapped_column(ForeignKey("use_case.id", ondelete="SET NULL"), index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    triaged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class UserGroup(Base):
    """A service whose agents use a use case, and how many of them."""

    __tablename__ = "use_case_user_group"
    __table_args__ = (
        UniqueConstraint("use_case_id", "service", name="uq_use_case_user_group_service"),
        CheckConstraint("agents >= 0", name="agents_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(200))
    agents: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class TrainingSession(Base):
    """A training session on a use case and who attended: evidence of the AI-literacy duty (AI Act art. 4)."""

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    trainer: Mapped[str | None] = mapped_column(String(200))
    service: Mapped[str | None] = mapped_column(String(200))
    attendees: Mapped[list[str]] = mapped_column(JSON, default=list)
    hours: Mapped[float | None] = mapped_column(Float)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class AgentFeedback(Base):
    """What the agents of a service said of the suggestions they received over one period: how many were
    useful, wrong, set aside (and why)."""

    __tablename__ = "agent_feedback"
    __table_args__ = (
        UniqueConstraint("use_case_id", "period", "service", name="uq_agent_feedback_period_service"),
        CheckConstraint("n_suggestions >= 0 AND n_useful >= 0 AND n_wrong >= 0 AND n_overridden >= 0",
                        name="counts_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    service: Mapped[str] = mapped_column(String(200))
    n_suggestions: Mapped[int] = mapped_column(Integer)
    n_useful: Mapped[int] = mapped_column(Integer)
    n_wrong: Mapped[int] = mapped_column(Integer)
    n_overridden: Mapped[int] = mapped_column(Integer)
    override_reasons: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class ResidentMeasure(Base):
    """A measure of the service residents receive (response time, survey score, complaints) for one
    period, against the baseline measured before the use case."""

    __tablename__ = "resident_measure"
    __table_args__ = (
        UniqueConstraint("use_case_id", "indicator", "period", name="uq_resident_measure_indicator_period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    indicator: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str | None] = mapped_column(String(50))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    baseline: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    higher_is_better: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
