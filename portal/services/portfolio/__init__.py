"""The portfolio for the general direction: score inputs, weights, budget, benefits, views, scenarios.

The arithmetic is pure and lives in :mod:`policies.prioritisation`; this service reads and writes
what it needs, checks who may act, and audits every change in the same transaction.

Parts: ``base`` (sessions, use cases and their classification), ``scores`` (weights, criteria,
the ranked portfolio and its views), ``budget`` (budget lines and benefits, with
``budget_import`` for a finance department's export), ``scenarios`` (the planner, saved
scenarios), ``exports`` (workbook and board report) and ``fields`` (input and read models).
"""

from portal.services.portfolio.exports import PortfolioExports, comparison_frame
from portal.services.portfolio.fields import (
    BENEFIT_LABELS,
    BUDGET_LABELS,
    CRITERION_CODES,
    DEFAULT_CANDIDATE_STAGES,
    RANKED_COLUMNS_FR,
    SCENARIO_LABELS,
    SCORE_LABELS,
    EditableMeasure,
    Explanation,
    SavedScenarioView,
    ScenarioOutcome,
    ScenarioParams,
    ScoreInputs,
)
from portal.services.portfolio.scenarios import result_from_saved
from portal.services.portfolio.service import PortfolioService

__all__ = [
    "BENEFIT_LABELS",
    "BUDGET_LABELS",
    "CRITERION_CODES",
    "DEFAULT_CANDIDATE_STAGES",
    "RANKED_COLUMNS_FR",
    "SCENARIO_LABELS",
    "SCORE_LABELS",
    "EditableMeasure",
    "Explanation",
    "PortfolioExports",
    "PortfolioService",
    "SavedScenarioView",
    "ScenarioOutcome",
    "ScenarioParams",
    "ScoreInputs",
    "comparison_frame",
    "result_from_saved",
]
