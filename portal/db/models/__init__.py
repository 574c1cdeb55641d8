"""ORM models, one module per aggregate. Importing this package registers every table."""

from portal.db.base import Base
from portal.db.models.audit import AuditEvent
from portal.db.models.governance import (
    Classification,
    GateDecision,
    GateRequest,
    ObligationEvidence,
    ObligationRecord,
    PeriodicReview,
)
from portal.db.models.identity import Person, RoleAssignment

# --- portfolio (issue 4) ---
from portal.db.models.portfolio import (
    BenefitMeasure,
    BudgetLine,
    SavedScenario,
    ScoringWeightsVersion,
    UseCaseScore,
)

# --- end portfolio ---
from portal.db.models.register import DataSource, Risk, UseCase

# identity (issue 7)
from portal.db.models.sessions import IdentitySession

__all__ = ["AuditEvent", "Base", "DataSource", "Person", "Risk", "RoleAssignment", "UseCase"]
__all__ += [  # governance
    "Classification", "GateDecision", "GateRequest", "ObligationEvidence", "ObligationRecord", "PeriodicReview",
]
__all__ += ["IdentitySession"]
__all__ += ["BenefitMeasure", "BudgetLine", "SavedScenario", "ScoringWeightsVersion", "UseCaseScore"]
