"""Queries on deployment waves, their decisions, the rollback plan, the supplier's contract and documents."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db.models import DeploymentWave, RollbackPlan, SupplierContract, SupplierDocument, WaveDecision


def rollback_plan(session: Session, use_case_id: int) -> RollbackPlan | None:
    return session.scalars(select(RollbackPlan).where(RollbackPlan.use_case_id == use_case_id)).first()


def waves(session: Session, use_case_id: int) -> Sequence[DeploymentWave]:
    return session.scalars(select(DeploymentWave).where(DeploymentWave.use_case_id == use_case_id)
                           .order_by(DeploymentWave.number)).all()


def wave(session: Session, wave_id: int) -> DeploymentWave | None:
    return session.get(DeploymentWave, wave_id)


def next_wave_number(session: Session, use_case_id: int) -> int:
    last = session.scalar(select(func.max(DeploymentWave.number)).where(DeploymentWave.use_case_id == use_case_id))
    return (last or 0) + 1


def wave_decisions(session: Session, use_case_id: int) -> Sequence[WaveDecision]:
    """Oldest first."""
    return session.scalars(select(WaveDecision).where(WaveDecision.use_case_id == use_case_id)
                           .order_by(WaveDecision.id)).all()


def contract(session: Session, use_case_id: int) -> SupplierContract | None:
    return session.scalars(select(SupplierContract).where(SupplierContract.use_case_id == use_case_id)).first()


def documents(session: Session, use_case_id: int) -> Sequence[SupplierDocument]:
    """Newest first."""
    return session.scalars(select(SupplierDocument).where(SupplierDocument.use_case_id == use_case_id)
                           .order_by(SupplierDocument.added_at.desc(), SupplierDocument.id.desc())).all()


def document_kinds(session: Session, use_case_id: int) -> set[str]:
    """The kinds of supplier's document on file for the use case."""
    return set(session.scalars(select(SupplierDocument.kind).where(SupplierDocument.use_case_id == use_case_id)))
