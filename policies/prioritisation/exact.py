"""Exact solver for the scenario planner's 0/1 programme: LP bound, reduced-cost fixing, then a
bounded dynamic programme over the few use cases the bound leaves open.

The programme (see :mod:`policies.prioritisation.scenario`)::

    maximise v·x  subject to  c·x ≤ B,  e·x ≤ K,  Σ_{i∈G} x_i ≤ 1 for each exclusive group G,
                              lb ≤ x ≤ ub,  x ∈ {0, 1}ⁿ

**Why not branch and bound alone.** HiGHS finds the optimum of a 500-candidate portfolio at once,
but proving it takes it 0.2–2.5 s: the LP bound sits a few value units above the optimum and
thousands of nodes are needed to close that gap. The method below proves the same optimum in
tens of milliseconds on such portfolios, and hands anything it cannot bound (state cap reached,
overlapping groups) back to HiGHS, so the answer is always exact.

**Method.** Solve the LP relaxation once and keep its dual prices y ≥ 0 (one per row). With the
reduced values rc_i = v_i − Σ_r y_r a_ri, every 0/1 plan x satisfies the identity::

    v·x = Z − Σ_i pen_i(x_i) − Σ_r y_r s_r(x),       Z = Σ_r y_r b_r + Σ_{free i} max(rc_i, 0) + Σ_{forced i} rc_i

where pen_i(x_i) = max(rc_i, 0) − rc_i x_i ≥ 0 is the penalty of leaving the LP's preferred side
and s_r ≥ 0 the slack of row r. Z is an upper bound (weak duality holds for any y ≥ 0, so the
answer does not depend on the LP being solved to the last digit). A plan worth at least a target
T therefore has total penalty at most G = Z − T, so every free item with |rc_i| > G is fixed to
its preferred side; the others (the *core*) are enumerated stage by stage — one stage per item,
one per exclusive group (take none or exactly one) — keeping only the partial plans whose
penalty so far, plus the slack they cannot avoid any more, stays within G. States with the same
(value, cost, effort) are merged.

Every plan worth ≥ T survives, so if the enumeration ends with such a plan, the best one is
optimal. Otherwise T is lowered and the enumeration starts again with a larger core. Targets
start at the bound (rounded down to the values' grid when they are all multiples of a common step
such as 0.25) and go down geometrically, never below the value of a plan already found, so the
last try always succeeds. Among optimal plans the least costly one is returned (then the least
effort), deterministically.

When an enumeration would exceed :data:`MAX_STATES` partial plans (large portfolios with many
near-ties), :class:`CoreTooLarge` carries the fixings valid at the best plan found so far, and
HiGHS proves the optimum on what they leave open (about 4 s instead of 15–20 s for 5,000
candidates on the integration machine).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

#: Steps a value grid is looked for in (values all multiples of 1/m for one of these m).
_GRID_DENOMINATORS = (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 1000)
#: Default cap on the states alive at one stage; beyond, the caller falls back to HiGHS.
MAX_STATES = 200_000
#: Partial plans per stage of the beam that looks for a good plan, once an enumeration has had
#: more than BEAM_AFTER at one stage (the next, with a target twice as far, could have many more).
BEAM = 1_000
BEAM_AFTER = 250
#: Cap on the states kept for reconstruction over all stages of one try.
MAX_HISTORY = 12_000_000


class CoreTooLarge(RuntimeError):
    """The bound leaves too many plans open for the enumeration; solve by branch and bound instead.

    When the LP was solved, ``lb`` and ``ub`` carry the reduced-cost fixings that every optimal
    plan satisfies (given a feasible plan found on the way), so branch and bound can start from
    the core alone; otherwise they are None.
    """

    lb: np.ndarray | None = None
    ub: np.ndarray | None = None


@dataclass(frozen=True)
class ExactSolution:
    chosen: np.ndarray  # bool, one per item
    value: float
    tries: int  # enumerations run (one per target)
    core_size: int  # free items left open by the last try's bound
    peak_states: int  # most partial plans alive at one stage


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
    """Constraint rows scaled to a right-hand side of 1 (a zero limit forbids what uses it)."""
    rows, rhs = [], []
    forbid = np.zeros(n, dtype=bool)
    for r, limit in ((costs, budget), (efforts, capacity)):
        if limit > 0:
            rows.append(r / limit)
            rhs.append(1.0)
        else:
            forbid |= r > 0
    for g in groups:
        row = np.zeros(n)
        row[g] = 1.0
        rows.append(row)
        rhs.append(1.0)
    A = np.vstack(rows) if rows else np.zeros((0, n))
    return A, np.array(rhs), forbid


class _Problem:
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

    def relax(self):
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


def _resource_rows(p: _Problem, y: np.ndarray) -> list[tuple[float, bool, float]]:
    """(dual price, is the budget row, limit) of each resource row the LP had, in _rows' order."""
    limits = [(True, p.B), (False, p.K)]
    return [(float(d), is_budget, lim) for d, (is_budget, lim)
            in zip(y[: p.n_resource_rows], [(b, lim) for b, lim in limits if lim > 0], strict=True)]


