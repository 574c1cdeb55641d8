"""Prioritisation of the portfolio for the general direction: scores, scenarios, charts.

Pure (no Streamlit, no SQLAlchemy, no ``portal``). See README.md in this folder for the method.
"""

from policies.prioritisation.scenario import (
    Candidate,
    Constraints,
    Incomplete,
    ScenarioInfeasible,
    ScenarioResult,
    compare,
    plan,
)
from policies.prioritisation.scoring import (
    RANK_COLUMNS_FR,
    ScoreBreakdown,
    ScoreLine,
    ScoringWeights,
    UseCaseCriteria,
    WeightsError,
    load_weights,
    rank,
    score,
)

__all__ = [
    "RANK_COLUMNS_FR",
    "Candidate",
    "Constraints",
    "Incomplete",
    "ScenarioInfeasible",
    "ScenarioResult",
    "ScoreBreakdown",
    "ScoreLine",
    "ScoringWeights",
    "UseCaseCriteria",
    "WeightsError",
    "compare",
    "load_weights",
    "plan",
    "rank",
    "score",
]
