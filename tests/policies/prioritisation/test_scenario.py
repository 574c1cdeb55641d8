import itertools
import os
import random

import pytest

from policies.prioritisation.bench import greedy_plan, random_instance, scenario_benchmark
from policies.prioritisation.scenario import Candidate, Constraints, ScenarioInfeasible, compare, plan


def _feasible(subset, cands, k):
    by_id = {c.id: c for c in cands}
    s = set(subset)
    if not set(k.must_do) <= s or s & set(k.excluded):
        return False
    if any(len(s & set(g)) > 1 for g in k.exclusive_groups):
        return False
    cost = sum(by_id[i].cost(k.budget_basis, k.horizon_years) for i in s)
    effort = sum(by_id[i].effort_days for i in s)
    return cost <= k.available_budget + 1e-9 and effort <= k.capacity_days + 1e-9


def _brute_force(cands, k):
    ids = [c.id for c in cands]
    value = {c.id: c.value for c in cands}
    best = None
    for r in range(len(ids) + 1):
        for subset in itertools.combinations(ids, r):
            if _feasible(subset, cands, k):
                v = sum(value[i] for i in subset)
                best = v if best is None else max(best, v)
    return best


def _random_case(rng: random.Random, with_rules: bool):
    n = rng.randint(1, 12)
    cands = [
        Candidate(
            id=f"C{i:02d}",
            value=round(rng.uniform(-5, 100), rng.choice([0, 2])),
            build_cost=float(rng.randint(0, 50) * 1000),
            run_cost_per_year=float(rng.randint(0, 10) * 500),
            effort_days=float(rng.randint(0, 40)),
        )
        for i in range(n)
    ]
    basis = rng.choice(["first_year", "annual_run", "horizon"])
    years = rng.randint(1, 4)
    total_cost = sum(c.cost(basis, years) for c in cands)
    budget = rng.uniform(0.1, 0.8) * total_cost / (years if basis == "horizon" else 1)
    capacity = rng.uniform(0.1, 0.8) * sum(c.effort_days for c in cands)
    must, groups, excluded = (), (), ()
    if with_rules and n >= 3:
        ids = [c.id for c in cands]
        rng.shuffle(ids)
        groups = (tuple(ids[:2]), tuple(ids[2 : 2 + rng.randint(0, 3)]))
        excluded = tuple(ids[5:6])
        must = tuple(ids[6:7])
        if must:
            c = next(c for c in cands if c.id == must[0])
            # keep the must-do affordable so the instance stays feasible
            budget = max(budget, c.cost(basis, years) / (years if basis == "horizon" else 1))
            capacity = max(capacity, c.effort_days)
    return cands, Constraints(budget=budget, capacity_days=capacity, budget_basis=basis, horizon_years=years,
                              must_do=must, exclusive_groups=groups, excluded=excluded)


@pytest.mark.parametrize("with_rules", [False, True])
def test_optimum_equals_brute_force(with_rules):
    rng = random.Random(1234 + with_rules)
    for _ in range(100):
        cands, k = _random_case(rng, with_rules)
        result = plan(cands, k)
        assert result.status == "optimal"
        assert _feasible(result.selected_ids, cands, k), (cands, k, result)
        assert result.total_value == pytest.approx(_brute_force(cands, k), abs=1e-6)


def test_constraints_and_totals_are_respected():
    cands, k = random_instance(300, seed=3)
    result = plan(cands, k, name="Base")
    assert _feasible(result.selected_ids, cands, k)
    by_id = {c.id: c for c in cands}
    assert result.total_cost == pytest.approx(sum(by_id[i].cost() for i in result.selected_ids))
    assert result.budget_left == pytest.approx(k.available_budget - result.total_cost)
    assert result.capacity_left == pytest.approx(k.capacity_days - result.total_effort)
    assert result.budget_left >= 0 and result.capacity_left >= 0
    assert "cas d'usage retenus" in result.summary_fr()


def test_budget_basis_changes_what_counts():
    cands = [Candidate("A", 10, build_cost=100, run_cost_per_year=10), Candidate("B", 9, build_cost=0, run_cost_per_year=40)]
    assert plan(cands, Constraints(budget=60, capacity_days=10)).selected_ids == ("B",)
    assert plan(cands, Constraints(budget=60, capacity_days=10, budget_basis="annual_run")).selected_ids == ("A", "B")
    horizon = Constraints(budget=60, capacity_days=10, budget_basis="horizon", horizon_years=3)
    assert horizon.available_budget == 180
    assert plan(cands, horizon).selected_ids == ("A",)  # A costs 130, B 120, both 250 > 180


