"""Security: one use case without costs no longer blocks every scenario.

``build_cost`` and ``run_cost_per_year`` arrive in the candidates' table as NaN when left empty;
the planner used to receive NaN (``float(nan or 0.0)`` is NaN) and refuse the whole scenario.
The documentation says empty costs count as zero.
"""

from __future__ import annotations

from tests.conftest import use_case_data

SCORE = {"service_to_residents": 4, "efficiency_gain": 3, "strategic_alignment": 3, "reuse": 2,
         "data_readiness": 3, "technical_maturity": 3, "internal_skills": 3, "vendor_dependency": 2,
         "effort_days": 10}


def test_a_use_case_without_costs_counts_as_zero(services, people):
    costed = services.register.create(people["lead"], use_case_data(title="Avec coûts"))
    bare = services.register.create(people["lead"], use_case_data(title="Sans coûts", build_cost=None,
                                                                   run_cost_per_year=None))
    for uc in (costed, bare):
        services.portfolio.set_score(people["lead"], uc.id, SCORE)
    out = services.portfolio.run_scenario({"budget": 50000, "capacity_days": 100})
    assert set(out.result.selected_ids) == {costed.reference, bare.reference}
    assert out.result.total_cost == 12000
    assert any("compté pour zéro" in n and bare.reference in n for n in out.notes)
    assert costed.reference not in " ".join(n for n in out.notes if "Coût" in n)
