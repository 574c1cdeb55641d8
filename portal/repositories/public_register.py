"""Queries on the public register: published entries, reports from the public and refused posts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db.models import PublicRegisterEntry, PublicReport, PublicReportRefusal, UseCase


def entries(session: Session) -> Sequence[PublicRegisterEntry]:
    """Every publication and withdrawal, oldest first."""
    return session.scalars(select(PublicRegisterEntry).order_by(PublicRegisterEntry.id)).all()


def latest_entries(session: Session) -> dict[int, PublicRegisterEntry]:
    """The latest publication or withdrawal of each use case."""
    return {r.use_case_id: r for r in entries(session)}


def publications(session: Session) -> Sequence[PublicRegisterEntry]:
    """Every publication (no withdrawal), oldest first."""
    return session.scalars(select(PublicRegisterEntry).where(PublicRegisterEntry.action == "publish")
                           .order_by(PublicRegisterEntry.id)).all()


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
