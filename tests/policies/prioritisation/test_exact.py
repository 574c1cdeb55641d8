"""The exact method (LP bound, halves met in the middle) against HiGHS alone and brute force, on many
random instances: same optimal value, every proof path taken, the least costly optimum on demand."""

import random
from dataclasses import replace

import numpy as np
import pytest

from policies.prioritisation import exact
from policies.prioritisation.bench import random_instance
from policies.prioritisation.enumeration import enumerate_plans
from policies.prioritisation.scenario import Candidate, Constraints, ScenarioInfeasible, plan
from tests.policies.prioritisation.test_scenario import _brute_force, _feasible, _off_grid, _random_case


def _portfolio_case(rng: random.Random):
    """A scored portfolio of 15–40 use cases (values on the 0.25 grid, or off any grid, or in cents),
    with its imposed, excluded and exclusive use cases kept or dropped, budget and capacity varied,
    some figures left unknown."""
    cands, k = random_instance(rng.randint(15, 40), seed=rng.randint(0, 10**6))
    if rng.random() < 0.3:
        k = replace(k, must_do=(), exclusive_groups=(), excluded=())
    shape = rng.choice(["as is", "tight", "loose", "capacity", "horizon", "off grid", "cents", "unknown"])
    if shape == "tight":
        k = replace(k, budget=k.budget * 0.5)
    elif shape == "loose":
        k = replace(k, budget=k.budget * 2.5, capacity_days=k.capacity_days * 2.5)
    elif shape == "capacity":
        k = replace(k, budget=k.budget * 3, capacity_days=k.capacity_days * 0.6)
    elif shape == "horizon":
        k = replace(k, budget_basis="horizon", horizon_years=3)
    elif shape == "off grid":
        cands = _off_grid(cands)
    elif shape == "cents":
        cands = [replace(c, value=round(c.value + rng.randint(-99, 99) / 100, 2)) for c in cands]
    elif shape == "unknown":
        cands = [replace(c, effort_days=None) if rng.random() < 0.1 else c for c in cands]
    return cands, replace(k, prefer_cheaper_ties=rng.random() < 0.3)


def _respects(selected, cands, k) -> bool:
    """Imposed in, excluded and incomplete out, one per group, within budget and capacity (unknown
    figures of imposed use cases counting as zero)."""
    chosen = [c for c in cands if c.id in set(selected)]
    if not set(k.must_do) <= set(selected) or set(selected) & set(k.excluded):
        return False
    if any(c.missing(k.budget_basis) and c.id not in k.must_do for c in chosen):
        return False
    if any(len(set(selected) & set(g)) > 1 for g in k.exclusive_groups):
        return False
    return (sum(c.cost(k.budget_basis, k.horizon_years) for c in chosen) <= k.available_budget + 1e-6
            and sum(c.figure("effort_days") for c in chosen) <= k.capacity_days + 1e-6)


def test_same_optimum_as_highs_alone_on_many_random_portfolios():
    rng = random.Random(2026)
    methods, checked = set(), 0
    while checked < 100:
        cands, k = _portfolio_case(rng)
        try:
            fast = plan(cands, k)
        except ScenarioInfeasible:
            continue  # the imposed use cases alone overrun a cut budget or capacity
        reference = plan(cands, k, solver="branch_and_bound")
        assert fast.status == reference.status == "optimal"
        assert _respects(fast.selected_ids, cands, k)
        assert fast.total_value == pytest.approx(reference.total_value, abs=1e-6), (cands, k)
        methods.add(fast.method)
        checked += 1
    assert methods == {"core"}


def _arrays(cands, k):
    cands = sorted(cands, key=lambda c: c.id)
    index = {c.id: i for i, c in enumerate(cands)}
    values = np.array([c.figure("value") for c in cands])
    costs = np.array([c.cost(k.budget_basis, k.horizon_years) for c in cands])
    efforts = np.array([c.figure("effort_days") for c in cands])
    lb, ub = np.zeros(len(cands), bool), np.ones(len(cands), bool)
    lb[[index[i] for i in k.must_do]] = True
    ub[[index[i] for i in k.excluded]] = False
    groups = [[index[i] for i in g] for g in k.exclusive_groups]
    return values, costs, efforts, k.available_budget, k.capacity_days, groups, lb, ub