def _stages(p: _Problem, rc, y_grp, core: np.ndarray, fixed1: np.ndarray):
    """The enumeration's stages (one per open group, then one per open ungrouped item), each with
    the penalty of taking none of it, in the order they are enumerated, and the penalty already
    paid by the groups that are settled.

    Returns (core, stages, penalties of taking none, penalty paid); the core is a copy without
    the members of groups a fixed member empties. Stages are None when two fixed members share a
    group (no plan reaches the target).
    """
    core = core.copy()
    pen0 = 0.0
    stages: list[list[int]] = []
    stage_none_pen: list[float] = []
    for gi, g in enumerate(p.groups):
        ones = [i for i in g if fixed1[i]]
        members = [i for i in g if core[i]]
        if len(ones) > 1:
            return core, None, None, pen0  # two fixed members: no plan reaches the target
        if ones:
            core[members] = False  # emptied by the fixed member: each pays its preferred side
            pen0 += float(np.maximum(rc[members], 0).sum())
        elif members:
            stages.append(members)
            stage_none_pen.append(float(y_grp[gi]))
        else:
            pen0 += float(y_grp[gi])  # the group stays empty
    for i in np.flatnonzero(core & (p.group_of < 0)):
        stages.append([int(i)])
        stage_none_pen.append(0.0)
    order = sorted(range(len(stages)), key=lambda s: (-max(abs(rc[i]) for i in stages[s]), stages[s][0]))
    return core, [stages[s] for s in order], [stage_none_pen[s] for s in order], pen0


