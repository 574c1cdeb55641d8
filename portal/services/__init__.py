"""Services: every operation of the portal and the CLI, with permission checks, validation,
one transaction per call and an audit event in that same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from portal.db.session import Database
from portal.services.audit import AuditService
from portal.services.audit_export import AuditExportService
from portal.services.exports import ExportService
from portal.services.governance import GovernanceService

# identity (issue 7)
from portal.services.identity import IdentityService
from portal.services.people import PeopleService
from portal.services.register import RegisterService
from portal.services.sessions import SessionService


@dataclass
class Services:
    db: Database
    register: RegisterService
    people: PeopleService
    audit: AuditService
    exports: ExportService
    governance: GovernanceService = field(init=False)  # governance (issue 3)
    # identity (issue 7)
    sessions: SessionService = None  # type: ignore[assignment]
    identity: IdentityService = None  # type: ignore[assignment]
    audit_exports: AuditExportService = None  # type: ignore[assignment]


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
    # identity (issue 7)
    services.sessions = SessionService(db.reader, db.writer)
    services.identity = IdentityService(db.reader, db.writer, services.sessions)
    services.audit_exports = AuditExportService(audit, register)
    return services
