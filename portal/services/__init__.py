"""Services: every operation of the portal and the CLI, with permission checks, validation,
one transaction per call and an audit event in that same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from portal.db.session import Database
from portal.services.analysis import AnalysisService
from portal.services.audit import AuditService
from portal.services.exports import ExportService
from portal.services.people import PeopleService
from portal.services.register import RegisterService


@dataclass
class Services:
    db: Database
    register: RegisterService
    people: PeopleService
    audit: AuditService
    exports: ExportService
    # analysis (issue 5)
    analysis: AnalysisService


def build_services(url: str) -> Services:
    db = Database(url)
    audit = AuditService(db.reader, db.writer)
    register = RegisterService(db.reader, db.writer)
    return Services(
        db=db,
        register=register,
        people=PeopleService(db.reader, db.writer),
        audit=audit,
        exports=ExportService(register, audit),
        analysis=AnalysisService(db.reader, db.writer),  # the lead wires on_reference to monitoring
    )