def test_deterministic_whatever_the_input_order():
    # many exact ties: equal values and costs
    cands = [Candidate(f"T{i}", 10.0, build_cost=100.0, effort_days=1.0) for i in range(12)]
    k = Constraints(budget=500, capacity_days=100)
    first = plan(cands, k)
    for seed in range(5):
        shuffled = cands[:]
        random.Random(seed).shuffle(shuffled)
        assert plan(shuffled, k).selected_ids == first.selected_ids
    assert len(first.selected_ids) == 5


def test_cheaper_tie_break_picks_least_cost_optimum():
    cands = [Candidate("A", 10, build_cost=100), Candidate("B", 10, build_cost=50), Candidate("C", 5, build_cost=1)]
    k = Constraints(budget=101, capacity_days=0, prefer_cheaper_ties=True, exclusive_groups=(("A", "B"),))
    result = plan(cands, k)
    assert result.selected_ids == ("B", "C")


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        (Constraints(budget=-1, capacity_days=10), "budget annuel est négatif"),
        (Constraints(budget=10, capacity_days=-5), "capacité de l'équipe est négative"),
        (Constraints(budget=1000, capacity_days=100, must_do=("Z",)), "inconnus parmi les candidats : « Z »"),
        (Constraints(budget=1000, capacity_days=100, excluded=("Y",)), "exclus inconnus"),
        (Constraints(budget=1000, capacity_days=100, exclusive_groups=(("A", "Q"),)), "« Q »"),
        (Constraints(budget=1000, capacity_days=100, must_do=("A",), excluded=("A",)), "à la fois imposés et exclus"),
        (
            Constraints(budget=1000, capacity_days=100, must_do=("A", "B"), exclusive_groups=(("A", "B", "C"),)),
            "s'excluent mutuellement",
        ),
        (Constraints(budget=150, capacity_days=100, must_do=("A", "B")), "au-delà du budget disponible de 150 €"),
        (Constraints(budget=1000, capacity_days=15, must_do=("A", "B")), "au-delà de la capacité de l'équipe"),
        (Constraints(budget=1000, capacity_days=100, horizon_years=0), "horizon"),
    ],
)
def test_infeasible_inputs_give_a_french_message(constraints, expected):
    cands = [Candidate("A", 5, build_cost=100, effort_days=10), Candidate("B", 4, build_cost=100, effort_days=10),
             Candidate("C", 3, build_cost=10, effort_days=1)]
    with pytest.raises(ScenarioInfeasible) as err:
        plan(cands, constraints)
    assert expected in err.value.message


def test_bad_candidates_are_named():
    k = Constraints(budget=10, capacity_days=10)
    with pytest.raises(ScenarioInfeasible, match=r"en double.*« A »"):
        plan([Candidate("A", 1), Candidate("A", 2)], k)
    with pytest.raises(ScenarioInfeasible, match="« B » : le coût de réalisation est négatif"):
        plan([Candidate("B", 1, build_cost=-3)], k)


def test_empty_and_zero_budget():
    assert plan([], Constraints(budget=0, capacity_days=0)).selected_ids == ()
    cands = [Candidate("A", 3, build_cost=0, effort_days=0), Candidate("B", 3, build_cost=1)]
    assert plan(cands, Constraints(budget=0, capacity_days=0)).selected_ids == ("A",)


def test_five_hundred_candidates_solve_optimally():
    cands, k = random_instance(500, seed=0)
    result = plan(cands, k)
    assert result.status == "optimal"
    assert _feasible(result.selected_ids, cands, k)
    _, greedy_value = greedy_plan(cands, k)
    assert result.total_value >= greedy_value - 1e-9


def test_compare_side_by_side():
    cands = [Candidate("A", 5, build_cost=100), Candidate("B", 4, build_cost=60), Candidate("C", 3, build_cost=50)]
    a = plan(cands, Constraints(budget=110, capacity_days=0), name="Sobre")
    b = plan(cands, Constraints(budget=200, capacity_days=0), name="Ambitieux")
    df = compare([a, b])
    assert list(df.columns) == ["Sobre", "Ambitieux", "Écart"]
    assert df.loc[("Totaux", "Valeur totale"), "Écart"] == pytest.approx(b.total_value - a.total_value)
    assert df.loc[("Cas d'usage", "A"), "Sobre"] == "non"
    assert df.loc[("Cas d'usage", "A"), "Écart"] == "retenu dans : Ambitieux"
    assert df.loc[("Cas d'usage", "B"), "Écart"] == ""
    with pytest.raises(ValueError, match="même nom"):
        compare([a, a])


