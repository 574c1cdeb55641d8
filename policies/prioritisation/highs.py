"""HiGHS (through :func:`scipy.optimize.milp`, relative MIP gap 0): the planner's reference and its
fallback when the exact method of :mod:`policies.prioritisation.exact` gives up."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

import numpy as np

from policies.prioritisation.model import Constraints, ScenarioInfeasible

if TYPE_CHECKING:  # SciPy is loaded by a computation, not by the pages that import this
    from scipy.optimize import Bounds, LinearConstraint

#: One HiGHS call at a time may borrow the process's standard output (see :func:`quiet_stdout`).
_STDOUT_LOCK = threading.Lock()


@contextmanager
def quiet_stdout() -> Iterator[None]:
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
    with quiet_stdout():
        from scipy.optimize import milp

        return milp(c, integrality=np.ones_like(c), bounds=bounds, constraints=cons, options=options)


def _greedy(values, resources, limits, groups, lb, ub) -> np.ndarray:
    """A feasible plan without a solver: the imposed items, then by value per share of budget and
    capacity, whatever fits and leaves its exclusive group free."""
    x = lb.astype(bool).copy()
    group_of = np.full(len(values), -1)
    for gi, g in enumerate(groups):
        group_of[g] = gi
    used = set(group_of[x]) - {-1}
    load = (resources / np.maximum(limits, 1e-12)[:, np.newaxis]).sum(axis=0)
    spent = resources @ x
    for i in np.lexsort((np.arange(len(values)), -values / np.maximum(load, 1e-12))):
        g = group_of[i]
        if x[i] or not ub[i] or values[i] <= 0 or g in used or (spent + resources[:, i] > limits).any():
            continue
        x[i] = True
        spent = spent + resources[:, i]
        if g >= 0:
            used.add(g)
    return x


def branch_and_bound(values, costs, efforts, k: Constraints, index, lb, ub):
    """The programme solved by HiGHS (branch and bound); returns (chosen mask, status)."""
    from scipy.optimize import Bounds, LinearConstraint

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
        if first.x is None and first.status == 1:  # the time limit came before any plan
            groups = [[index[i] for i in set(g)] for g in k.exclusive_groups]
            return _greedy(values, resources, limits, groups, lb, ub), "time_limit"
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