def test_every_proof_path_is_taken_and_each_agrees_with_highs():
    rng = random.Random(7)
    proofs: dict[str, int] = {}
    for _ in range(40):
        cands, k = random_instance(rng.randint(30, 70), seed=rng.randint(0, 10**6))
        if rng.random() < 0.5:
            k = replace(k, budget=k.budget * rng.uniform(0.3, 2.0))
        try:
            solution = exact.solve(*_arrays(cands, k))
        except exact.CoreTooLarge:
            continue
        proofs[solution.proof] = proofs.get(solution.proof, 0) + 1
        reference = plan(cands, k, solver="branch_and_bound")
        assert solution.value == pytest.approx(reference.total_value, abs=1e-6), solution.proof
    assert proofs.get("reached", 0) > 0 and proofs.get("step_above", 0) > 0, proofs


@pytest.mark.parametrize("with_rules", [False, True])
def test_an_enumeration_sees_every_plan_worth_its_target_and_no_other_is_claimed(with_rules):
    # On small instances, brute force knows every plan: at the optimum's own value the enumeration
    # finds an optimal plan, one grid step above it finds none.
    rng = random.Random(31 + with_rules)
    for _ in range(60):
        cands, k = _random_case(rng, with_rules)
        cands = [replace(c, value=round(c.value)) for c in cands]  # on the grid of whole points
        try:
            plan(cands, k)
        except ScenarioInfeasible:
            continue
        best = _brute_force(cands, k)
        args = _arrays(cands, k)
        p = exact._prepare(*args)
        _, y = p.relax()
        rc = p.v - p.A.T @ y if len(y) else p.v.copy()
        free = p.ub & ~p.lb
        Z = float(y @ p.rhs) + float(np.maximum(rc[free], 0).sum()) + float(rc[p.lb].sum())
        found, _, _, _ = enumerate_plans(p, rc, y, Z, best, 1e-9, 10**6)
        assert found is not None and float(p.v @ found) == pytest.approx(best), (cands, k)
        assert p.fits(float(p.c @ found), float(p.e @ found))
        above, _, _, _ = enumerate_plans(p, rc, y, Z, best + 1, 1e-9, 10**6)
        assert above is None


def test_cheaper_ties_give_the_least_costly_optimum_like_highs_lexicographic():
    rng = random.Random(11)
    for _ in range(25):
        # Few distinct values and costs: many optimal plans, of different costs.
        n = rng.randint(10, 30)
        cands = [Candidate(f"T{i:02d}", float(rng.choice([4, 6, 10])), build_cost=float(rng.choice([10, 15, 20, 30])),
                           effort_days=float(rng.randint(1, 4))) for i in range(n)]
        k = Constraints(budget=rng.randint(40, 150), capacity_days=rng.randint(8, 40), prefer_cheaper_ties=True)
        fast = plan(cands, k)
        reference = plan(cands, k, solver="branch_and_bound")
        assert fast.method == "core"
        assert fast.total_value == pytest.approx(reference.total_value, abs=1e-6)
        assert fast.total_cost == pytest.approx(reference.total_cost, abs=1e-6)


def test_five_thousand_candidates_are_proven_by_the_exact_method():
    cands, k = random_instance(5000, seed=1)
    result = plan(cands, k)
    assert result.status == "optimal" and result.method == "core"
    assert _feasible(result.selected_ids, cands, k)
    assert result.total_value == 81908.25  # HiGHS alone proves the same optimum (16 s; see vigie bench)


def test_a_time_limited_plan_says_it_is_not_proven():
    cands, k = random_instance(1000, seed=3)
    proven = plan(cands, k)
    cut = plan(cands, replace(k, time_limit=0.05), solver="branch_and_bound")  # HiGHS needs seconds here
    assert proven.status == "optimal" and "Optimal." in proven.summary_fr()
    assert cut.status == "time_limit"
    assert "Meilleure solution trouvée dans le temps imparti" in cut.summary_fr()
    assert _respects(cut.selected_ids, cands, k) and cut.total_value <= proven.total_value + 1e-6
    # Our method answers within the same limit with a proof, so the limit then changes nothing.
    assert plan(cands, replace(k, time_limit=30.0)).status == "optimal"
