"""Monitoring: per use case configuration, reference batch, drift runs, outcomes and alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class MonitoringConfig(Base):
    """How one use case is watched: columns and kinds, base thresholds, cadence, active reference."""

    __tablename__ = "monitoring_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), unique=True)
    module_key: Mapped[str | None] = mapped_column(String(64))
    #: {column: "numerical" | "categorical"}
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    critical_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: level-I drift settings (DriftConfig fields); tightened by the impact level at each check
    drift_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_metrics: Mapped[dict[str, float] | None] = mapped_column(JSON)
    max_metrics: Mapped[dict[str, float] | None] = mapped_column(JSON)
    cadence_days: Mapped[int] = mapped_column(Integer, default=30)
    #: file or folder (newest file) that `vigie monitor due` reads the current batch from
    current_source: Mapped[str | None] = mapped_column(String(500))
    suspension_runs: Mapped[int] = mapped_column(Integer, default=3)
    reference_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_reference.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


class MonitoringReference(Base):
    """A stored reference batch (gzip CSV of the monitored columns) and where it came from."""

    __tablename__ = "monitoring_reference"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # upload, analysis_run
    source_label: Mapped[str] = mapped_column(String(300))
    analysis_run_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    checksum: Mapped[str] = mapped_column(String(64))  # sha256 of the uncompressed CSV
    n_rows: Mapped[int] = mapped_column(Integer)
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MonitoringRun(Base):
    """One drift check of a current batch against the reference."""

    __tablename__ = "monitoring_run"
    # the latest run of each use case (max id per use case)
    __table_args__ = (Index("ix_monitoring_run_use_case_id_id", "use_case_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    reference_id: Mapped[int] = mapped_column(ForeignKey("monitoring_reference.id"))
    current_label: Mapped[str] = mapped_column(String(300))
    current_fingerprint: Mapped[str] = mapped_column(String(64))
    n_reference: Mapped[int] = mapped_column(Integer)
    n_current: Mapped[int] = mapped_column(Integer)
    share_drifted: Mapped[float] = mapped_column(Float)
    dataset_drift: Mapped[bool] = mapped_column(Boolean)
    n_drifted: Mapped[int] = mapped_column(Integer)
    n_computable: Mapped[int] = mapped_column(Integer)
    impact_level: Mapped[int] = mapped_column(Integer)
    level_source: Mapped[str] = mapped_column(String(20))  # governance, default
    engine: Mapped[str] = mapped_column(String(20))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # thresholds actually used
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)
    n_alerts: Mapped[int] = mapped_column(Integer, default=0)
    report_html: Mapped[bytes | None] = mapped_column(LargeBinary)  # gzip of Evidently's HTML
    report_error: Mapped[str | None] = mapped_column(Text)
    trigger: Mapped[str] = mapped_column(String(10))  # manual, job
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class MonitoringColumnResult(Base):
    """Drift of one column in one run, with what Evidently does not report."""

    __tablename__ = "monitoring_column_result"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("monitoring_run.id", ondelete="CASCADE"), index=True)
    column: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    drifted: Mapped[bool] = mapped_column(Boolean)
    computable: Mapped[bool] = mapped_column(Boolean)
    ref_missing_rate: Mapped[float | None] = mapped_column(Float)
    cur_missing_rate: Mapped[float | None] = mapped_column(Float)
    missing_rate_change: Mapped[float | None] = mapped_column(Float)
    missing_rate_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    new_categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    p_value: Mapped[float | None] = mapped_column(Float)
    messages: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (UniqueConstraint("run_id", "column", name="uq_monitoring_column_result_run_column"),)


class MonitoringOutcome(Base):
    """Outcomes of one period (and optionally one territory): quality, overrides, business KPI."""

    __tablename__ = "monitoring_outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    batch_label: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(40))
    territory: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # classification, regression
    n: Mapped[int] = mapped_column(Integer, default=0)
    accuracy: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[float | None] = mapped_column(Float)
    recall: Mapped[float | None] = mapped_column(Float)
    f1: Mapped[float | None] = mapped_column(Float)
    mae: Mapped[float | None] = mapped_column(Float)
    mape: Mapped[float | None] = mapped_column(Float)
    override_rate: Mapped[float | None] = mapped_column(Float)
    kpi_value: Mapped[float | None] = mapped_column(Float)
    kpi_baseline: Mapped[float | None] = mapped_column(Float)
    kpi_target: Mapped[float | None] = mapped_column(Float)
    kpi_status: Mapped[str | None] = mapped_column(String(30))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MonitoringAlert(Base):
    """A threshold crossed. Opens a review for the project lead and compliance; after repeated
    alerting checks on a deployed use case, a suspension is *proposed*: a human decides."""

    __tablename__ = "monitoring_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("monitoring_run.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open, acknowledged, closed
    review_opened: Mapped[bool] = mapped_column(Boolean, default=True)
    suspension_proposed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: None until the governance gate records the human decision (see MonitoringService docs)
    suspension_decision: Mapped[str | None] = mapped_column(String(20))
    raised_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
