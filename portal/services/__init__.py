"""Services: every operation of the portal and the CLI, with permission checks, validation,
one transaction per call and an audit event in that same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from portal.db.session import Database
from portal.services.audit import AuditService
from portal.services.exports import ExportService
from portal.services.governance import GovernanceService
from portal.services.people import PeopleService
from portal.services.register import RegisterService


@dataclass
class Services:
    db: Database
    register: RegisterService
    people: PeopleService
    audit: AuditService
    exports: ExportService
    governance: GovernanceService = field(init=False)  # governance (issue 3)


def build_services(url: str, data_dir: Path | None = None) -> Services:
    db = Database(url)
    audit = AuditService(db.reader, db.writer)
    register = RegisterService(db.reader, db.writer)
    services = Services(
        db=db,
        register=register,
        people=PeopleService(db.reader, db.writer),
        audit=audit,
        exports=ExportService(register, audit),
    )
    # governance (issue 3): evidence files live under the data folder
    if data_dir is None:
        from portal.settings import load_settings

        data_dir = load_settings().data_dir
    services.governance = GovernanceService(db.reader, db.writer, data_dir)
    return services
