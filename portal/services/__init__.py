"""Services: every operation of the portal and the CLI, with permission checks, validation,
one transaction per call and an audit event in that same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from portal.db.session import Database
from portal.services.adoption import AdoptionService
from portal.services.analysis import AnalysisService
from portal.services.attention import AttentionService
from portal.services.audit import AuditService
from portal.services.audit_export import AuditExportService
from portal.services.deployment import DeploymentService
from portal.services.elected import ElectedService
from portal.services.elected_report import report_sections
from portal.services.exports import ExportService
from portal.services.governance import GovernanceService
from portal.services.identity import IdentityService
from portal.services.inventory_import import InventoryImportService
from portal.services.monitoring import MonitoringService
from portal.services.needs import NeedsService
from portal.services.notifications import NotificationService
from portal.services.organisation import OrganisationService
from portal.services.people import PeopleService
from portal.services.portfolio import PortfolioExports, PortfolioService
from portal.services.procurement import ProcurementService
from portal.services.public_register import PublicRegisterService
from portal.services.public_reports import PublicReportService
from portal.services.register import RegisterService
from portal.services.residents import ResidentsService
from portal.services.sign_in_sessions import SignInSessionService
from portal.services.suspension import SuspensionService
from usecases import registry
from usecases.registry import UnknownModule


@dataclass
class Services:
    db: Database
    register: RegisterService
    people: PeopleService
    audit: AuditService
    exports: ExportService
    audit_exports: AuditExportService
    sign_in_sessions: SignInSessionService
    identity: IdentityService
    governance: GovernanceService
    portfolio: PortfolioService
    portfolio_exports: PortfolioExports
    monitoring: MonitoringService
    suspensions: SuspensionService
    analysis: AnalysisService
    public_register: PublicRegisterService
    public_reports: PublicReportService
    notifications: NotificationService
    inventory_import: InventoryImportService
    organisation: OrganisationService
    deployment: DeploymentService
    procurement: ProcurementService
    # the people around each use case: services' needs, agents, residents, elected officials
    needs: NeedsService
    adoption: AdoptionService
    residents: ResidentsService
    elected: ElectedService
    attention: AttentionService


def build_services(url: str, data_dir: Path | None = None) -> Services:
    """Every service over one database. Files (evidence, stored batches) live under ``data_dir``."""
    from portal.settings import load_settings

    settings = load_settings()
    if data_dir is None:
        data_dir = settings.data_dir
    db = Database(url)
    organisation = OrganisationService(db.reader, db.writer)
    audit = AuditService(db.reader, db.writer)
    register = RegisterService(db.reader, db.writer)
    sign_in_sessions = SignInSessionService(db.reader, db.writer)
    governance = GovernanceService(db.reader, db.writer, data_dir)
    # The risk part of a priority score is the governance classification (AI Act class, impact level).
    portfolio = PortfolioService(db.reader, db.writer, classification_of=governance.classification_of)
    portfolio.classifications_of = governance.classifications_of  # lists: one query, not one per row
    analysis = AnalysisService(db.reader, db.writer)
    # Drift thresholds tighten with the impact level recorded by governance; the monitored columns
    # come from the input schema of the analysis module bound to the use case.
    monitoring = MonitoringService(db.reader, db.writer, classification_of=governance.classification_of,
                                   module_of=lambda use_case_id: _bound_module(analysis, use_case_id))
    monitoring.classifications_of = governance.classifications_of
    # A run chosen as the monitoring reference becomes the reference batch that drift is checked against.
    analysis.on_reference = lambda principal, use_case_id, run_id, inputs: monitoring.set_reference(
        principal, use_case_id, inputs, source_label=f"Exécution d'analyse n° {run_id}", analysis_run_id=run_id)
    # A later run is checked against that reference from the use case's Analyses tab.
    analysis.on_check = lambda principal, use_case_id, run_id, frames: monitoring.run_check(
        principal, use_case_id, frames, label=f"Exécution d'analyse n° {run_id}")
    residents = ResidentsService(db.reader, db.writer)
    needs = NeedsService(db.reader, db.writer, register)
    elected = ElectedService(db.reader, residents)
    public_reports = PublicReportService(db.reader, db.writer, per_hour=settings.public_reports_per_hour,
                                         per_entry=settings.public_reports_per_entry)
    # the home page's attention list: register, governance, monitoring and public reports, cached until a write
    attention = AttentionService(db.reader, [governance.attention, register.attention, monitoring.attention,
                                             public_reports.attention])
    return Services(
        db=db,
        register=register,
        people=PeopleService(db.reader, db.writer),
        audit=audit,
        exports=ExportService(register, audit),
        audit_exports=AuditExportService(audit, register),
        sign_in_sessions=sign_in_sessions,
        identity=IdentityService(db.reader, db.writer, sign_in_sessions),
        governance=governance,
        portfolio=portfolio,
        portfolio_exports=PortfolioExports(portfolio, audit, organisation_name=organisation.display_name,
                                           people_sections=lambda: report_sections(elected, needs)),
        monitoring=monitoring,
        # A suspension proposed by monitoring is decided by a human through the governance gate.
        suspensions=SuspensionService(governance, monitoring),
        analysis=analysis,
        public_register=PublicRegisterService(db.reader, db.writer, register, governance, audit,
                                              module_of=lambda use_case_id: _bound_title(analysis, use_case_id),
                                              modules_of=lambda: _bound_titles(analysis)),
        public_reports=public_reports,
        notifications=NotificationService(db.reader, db.writer, settings.notify, review_due=lambda today: {
            i: r.due_date for i, r in governance.review_statuses(today).items()}),
        inventory_import=InventoryImportService(register, audit, data_dir),
        organisation=organisation,
        # deployment in waves (a use case's return to its previous stage goes through governance.roll_back)
        deployment=DeploymentService(db.reader, db.writer),
        procurement=ProcurementService(db.reader, db.writer, data_dir),
        # a need turned into an idea is created through the register, in the same transaction
        needs=needs,
        # the agents' overrides feed outcome monitoring (its thresholds and alerts)
        adoption=AdoptionService(db.reader, db.writer, monitoring),
        residents=residents,
        elected=elected,
        attention=attention,
    )


def _bound_module(analysis: AnalysisService, use_case_id: int) -> str | None:
    """The key of the analysis module bound to the use case (monitoring reads its input schema), if any."""
    binding = analysis.binding(use_case_id)
    return binding.module_key if binding else None


def _bound_titles(analysis: AnalysisService) -> dict[int, str]:
    """:func:`_bound_title` of every bound use case, in one query."""
    keys = analysis.bound_modules()
    titles = {key: _module_title(key) for key in set(keys.values())}  # a few modules, thousands of use cases
    return {use_case_id: titles[key] for use_case_id, key in keys.items()}


def _module_title(key: str) -> str:
    try:
        return registry.get(key).title
    except UnknownModule:  # a module no longer installed: its key is all that is known
        return key


def _bound_title(analysis: AnalysisService, use_case_id: int) -> str | None:
    """The title of the analysis module bound to the use case (what the public register names), if any."""
    key = _bound_module(analysis, use_case_id)
    return None if key is None else _module_title(key)
