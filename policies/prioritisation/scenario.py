"""Scenario planner: the set of use cases that maximises total value under budget and capacity.

A 0/1 integer programme, solved exactly::

    maximise    Σ v_i x_i
    subject to  Σ c_i x_i ≤ B                (budget, on the chosen basis)
                Σ e_i x_i ≤ K                (team capacity, person-days)
                Σ_{i∈G} x_i ≤ 1              for every group G of mutually exclusive use cases
                x_i = 1 for must-do ids,  x_i = 0 for excluded ids,  x_i ∈ {0, 1}

First by :mod:`policies.prioritisation.exact` (LP bound, reduced-cost fixing, then a bounded
enumeration of the few use cases the bound leaves open: tens of milliseconds for 500 candidates);
when that enumeration would grow too large (overlapping exclusive groups, many near-ties), by HiGHS
through :func:`scipy.optimize.milp` with the relative MIP gap set to 0. Either way the answer is
optimal, not merely good (see README.md); ``ScenarioResult.method`` says which proved it.

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
the same plan. The enumeration returns, among the optimal sets, one of least cost (then least
effort). HiGHS returns one optimal set; with ``prefer_cheaper_ties=True`` a second, lexicographic
solve keeps the optimal value and picks one of least cost; it is exact but can cost several times
the first solve (an equality-like value constraint is hard for branch and bound), hence off by
default.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from policies.prioritisation import exact
from policies.prioritisation._format import fr_eur, fr_number
from policies.prioritisation.scoring import ScoreBreakdown, UseCaseCriteria

BudgetBasis = Literal["first_year", "annual_run", "horizon"]
BUDGET_BASIS_FR: dict[str, str] = {
    "first_year": "première année (réalisation + fonctionnement annuel)",
    "annual_run": "fonctionnement annuel seul",
    "horizon": "coût complet sur l'horizon (réalisation + fonctionnement × années)",
}
STATUS_FR = {"optimal": "Optimal", "time_limit": "Meilleure solution trouvée dans le temps imparti"}
#: The figures a candidate may lack, in French (as the scenario's « à compléter » list names them).
FIGURE_FR = {"value": "priorité (aucun critère noté)", "build_cost": "coût de réalisation",
             "run_cost_per_year": "coût annuel de fonctionnement", "effort_days": "charge (jours-personne)"}
Treatment = Literal["left_out", "imposed", "excluded"]
TREATMENT_FR: dict[str, str] = {
    "left_out": "laissé hors de l'optimisation, à compléter",
    "imposed": "imposé : chiffres manquants comptés pour zéro",
    "excluded": "écarté par la direction",
}


def unknown(x: float | None) -> bool:
    """A figure left empty: None or NaN (an infinite figure is an error, not an unknown)."""
    return x is None or bool(pd.isna(x))


class ScenarioInfeasible(ValueError):
    """No plan can satisfy the inputs; ``message`` says why, in French, naming the cause."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Candidate:
    """A use case the planner may select. ``value`` is usually the priority from :func:`score`.

    A figure left empty is ``None`` (or NaN): unknown, see the module doc."""

    id: str
    value: float | None
    build_cost: float | None = 0.0
    run_cost_per_year: float | None = 0.0
    effort_days: float | None = 0.0
    title: str = ""

    def missing(self, basis: BudgetBasis = "first_year") -> tuple[str, ...]:
        """The unknown figures this basis needs, as keys of :data:`FIGURE_FR`."""
        needed = ["value", "run_cost_per_year", "effort_days"]
        if basis != "annual_run":
            needed.insert(1, "build_cost")
        return tuple(f for f in needed if unknown(getattr(self, f)))

    def figure(self, name: str) -> float:
        """A figure, an unknown one counting as zero (only for imposed candidates, see the module doc)."""
        x = getattr(self, name)
        return 0.0 if unknown(x) else float(x)

    def cost(self, basis: BudgetBasis = "first_year", horizon_years: int = 1) -> float:
        build, run = self.figure("build_cost"), self.figure("run_cost_per_year")
        if basis == "first_year":
            return build + run
        if basis == "annual_run":
            return run
        return build + run * horizon_years

    @classmethod
    def from_score(cls, criteria: UseCaseCriteria, breakdown: ScoreBreakdown) -> Candidate:
        """A candidate valued at its priority; costs and effort not filled stay unknown (None)."""
        return cls(
            id=criteria.reference,
            value=breakdown.priority if breakdown.completeness > 0 else None,
            build_cost=criteria.build_cost,
            run_cost_per_year=criteria.run_cost_per_year,
            effort_days=criteria.effort_days,
            title=criteria.title,
        )


