"""The demo portfolio carries a deployment in waves with one rolled back, and a bought high-risk system
with its supplier's documents."""

from __future__ import annotations

from policies.vocabulary import Stage
from portal.demo.deployment import HOUSING_TITLE
from portal.demo.monitoring import DEPLOYED_TITLE


def _case(services, title):
    return next(uc for uc in services.register.list() if uc.title == title)


def test_the_routing_rolls_out_in_waves_one_rolled_back(demo_services):
    uc = _case(demo_services, DEPLOYED_TITLE)
    plan = demo_services.deployment.plan(uc.id)
    assert plan.stage is Stage.DEPLOYED and plan.rollback_plan is not None
    assert [w.status for w in plan.waves] == ["go", "go", "rolled_back", "planned"]
    first, _, third, _ = plan.waves
    assert first.criteria_met is True  # read from the monitoring outcomes of its period
    assert third.criteria_met is False
    rollback = third.decisions[-1]
    assert rollback.decision == "roll_back" and "40 %" in rollback.reasons
    assert any(r["met"] is False for r in rollback.readings)


def test_the_bought_high_risk_housing_system_has_its_supplier_documents(demo_services):
    uc = _case(demo_services, HOUSING_TITLE)
    view = demo_services.procurement.view(uc.id)
    assert view.gates_check_documents and view.missing == [] and view.contract is not None
    assert {d.kind for d in view.documents} == {"instructions", "eu_registration", "conformity", "role_statement"}
    assert all(len(d.sha256) == 64 for d in view.documents)
    (held,) = [r for r in demo_services.governance.requests(uc.id) if r.pending]
    assert not [m for m in held.missing if "documents du fournisseur" in m]
