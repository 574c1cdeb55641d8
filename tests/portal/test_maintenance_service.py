"""Maintenance in the portal: a stored run on the sample that becomes monitoring's reference, and French
refusals (unknown asset ids, dates in the future, coordinates out of range) that store nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.db.models import AnalysisRun
from portal.services.analysis import AnalysisFailed, UploadedFile
from tests.conftest import use_case_data
from usecases import registry

FAST = {"backtest": False, "plan_years": 1}


def _count(services) -> int:
    with services.db.reader() as s:
        return s.execute(select(func.count()).select_from(AnalysisRun)).scalar_one()


def test_sample_run_feeds_monitoring_and_the_same_data_does_not_drift(services, people):
    uc = services.register.create(people["lead"], use_case_data(title="Renouvellement des conduites"))
    services.analysis.bind(people["lead"], uc.id, "maintenance")
    first = services.analysis.run(people["lead"], uc.id, use_sample=True, params=FAST)
    assert first.status == "done"
    tables = services.analysis.open_run(first.id).tables
    assert {"risk", "plan"} <= set(tables)
    services.analysis.set_reference(people["lead"], first.id)
    cfg = services.monitoring.config(uc.id)
    assert cfg is not None and cfg.module_key == "maintenance" and cfg.columns
    sample = registry.get("maintenance").sample_inputs()
    assert cfg.reference_rows in {len(frame) for frame in sample.values()}
    check = services.monitoring.run_check(people["lead"], uc.id, services.monitoring.reference_frame(uc.id),
                                          label="même lot", html_report=False)
    assert not check.run.dataset_drift


def test_bad_files_are_refused_in_french_and_nothing_is_stored(services, people):
    uc = services.register.create(people["lead"], use_case_data(title="Casses du réseau"))
    services.analysis.bind(people["lead"], uc.id, "maintenance")
    before = _count(services)
    assets = (b"asset_id;material;diameter_mm;installed;length_m;lon;lat\n"
              b"A;CI;150;1950;100;-80,5;43,4\nB;PVC;200;1980;50;-80,4;95\n")
    failures = b"asset_id;date\nA;05/01/2010\nZ;03/02/2011\nB;01/01/2099\n"
    with pytest.raises(AnalysisFailed) as info:
        services.analysis.run(people["lead"], uc.id, {"assets": UploadedFile("reseau.csv", assets),
                                                      "failures": UploadedFile("casses.csv", failures)})
    text = str(info.value)
    assert "identifiant absent de l'inventaire" in text and "« Z » ligne 3" in text
    assert "date dans le futur « 01/01/2099 » ligne 4" in text
    assert "colonne « lat » : coordonnée hors de [\u221290 ; 90] « 95 » ligne 3" in text
    assert _count(services) == before
