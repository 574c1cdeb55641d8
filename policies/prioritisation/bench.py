"""Benchmark of the scenario planner against a greedy heuristic, in the same process.

``vigie bench`` calls :func:`scenario_benchmark` for 500 and 5,000 candidates. The instance is
random but shaped like a portfolio: each candidate's value is the priority the real scoring gives
to random 1–5 criteria and a random governance profile (so values repeat, as they do in life),
build costs are whole thousands of euros, run costs a fraction of them, effort whole person-days;
budget and capacity cover about a quarter of the total; three cheap use cases are must-do, one in
twenty-five sits in a group of two or three mutually exclusive ones, one in fifty is excluded.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from policies.prioritisation.scenario import Candidate, Constraints, plan
from policies.prioritisation.scoring import (
    CRITERIA,
    UseCaseCriteria,
    load_weights,
    score,
)
from policies.vocabulary import AiActClass, ImpactLevel


def random_instance(n: int, seed: int = 0) -> tuple[list[Candidate], Constraints]:
    rng = np.random.default_rng(seed)
    weights = load_weights()
    classes = [AiActClass.HIGH, AiActClass.LIMITED, AiActClass.MINIMAL, AiActClass.OUT_OF_SCOPE, None]
    levels: list[ImpactLevel | None] = [*ImpactLevel, None]
    cands = []
    for i in range(n):
        crit = UseCaseCriteria(
            reference=f"UC-{i:05d}",
            risk_class=classes[rng.integers(len(classes))],
            impact_level=levels[rng.integers(len(levels))],
            **{c.code: int(rng.integers(1, 6)) for c in CRITERIA},
        )
        build = float(rng.integers(5, 250)) * 1000
        cands.append(
            Candidate(
                id=crit.reference,
                value=score(crit, weights).priority,
                build_cost=build,
                run_cost_per_year=float(round(build * rng.uniform(0.05, 0.3), -2)),
                effort_days=float(rng.integers(5, 150)),
            )
        )
    ids = [c.id for c in cands]
    order = rng.permutation(n)
    cheap = sorted(range(n), key=lambda i: cands[i].cost())[:3]
    must = tuple(ids[i] for i in cheap)
    rest = [i for i in order if i not in cheap]
    groups, pos = [], 0
    for _ in range(n // 25):
        size = int(rng.integers(2, 4))
        groups.append(tuple(ids[i] for i in rest[pos : pos + size]))
        pos += size
    excluded = tuple(ids[i] for i in rest[pos : pos + n // 50])
    constraints = Constraints(
        budget=round(0.25 * sum(c.cost() for c in cands), -3),
        capacity_days=round(0.25 * sum(c.figure("effort_days") for c in cands)),
        must_do=must,
        exclusive_groups=tuple(groups),
        excluded=excluded,
    )
    return cands, constraints


def greedy_plan(candidates: Sequence[Candidate], k: Constraints) -> tuple[tuple[str, ...], float]:
    """Baseline: must-do first, then by value per unit of (budget share + capacity share), if it fits."""
    budget, capacity = k.available_budget, k.capacity_days
    by_id = {c.id: c for c in candidates}
    group_of: dict[str, list[int]] = {}
    for gi, g in enumerate(k.exclusive_groups):
        for i in g:
            group_of.setdefault(i, []).append(gi)
    used_groups: set[int] = set()
    chosen: list[str] = []
    spent = effort = 0.0

    def take(c: Candidate) -> None:
        nonlocal spent, effort
        chosen.append(c.id)
        spent += c.cost(k.budget_basis, k.horizon_years)
        effort += c.figure("effort_days")
        used_groups.update(group_of.get(c.id, ()))

    for i in k.must_do:
        take(by_id[i])
    blocked = set(k.must_do) | set(k.excluded)

    def density(c: Candidate) -> float:
        load = (c.cost(k.budget_basis, k.horizon_years) / max(budget, 1e-9)
                + c.figure("effort_days") / max(capacity, 1e-9))
        return c.figure("value") / load if load > 0 else float("inf")

    for c in sorted(candidates, key=lambda c: (-density(c), c.id)):
        if c.id in blocked or c.missing(k.budget_basis) or c.figure("value") <= 0 or used_groups.intersection(group_of.get(c.id, ())):
            continue
        cost = c.cost(k.budget_basis, k.horizon_years)
        if spent + cost <= budget and effort + c.figure("effort_days") <= capacity:
            take(c)
    return tuple(sorted(chosen)), sum(by_id[i].figure("value") for i in chosen)


def scenario_benchmark(n: int, seed: int = 0, branch_and_bound: bool = True) -> dict:
    """Time the exact planner, HiGHS alone and the greedy baseline on one random instance of ``n``.

    Returns wall-clock seconds for each (and the planner's CPU seconds, which a loaded machine
    inflates less), the ratios planner / greedy and planner / HiGHS, how optimality was proven,
    the values and the greedy's optimality gap (share of the optimal value it misses). With
    ``branch_and_bound=False`` HiGHS alone is not run (its keys are None).
    """
    cands, k = random_instance(n, seed)
    t0 = time.perf_counter()
    _, greedy_value = greedy_plan(cands, k)
    greedy_seconds = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    result = plan(cands, k)
    plan_seconds, plan_cpu = time.perf_counter() - t0, time.process_time() - c0
    bb_seconds = bb_value = bb_status = None
    if branch_and_bound:
        t0 = time.perf_counter()
        bb = plan(cands, k, solver="branch_and_bound")
        bb_seconds, bb_value, bb_status = time.perf_counter() - t0, bb.total_value, bb.status
    optimal = result.total_value
    return {
        "n": n,
        "seed": seed,
        "plan_seconds": plan_seconds,
        "plan_cpu_seconds": plan_cpu,
        "method": result.method,
        "greedy_seconds": greedy_seconds,
        "ratio": plan_seconds / greedy_seconds if greedy_seconds > 0 else float("inf"),
        "branch_and_bound_seconds": bb_seconds,
        "branch_and_bound_value": bb_value,
        "branch_and_bound_status": bb_status,
        "ratio_vs_branch_and_bound": plan_seconds / bb_seconds if bb_seconds else None,
        "status": result.status,
        "selected": len(result.selected_ids),
        "optimal_value": optimal,
        "greedy_value": greedy_value,
        "greedy_gap": (optimal - greedy_value) / optimal if optimal else 0.0,
        "must_do": len(k.must_do),
        "exclusive_groups": len(k.exclusive_groups),
        "excluded": len(k.excluded),
    }