def test_benchmark_reports_timings_and_gap():
    out = scenario_benchmark(60, seed=1)
    assert out["status"] == "optimal" and out["method"] == "core"
    assert out["greedy_value"] <= out["optimal_value"] + 1e-9
    assert out["branch_and_bound_value"] == pytest.approx(out["optimal_value"], abs=1e-6)
    assert 0 <= out["greedy_gap"] < 1
    assert out["plan_seconds"] > 0 and out["ratio"] > 0 and out["ratio_vs_branch_and_bound"] > 0


def _off_grid(cands):
    """The same candidates with values no common step divides (the enumeration then lowers its
    target by fractions of the gap instead of grid steps)."""
    return [Candidate(c.id, c.value * 1.0137 + 0.00123, c.build_cost, c.run_cost_per_year, c.effort_days)
            for c in cands]


@pytest.mark.parametrize("with_rules", [False, True])
def test_optimum_equals_brute_force_with_values_off_any_grid(with_rules):
    rng = random.Random(99 + with_rules)
    for _ in range(60):
        cands, k = _random_case(rng, with_rules)
        cands = _off_grid(cands)
        result = plan(cands, k)
        assert _feasible(result.selected_ids, cands, k), (cands, k, result)
        assert result.total_value == pytest.approx(_brute_force(cands, k), abs=1e-6)


def test_overlapping_groups_are_still_solved_exactly():
    # « A » sits in two groups: A excludes B and A excludes C, but B and C go together.
    cands = [Candidate("A", 10, build_cost=10), Candidate("B", 6, build_cost=10), Candidate("C", 6, build_cost=10),
             Candidate("D", 1, build_cost=10)]
    k = Constraints(budget=30, capacity_days=0, exclusive_groups=(("A", "B"), ("A", "C")))
    result = plan(cands, k)
    assert result.selected_ids == ("B", "C", "D")
    assert result.method == "branch_and_bound"  # the enumeration handles disjoint groups only
    rng = random.Random(5)
    for _ in range(40):
        cands, k = _random_case(rng, with_rules=True)
        ids = [c.id for c in cands]
        if len(ids) < 4:
            continue
        k = Constraints(budget=k.budget, capacity_days=k.capacity_days, budget_basis=k.budget_basis,
                        horizon_years=k.horizon_years, exclusive_groups=(tuple(ids[:3]), tuple(ids[2:4])))
        result = plan(cands, k)
        assert _feasible(result.selected_ids, cands, k)
        assert result.total_value == pytest.approx(_brute_force(cands, k), abs=1e-6)


@pytest.mark.parametrize("seed", range(8))
def test_enumeration_and_branch_and_bound_agree_on_portfolios(seed):
    cands, k = random_instance(150 + 40 * seed, seed=seed)
    if seed % 2:
        cands = _off_grid(cands)
    fast = plan(cands, k)
    reference = plan(cands, k, solver="branch_and_bound")
    assert fast.method == "core" and reference.method == "branch_and_bound"
    assert reference.status == "optimal"
    assert _feasible(fast.selected_ids, cands, k)
    assert fast.total_value == pytest.approx(reference.total_value, abs=1e-6)


def test_enumeration_returns_the_least_costly_optimum():
    # A+C and B+C are both worth 15; B+C costs 51, A+C 101. The flag keeps our method (no HiGHS).
    cands = [Candidate("A", 10, build_cost=100), Candidate("B", 10, build_cost=50), Candidate("C", 5, build_cost=1)]
    for order in (cands, cands[::-1]):
        result = plan(order, Constraints(budget=101, capacity_days=0, exclusive_groups=(("A", "B"),),
                                         prefer_cheaper_ties=True))
        assert result.method == "core"
        assert result.selected_ids == ("B", "C")


def test_an_enumeration_too_large_falls_back_to_branch_and_bound(monkeypatch):
    from policies.prioritisation import exact

    cands, k = random_instance(200, seed=4)
    expected = plan(cands, k)
    monkeypatch.setattr(exact, "MAX_STATES", 1)
    fallback = plan(cands, k)
    assert expected.method == "core" and fallback.method == "branch_and_bound"
    assert fallback.total_value == pytest.approx(expected.total_value, abs=1e-6)
    # HiGHS then starts from the items the bound fixes: those fixings must never cut the optimum.
    rng = random.Random(2024)
    for _ in range(60):
        cands, k = _random_case(rng, with_rules=rng.random() < 0.5)
        result = plan(cands, k)
        assert _feasible(result.selected_ids, cands, k)
        assert result.total_value == pytest.approx(_brute_force(cands, k), abs=1e-6), (cands, k)


