"""Queries on the register: use cases with their sources and risks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.db.models import DataSource, Person, Risk, UseCase


def get(session: Session, use_case_id: int) -> UseCase | None:
    return session.get(
        UseCase,
        use_case_id,
        options=[selectinload(UseCase.data_sources), selectinload(UseCase.risks)],
    )


def by_reference(session: Session, reference: str) -> UseCase | None:
    return session.scalars(select(UseCase).where(UseCase.reference == reference)).first()


def search(
    session: Session,
    *,
    text: str | None = None,
    families: Sequence[str] = (),
    stages: Sequence[str] = (),
    directions: Sequence[str] = (),
    lead_id: int | None = None,
) -> Sequence[UseCase]:
    stmt = select(UseCase).options(selectinload(UseCase.data_sources), selectinload(UseCase.risks))
    if text:
        like = f"%{text.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(UseCase.title).like(like),
                func.lower(UseCase.reference).like(like),
                func.lower(UseCase.problem).like(like),
                func.lower(UseCase.direction).like(like),
            )
        )
    if families:
        stmt = stmt.where(UseCase.family.in_(list(families)))
    if stages:
        stmt = stmt.where(UseCase.stage.in_(list(stages)))
    if directions:
        stmt = stmt.where(UseCase.direction.in_(list(directions)))
    if lead_id is not None:
        stmt = stmt.where(UseCase.lead_id == lead_id)
    return session.scalars(stmt.order_by(UseCase.reference)).all()


def next_reference(session: Session, year: int) -> str:
    """``UC-<year>-<n>`` with n one more than the highest of that year (call inside the write lock)."""
    prefix = f"UC-{year}-"
    refs = session.scalars(select(UseCase.reference).where(UseCase.reference.like(prefix + "%"))).all()
    numbers = [int(r.removeprefix(prefix)) for r in refs if r.removeprefix(prefix).isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def person_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Person.id, Person.display_name)).all())


def directions(session: Session) -> list[str]:
    return list(session.scalars(select(UseCase.direction).distinct().order_by(UseCase.direction)).all())


def data_source(session: Session, source_id: int) -> DataSource | None:
    return session.get(DataSource, source_id)


def risk(session: Session, risk_id: int) -> Risk | None:
    return session.get(Risk, risk_id)


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(UseCase)) or 0


def in_stages(session: Session, stages: Sequence[str]) -> Sequence[UseCase]:
    """The use cases at one of ``stages``, by reference."""
    return session.scalars(select(UseCase).where(UseCase.stage.in_(list(stages))).order_by(UseCase.reference)).all()


def by_ids(session: Session, ids: Sequence[int]) -> dict[int, UseCase]:
    return {uc.id: uc for uc in session.scalars(select(UseCase).where(UseCase.id.in_(list(ids))))}


def ids_by_reference(session: Session) -> dict[str, int]:
    return dict(session.execute(select(UseCase.reference, UseCase.id)).tuples().all())
