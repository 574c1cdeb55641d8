"""Queries for analysis bindings, runs and their artifacts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.db.models import AnalysisArtifact, AnalysisBinding, AnalysisRun, UseCase


def binding(s: Session, use_case_id: int) -> AnalysisBinding | None:
    return s.scalar(select(AnalysisBinding).where(AnalysisBinding.use_case_id == use_case_id))


def bindings(s: Session) -> list[AnalysisBinding]:
    return list(s.scalars(select(AnalysisBinding).order_by(AnalysisBinding.use_case_id)))


def bindings_of(s: Session, use_case_ids: Sequence[int]) -> list[AnalysisBinding]:
    if not use_case_ids:
        return []
    return list(s.scalars(select(AnalysisBinding).where(AnalysisBinding.use_case_id.in_(list(use_case_ids)))))


def bound_ids(s: Session, limit: int) -> list[int]:
    """The first ``limit`` use cases bound to a module, by reference."""
    return list(s.scalars(select(AnalysisBinding.use_case_id)
                          .join(UseCase, UseCase.id == AnalysisBinding.use_case_id)
                          .order_by(UseCase.reference).limit(limit)))


def bound_keys(s: Session) -> dict[int, str]:
    """Use case id -> key of its bound module, for every bound use case (no ORM objects)."""
    return {i: key for i, key in s.execute(select(AnalysisBinding.use_case_id, AnalysisBinding.module_key))}


def runs(s: Session, use_case_id: int) -> list[AnalysisRun]:
    return list(s.scalars(select(AnalysisRun).where(AnalysisRun.use_case_id == use_case_id)
                          .order_by(AnalysisRun.id.desc())))


def artifacts(s: Session, run_id: int, kind: str) -> list[AnalysisArtifact]:
    return list(s.scalars(select(AnalysisArtifact)
                          .where(AnalysisArtifact.run_id == run_id, AnalysisArtifact.kind == kind)
                          .order_by(AnalysisArtifact.id)))


def clear_reference(s: Session, use_case_id: int) -> None:
    s.execute(update(AnalysisRun).where(AnalysisRun.use_case_id == use_case_id, AnalysisRun.is_reference)
              .values(is_reference=False))


def reference(s: Session, use_case_id: int) -> AnalysisRun | None:
    return s.scalar(select(AnalysisRun).where(AnalysisRun.use_case_id == use_case_id, AnalysisRun.is_reference))