def _remaining_room(p: _Problem, stages: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Most each resource (cost, effort) can still take from the stages after stage s."""
    max_c = np.array([max(p.c[i] for i in st) for st in stages] + [0.0])
    max_e = np.array([max(p.e[i] for i in st) for st in stages] + [0.0])
    return np.cumsum(max_c[::-1])[::-1], np.cumsum(max_e[::-1])[::-1]


def _expand(p: _Problem, rc, state, items: list[int], none_pen: float):
    """Every partial plan of ``state`` extended by none or one of ``items``: (value, cost, effort,
    penalty, item chosen or -1, parent index)."""
    sv, sc, se, sp = state
    pos = float(np.maximum(rc[items], 0).sum())
    m = len(sv)
    parts_v, parts_c, parts_e, parts_p, parts_ch = [sv], [sc], [se], [sp + pos + none_pen], [np.full(m, -1)]
    for i in items:
        parts_v.append(sv + p.v[i])
        parts_c.append(sc + p.c[i])
        parts_e.append(se + p.e[i])
        parts_p.append(sp + (pos - rc[i]))
        parts_ch.append(np.full(m, i))
    parent = np.tile(np.arange(m, dtype=np.int64), len(items) + 1)
    sv, sc, se, sp = (np.concatenate(a) for a in (parts_v, parts_c, parts_e, parts_p))
    return sv, sc, se, sp, np.concatenate(parts_ch), parent


def _prune(p: _Problem, arrays, resource_rows, rest_c: float, rest_e: float, G: float, beam: int | None):
    """Keep the partial plans that fit and (without a beam) stay within the penalty G, merge the
    identical ones (keeping the first), then cut to the beam's best bounds."""
    sv, sc, se, sp, ch, parent = arrays
    # Penalty so far plus the slack no later stage can fill any more.
    bound = sp.copy()
    for dual, is_budget, limit in resource_rows:
        used, rest = (sc, rest_c) if is_budget else (se, rest_e)
        bound += dual * np.maximum(0.0, limit - used - rest) / limit
    ok = (sc <= p.B + p.budget_tol) & (se <= p.K + p.capacity_tol)
    if beam is None:
        ok &= bound <= G
    arrays = tuple(a[ok] for a in (sv, sc, se, sp, ch, parent, bound))
    sv, sc, se, sp = arrays[:4]
    if len(sv) > 1:  # merge identical partial plans, keeping the first (deterministic)
        idx = np.lexsort((np.arange(len(sv)), sp, se, sc, sv))
        sv_s, sc_s, se_s = sv[idx], sc[idx], se[idx]
        first = np.ones(len(idx), dtype=bool)
        first[1:] = (sv_s[1:] != sv_s[:-1]) | (sc_s[1:] != sc_s[:-1]) | (se_s[1:] != se_s[:-1])
        keep = np.sort(idx[first])
        arrays = tuple(a[keep] for a in arrays)
    if beam is not None and len(arrays[0]) > beam:
        keep = np.sort(np.argsort(arrays[6], kind="stable")[:beam])
        arrays = tuple(a[keep] for a in arrays)
    return arrays


def _rebuild(fixed1: np.ndarray, history: list[tuple[np.ndarray, np.ndarray]], j: int) -> np.ndarray:
    """The plan of final state ``j``, followed back through the stages' choices and parents."""
    x = fixed1.copy()
    for ch, parent in reversed(history):
        if ch[j] >= 0:
            x[ch[j]] = True
        j = int(parent[j])
    return x


def _enumerate(p: _Problem, rc, y, Z, target, tol, max_states, beam: int | None = None):
    """Enumerate every plan worth ≥ ``target``. Returns (the best of them, or None when there is
    none; the best feasible plan seen, or None; the core size; the most states at one stage).
    The best is the most valuable, then the least costly, then the least effort.

    With ``beam``, the core is the target's but partial plans are not cut by the bound: the
    ``beam`` of least bound survive each stage. Not exact, but a quick way to a good feasible plan
    (the best one seen).
    """
    G = Z - target + tol
    free = p.ub & ~p.lb
    core = free & (np.abs(rc) <= G)
    fixed1 = p.lb | (free & ~core & (rc > 0))
    resource_rows = _resource_rows(p, y)
    core, stages, stage_none_pen, pen0 = _stages(p, rc, y[p.n_resource_rows :], core, fixed1)
    if stages is None or pen0 > G:
        return None, None, int(core.sum()), 0
    base_v, base_c, base_e = float(p.v @ fixed1), float(p.c @ fixed1), float(p.e @ fixed1)
    if not p.fits(base_c, base_e):
        return None, None, int(core.sum()), 0
    rest_c, rest_e = _remaining_room(p, stages)

    sv, sc, se = np.array([base_v]), np.array([base_c]), np.array([base_e])
    sp = np.array([pen0])
    history: list[tuple[np.ndarray, np.ndarray]] = []
    kept, peak = 0, 1
    for s, items in enumerate(stages):
        expanded = _expand(p, rc, (sv, sc, se, sp), items, stage_none_pen[s])
        sv, sc, se, sp, ch, parent, _ = _prune(
            p, expanded, resource_rows, rest_c[s + 1], rest_e[s + 1], G, beam
        )
        history.append((ch, parent))
        kept += len(sv)
        peak = max(peak, len(sv))
        if len(sv) > max_states or kept > MAX_HISTORY:
            raise CoreTooLarge(f"{len(sv)} partial plans at stage {s + 1} of {len(stages)}")
        if len(sv) == 0:
            return None, None, int(core.sum()), peak

    top = sv.max()
    ties = np.flatnonzero(sv >= top - tol)
    j = int(ties[np.lexsort((ties, se[ties], sc[ties]))[0]])
    plan = _rebuild(fixed1, history, j)
    return (plan if top >= target - tol else None), plan, int(core.sum()), peak


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
) -> ExactSolution:
    """Optimal plan of the programme in the module doc (``lb``/``ub`` are boolean masks).

    Groups must be disjoint, with at most one forced member each, and the forced items must fit
    (the caller checks these). Raises :class:`CoreTooLarge` when the enumeration would exceed
    ``max_states`` (default :data:`MAX_STATES`): the caller then solves by branch and bound.
    """
    max_states = MAX_STATES if max_states is None else max_states
    groups = [sorted(set(g)) for g in groups if len(set(g)) > 1]
    seen: set[int] = set()
    for g in groups:
        if seen.intersection(g):
            raise CoreTooLarge("exclusive groups overlap")
        seen.update(g)
    p = _Problem(np.asarray(values, float), np.asarray(costs, float), np.asarray(efforts, float),
                 float(budget), float(capacity), groups, np.asarray(lb, bool), np.asarray(ub, bool))
    lp_x, y = p.relax()
    rc = p.v - p.A.T @ y if len(y) else p.v.copy()
    free = p.ub & ~p.lb
    Z = float(y @ p.rhs) + float(np.maximum(rc[free], 0).sum()) + float(rc[p.lb].sum())
    tol = 1e-9 * (float(np.abs(p.v).sum()) + float(y @ p.rhs) + 1.0)
    best = p.incumbent(lp_x, rc)
    low = float(p.v @ best)
    step = _grid_step(p.v[free | p.lb])
    if step > 0:
        fixed_part = float(p.v[p.lb].sum())
        ceiling = fixed_part + np.floor((Z - fixed_part + tol) / step) * step
    else:
        ceiling = Z
    gap = ceiling - low
    if gap <= tol:
        return ExactSolution(best, low, 0, 0, 0)
    unit = step if step > 0 else gap / 256
    tries, core_size, peak = 0, 0, 0
    k, beamed = 0, False
    try:
        while True:
            target = max(ceiling - unit * (2**k - 1), low)
            if not beamed and peak > BEAM_AFTER and target > low + tol:
                # The enumerations are getting large: a narrow beam at this target looks for a good
                # plan, so that later targets stop at its value instead of overshooting.
                beamed = True
                _, seen_plan, _, _ = _enumerate(p, rc, y, Z, target, tol, max_states, beam=BEAM)
                if seen_plan is not None and float(p.v @ seen_plan) > low:
                    best, low = seen_plan, float(p.v @ seen_plan)
                    target = max(target, low)
            tries += 1
            found, seen_plan, core_size, stage_peak = _enumerate(p, rc, y, Z, target, tol, max_states)
            peak = max(peak, stage_peak)
            if found is not None:
                return ExactSolution(found, float(p.v @ found), tries, core_size, peak)
            if target <= low + tol:
                # The incumbent is worth the target, so the enumeration must have kept it: only
                # rounding can get here, and branch and bound settles it.
                raise CoreTooLarge("enumeration lost the incumbent")
            if seen_plan is not None and float(p.v @ seen_plan) > low:
                best, low = seen_plan, float(p.v @ seen_plan)
            k += 1
    except CoreTooLarge as too_large:
        # Every plan worth at least the best one found keeps the items the bound fixes at that value.
        fixed = free & (np.abs(rc) > Z - low + tol)
        too_large.lb = p.lb | (fixed & (rc > 0))
        too_large.ub = p.ub & ~(fixed & (rc < 0))
        raise
