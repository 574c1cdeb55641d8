"""Exact solver for the scenario planner's 0/1 programme: LP bound, reduced-cost fixing, then an
enumeration of the use cases the bound leaves open, in two halves that meet in the middle.

The programme (see :mod:`policies.prioritisation.scenario`)::

    maximise v·x  subject to  c·x ≤ B,  e·x ≤ K,  Σ_{i∈G} x_i ≤ 1 for each exclusive group G,
                              lb ≤ x ≤ ub,  x ∈ {0, 1}ⁿ

**Why not branch and bound alone.** HiGHS finds the optimum of a 5,000-candidate portfolio at once,
but proving it takes it about 16 s: the LP bound sits under one value unit above the optimum, and
closing that gap means showing that no subset of the near-tie use cases fills budget and capacity
to within a few thousand euros and a couple of person-days better than the optimum does, which
branch and bound does node by node. The method below proves the same optimum in a fraction of a
second on such portfolios, and hands anything it cannot bound (caps reached, overlapping groups)
back to HiGHS, so the answer is always exact.

**Method.** Solve the LP relaxation once and keep its dual prices y ≥ 0 (one per row). With the
reduced values rc_i = v_i − Σ_r y_r a_ri, every 0/1 plan x satisfies the identity::

    v·x = Z − Σ_i pen_i(x_i) − Σ_r y_r s_r(x),       Z = Σ_r y_r b_r + Σ_{free i} max(rc_i, 0) + Σ_{forced i} rc_i

where pen_i(x_i) = max(rc_i, 0) − rc_i x_i ≥ 0 is the penalty of leaving the LP's preferred side
and s_r ≥ 0 the slack of row r. Z is an upper bound (weak duality holds for any y ≥ 0, so the
answer does not depend on the LP being solved to the last digit). A plan worth at least a target
T therefore has total penalty at most G = Z − T, so every free item with |rc_i| > G is fixed to
its preferred side; the others (the *core*) are enumerated by :mod:`policies.prioritisation.enumeration`,
which finds every plan worth ≥ T (and, on the way, the best feasible plan of the pairs it joins).

**Targets.** When every value is a multiple of a common step (0.25 under the default weights), the
first target is the bound rounded down to that grid. If no plan reaches a target T, none is worth
more than T − step: as soon as a plan worth T − step is known (the join's best pair usually is
one), it is optimal, proven by that failed enumeration. Otherwise the target goes down, by one
step then geometrically (one step whenever the best plan known is within two of the target), never
below the value of a plan already found, so the last try, at that value, always succeeds. Without a
grid the targets go down by fractions of the gap the same way, and only a found plan worth ≥ T ends
the search. With ``cheapest=True``, an optimum proven by a
failed enumeration is followed by one at its own value, which sees every optimal plan and returns
the least costly (then least effort); the first plan found worth ≥ T is returned otherwise.

When an enumeration would exceed :data:`MAX_STATES` partial plans at one stage of a half (or its
join too many pairs), :class:`CoreTooLarge` carries the fixings valid at the best plan found so
far, and HiGHS proves the optimum on what they leave open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from policies.prioritisation.enumeration import CoreTooLarge, enumerate_plans

__all__ = ["MAX_STATES", "CoreTooLarge", "ExactSolution", "Problem", "solve"]

#: Steps a value grid is looked for in (values all multiples of 1/m for one of these m).
_GRID_DENOMINATORS = (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 1000)
#: Default cap on the partial plans alive at one stage of a half; beyond, the caller falls back to HiGHS.
MAX_STATES = 400_000


@dataclass(frozen=True)
class ExactSolution:
    chosen: np.ndarray  # bool, one per item
    value: float
    tries: int  # enumerations run (one per target)
    core_size: int  # free items left open by the last try's bound
    peak_states: int  # most partial plans alive at one stage of a half
    #: What proves it: "bound" (worth the LP bound rounded to the grid), "reached" (the best plan of an
    #: enumeration that sees every plan worth at least its target), "step_above" (an enumeration one
    #: grid step above its value found no plan).
    proof: Literal["bound", "reached", "step_above"] = "reached"


def _grid_step(values: np.ndarray) -> float:
    """The largest step 1/m of which every value is a multiple, or 0.0 when there is none."""
    if values.size == 0:
        return 1.0
    scale = max(1.0, float(np.abs(values).max()))
    for m in _GRID_DENOMINATORS:
        scaled = values * m
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * scale * m):
            return 1.0 / m
    return 0.0


def _rows(costs, efforts, budget, capacity, groups, n):
    """Constraint rows, sparse, scaled to a right-hand side of 1 (a zero limit forbids what uses it)."""
    from scipy import sparse  # SciPy is loaded by a scenario's computation, not by the pages that import this

    rows, rhs = [], []
    forbid = np.zeros(n, dtype=bool)
    for r, limit in ((costs, budget), (efforts, capacity)):
        if limit > 0:
            rows.append(sparse.csr_array(r[np.newaxis, :] / limit))
            rhs.append(1.0)
        else:
            forbid |= r > 0
    if groups:
        cols = np.concatenate([np.asarray(g, dtype=np.int64) for g in groups])
        at = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
        rows.append(sparse.csr_array((np.ones(len(cols)), (at, cols)), shape=(len(groups), n)))
        rhs.extend([1.0] * len(groups))
    A = sparse.vstack(rows, format="csr") if rows else sparse.csr_array((0, n))
    return A, np.array(rhs), forbid


class Problem:
    """The programme once the fixings implied by the inputs are applied (zero limits, forced group members)."""

    def __init__(self, values, costs, efforts, budget, capacity, groups, lb, ub):
        self.v, self.c, self.e = values, costs, efforts
        self.B, self.K = budget, capacity
        self.n = n = len(values)
        self.budget_tol = 1e-9 * max(budget, 1.0)
        self.capacity_tol = 1e-9 * max(capacity, 1.0)
        self.groups = [list(g) for g in groups]
        self.group_of = np.full(n, -1)
        for gi, g in enumerate(self.groups):
            self.group_of[g] = gi
        A, rhs, forbid = _rows(costs, efforts, budget, capacity, self.groups, n)
        self.lb, self.ub = lb.copy(), ub.copy()
        self.ub[forbid & ~self.lb] = False
        for g in self.groups:  # a forced member empties its group
            if self.lb[g].any():
                self.ub[[i for i in g if not self.lb[i]]] = False
        self.A, self.rhs = A, rhs
        self.n_resource_rows = len(rhs) - len(self.groups)

    def fits(self, cost: float, effort: float) -> bool:
        return cost <= self.B + self.budget_tol and effort <= self.K + self.capacity_tol

    def resource_rows(self, y: np.ndarray) -> list[tuple[float, bool, float]]:
        """(dual price, is the budget row, limit) of each resource row the LP had, in _rows' order."""
        limits = [(is_budget, lim) for is_budget, lim in ((True, self.B), (False, self.K)) if lim > 0]
        return [(float(d), is_budget, lim) for d, (is_budget, lim) in zip(y[: self.n_resource_rows], limits, strict=True)]

    def relax(self):
        from scipy.optimize import linprog

        bounds = np.column_stack([self.lb, self.ub]).astype(float)
        lp = linprog(-self.v, A_ub=self.A if len(self.rhs) else None, b_ub=self.rhs if len(self.rhs) else None,
                     bounds=bounds, method="highs")
        if lp.status != 0:
            raise CoreTooLarge(f"LP relaxation not solved: {lp.message}")
        y = np.maximum(-lp.ineqlin.marginals, 0.0) if len(self.rhs) else np.zeros(0)
        return lp.x, y

    def incumbent(self, lp_x: np.ndarray, rc: np.ndarray) -> np.ndarray:
        """A feasible plan: the forced items, then the LP's whole items, then by reduced value."""
        x = self.lb.copy()
        used = set(self.group_of[x]) - {-1}
        cost, effort = float(self.c @ x), float(self.e @ x)
        free = np.flatnonzero(self.ub & ~self.lb)
        order = free[np.lexsort((-rc[free], lp_x[free] <= 1 - 1e-9))]
        for i in order:
            g = self.group_of[i]
            if self.v[i] <= 0 or (g >= 0 and g in used):
                continue
            if self.fits(cost + self.c[i], effort + self.e[i]):
                x[i] = True
                cost += self.c[i]
                effort += self.e[i]
                if g >= 0:
                    used.add(g)
        return x


