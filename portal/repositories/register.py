"""Queries on the register: use cases with their sources and risks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, load_only, selectinload

from portal.db.models import DataSource, Person, Risk, UseCase


def get(session: Session, use_case_id: int) -> UseCase | None:
    return session.get(
        UseCase,
        use_case_id,
        options=[selectinload(UseCase.data_sources), selectinload(UseCase.risks)],
    )


def by_reference(session: Session, reference: str) -> UseCase | None:
    return session.scalars(select(UseCase).where(UseCase.reference == reference)).first()


#: The columns of a use case that lists, selectors and attention items need (``children=False``).
HEADER_COLUMNS = (UseCase.id, UseCase.reference, UseCase.title, UseCase.stage, UseCase.family, UseCase.direction,
                  UseCase.lead_id, UseCase.end_date, UseCase.updated_at, UseCase.version)


def filtered(
    stmt: Select,
    *,
    text: str | None = None,
    families: Sequence[str] = (),
    stages: Sequence[str] = (),
    directions: Sequence[str] = (),
    lead_id: int | None = None,
    ids: Sequence[int] | None = None,
) -> Select:
    """``stmt`` narrowed by the register's filters, in SQL (so paging and counting see the same rows)."""
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
    if ids is not None:
        stmt = stmt.where(UseCase.id.in_(list(ids)))
    return stmt


def search(
    session: Session,
    *,
    text: str | None = None,
    families: Sequence[str] = (),
    stages: Sequence[str] = (),
    directions: Sequence[str] = (),
    lead_id: int | None = None,
    ids: Sequence[int] | None = None,
    offset: int = 0,
    limit: int | None = None,
    children: bool = True,
) -> Sequence[UseCase]:
    """Use cases by reference; ``children=False`` loads only :data:`HEADER_COLUMNS`, without sources and risks."""
    options = ([selectinload(UseCase.data_sources), selectinload(UseCase.risks)] if children
               else [load_only(*HEADER_COLUMNS)])
    stmt = filtered(select(UseCase).options(*options), text=text, families=families, stages=stages,
                    directions=directions, lead_id=lead_id, ids=ids)
    stmt = stmt.order_by(UseCase.reference).offset(offset)
    return session.scalars(stmt if limit is None else stmt.limit(limit)).all()


