"""Governance of the use cases: the pure engines of ``policies`` wired to the database."""

from portal.services.governance.service import GovernanceService
from portal.services.governance.views import (
    ATTESTATIONS,
    REVIEW_OUTCOMES,
    ClassificationView,
    GateDecisionView,
    GateRequestView,
    ObligationView,
    ReviewStatus,
)

__all__ = [
    "ATTESTATIONS",
    "REVIEW_OUTCOMES",
    "ClassificationView",
    "GateDecisionView",
    "GateRequestView",
    "GovernanceService",
    "ObligationView",
    "ReviewStatus",
]
