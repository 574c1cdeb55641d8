"""ORM models, one module per aggregate. Importing this package registers every table."""

from portal.db.base import Base
from portal.db.models.audit import AuditEvent
from portal.db.models.identity import Person, RoleAssignment

# --- monitoring (issue 6) ---
from portal.db.models.monitoring import (
    MonitoringAlert,
    MonitoringColumnResult,
    MonitoringConfig,
    MonitoringOutcome,
    MonitoringReference,
    MonitoringRun,
)

# --- end monitoring ---
from portal.db.models.register import DataSource, Risk, UseCase

__all__ = ["AuditEvent", "Base", "DataSource", "Person", "Risk", "RoleAssignment", "UseCase"]
__all__ += [  # monitoring (issue 6)
    "MonitoringAlert", "MonitoringColumnResult", "MonitoringConfig", "MonitoringOutcome", "MonitoringReference",
    "MonitoringRun",
]