def test_grid_step_detection():
    import numpy as np

    from policies.prioritisation.exact import _grid_step

    assert _grid_step(np.array([3.0, 7.0, -2.0])) == 1.0
    assert _grid_step(np.array([3.25, 7.5, 1.0])) == 0.25
    assert _grid_step(np.array([0.01, 1.37])) == 0.01
    assert _grid_step(np.array([1 / 3, 1.0])) == 0.0


def test_the_optimum_may_leave_an_exclusive_group_empty():
    # Per euro, A and B beat C, yet the best plan is C alone and the group stays empty.
    cands = [Candidate("A", 6, build_cost=10), Candidate("B", 6, build_cost=10), Candidate("C", 11, build_cost=20)]
    result = plan(cands, Constraints(budget=20, capacity_days=0, exclusive_groups=(("A", "B"),)))
    assert result.selected_ids == ("C",) and result.total_value == 11
    rng = random.Random(77)
    for _ in range(60):  # wide groups under tight budgets: empty groups are common
        cands, k = _random_case(rng, with_rules=False)
        ids = [c.id for c in cands]
        groups = tuple(tuple(ids[i : i + 4]) for i in range(0, len(ids) - 1, 4))
        k = Constraints(budget=k.budget / 2, capacity_days=k.capacity_days, exclusive_groups=groups)
        result = plan(cands, k)
        assert result.total_value == pytest.approx(_brute_force(cands, k), abs=1e-6), (cands, k)


def test_the_solver_s_stray_prints_to_file_descriptor_1_are_silenced_and_python_s_are_not(capfd):
    from policies.prioritisation.highs import quiet_stdout as _quiet_stdout

    print("avant", flush=True)
    with _quiet_stdout():
        os.write(1, b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\n")
    os.write(1, b"apres\n")
    out = capfd.readouterr().out
    assert "avant" in out and "apres" in out and "tmpSolver" not in out


def test_missing_figures_are_unknown_left_out_and_named_unless_imposed():
    nan = float("nan")
    cands = [Candidate("A", 5, build_cost=100, effort_days=10),
             Candidate("B", 9, build_cost=10, effort_days=nan, title="Sans charge"),  # the best, if free
             Candidate("C", 8, build_cost=None, run_cost_per_year=None, effort_days=1),
             Candidate("D", None, build_cost=10, effort_days=1),
             Candidate("E", 7, build_cost=None, run_cost_per_year=20, effort_days=1)]
    out = plan(cands, Constraints(budget=1000, capacity_days=100))
    assert out.selected_ids == ("A",)  # nothing unknown is counted as free
    assert [(i.id, i.missing, i.treatment) for i in out.incomplete] == [
        ("B", ("effort_days",), "left_out"), ("C", ("build_cost", "run_cost_per_year"), "left_out"),
        ("D", ("value",), "left_out"), ("E", ("build_cost",), "left_out")]
    assert out.incomplete[0].title == "Sans charge" and out.incomplete[0].missing_fr == "charge (jours-personne)"
    assert "4 cas à compléter, laissés hors de l'optimisation : B (charge (jours-personne))" in out.summary_fr()
    # the annual-run basis does not need the build cost: E is complete there
    run_only = plan(cands, Constraints(budget=1000, capacity_days=100, budget_basis="annual_run"))
    assert "E" in run_only.selected_ids and "E" not in {i.id for i in run_only.incomplete}
    # imposed: kept, its unknown effort counted as zero and said so; excluded: stays out, listed as such
    forced = plan(cands, Constraints(budget=1000, capacity_days=10, must_do=("B",), excluded=("C",)))
    assert "B" in forced.selected_ids and forced.total_effort == 10  # A (10 days) + B (unknown, zero)
    treatments = {i.id: i.treatment for i in forced.incomplete}
    assert treatments == {"B": "imposed", "C": "excluded", "D": "left_out", "E": "left_out"}
    assert "Imposé malgré des chiffres manquants, comptés pour zéro : B (charge (jours-personne))" in forced.summary_fr()


def test_an_infinite_figure_is_still_refused():
    with pytest.raises(ScenarioInfeasible, match="« A » : la charge n'est pas un nombre fini"):
        plan([Candidate("A", 1, effort_days=float("inf"))], Constraints(budget=10, capacity_days=10))
