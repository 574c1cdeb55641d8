"""Queries on the public register: published entries, reports from the public and refused posts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from portal.db.models import Classification, PublicRegisterEntry, PublicReport, PublicReportRefusal, UseCase


def entries(session: Session) -> Sequence[PublicRegisterEntry]:
    """Every publication and withdrawal, oldest first."""
    return session.scalars(select(PublicRegisterEntry).order_by(PublicRegisterEntry.id)).all()


def latest_entries(session: Session) -> dict[int, PublicRegisterEntry]:
    """The latest publication or withdrawal of each use case."""
    return {r.use_case_id: r for r in entries(session)}


def _latest_ids() -> Any:
    """(use case id, id of its latest publication or withdrawal)."""
    return (select(PublicRegisterEntry.use_case_id, func.max(PublicRegisterEntry.id).label("id"))
            .group_by(PublicRegisterEntry.use_case_id).subquery())


def latest_publications(session: Session, use_case_ids: Sequence[int] | None = None) -> Sequence[PublicRegisterEntry]:
    """The latest row of each use case (of ``use_case_ids`` when given) when it is a publication: what is
    published now, oldest first."""
    last = select(PublicRegisterEntry.use_case_id, func.max(PublicRegisterEntry.id).label("id"))
    if use_case_ids is not None:
        last = last.where(PublicRegisterEntry.use_case_id.in_(list(use_case_ids)))
    sub = last.group_by(PublicRegisterEntry.use_case_id).subquery()
    return session.scalars(select(PublicRegisterEntry).join(sub, PublicRegisterEntry.id == sub.c.id)
                           .where(PublicRegisterEntry.action == "publish").order_by(PublicRegisterEntry.id)).all()


def first_published(session: Session, use_case_ids: Sequence[int] | None = None) -> dict[int, dt.datetime]:
    """When each use case (of ``use_case_ids`` when given) was first published."""
    first = (select(PublicRegisterEntry.use_case_id, func.min(PublicRegisterEntry.id).label("id"))
             .where(PublicRegisterEntry.action == "publish").group_by(PublicRegisterEntry.use_case_id))
    if use_case_ids is not None:
        first = first.where(PublicRegisterEntry.use_case_id.in_(list(use_case_ids)))
    sub = first.subquery()
    rows = session.execute(select(PublicRegisterEntry.use_case_id, PublicRegisterEntry.created_at)
                           .join(sub, PublicRegisterEntry.id == sub.c.id))
    return {uc_id: at for uc_id, at in rows}


#: The published snapshot's fields the public list shows, read from the JSON in the database.
PUBLIC_COLUMNS = ("reference", "name", "domain", "service", "automation")


def public_rows(session: Session, reference: str | None = None,
                ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """(use case id, published at, then :data:`PUBLIC_COLUMNS`) of each published snapshot, without
    reading the whole records; only the one whose published reference is ``reference`` when given, of
    the use cases of ``ids`` when given."""
    last = _latest_ids()
    fields = [PublicRegisterEntry.record[k].as_string() for k in PUBLIC_COLUMNS]
    stmt = (select(PublicRegisterEntry.use_case_id, PublicRegisterEntry.created_at, *fields)
            .join(last, PublicRegisterEntry.id == last.c.id).where(PublicRegisterEntry.action == "publish"))
    if reference is not None:
        stmt = stmt.where(fields[0] == reference)
    if ids is not None:
        stmt = stmt.where(PublicRegisterEntry.use_case_id.in_(list(ids)))
    return [tuple(r) for r in session.execute(stmt)]


def latest_publication_of(session: Session, use_case_id: int) -> PublicRegisterEntry | None:
    row = latest_entry_of(session, use_case_id)
    return row if row is not None and row.action == "publish" else None


class _Listed:
    """The use cases the signed-in register lists: published, or the CRPA requires their publication, or
    in use; with its conditions: ``published`` (the latest row is a publication),
    ``crpa`` (the latest classification's CRPA result requires publication, and it is no prohibited
    practice), ``in_use`` (the stage is one of ``in_use``)."""

    def __init__(self, in_use: Sequence[str]) -> None:
        self._last = _latest_ids()
        self.entry = aliased(PublicRegisterEntry)
        self._last_cl = (select(Classification.use_case_id, func.max(Classification.number).label("n"))
                         .group_by(Classification.use_case_id).subquery())
        self.cl = aliased(Classification)
        required = self.cl.result[("crpa", "publication_required")].as_boolean()
        self.published = func.coalesce(self.entry.action, "") == "publish"
        self.crpa = and_(func.coalesce(required, false()), self.cl.risk_class != "prohibited")
        self.in_use = UseCase.stage.in_(list(in_use))

    def select(self, *columns: Any) -> Select[Any]:
        return (select(*columns).select_from(UseCase)
                .outerjoin(self._last, self._last.c.use_case_id == UseCase.id)
                .outerjoin(self.entry, self.entry.id == self._last.c.id)
                .outerjoin(self._last_cl, self._last_cl.c.use_case_id == UseCase.id)
                .outerjoin(self.cl, and_(self.cl.use_case_id == UseCase.id, self.cl.number == self._last_cl.c.n))
                .where(or_(self.published, self.crpa, self.in_use)))


def listing(session: Session, in_use: Sequence[str], ids: Sequence[int] | None = None) -> list[tuple[Any, ...]]:
    """(id, reference, title, stage, latest action, its date, its author, CRPA publication required) of
    each use case the signed-in register lists (of ``ids`` when given)."""
    q = _Listed(in_use)
    stmt = q.select(UseCase.id, UseCase.reference, UseCase.title, UseCase.stage, q.entry.action,
                    q.entry.created_at, q.entry.created_by_name, case((q.crpa, True), else_=False))
    if ids is not None:
        stmt = stmt.where(UseCase.id.in_(list(ids)))
    return [tuple(r) for r in session.execute(stmt)]


def latest_entry_of(session: Session, use_case_id: int) -> PublicRegisterEntry | None:
    return session.scalars(select(PublicRegisterEntry).where(PublicRegisterEntry.use_case_id == use_case_id)
                           .order_by(PublicRegisterEntry.id.desc())).first()


def reports_since(session: Session, use_case_id: int, since: dt.datetime) -> Sequence[PublicReport]:
    return session.scalars(select(PublicReport).where(
        PublicReport.use_case_id == use_case_id, PublicReport.created_at >= since)).all()


def report_count_since(session: Session, since: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(PublicReport)
                          .where(PublicReport.created_at >= since)) or 0


def refusal_for_update(session: Session, hour: dt.datetime, use_case_id: int, reason: str) -> PublicReportRefusal | None:
    return session.scalar(select(PublicReportRefusal).where(
        PublicReportRefusal.hour == hour, PublicReportRefusal.use_case_id == use_case_id,
        PublicReportRefusal.reason == reason).with_for_update())


def refusals_since(session: Session, since: dt.datetime) -> Sequence[tuple[PublicReportRefusal, str]]:
    """(refusal count, reference), newest hour first."""
    return session.execute(select(PublicReportRefusal, UseCase.reference)
                           .join(UseCase, UseCase.id == PublicReportRefusal.use_case_id)
                           .where(PublicReportRefusal.hour >= since)
                           .order_by(PublicReportRefusal.hour.desc(), UseCase.reference,
                                     PublicReportRefusal.reason)).tuples().all()


def report(session: Session, report_id: int) -> PublicReport | None:
    return session.get(PublicReport, report_id)


def reports_with_use_case(session: Session, *, open_only: bool = False) -> Sequence[tuple[PublicReport, str, str]]:
    """(report, reference, title), newest first."""
    q = (select(PublicReport, UseCase.reference, UseCase.title).join(UseCase, UseCase.id == PublicReport.use_case_id)
         .order_by(PublicReport.id.desc()))
    if open_only:
        q = q.where(PublicReport.status == "open")
    return session.execute(q).tuples().all()


def open_reports(session: Session) -> Sequence[PublicReport]:
    """Open reports, oldest first."""
    return session.scalars(select(PublicReport).where(PublicReport.status == "open").order_by(PublicReport.id)).all()