def use_case_rows(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """The use cases of ``ids`` as plain column mappings (no ORM objects: cheap by the thousand)."""
    table = UseCase.__table__
    return [dict(r) for r in session.execute(select(table).where(table.c.id.in_(list(ids)))).mappings()]


def data_source_rows(session: Session, use_case_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The data sources of ``use_case_ids`` as plain column mappings, in the sheet's order (by id)."""
    table = DataSource.__table__
    return [dict(r) for r in session.execute(select(table).where(table.c.use_case_id.in_(list(use_case_ids)))
                                              .order_by(table.c.id)).mappings()]


def count_filtered(session: Session, **filters: object) -> int:
    """How many use cases match the register's filters (see :func:`filtered`)."""
    return session.scalar(filtered(select(func.count(UseCase.id)), **filters)) or 0  # type: ignore[arg-type]


def choices(session: Session) -> list[tuple[int, str, str, int | None]]:
    """(id, reference, title, lead id) of every use case, by reference: what a selector needs, nothing more."""
    rows = session.execute(select(UseCase.id, UseCase.reference, UseCase.title, UseCase.lead_id)
                           .order_by(UseCase.reference))
    return [tuple(r) for r in rows]  # type: ignore[misc]


#: What a use-case selector shows of each case: (id, reference, title, lead id).
_CHOICE = (UseCase.id, UseCase.reference, UseCase.title, UseCase.lead_id)


def _choice_rows(session: Session, stmt: Select) -> list[tuple[int, str, str, int | None]]:
    return [tuple(r) for r in session.execute(stmt)]


def _led_by(stmt: Select, lead_id: int | None) -> Select:
    return stmt if lead_id is None else stmt.where(UseCase.lead_id == lead_id)


def choices_by_reference(session: Session, references: Sequence[str],
                         lead_id: int | None = None) -> list[tuple[int, str, str, int | None]]:
    """The selector rows of the use cases named by ``references`` that exist (and that ``lead_id`` leads,
    when given), in the order of ``references``."""
    if not references:
        return []
    rows = {r[1]: r for r in _choice_rows(session, _led_by(
        select(*_CHOICE).where(UseCase.reference.in_(list(references))), lead_id))}
    return [rows[ref] for ref in dict.fromkeys(references) if ref in rows]


def choices_by_id(session: Session, ids: Sequence[int]) -> list[tuple[int, str, str, int | None]]:
    """The selector rows of the use cases ``ids``, by reference."""
    if not ids:
        return []
    return _choice_rows(session, select(*_CHOICE).where(UseCase.id.in_(list(ids))).order_by(UseCase.reference))


def first_choices(session: Session, limit: int, lead_id: int | None = None,
                  ids: Sequence[int] | None = None) -> list[tuple[int, str, str, int | None]]:
    """The first ``limit`` selector rows by reference (among ``ids`` and of ``lead_id``'s cases, when given):
    one indexed query, however large the register."""
    stmt = _led_by(select(*_CHOICE), lead_id)
    if ids is not None:
        stmt = stmt.where(UseCase.id.in_(list(ids)))
    return _choice_rows(session, stmt.order_by(UseCase.reference).limit(limit))


def find_choices(session: Session, text: str, limit: int,
                 lead_id: int | None = None) -> list[tuple[int, str, str, int | None]]:
    """The selector rows whose reference or title holds every word of ``text`` (case ignored), by
    reference, ``limit`` at most."""
    stmt = _led_by(select(*_CHOICE), lead_id)
    for word in text.lower().split():
        like = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(or_(func.lower(UseCase.reference).like(like, escape="\\"),
                              func.lower(UseCase.title).like(like, escape="\\")))
    return _choice_rows(session, stmt.order_by(UseCase.reference).limit(limit))


def totals(session: Session) -> list[tuple[str, str, int, float, float]]:
    """(stage, family, count, build cost, run cost per year) over the register, in one grouped query."""
    stmt = select(UseCase.stage, UseCase.family, func.count(UseCase.id), func.coalesce(func.sum(UseCase.build_cost), 0),
                  func.coalesce(func.sum(UseCase.run_cost_per_year), 0)).group_by(UseCase.stage, UseCase.family)
    return [tuple(r) for r in session.execute(stmt)]  # type: ignore[misc]


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


def in_stages(session: Session, stages: Sequence[str], ids: Sequence[int] | None = None) -> Sequence[UseCase]:
    """The use cases at one of ``stages`` (and among ``ids`` when given), by reference."""
    stmt = select(UseCase).where(UseCase.stage.in_(list(stages)))
    if ids is not None:
        stmt = stmt.where(UseCase.id.in_(list(ids)))
    return session.scalars(stmt.order_by(UseCase.reference)).all()


def by_ids(session: Session, ids: Sequence[int]) -> dict[int, UseCase]:
    return {uc.id: uc for uc in session.scalars(select(UseCase).where(UseCase.id.in_(list(ids))))}


def ids_by_reference(session: Session) -> dict[str, int]:
    return dict(session.execute(select(UseCase.reference, UseCase.id)).tuples().all())


# ---- the home page's attention list: only the rows that call for attention ---------------------------

def _mine(stmt: Select, lead_id: int | None) -> Select:
    return stmt if lead_id is None else stmt.where(UseCase.lead_id == lead_id)


def _empty(column: Any) -> Any:
    return or_(column.is_(None), column == "")


def ending_pilots(session: Session, until: object, lead_id: int | None = None) -> list[tuple]:
    """(id, reference, title, end_date) of the pilots ending on or before ``until``, by reference."""
    stmt = select(UseCase.id, UseCase.reference, UseCase.title, UseCase.end_date).where(
        UseCase.stage == "pilot", UseCase.end_date.is_not(None), UseCase.end_date <= until)
    return [tuple(r) for r in session.execute(_mine(stmt, lead_id).order_by(UseCase.reference))]


def unmitigated_risks(session: Session, min_score: int, lead_id: int | None = None) -> list[tuple]:
    """(id, reference, title, likelihood, severity, description) of the open risks scoring at least
    ``min_score`` with no mitigation, by reference then risk."""
    stmt = (select(UseCase.id, UseCase.reference, UseCase.title, Risk.likelihood, Risk.severity, Risk.description)
            .join(Risk, Risk.use_case_id == UseCase.id)
            .where(Risk.likelihood * Risk.severity >= min_score, _empty(Risk.mitigation), Risk.status != "closed"))
    return [tuple(r) for r in session.execute(_mine(stmt, lead_id).order_by(UseCase.reference, Risk.id))]


def unfounded_sources(session: Session, lead_id: int | None = None) -> list[tuple]:
    """(id, reference, title, name, personal without legal basis, sensitive without exception) of the
    data sources missing one of them, by reference then source."""
    no_basis = DataSource.personal_data.is_(True) & _empty(DataSource.legal_basis)
    no_exception = DataSource.sensitive_data.is_(True) & _empty(DataSource.art9_exception)
    stmt = (select(UseCase.id, UseCase.reference, UseCase.title, DataSource.name, no_basis, no_exception)
            .join(DataSource, DataSource.use_case_id == UseCase.id).where(or_(no_basis, no_exception)))
    return [tuple(r) for r in session.execute(_mine(stmt, lead_id).order_by(UseCase.reference, DataSource.id))]