def _prepare(values, costs, efforts, budget, capacity, groups, lb, ub) -> Problem:
    groups = [sorted(set(g)) for g in groups if len(set(g)) > 1]
    seen: set[int] = set()
    for g in groups:
        if seen.intersection(g):
            raise CoreTooLarge("exclusive groups overlap")
        seen.update(g)
    return Problem(np.asarray(values, float), np.asarray(costs, float), np.asarray(efforts, float),
                   float(budget), float(capacity), groups, np.asarray(lb, bool), np.asarray(ub, bool))


def solve(
    values: np.ndarray,
    costs: np.ndarray,
    efforts: np.ndarray,
    budget: float,
    capacity: float,
    groups: Sequence[Sequence[int]],
    lb: np.ndarray,
    ub: np.ndarray,
    max_states: int | None = None,
    cheapest: bool = False,
) -> ExactSolution:
    """Optimal plan of the programme in the module doc (``lb``/``ub`` are boolean masks).

    Groups must be disjoint, with at most one forced member each, and the forced items must fit
    (the caller checks these). With ``cheapest``, the least costly optimal plan (then least effort).
    Raises :class:`CoreTooLarge` when an enumeration would exceed ``max_states`` (default
    :data:`MAX_STATES`): the caller then solves by branch and bound.
    """
    max_states = MAX_STATES if max_states is None else max_states
    p = _prepare(values, costs, efforts, budget, capacity, groups, lb, ub)
    lp_x, y = p.relax()
    rc = p.v - p.A.T @ y if len(y) else p.v.copy()
    free = p.ub & ~p.lb
    Z = float(y @ p.rhs) + float(np.maximum(rc[free], 0).sum()) + float(rc[p.lb].sum())
    tol = 1e-9 * (float(np.abs(p.v).sum()) + float(y @ p.rhs) + 1.0)
    best = p.incumbent(lp_x, rc)
    low = float(p.v @ best)
    step = _grid_step(p.v[free | p.lb])
    fixed_part = float(p.v[p.lb].sum())
    ceiling = fixed_part + np.floor((Z - fixed_part + tol) / step) * step if step > 0 else Z
    if ceiling - low <= tol and not cheapest:
        return ExactSolution(best, low, 0, 0, 0, "bound")
    tries, core_size, peak = 0, 0, 0
    target, drop = max(ceiling, low), (step if step > 0 else (ceiling - low) / 256)
    try:
        while True:
            tries += 1
            found, seen_plan, core_size, stage_peak = enumerate_plans(p, rc, y, Z, target, tol, max_states)
            peak = max(peak, stage_peak)
            if found is not None:
                return ExactSolution(found, float(p.v @ found), tries, core_size, peak)
            if target <= low + tol:
                # The incumbent is worth the target, so the enumeration must have kept it: only
                # rounding can get here, and branch and bound settles it.
                raise CoreTooLarge("enumeration lost the incumbent")
            if seen_plan is not None and float(p.v @ seen_plan) > low:
                best, low = seen_plan, float(p.v @ seen_plan)
            # No plan is worth the target; on a grid, none is worth more than target − step either.
            proven = step > 0 and low >= target - step - tol
            if proven and not cheapest:
                return ExactSolution(best, low, tries, core_size, peak, "step_above")
            if proven:
                target = low
            elif step > 0 and low >= target - 2 * step - tol:
                target -= step  # found there, or failing there proves the incumbent
            else:
                target, drop = max(target - drop, low), drop * 2
    except CoreTooLarge as too_large:
        # Every plan worth at least the best one found keeps the items the bound fixes at that value.
        fixed = free & (np.abs(rc) > Z - low + tol)
        too_large.lb = p.lb | (fixed & (rc > 0))
        too_large.ub = p.ub & ~(fixed & (rc < 0))
        raise
