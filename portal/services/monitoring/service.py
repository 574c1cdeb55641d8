"""The monitoring service, assembled from its parts (one file each)."""

from __future__ import annotations

from portal.services.monitoring.checks import ChecksMixin
from portal.services.monitoring.configuration import ConfigurationMixin
from portal.services.monitoring.outcomes import OutcomesMixin


class MonitoringService(ConfigurationMixin, ChecksMixin, OutcomesMixin):
    """Reference batch, drift checks, outcomes and alerts of a collectivité's pilots and deployments."""
