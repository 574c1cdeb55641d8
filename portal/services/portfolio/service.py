"""The portfolio service, assembled from its parts (one file each)."""

from __future__ import annotations

from portal.services.portfolio.budget import BudgetMixin
from portal.services.portfolio.scenarios import ScenariosMixin


class PortfolioService(ScenariosMixin, BudgetMixin):
    """Score inputs, weights, budget, benefits, views and scenarios of the general direction."""