@dataclass(frozen=True)
class Incomplete:
    """A candidate with unknown figures: which ones, and what the planner did with it."""

    id: str
    title: str
    missing: tuple[str, ...]
    treatment: Treatment

    @property
    def missing_fr(self) -> str:
        return ", ".join(FIGURE_FR[m] for m in self.missing)

    @property
    def treatment_fr(self) -> str:
        return TREATMENT_FR[self.treatment]


@dataclass(frozen=True)
class Constraints:
    """What bounds a scenario. ``budget`` is annual (€); ``capacity_days`` covers the plan period."""

    budget: float
    capacity_days: float
    budget_basis: BudgetBasis = "first_year"
    horizon_years: int = 1
    must_do: tuple[str, ...] = ()
    exclusive_groups: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    #: Seconds HiGHS may spend per solve; None = until proven optimal.
    time_limit: float | None = None
    #: Second solve: among the sets of optimal value, one of least cost (slower; see module doc).
    prefer_cheaper_ties: bool = False

    @property
    def available_budget(self) -> float:
        return self.budget * (self.horizon_years if self.budget_basis == "horizon" else 1)


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    selected_ids: tuple[str, ...]
    total_value: float
    total_cost: float
    total_effort: float
    budget_left: float
    capacity_left: float
    status: Literal["optimal", "time_limit"]
    solve_seconds: float
    budget_basis: BudgetBasis = "first_year"
    horizon_years: int = 1
    available_budget: float = 0.0
    notes: tuple[str, ...] = field(default=())
    #: How optimality was proven: "core" (bounded enumeration) or "branch_and_bound" (HiGHS).
    method: Literal["core", "branch_and_bound"] = "branch_and_bound"
    #: Candidates with unknown figures, in id order, and how each was treated.
    incomplete: tuple[Incomplete, ...] = ()

    def summary_fr(self) -> str:
        n = len(self.selected_ids)
        text = (
            f"{n} cas d'usage retenu{'s' if n > 1 else ''} pour une valeur totale de "
            f"{fr_number(self.total_value, 1)} ; coût {fr_eur(self.total_cost)} sur "
            f"{fr_eur(self.available_budget)} ({BUDGET_BASIS_FR[self.budget_basis]}) ; charge "
            f"{fr_number(self.total_effort)} jours-personne, capacité restante "
            f"{fr_number(self.capacity_left)} jours-personne. {STATUS_FR[self.status]}."
        )
        return " ".join([text, *self.incomplete_fr()])

    def incomplete_fr(self) -> list[str]:
        """One sentence per treatment of the incomplete candidates (none when every sheet is complete)."""
        out = []
        left = [i for i in self.incomplete if i.treatment == "left_out"]
        imposed = [i for i in self.incomplete if i.treatment == "imposed"]
        if left:
            out.append(f"{len(left)} cas à compléter, laissé{'s' if len(left) > 1 else ''} hors de "
                       f"l'optimisation : " + " ; ".join(f"{i.id} ({i.missing_fr})" for i in left) + ".")
        if imposed:
            out.append("Imposé" + ("s" if len(imposed) > 1 else "") + " malgré des chiffres manquants, "
                       "comptés pour zéro : " + " ; ".join(f"{i.id} ({i.missing_fr})" for i in imposed) + ".")
        return out


def _names(ids: Iterable[str]) -> str:
    return ", ".join(f"« {i} »" for i in sorted(ids))


