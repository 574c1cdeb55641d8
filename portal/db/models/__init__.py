"""ORM models, one module per aggregate. Importing this package registers every table."""

from portal.db.base import Base
from portal.db.models.analysis import AnalysisArtifact, AnalysisBinding, AnalysisRun
from portal.db.models.audit import AuditEvent
from portal.db.models.identity import Person, RoleAssignment
from portal.db.models.register import DataSource, Risk, UseCase

__all__ = [
    "AnalysisArtifact", "AnalysisBinding", "AnalysisRun",  # analysis
    "AuditEvent", "Base", "DataSource", "Person", "Risk", "RoleAssignment", "UseCase"]
