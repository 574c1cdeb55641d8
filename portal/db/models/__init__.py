"""ORM models, one module per aggregate. Importing this package registers every table."""

from portal.db.base import Base
from portal.db.models.analysis import AnalysisArtifact, AnalysisBinding, AnalysisRun
from portal.db.models.audit import AuditEvent
from portal.db.models.deployment import (
    DeploymentWave,
    RollbackPlan,
    SupplierContract,
    SupplierDocument,
    WaveDecision,
)
from portal.db.models.governance import (
    Classification,
    GateDecision,
    GateRequest,
    ObligationEvidence,
    ObligationRecord,
    PeriodicReview,
)
from portal.db.models.identity import Person, RoleAssignment
from portal.db.models.monitoring import (
    MonitoringAlert,
    MonitoringColumnResult,
    MonitoringConfig,
    MonitoringOutcome,
    MonitoringReference,
    MonitoringRun,
)
from portal.db.models.notifications import (
    Notification,
    NotificationCursor,
    NotificationDelivery,
    NotificationPreference,
)
from portal.db.models.organisation import Organisation
from portal.db.models.people_use import (
    AgentFeedback,
    ResidentMeasure,
    ServiceNeed,
    TrainingSession,
    UserGroup,
)
from portal.db.models.portfolio import (
    BenefitMeasure,
    BudgetLine,
    SavedScenario,
    ScoringWeightsVersion,
    UseCaseScore,
)
from portal.db.models.public_register import PublicRegisterEntry, PublicReport, PublicReportRefusal
from portal.db.models.register import DataSource, Risk, UseCase
from portal.db.models.sign_in_sessions import IdentitySession

__all__ = ["AuditEvent", "Base", "DataSource", "Person", "Risk", "RoleAssignment", "UseCase"]
__all__ += [
    "Classification", "GateDecision", "GateRequest", "ObligationEvidence", "ObligationRecord", "PeriodicReview",
]
__all__ += ["IdentitySession"]
__all__ += ["BenefitMeasure", "BudgetLine", "SavedScenario", "ScoringWeightsVersion", "UseCaseScore"]
__all__ += [
    "MonitoringAlert", "MonitoringColumnResult", "MonitoringConfig", "MonitoringOutcome", "MonitoringReference",
    "MonitoringRun",
]
__all__ += ["AnalysisArtifact", "AnalysisBinding", "AnalysisRun"]
__all__ += ["PublicRegisterEntry", "PublicReport", "PublicReportRefusal"]
__all__ += ["Notification", "NotificationCursor", "NotificationDelivery", "NotificationPreference"]
__all__ += ["Organisation"]
__all__ += ["DeploymentWave", "RollbackPlan", "SupplierContract", "SupplierDocument", "WaveDecision"]
__all__ += ["AgentFeedback", "ResidentMeasure", "ServiceNeed", "TrainingSession", "UserGroup"]