def _validate_constraints(k: Constraints) -> None:
    """Budget basis, horizon, budget and capacity."""
    if k.budget_basis not in BUDGET_BASIS_FR:
        raise ScenarioInfeasible(
            f"Base budgétaire inconnue « {k.budget_basis} » : choisir parmi {', '.join(BUDGET_BASIS_FR)}."
        )
    if not isinstance(k.horizon_years, int) or k.horizon_years < 1:
        raise ScenarioInfeasible(f"L'horizon doit être d'au moins un an (reçu : {k.horizon_years}).")
    for label, amount, negative in (
        ("Le budget annuel", k.budget, "négatif"),
        ("La capacité de l'équipe", k.capacity_days, "négative"),
    ):
        if not math.isfinite(amount):
            raise ScenarioInfeasible(f"{label} doit être un nombre fini (reçu : {amount}).")
        if amount < 0:
            raise ScenarioInfeasible(f"{label} est {negative} ({fr_number(amount)}) : aucun scénario possible.")


def _validate_candidates(cands: Sequence[Candidate]) -> None:
    """Unique identifiers, finite figures, no negative cost or effort."""
    seen: set[str] = set()
    dupes = {c.id for c in cands if c.id in seen or seen.add(c.id)}  # type: ignore[func-returns-value]
    if dupes:
        raise ScenarioInfeasible(f"Identifiants en double parmi les candidats : {_names(dupes)}.")
    for c in cands:
        for label, x in (("la valeur", c.value), ("le coût de réalisation", c.build_cost),
                         ("le coût annuel", c.run_cost_per_year), ("la charge", c.effort_days)):
            if x is None or unknown(x):
                continue  # unknown, not wrong: see Candidate.missing
            if not math.isfinite(x):
                raise ScenarioInfeasible(f"Cas d'usage « {c.id} » : {label} n'est pas un nombre fini ({x}).")
            if x < 0 and label != "la valeur":
                raise ScenarioInfeasible(f"Cas d'usage « {c.id} » : {label} est négatif ({fr_number(x)}).")


def _validate_lists(cands: Sequence[Candidate], k: Constraints) -> None:
    """Imposed, excluded and exclusive use cases: known, not both imposed and excluded, at most one
    imposed per exclusive group."""
    known = {c.id for c in cands}
    for label, ids in (
        ("imposés", k.must_do),
        ("exclus", k.excluded),
        ("des groupes exclusifs", [i for g in k.exclusive_groups for i in g]),
    ):
        unknown = set(ids) - known
        if unknown:
            raise ScenarioInfeasible(f"Cas d'usage {label} inconnus parmi les candidats : {_names(unknown)}.")
    both = set(k.must_do) & set(k.excluded)
    if both:
        raise ScenarioInfeasible(f"Cas d'usage à la fois imposés et exclus : {_names(both)}.")
    must = set(k.must_do)
    for g in k.exclusive_groups:
        clash = must & set(g)
        if len(clash) > 1:
            raise ScenarioInfeasible(
                f"Les cas d'usage imposés {_names(clash)} s'excluent mutuellement "
                f"(groupe exclusif : {_names(g)}) : un seul peut être retenu."
            )


def _validate_imposed_fit(cands: Sequence[Candidate], k: Constraints) -> None:
    """The imposed use cases fit the budget and the capacity on their own."""
    must = set(k.must_do)
    by_id = {c.id: c for c in cands}
    must_cost = sum(by_id[i].cost(k.budget_basis, k.horizon_years) for i in must)
    must_effort = sum(by_id[i].figure("effort_days") for i in must)
    if must_cost > k.available_budget * (1 + 1e-12):
        raise ScenarioInfeasible(
            f"Les cas d'usage imposés ({_names(must)}) coûtent à eux seuls {fr_eur(must_cost)} "
            f"(base : {BUDGET_BASIS_FR[k.budget_basis]}), au-delà du budget disponible de "
            f"{fr_eur(k.available_budget)}."
        )
    if must_effort > k.capacity_days * (1 + 1e-12):
        raise ScenarioInfeasible(
            f"Les cas d'usage imposés ({_names(must)}) demandent à eux seuls {fr_number(must_effort)} "
            f"jours-personne, au-delà de la capacité de l'équipe ({fr_number(k.capacity_days)} jours-personne)."
        )


def _validate(cands: Sequence[Candidate], k: Constraints) -> None:
    """Raise :class:`ScenarioInfeasible` for every input that makes the problem ill-posed or infeasible."""
    _validate_constraints(k)
    _validate_candidates(cands)
    _validate_lists(cands, k)
    _validate_imposed_fit(cands, k)


