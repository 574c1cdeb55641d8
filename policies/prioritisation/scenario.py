"""Scenario planner: the set of use cases that maximises total value under budget and capacity.

A 0/1 integer programme, solved exactly::

    maximise    Σ v_i x_i
    subject to  Σ c_i x_i ≤ B                (budget, on the chosen basis)
                Σ e_i x_i ≤ K                (team capacity, person-days)
                Σ_{i∈G} x_i ≤ 1              for every group G of mutually exclusive use cases
                x_i = 1 for must-do ids,  x_i = 0 for excluded ids,  x_i ∈ {0, 1}

First by :mod:`policies.prioritisation.exact` (LP bound, reduced-cost fixing, then every plan worth
a target enumerated in two halves met in the middle, :mod:`policies.prioritisation.enumeration`: a
few hundred milliseconds for 5,000 candidates); when that enumeration would grow too large
(overlapping exclusive groups, many near-ties), by HiGHS (:mod:`policies.prioritisation.highs`)
with the relative MIP gap set to 0. Either way the answer is optimal, not merely good (see
README.md); ``ScenarioResult.method`` says which proved it, ``status`` whether a ``time_limit`` cut
HiGHS short (then the plan is the best found, not a proven optimum).

Budget basis (``Constraints.budget_basis``), with ``budget`` the *annual* budget:

* ``"first_year"`` (default): c_i = build + run per year, compared with ``budget``;
* ``"annual_run"``: c_i = run per year only (build funded elsewhere), compared with ``budget``;
* ``"horizon"``: c_i = build + run per year × ``horizon_years``, compared with ``budget × horizon_years``.

Missing figures: a value, cost or effort left empty (``None`` or NaN) is *unknown*, not zero. A
candidate with an unknown figure that the budget basis needs is left out of the optimisation and
reported in ``ScenarioResult.incomplete`` as « à compléter », naming the figures; if the constraints
impose it, it is kept and its unknown figures count as zero, which the result says too. A figure
counted as zero would make an unfinished sheet look free and win the budget.

Ties are broken deterministically: the model is always built in id order, whatever order the
candidates come in, and both methods are deterministic on identical input, so the same inputs give
the same plan: an optimal one. With ``prefer_cheaper_ties=True``, the least costly optimal plan
(then least effort): the enumeration runs once more at the optimum's own value, where it sees every
optimal plan; HiGHS, when it is the one proving, adds a lexicographic second solve (keep the optimal
value, minimise cost), exact but often several times as long as the first.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Literal

import numpy as np
import pandas as pd

from policies.prioritisation import exact
from policies.prioritisation.checks import validate
from policies.prioritisation.highs import branch_and_bound
from policies.prioritisation.model import (
    BUDGET_BASIS_FR,
    FIGURE_FR,
    STATUS_FR,
    TREATMENT_FR,
    BudgetBasis,
    Candidate,
    Constraints,
    Incomplete,
    ScenarioInfeasible,
    ScenarioResult,
    Treatment,
    unknown,
)

__all__ = [
    "BUDGET_BASIS_FR", "FIGURE_FR", "STATUS_FR", "TREATMENT_FR", "BudgetBasis", "Candidate", "Constraints",
    "Incomplete", "ScenarioInfeasible", "ScenarioResult", "Treatment", "compare", "plan", "unknown",
]


def plan(
    candidates: Iterable[Candidate],
    constraints: Constraints,
    name: str = "",
    solver: Literal["auto", "branch_and_bound"] = "auto",
) -> ScenarioResult:
    """Choose the candidates that maximise total value under ``constraints`` (exactly, see module doc).

    ``solver="branch_and_bound"`` skips the bounded enumeration and asks HiGHS directly (the
    benchmark's reference, and a cross-check in the tests).
    Raises :class:`ScenarioInfeasible` with a French message when no plan exists.
    """
    k = constraints
    cands = sorted(candidates, key=lambda c: c.id)
    validate(cands, k)
    t0 = time.perf_counter()
    n = len(cands)
    incomplete = _incomplete(cands, k)
    if n == 0:
        return ScenarioResult(name, (), 0.0, 0.0, 0.0, k.available_budget, k.capacity_days, "optimal",
                              0.0, k.budget_basis, k.horizon_years, k.available_budget)
    index = {c.id: i for i, c in enumerate(cands)}
    values = np.array([c.figure("value") for c in cands], dtype=float)
    costs = np.array([c.cost(k.budget_basis, k.horizon_years) for c in cands], dtype=float)
    efforts = np.array([c.figure("effort_days") for c in cands], dtype=float)
    lb, ub = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    lb[[index[i] for i in k.must_do]] = True
    ub[[index[i] for i in k.excluded]] = False
    ub[[index[i.id] for i in incomplete if i.treatment == "left_out"]] = False
    chosen = None
    status: Literal["optimal", "time_limit"] = "optimal"
    method: Literal["core", "branch_and_bound"] = "branch_and_bound"
    if solver == "auto":
        try:
            solution = exact.solve(values, costs, efforts, k.available_budget, k.capacity_days,
                                   [[index[i] for i in g] for g in k.exclusive_groups], lb, ub,
                                   cheapest=k.prefer_cheaper_ties)
            chosen, method = solution.chosen, "core"
        except exact.CoreTooLarge as too_large:
            if too_large.lb is not None and too_large.ub is not None:
                lb, ub = too_large.lb, too_large.ub  # HiGHS starts from the core the bound left
    if chosen is None:
        if k.time_limit is not None:  # the limit covers the whole plan: HiGHS gets what is left
            k = replace(k, time_limit=max(k.time_limit - (time.perf_counter() - t0), 0.01))
        chosen, status = branch_and_bound(values, costs, efforts, k, index, lb, ub)
    total_cost = float(costs @ chosen)
    total_effort = float(efforts @ chosen)
    return ScenarioResult(
        name=name,
        selected_ids=tuple(c.id for c, s in zip(cands, chosen, strict=True) if s),
        total_value=float(values @ chosen),
        total_cost=total_cost,
        total_effort=total_effort,
        budget_left=k.available_budget - total_cost,
        capacity_left=k.capacity_days - total_effort,
        status=status,
        solve_seconds=time.perf_counter() - t0,
        budget_basis=k.budget_basis,
        horizon_years=k.horizon_years,
        available_budget=k.available_budget,
        method=method,
        incomplete=incomplete,
    )


def _incomplete(cands: Sequence[Candidate], k: Constraints) -> tuple[Incomplete, ...]:
    """The candidates with unknown figures: imposed ones are kept (unknowns count as zero), excluded
    ones stay out, the others are left out of the optimisation."""
    must, excluded = set(k.must_do), set(k.excluded)
    out = []
    for c in cands:
        missing = c.missing(k.budget_basis)
        if missing:
            treatment: Treatment = "imposed" if c.id in must else "excluded" if c.id in excluded else "left_out"
            out.append(Incomplete(c.id, c.title, missing, treatment))
    return tuple(out)


_TOTALS_FR = (
    ("selected_count", "Nombre de cas d'usage retenus"),
    ("total_value", "Valeur totale"),
    ("total_cost", "Coût total (€)"),
    ("budget_left", "Budget restant (€)"),
    ("total_effort", "Charge totale (jours-personne)"),
    ("capacity_left", "Capacité restante (jours-personne)"),
)
DIFF_COLUMN_FR = "Écart"


def compare(scenarios: Sequence[ScenarioResult] | Mapping[str, ScenarioResult]) -> pd.DataFrame:
    """Scenarios side by side: one column per scenario plus an « Écart » column.

    Rows are indexed by (section, label): section « Totaux » holds the totals (écart = last − first
    for two scenarios, max − min beyond); section « Cas d'usage » has one row per id selected in
    any scenario, « oui » / « non » per scenario, and the écart names the scenarios that retain it
    when they disagree (empty when all agree).
    """
    if isinstance(scenarios, Mapping):
        named = list(scenarios.items())
    else:
        named = [(s.name or f"Scénario {i + 1}", s) for i, s in enumerate(scenarios)]
    names = [n for n, _ in named]
    if len(set(names)) != len(names):
        raise ValueError("Deux scénarios portent le même nom : renommez-les pour les comparer.")
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for attr, label in _TOTALS_FR:
        vals = [len(s.selected_ids) if attr == "selected_count" else getattr(s, attr) for _, s in named]
        row: dict[str, object] = dict(zip(names, vals, strict=True))
        if len(vals) == 2:
            row[DIFF_COLUMN_FR] = vals[1] - vals[0]
        else:
            row[DIFF_COLUMN_FR] = (max(vals) - min(vals)) if vals else 0
        rows[("Totaux", label)] = row
    all_ids = sorted({i for _, s in named for i in s.selected_ids})
    for uid in all_ids:
        inside = [n for n, s in named if uid in s.selected_ids]
        row = {n: ("oui" if n in inside else "non") for n in names}
        row[DIFF_COLUMN_FR] = "" if len(inside) == len(names) else "retenu dans : " + ", ".join(inside)
        rows[("Cas d'usage", uid)] = row
    df = pd.DataFrame.from_dict(rows, orient="index", columns=[*names, DIFF_COLUMN_FR])
    df.index = pd.MultiIndex.from_tuples(df.index, names=["Section", "Élément"])
    return df
