"""Intervention planning in the portal: the `vigie bench` row (planner and nearest-next dispatcher timed on one
day), and a stored run on the sample next to a French refusal that stores nothing."""

from __future__ import annotations

import pytest

from portal.bench import planning_rows


def test_planning_row_times_planner_and_nearest_next_on_the_same_day():
    (row,) = planning_rows(n_jobs=30, n_crews=3)
    assert row.seconds > 0 and row.baseline_seconds > 0
    assert "30 interventions, 3 équipes" in row.name and "au plus proche" in row.baseline_name
    assert "servies" in row.note and "heures sup." in row.note


def test_service_run_on_sample_and_french_refusal_that_stores_nothing(services, people):

    from sqlalchemy import func, select

    from portal.db.models import AnalysisRun
    from portal.services.analysis import AnalysisFailed, UploadedFile
    from tests.conftest import use_case_data

    uc = services.register.create(people["lead"], use_case_data(title="Tournées de voirie"))
    services.analysis.bind(people["lead"], uc.id, "intervention_planning")
    run = services.analysis.run(people["lead"], uc.id, use_sample=True, params={"time_limit_s": 2.0})
    assert run.status == "done"
    jobs = b"id;lon;lat;duration_min;skill;priority\nA;-73,6;45,5;30;aqueduc;1\n"
    crews = b"crew;skills;depot_lon;depot_lat;start;end\nE1;aqueduc;-73,6;45,5;08:00;16:00\nE2;;-73,6;45,5;08:00;16:00\n"
    with pytest.raises(AnalysisFailed, match="l'équipe « E2 » n'a aucune compétence"):
        services.analysis.run(people["lead"], uc.id, {"interventions": UploadedFile("i.csv", jobs),
                                                      "crews": UploadedFile("e.csv", crews)})
    with services.db.reader() as s:
        assert s.execute(select(func.count()).select_from(AnalysisRun)).scalar_one() == 1
