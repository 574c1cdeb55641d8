"""The demo binds the four decision-support use cases to their modules, with stored runs and references."""

from __future__ import annotations

from portal.demo import seed_demo
from portal.demo.analysis import DEMO_BINDINGS
from portal.services.people import SYSTEM


def test_demo_use_cases_are_bound_run_and_have_a_reference(services):
    calls = []
    services.analysis.on_reference = lambda p, uc, run, inputs: calls.append((uc, run, sorted(inputs)))
    counts = seed_demo(services, SYSTEM)
    by_title = {uc.title: uc for uc in services.register.list()}
    bindings = services.analysis.bindings()
    assert counts["analysis_runs"] >= len(DEMO_BINDINGS)
    for title, (module_key, _) in DEMO_BINDINGS.items():
        uc = by_title[title]
        assert bindings[uc.id].module_key == module_key
        runs = services.analysis.list_runs(uc.id)
        assert runs and all(r.status == "done" for r in runs)
        reference = services.analysis.reference_run(uc.id)
        assert reference is not None and reference.created_by_id == uc.lead_id
    assert len(calls) == len(DEMO_BINDINGS)
    assert services.audit.verify().ok
