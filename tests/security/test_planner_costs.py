"""Security: one use case without costs neither blocks every scenario nor wins the budget for free.

``build_cost`` and ``run_cost_per_year`` arrive in the candidates' table as NaN when left empty;
the planner used to receive NaN (``float(nan or 0.0)`` is NaN) and refuse the whole scenario, then
counted them as zero, which made an unfinished sheet look free. They are unknown: the case is left
out of the optimisation and listed « à compléter ».
"""

from __future__ import annotations

from tests.conftest import use_case_data

SCORE = {"service_to_residents": 4, "efficiency_gain": 3, "strategic_alignment": 3, "reuse": 2,
         "data_readiness": 3, "technical_maturity": 3, "internal_skills": 3, "vendor_dependency": 2,
         "effort_days": 10}


def test_a_use_case_without_costs_is_left_out_and_named(services, people):
    costed = services.register.create(people["lead"], use_case_data(title="Avec coûts"))
    bare = services.register.create(people["lead"], use_case_data(title="Sans coûts", build_cost=None,
                                                                   run_cost_per_year=None))
    for uc in (costed, bare):
        services.portfolio.set_score(people["lead"], uc.id, SCORE)
    out = services.portfolio.run_scenario({"budget": 50000, "capacity_days": 100})
    assert out.result.selected_ids == (costed.reference,)
    assert out.result.total_cost == 12000
    assert [(i.id, i.treatment) for i in out.result.incomplete] == [(bare.reference, "left_out")]
    assert any("à compléter" in n and bare.reference in n and "coût de réalisation" in n for n in out.notes)
    assert costed.reference not in " ".join(out.notes)
