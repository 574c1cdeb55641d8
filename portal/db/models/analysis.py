"""Analysis: which module a use case is bound to, its stored runs, and their artifacts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class AnalysisBinding(Base):
    """A use case is bound to (at most) one analysis module of ``usecases.registry``."""

    __tablename__ = "analysis_binding"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), unique=True)
    module_key: Mapped[str] = mapped_column(String(64))
    bound_by_id: Mapped[int | None] = mapped_column(Integer)
    bound_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnalysisRun(Base):
    """One execution of a module on named inputs: what ran, on what, by whom, and what came out."""

    __tablename__ = "analysis_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_case.id", ondelete="CASCADE"), index=True)
    module_key: Mapped[str] = mapped_column(String(64))
    module_version: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    input_fingerprint: Mapped[str] = mapped_column(String(64))
    #: {input name: {"file": original file name, "rows": n, "columns": [...]}}
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running, done, failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    progress_label: Mapped[str] = mapped_column(String(200), default="")
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: {"metrics": {key: French label}, "tables": {key: French title}}
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(Integer)
    created_by_name: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    is_reference: Mapped[bool] = mapped_column(Boolean, default=False)


class AnalysisArtifact(Base):
    """A stored, compressed piece of a run: an input (as read and as uploaded), a result table, a chart.

    ``kind``: ``input`` (the validated frame, Parquet), ``upload`` (the file as uploaded, gzip),
    ``table`` (a result table, Parquet), ``chart`` (a Vega-Lite spec, gzip JSON).
    ``checksum`` is the SHA-256 of ``content`` as stored.
    """

    __tablename__ = "analysis_artifact"
    __table_args__ = (UniqueConstraint("run_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("analysis_run.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str | None] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