#: One HiGHS call at a time may borrow the process's standard output (see :func:`_quiet_stdout`).
_STDOUT_LOCK = threading.Lock()


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the C-level standard output for one solve.

    HiGHS 1.12 (the one scipy 1.17 ships) prints ``HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();`` straight to file descriptor 1 whatever ``disp`` says (ERGO-Code/HiGHS#2783):
    on large instances, a hundred lines per solve in the server log and in ``vigie bench``. Python's
    own writes are flushed first; the lock keeps two solves from swapping the descriptor at once."""
    with _STDOUT_LOCK:
        sys.stdout.flush()
        try:
            saved = os.dup(1)
        except OSError:  # no standard output to silence
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)


def _highs(c: np.ndarray, cons: list[LinearConstraint], bounds: Bounds, time_limit: float | None):
    options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "disp": False}
    if time_limit is not None:
        options["time_limit"] = time_limit
    with _quiet_stdout():
        return milp(c, integrality=np.ones_like(c), bounds=bounds, constraints=cons, options=options)


def _branch_and_bound(values, costs, efforts, k: Constraints, index, lb, ub):
    """The programme solved by HiGHS (branch and bound); returns (chosen mask, status)."""
    n = len(values)
    # Resource rows are scaled to a right-hand side of 1: HiGHS proves optimality markedly faster
    # (budgets in euros and capacities in days otherwise differ by five orders of magnitude).
    limits = np.array([k.available_budget, k.capacity_days], dtype=float)
    resources = np.vstack([costs, efforts])
    rows, row_ub = [], []
    for r, limit in zip(resources, limits, strict=True):
        rows.append(r / limit if limit > 0 else r)
        row_ub.append(1.0 if limit > 0 else 0.0)
    for g in k.exclusive_groups:
        if len(set(g)) > 1:
            row = np.zeros(n)
            row[[index[i] for i in set(g)]] = 1
            rows.append(row)
            row_ub.append(1.0)
    row_ub_arr = np.array(row_ub)
    bounds = Bounds(lb.astype(float), ub.astype(float))

    for _attempt in range(3):
        base = LinearConstraint(np.vstack(rows), -np.inf, row_ub_arr)
        first = _highs(-values, [base], bounds, k.time_limit)
        if first.x is None:
            # The pre-checks make "only the must-do items" a feasible plan, so this is not expected.
            raise ScenarioInfeasible(f"Aucun scénario ne respecte les contraintes (solveur : {first.message}).")
        x = first.x
        # The solver accepts rows within its feasibility tolerance; the plan is checked exactly on
        # the rounded choice and, on an overrun, solved again with that limit tightened by it.
        overrun = resources @ (x > 0.5) - limits
        if (overrun <= 1e-9 * np.maximum(limits, 1.0)).all():
            break
        for j in np.flatnonzero(overrun > 0):
            row_ub_arr[j] -= overrun[j] / limits[j] if limits[j] > 0 else overrun[j]
    else:
        raise ScenarioInfeasible("Le solveur ne parvient pas à respecter exactement le budget et la capacité.")
    status: Literal["optimal", "time_limit"] = "optimal" if first.status == 0 else "time_limit"
    if status == "optimal" and k.prefer_cheaper_ties:
        # Lexicographic tie-break: among the sets of optimal value, one of least cost.
        best = float(values @ (x > 0.5))
        tol = 1e-9 * max(1.0, float(np.abs(values).sum()))
        keep_value = LinearConstraint(values[np.newaxis, :], best - tol, np.inf)
        second = _highs(costs, [base, keep_value], bounds, k.time_limit)
        if second.x is not None and second.status == 0:
            x = second.x
    return x > 0.5, status


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
    _validate(cands, k)
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
                                   [[index[i] for i in g] for g in k.exclusive_groups], lb, ub)
            chosen, method = solution.chosen, "core"
        except exact.CoreTooLarge as too_large:
            if too_large.lb is not None and too_large.ub is not None:
                lb, ub = too_large.lb, too_large.ub  # HiGHS starts from the core the bound left
    if chosen is None:
        chosen, status = _branch_and_bound(values, costs, efforts, k, index, lb, ub)
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
