"""Every plan worth at least a target, enumerated in two halves that meet in the middle.

Used by :mod:`policies.prioritisation.exact`, which explains the penalty argument: with the LP's dual
prices y, a plan worth at least T leaves at most G = Z − T of total penalty, where the penalty of a
plan is the sum of its items' penalties (|reduced value| of each item taken against the LP's
preference) plus its priced slack. Every item whose own penalty exceeds G is fixed; the rest, the
*core*, is cut into stages (one per open exclusive group: none or one member; one per open item).

**Meet in the middle.** The stages are dealt alternately into two halves. Each half is enumerated
alone, keeping only the partial plans whose penalty, plus the slack no remaining stage of either half
could fill, stays within G, and merging identical ones (same value, cost and effort). A plan worth at
least T is one partial plan of each half (its penalty is the sum of theirs, each ≤ G), so every such
plan is found by joining the halves: for each left partial plan, the right ones whose cost (or
effort) brings the slack within what G still allows, a window found by binary search. The join
keeps the best feasible pair: most value, then least cost, then least effort, then the first one.

Enumerating a core of m open stages costs about the number of its partial plans within G; each half
has the square root of that order (one pair of halves stands for many whole plans), which turns the
5,000-candidate portfolios of ``vigie bench`` from hundreds of thousands of partial plans per stage
into tens of thousands per half. The pairs the windows admit include plans below T: the best of them
is a feasible plan, which the caller uses as its incumbent (often the optimum itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from policies.prioritisation.exact import Problem

#: Cap on the partial plans kept for reconstruction over all stages of one half (8 bytes each).
MAX_HISTORY = 6_000_000
#: Cap on the pairs one join may examine (about 0.1 µs each, in chunks of PAIR_CHUNK).
MAX_PAIRS = 12_000_000
PAIR_CHUNK = 1_000_000


class CoreTooLarge(RuntimeError):
    """The bound leaves too many plans open for the enumeration; solve by branch and bound instead.

    When the LP was solved, ``lb`` and ``ub`` carry the reduced-cost fixings that every optimal
    plan satisfies (given a feasible plan found on the way), so branch and bound can start from
    the core alone; otherwise they are None.
    """

    lb: np.ndarray | None = None
    ub: np.ndarray | None = None


@dataclass
class Half:
    """The partial plans of one half (value, cost, effort, penalty, each with the fixed items of the
    left half included in both halves' cost and effort) and, per stage, the choices and parents."""

    v: np.ndarray
    c: np.ndarray
    e: np.ndarray
    pen: np.ndarray
    history: list[tuple[np.ndarray, np.ndarray]]
    peak: int


def stages_of(p: Problem, rc, y_grp, core: np.ndarray, fixed1: np.ndarray):
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


def _room(p: Problem, stages: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Most each resource (cost, effort) can still take from the stages after stage s (s = 0 … len)."""
    max_c = np.array([max(p.c[i] for i in st) for st in stages] + [0.0])
    max_e = np.array([max(p.e[i] for i in st) for st in stages] + [0.0])
    return np.cumsum(max_c[::-1])[::-1], np.cumsum(max_e[::-1])[::-1]


def _expand(p: Problem, rc, state, items: list[int], none_pen: float):
    """Every partial plan of ``state`` extended by none or one of ``items``: (value, cost, effort,
    penalty, item chosen or -1, parent index)."""
    sv, sc, se, sp = state
    pos = float(np.maximum(rc[items], 0).sum())
    m = len(sv)
    parts_v, parts_c, parts_e, parts_p = [sv], [sc], [se], [sp + pos + none_pen]
    parts_ch = [np.full(m, -1, dtype=np.int32)]
    for i in items:
        parts_v.append(sv + p.v[i])
        parts_c.append(sc + p.c[i])
        parts_e.append(se + p.e[i])
        parts_p.append(sp + (pos - rc[i]))
        parts_ch.append(np.full(m, i, dtype=np.int32))
    parent = np.tile(np.arange(m, dtype=np.int32), len(items) + 1)
    sv, sc, se, sp = (np.concatenate(a) for a in (parts_v, parts_c, parts_e, parts_p))
    return sv, sc, se, sp, np.concatenate(parts_ch), parent


def _prune(p: Problem, arrays, resource_rows, rest_c: float, rest_e: float, G: float):
    """Keep the partial plans that fit and stay within the penalty G, counting the slack no later
    stage can fill any more; merge the identical ones (keeping the first)."""
    sv, sc, se, sp, ch, parent = arrays
    bound = sp.copy()
    for dual, is_budget, limit in resource_rows:
        used, rest = (sc, rest_c) if is_budget else (se, rest_e)
        bound += dual * np.maximum(0.0, limit - used - rest) / limit
    ok = (sc <= p.B + p.budget_tol) & (se <= p.K + p.capacity_tol) & (bound <= G)
    arrays = tuple(a[ok] for a in (sv, sc, se, sp, ch, parent))
    sv, sc, se, sp = arrays[:4]
    if len(sv) > 1:  # merge identical partial plans, keeping the first (deterministic)
        idx = np.lexsort((np.arange(len(sv)), sp, se, sc, sv))
        sv_s, sc_s, se_s = sv[idx], sc[idx], se[idx]
        first = np.ones(len(idx), dtype=bool)
        first[1:] = (sv_s[1:] != sv_s[:-1]) | (sc_s[1:] != sc_s[:-1]) | (se_s[1:] != se_s[:-1])
        keep = np.sort(idx[first])
        arrays = tuple(a[keep] for a in arrays)
    return arrays


def _half(p: Problem, rc, stages, none_pen, start, resource_rows, other_room, G, max_states) -> Half:
    """Enumerate one half from ``start`` (value, cost, effort, penalty); the other half can still
    add at most ``other_room`` (cost, effort). Raises :class:`CoreTooLarge` past the caps."""
    rest_c, rest_e = _room(p, stages)
    sv, sc, se, sp = (np.array([x], dtype=float) for x in start)
    history: list[tuple[np.ndarray, np.ndarray]] = []
    kept, peak = 0, 1
    for s, items in enumerate(stages):
        expanded = _expand(p, rc, (sv, sc, se, sp), items, none_pen[s])
        sv, sc, se, sp, ch, parent = _prune(p, expanded, resource_rows, rest_c[s + 1] + other_room[0],
                                            rest_e[s + 1] + other_room[1], G)
        history.append((ch, parent))
        kept += len(sv)
        peak = max(peak, len(sv))
        if len(sv) > max_states or kept > MAX_HISTORY:
            raise CoreTooLarge(f"{len(sv)} partial plans at stage {s + 1} of {len(stages)}")
        if len(sv) == 0:
            break
    return Half(sv, sc, se, sp, history, peak)


def _window_key(p: Problem, resource_rows, left: Half, right: Half, base: tuple[float, float]):
    """The resource whose slack the join bounds: (left's use, right's addition, limit plus tolerance,
    limit, dual price). The priced one with the narrowest window relative to the spread of the right
    half's additions; with no priced resource, cost with a window open below."""
    choice, narrowest = None, np.inf
    for dual, is_budget, limit in resource_rows:
        if dual <= 0:
            continue
        added = right.c - base[0] if is_budget else right.e - base[1]
        spread = float(added.max() - added.min()) + 1e-12
        if limit / dual / spread < narrowest:
            narrowest = limit / dual / spread
            top = limit + (p.budget_tol if is_budget else p.capacity_tol)
            choice = (left.c if is_budget else left.e, added, top, limit, dual)
    return choice or (left.c, right.c - base[0], p.B + p.budget_tol, p.B, 0.0)


def _best_pair(vals, cost, effort, i, j):
    """Index of the best pair: most value (to rounding), then least cost, effort, i, j."""
    top = float(vals.max())
    near = np.flatnonzero(vals >= top - 1e-12 * max(1.0, abs(top)))
    return int(near[np.lexsort((j[near], i[near], effort[near], cost[near]))[0]])


def join(p: Problem, left: Half, right: Half, base: tuple[float, float], resource_rows, G: float):
    """The best feasible pair (left index, right index, value) among those whose slack on the window
    resource leaves room for a plan within G, or None when no pair fits."""
    if len(left.v) == 0 or len(right.v) == 0:
        return None
    used, added, top, limit, dual = _window_key(p, resource_rows, left, right, base)
    order = np.argsort(added, kind="stable")
    added_sorted = added[order]
    hi = np.searchsorted(added_sorted, top - used, "right")
    if dual > 0:
        slack_allowed = np.maximum(G - left.pen, 0.0) * limit / dual
        lo = np.searchsorted(added_sorted, limit - used - slack_allowed - 1e-9 * max(limit, 1.0), "left")
    else:
        lo = np.zeros(len(used), dtype=np.int64)
    counts = np.maximum(hi - lo, 0)
    if int(counts.sum()) > MAX_PAIRS:
        raise CoreTooLarge(f"{int(counts.sum())} pairs to join")
    winners = []
    ends = np.cumsum(counts)
    start = 0
    while start < len(counts):
        stop = int(np.searchsorted(ends, (ends[start - 1] if start else 0) + PAIR_CHUNK, "right"))
        stop = max(stop, start + 1)
        winners.extend(_join_chunk(p, left, right, base, order, lo, counts, start, stop))
        start = stop
    if not winners:
        return None
    w = np.array(winners)  # rows: value, cost, effort, i, j
    k = _best_pair(w[:, 0], w[:, 1], w[:, 2], w[:, 3], w[:, 4])
    return int(w[k, 3]), int(w[k, 4]), float(w[k, 0])


def _join_chunk(p: Problem, left: Half, right: Half, base, order, lo, counts, start: int, stop: int):
    """The best feasible pair of left plans start…stop-1 with the right plans of their windows."""
    cnt = counts[start:stop]
    total = int(cnt.sum())
    if total == 0:
        return []
    i = np.repeat(np.arange(start, stop), cnt)
    offsets = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    j = order[np.repeat(lo[start:stop], cnt) + offsets]
    cost = left.c[i] + right.c[j] - base[0]
    effort = left.e[i] + right.e[j] - base[1]
    ok = (cost <= p.B + p.budget_tol) & (effort <= p.K + p.capacity_tol)
    if not ok.any():
        return []
    i, j, cost, effort = i[ok], j[ok], cost[ok], effort[ok]
    vals = left.v[i] + right.v[j]
    k = _best_pair(vals, cost, effort, i, j)
    return [(float(vals[k]), float(cost[k]), float(effort[k]), int(i[k]), int(j[k]))]


def rebuild(fixed1: np.ndarray, history: list[tuple[np.ndarray, np.ndarray]], j: int) -> np.ndarray:
    """The plan of final state ``j``, followed back through the stages' choices and parents."""
    x = fixed1.copy()
    for ch, parent in reversed(history):
        if ch[j] >= 0:
            x[ch[j]] = True
        j = int(parent[j])
    return x


def enumerate_plans(p: Problem, rc, y, Z, target, tol, max_states):
    """Every plan worth ≥ ``target``, met in the middle. Returns (the best of them, or None when
    there is none; the best feasible plan the join saw, or None; the core size; the most partial
    plans alive at one stage of either half). The best is the most valuable, then the least costly,
    then the least effort."""
    G = Z - target + tol
    free = p.ub & ~p.lb
    core = free & (np.abs(rc) <= G)
    fixed1 = p.lb | (free & ~core & (rc > 0))
    resource_rows = p.resource_rows(y)
    core, stages, none_pen, pen0 = stages_of(p, rc, y[p.n_resource_rows :], core, fixed1)
    size = int(core.sum())
    base_v, base_c, base_e = float(p.v @ fixed1), float(p.c @ fixed1), float(p.e @ fixed1)
    if stages is None or pen0 > G or not p.fits(base_c, base_e):
        return None, None, size, 0
    halves = (stages[0::2], none_pen[0::2]), (stages[1::2], none_pen[1::2])
    rooms = [_room(p, st) for st, _ in halves]
    left = _half(p, rc, *halves[0], (base_v, base_c, base_e, pen0), resource_rows,
                 (rooms[1][0][0], rooms[1][1][0]), G, max_states)
    right = _half(p, rc, *halves[1], (0.0, base_c, base_e, pen0), resource_rows,
                  (rooms[0][0][0], rooms[0][1][0]), G, max_states)
    peak = max(left.peak, right.peak)
    pair = join(p, left, right, (base_c, base_e), resource_rows, G)
    if pair is None:
        return None, None, size, peak
    i, j, value = pair
    plan = rebuild(fixed1, left.history, i) | rebuild(np.zeros_like(fixed1), right.history, j)
    return (plan if value >= target - tol else None), plan, size, peak
