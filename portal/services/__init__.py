"""Services: every operation of the portal and the CLI, with permission checks, validation,
one transaction per call and an audit event in that same transaction."""

from __future__ import annotations

from dataclasses import dataclass

from portal.db.session import Database
from portal.services.audit import AuditService
from portal.services.exports import ExportService
from portal.services.people import PeopleService
from portal.services.portfolio import PortfolioService  # portfolio (issue 4)
from portal.services.portfolio_exports import PortfolioExports  # portfolio (issue 4)
from portal.services.register import RegisterService


@dataclass
class Services:
    db: Database
    register: RegisterService
    people: PeopleService
    audit: AuditService
    exports: ExportService
    # --- portfolio (issue 4) ---
    portfolio: PortfolioService
    portfolio_exports: PortfolioExports


def build_services(url: str) -> Services:
    db = Database(url)
    audit = AuditService(db.reader, db.writer)
    register = RegisterService(db.reader, db.writer)
    # --- portfolio (issue 4): the lead wires classification_of to the governance service ---
    portfolio = PortfolioService(db.reader, db.writer, classification_of=None)
    return Services(
        db=db,
        register=register,
        people=PeopleService(db.reader, db.writer),
        audit=audit,
        exports=ExportService(register, audit),
        portfolio=portfolio,
        portfolio_exports=PortfolioExports(portfolio, audit),
    )
