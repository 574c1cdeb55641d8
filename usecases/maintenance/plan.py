"""Renewal plan: which assets to renew in which year, under a yearly budget and a crew capacity.

Asset ``i`` renewed in plan year ``t`` (1..T) avoids its expected failures from ``t`` to ``T``:
``value[i, t] = rate[i] * (T - t + 1)``. Constraints: each asset at most once; per year, the sum of
weights (length or cost) within the budget and the number of renewals within the crew capacity.

Small instances are solved exactly (HiGHS branch and bound through ``scipy.optimize.milp``); larger
ones get the best of three greedy orders and of the rounded LP relaxation, with the LP relaxation as an upper bound, so the gap to
the optimum is proven (``gap_pct``). Pure functions, no IO.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

#: Above this many (asset, year) variables the exact solver is not tried.
EXACT_MAX_VARIABLES = 2_000
#: The exact solver stops after this many branch-and-bound nodes (a count, not a time: the same
#: files give the same plan on a busy machine), with a time limit only as a safety net.
EXACT_NODE_LIMIT = 100
EXACT_TIME_LIMIT_S = 60.0
#: The LP is solved on at least this many of the best assets (by three orders), the others priced.
LP_MIN_ASSETS = 2_000


@dataclass
class PlanResult:
    plan: pd.DataFrame  # asset_id, plan_year (1..T), weight, avoided
    method: str  # "exact" | "heuristic"
    value: float
    bound: float

    @property
    def gap_pct(self) -> float:
        return float(100 * (self.bound - self.value) / self.bound) if self.bound > 0 else 0.0


def _problem(rate: np.ndarray, weight: np.ndarray, years: int, budget: float, crews: int):
    n = len(rate)
    value = (rate[:, None] * (years - np.arange(years))[None, :]).ravel()  # x[i, t] at i * years + t
    rows, cols, data = [], [], []
    idx = np.arange(n * years)
    i_of, t_of = idx // years, idx % years
    # each asset at most once
    rows.append(i_of)
    cols.append(idx)
    data.append(np.ones(n * years))
    # yearly budget
    rows.append(n + t_of)
    cols.append(idx)
    data.append(weight[i_of])
    ub = [np.ones(n), np.full(years, budget)]
    if crews > 0:
        rows.append(n + years + t_of)
        cols.append(idx)
        data.append(np.ones(n * years))
        ub.append(np.full(years, float(crews)))
    m = n + years * (2 if crews > 0 else 1)
    A = sparse.csr_array((np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))), shape=(m, n * years))
    return value, LinearConstraint(A, -np.inf, np.concatenate(ub))


def lp_relaxation(rate: np.ndarray, weight: np.ndarray, years: int, budget: float, crews: int,
                  keep: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """An upper bound on any plan's value, and the LP relaxation's solution, shape (n, years).

    With ``keep`` (a boolean mask), the LP is solved on those assets only; the bound stays valid
    for all assets by weak duality: each left-out asset adds ``max(0, max_t value - w·λ_t - μ_t)``
    with the year prices ``λ`` (budget) and ``μ`` (crews) of the restricted LP.
    """
    n = len(rate)
    keep = np.ones(n, dtype=bool) if keep is None else keep
    value, cons = _problem(rate[keep], weight[keep], years, budget, crews)
    res = linprog(-value, A_ub=cons.A, b_ub=cons.ub, bounds=(0, 1), method="highs")
    x = np.zeros((n, years))
    if res.status != 0:
        return float("inf"), x
    x[keep] = res.x.reshape(int(keep.sum()), years)
    bound = float(-res.fun)
    if not keep.all():
        prices = -res.ineqlin.marginals[int(keep.sum()):]
        lam = prices[:years]
        mu = prices[years:] if crews > 0 else np.zeros(years)
        left = ~keep
        v = rate[left, None] * (years - np.arange(years))[None, :]
        reduced = v - weight[left, None] * lam[None, :] - mu[None, :]
        bound += float(np.maximum(reduced.max(axis=1), 0).sum())
    return bound, x


def greedy(rate: np.ndarray, weight: np.ndarray, years: int, budget: float, crews: int,
           order: np.ndarray, fixed: np.ndarray | None = None) -> np.ndarray:
    """Assign assets in ``order`` to the earliest year with room; returns the year (1..T) or 0.

    ``fixed`` (a year per asset, 0 = free) is kept as given before the others are placed.
    """
    used = np.zeros(years)
    count = np.zeros(years, dtype=int)
    out = np.zeros(len(rate), dtype=int) if fixed is None else fixed.copy()
    for i in np.flatnonzero(out):
        used[out[i] - 1] += weight[i]
        count[out[i] - 1] += 1
    for i in order:
        if out[i]:
            continue
        if rate[i] <= 0:
            continue
        for t in range(years):
            if used[t] + weight[i] <= budget + 1e-9 and (crews <= 0 or count[t] < crews):
                used[t] += weight[i]
                count[t] += 1
                out[i] = t + 1
                break
    return out


def _value(rate: np.ndarray, assigned: np.ndarray, years: int) -> float:
    done = assigned > 0
    return float((rate[done] * (years - assigned[done] + 1)).sum())


def optimise(asset_ids: pd.Index, rate: np.ndarray, weight: np.ndarray, years: int, budget: float,
             crews: int, exact_max_variables: int = EXACT_MAX_VARIABLES) -> PlanResult:
    """Best plan found, with the method used and a proven upper bound on the optimum."""
    rate = np.asarray(rate, dtype=float)
    weight = np.maximum(np.asarray(weight, dtype=float), 1e-9)
    eligible = (weight <= budget) & (rate > 0)
    method, bound = "heuristic", 0.0
    assigned = np.zeros(len(rate), dtype=int)
    if eligible.any():
        r, w = rate[eligible], weight[eligible]
        per_slot = w / budget + (1.0 / crews if crews > 0 else 0.0)
        orders = [np.argsort(-r / w, kind="stable"), np.argsort(-r, kind="stable"),
                  np.argsort(-r / per_slot, kind="stable")]
        slots = years * (crews if crews > 0 else max(1, int(budget / np.median(w))))
        keep = np.zeros(len(r), dtype=bool)
        keep[orders[2][: max(LP_MIN_ASSETS, 5 * slots)]] = True
        keep[orders[0][: max(LP_MIN_ASSETS, 5 * slots)]] = True
        keep[orders[1][: max(LP_MIN_ASSETS, 5 * slots)]] = True
        bound, x_lp = lp_relaxation(r, w, years, budget, crews, keep)
        # LP rounding: keep the assets the relaxation renews in full, then fill greedily
        whole = x_lp > 1 - 1e-6
        fixed = np.where(whole.any(axis=1), whole.argmax(axis=1) + 1, 0)
        candidates = [greedy(r, w, years, budget, crews, o) for o in orders]
        candidates += [greedy(r, w, years, budget, crews, o, fixed=fixed) for o in orders]
        best = max(candidates, key=lambda a: _value(r, a, years))
        if len(r) * years <= exact_max_variables:
            value, cons = _problem(r, w, years, budget, crews)
            res = milp(-value, constraints=cons, bounds=Bounds(0, 1), integrality=np.ones_like(value),
                       options={"node_limit": EXACT_NODE_LIMIT, "time_limit": EXACT_TIME_LIMIT_S,
                                "mip_rel_gap": 1e-6})
            if res.x is not None and -res.fun >= _value(r, best, years) - 1e-9:
                x = np.round(res.x).reshape(len(r), years)
                best = np.where(x.any(axis=1), x.argmax(axis=1) + 1, 0)
                method = "exact" if res.status == 0 else "heuristic"
                if res.status == 0:
                    bound = _value(r, best, years)
                else:  # stopped by the node limit: keep the solver's dual bound if tighter
                    bound = min(bound, float(-getattr(res, "mip_dual_bound", -bound)))
        assigned[eligible] = best
    chosen = assigned > 0
    plan = pd.DataFrame({"asset_id": np.asarray(asset_ids)[chosen], "plan_year": assigned[chosen],
                         "weight": weight[chosen], "avoided": rate[chosen] * (years - assigned[chosen] + 1)})
    plan = plan.sort_values(["plan_year", "avoided"], ascending=[True, False], kind="stable").reset_index(drop=True)
    value = _value(rate, assigned, years)
    bound = max(bound, value)
    if bound - value <= 1e-9 * max(1.0, bound):  # the bound is reached: the plan is proven optimal
        method = "exact"
    return PlanResult(plan, method, value, bound)
