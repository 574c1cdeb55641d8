"""ORM models, one module per aggregate. Importing this package registers every table."""

from portal.db.base import Base
from portal.db.models.audit import AuditEvent
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

__all__ = ["AuditEvent", "Base", "DataSource", "Person", "Risk", "RoleAssignment", "UseCase"]
__all__ += ["BenefitMeasure", "BudgetLine", "SavedScenario", "ScoringWeightsVersion", "UseCaseScore"]
