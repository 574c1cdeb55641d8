"""The seam between analysis and monitoring, through the services as `build_services` wires them."""

from __future__ import annotations

import pytest

from portal.services.errors import InvalidInput, PermissionDenied
from tests.conftest import use_case_data
from usecases import registry


def test_a_reference_run_becomes_the_monitoring_reference_with_the_module_columns(services, people):
    uc = services.register.create(people["lead"], use_case_data(title="Fréquentation des équipements"))
    services.analysis.bind(people["lead"], uc.id, "facility_usage")
    assert services.monitoring.default_columns(uc.id), "columns proposed from the bound module's input schema"
    run = services.analysis.run(people["lead"], uc.id, use_sample=True)
    assert services.monitoring.config(uc.id) is None
    services.analysis.set_reference(people["lead"], run.id)
    cfg = services.monitoring.config(uc.id)
    assert cfg is not None and cfg.module_key == "facility_usage"
    assert cfg.reference_label == f"Exécution d'analyse n° {run.id}"
    sample = registry.get("facility_usage").sample_inputs()
    frame = next(iter(sample.values()))
    assert set(cfg.columns) <= set(frame.columns)
    assert cfg.reference_rows == len(frame)
    # the same batch checked against its own reference does not drift
    check = services.monitoring.run_check(people["lead"], uc.id, services.monitoring.reference_frame(uc.id),
                                          label="même lot", html_report=False)
    assert not check.run.dataset_drift


def test_a_text_module_is_watched_on_what_it_produces_run_after_run(services, people):
    """Routing reads free text: the Suivi tab watches its output (service proposed, confidence, routed)."""
    uc = services.register.create(people["lead"], use_case_data(title="Routage des demandes"))
    services.analysis.bind(people["lead"], uc.id, "request_routing")
    watched = registry.get("request_routing").monitored_output
    assert watched is not None and services.monitoring.default_columns(uc.id) == watched[1]
    first = services.analysis.run(people["lead"], uc.id, use_sample=True)
    later = services.analysis.run(people["lead"], uc.id, use_sample=True)
    with pytest.raises(InvalidInput, match="référence"):  # nothing to compare with yet
        services.analysis.check_run(people["lead"], later.id)
    services.analysis.set_reference(people["lead"], first.id)
    cfg = services.monitoring.config(uc.id)
    routing = services.analysis.open_run(first.id).tables["routing"]
    assert cfg is not None and cfg.columns == watched[1] and cfg.reference_rows == len(routing)
    with pytest.raises(PermissionDenied):
        services.analysis.check_run(people["reader"], later.id)
    with pytest.raises(InvalidInput, match="est la référence"):
        services.analysis.check_run(people["lead"], first.id)
    check = services.analysis.check_run(people["lead"], later.id)
    assert check.run.n_current == len(routing) and check.run.current_label == f"Exécution d'analyse n° {later.id}"
    assert {c.column for c in check.run.columns} == set(watched[1])
    assert not check.run.dataset_drift  # the same sample routed twice gives the same output
    assert [r.id for r in services.monitoring.runs(uc.id)] == [check.run.id]
