"""The seam between analysis and monitoring, through the services as `build_services` wires them."""

from __future__ import annotations

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
