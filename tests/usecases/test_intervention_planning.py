"""Intervention planning: routes honour skills, windows, shifts and priorities; bad input is refused in
French; the README's validation table is the saved result, and seed 0 is recomputed."""

import json
from pathlib import Path

import pandas as pd
import pytest

from usecases import headless, registry
from usecases.intervention_planning import solver
from usecases.intervention_planning import validation as val
from usecases.intervention_planning.module import check
from usecases.loading import InvalidInput

MODULE = registry.get("intervention_planning")
FOLDER = Path(val.__file__).parent
BASE = (-73.60, 45.50)


def _crew(name="A", skills="aqueduc", start="08:00", end="12:00", lon=BASE[0], lat=BASE[1]):
    return {"crew": name, "skills": skills, "depot_lon": lon, "depot_lat": lat, "start": start, "end": end}


def _job(i, dlon=0.0, dlat=0.0, duration=30, skill="aqueduc", priority=2, ws=None, we=None):
    return {"id": f"J{i}", "lon": BASE[0] + dlon, "lat": BASE[1] + dlat, "duration_min": duration, "skill": skill,
            "priority": priority, "window_start": ws, "window_end": we}


def _run(jobs, crews, **params):
    return MODULE.run({"interventions": pd.DataFrame(jobs), "crews": pd.DataFrame(crews)},
                      MODULE.params_model(**params))


def _minutes(hhmm: str) -> int:
    return solver.parse_hhmm(hhmm)


def test_routes_respect_skills_windows_shift_and_give_reasons():
    jobs = [_job(1, 0.01), _job(2, -0.01, 0.01, ws="10:00", we="10:30"), _job(3, 0.02, skill="élagage"),
            _job(4, 0.01, 0.01, ws="05:00", we="06:00"), _job(5, 0.0, 0.02, skill="Voirie")]
    crews = [_crew("A", "aqueduc"), _crew("B", "voirie ; signalisation", start="09:00", end="11:00")]
    result = _run(jobs, crews)
    schedule, unplanned = result.tables["schedule"], result.tables["unplanned"]
    assert list(schedule.columns[:6]) == ["crew", "order", "id", "arrival", "departure", "travel_km"]
    assert list(unplanned.columns[:2]) == ["id", "reason"]
    by_id = schedule.set_index("id")
    assert set(by_id.index) == {"J1", "J2", "J5"}
    assert by_id.loc["J5", "crew"] == "B" and by_id.loc["J1", "crew"] == "A"
    assert 600 <= _minutes(by_id.loc["J2", "arrival"]) <= 630
    reasons = dict(zip(unplanned["id"], unplanned["reason"], strict=True))
    assert reasons == {"J3": solver.REASON_SKILL, "J4": solver.REASON_WINDOW}
    routes = result.tables["routes"].set_index("crew")
    for crew in ("A", "B"):
        assert _minutes(routes.loc[crew, "back"]) <= _minutes(routes.loc[crew, "end"])
    assert result.metrics["heures_sup_min"] == 0


def test_urgent_served_before_nearer_lower_priorities():
    # one hour of shift: the far urgent job (2 × ~8 km at 25 km/h + 20 min) or the near ones, not both
    jobs = [_job(1, 0.001, duration=20, priority=3), _job(2, -0.001, duration=20, priority=2),
            _job(3, 0.0, 0.055, duration=20, priority=1)]
    result = _run(jobs, [_crew(start="08:00", end="09:00")])
    assert list(result.tables["schedule"]["id"]) == ["J3"]
    assert set(result.tables["unplanned"]["reason"]) == {solver.REASON_CAPACITY}
    nearest = result.tables["comparison"].set_index("method").loc["Au plus proche"]
    assert nearest["urgent_served"] == 0


def test_overtime_allowance_is_used_only_when_it_serves_more():
    jobs = [_job(i, 0.002 * i, duration=50) for i in range(1, 4)]
    without = _run(jobs, [_crew(end="10:00")])
    assert without.metrics["planifiees"] == 2 and without.metrics["heures_sup_min"] == 0
    more = _run(jobs, [_crew(end="10:00")], overtime_max_min=60)
    assert more.metrics["planifiees"] == 3 and 0 < more.metrics["heures_sup_min"] <= 60


def test_dispatchers_on_a_known_line():
    jobs = [solver.Job(str(i), -73.6 + 0.01 * x, 45.5, 30, "a", 2, rank=i) for i, x in enumerate([3, 1, 2])]
    crews = [solver.Crew("A", frozenset({"a"}), -73.6, 45.5, 480, 720)]
    net = solver.Network.build(jobs, crews, 25, 1.0)
    fcfs = solver.dispatch(jobs, crews, net, "fcfs")
    nearest = solver.dispatch(jobs, crews, net, "nearest")
    assert [s.job for s in fcfs.routes[0].stops] == [0, 1, 2]
    assert [s.job for s in nearest.routes[0].stops] == [1, 2, 0]
    assert solver.evaluate(nearest, jobs, crews)["km"] < solver.evaluate(fcfs, jobs, crews)["km"]


@pytest.mark.parametrize(("value", "minutes"), [("08:30", 510), ("8h30", 510), ("8h", 480), ("08:30:00", 510),
                                                ("2024-05-02 14:15:00", 855), (0.5, 720), ("25:00", None),
                                                ("midi", None)])
def test_parse_hhmm(value, minutes):
    assert solver.parse_hhmm(value) == minutes


def test_bad_inputs_get_french_messages_naming_file_column_and_line():
    jobs = pd.DataFrame([_job(1), _job(2, priority=4), _job(1, ws="14:00", we="10:00")])
    jobs.loc[1, "lat"] = 95.0
    crews = pd.DataFrame([_crew("A", "aqueduc"), _crew("B", " ; ", start="16:00", end="08:00")])
    problems = check({"interventions": jobs, "crews": crews})
    text = "\n".join(problems)
    assert "identifiant en double « J1 », lignes 2, 4" in text
    assert "« lat » : coordonnée hors limites (−90 à 90) « 95 », ligne 3" in text
    assert "« priority »" in text and "ligne 3" in text
    assert "le début suit la fin" in text
    assert "l'équipe « B » n'a aucune compétence (colonne « skills », ligne 3)" in text
    assert "fin de service avant" in text
    with pytest.raises(InvalidInput):
        MODULE.run({"interventions": jobs, "crews": crews}, MODULE.params_model())


def test_vigie_analyse_refuses_without_writing(tmp_path):
    jobs = tmp_path / "interventions.csv"
    crews = tmp_path / "crews.csv"
    pd.DataFrame([_job(1, dlon=-200.0)]).to_csv(jobs, index=False)
    pd.DataFrame([_crew("A"), _crew("B", skills="")]).to_csv(crews, index=False)
    out = tmp_path / "out"
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("intervention_planning", {"interventions": jobs, "crews": crews}, {}, out)
    text = "\n".join(info.value.problems)
    assert "« lon » : coordonnée hors limites (−180 à 180) « -273,6 », ligne 2" in text
    assert "l'équipe « B » n'a aucune compétence (colonne « skills », ligne 3)" in text
    assert not out.exists()
    big = tmp_path / "big.csv"
    big.write_bytes(b"id,lon,lat,duration_min,skill,priority\n" + b"x" * (20 * 1024 * 1024))
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("intervention_planning", {"interventions": big, "crews": crews}, {}, out)
    assert "trop volumineux" in info.value.problems[0]
    assert not out.exists()


def test_vigie_analyse_writes_schedule_and_unplanned(tmp_path):
    out = tmp_path / "out"
    headless.analyse_to_dir("intervention_planning", {"interventions": FOLDER / "interventions.csv",
                                                      "crews": FOLDER / "crews.csv"}, {}, out)
    schedule = pd.read_csv(out / "schedule.csv")
    unplanned = pd.read_csv(out / "unplanned.csv")
    sample = pd.read_csv(FOLDER / "interventions.csv")
    assert set(schedule["id"]) | set(unplanned["id"]) == set(sample["id"])
    assert not set(schedule["id"]) & set(unplanned["id"])


def test_readme_table_is_the_saved_validation():
    result = json.loads(val.RESULTS_FILE.read_text(encoding="utf-8"))
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    assert val.table(result) in readme
    methods = result["methods"]
    planner = methods["planner"]
    for rule in ("fcfs", "nearest"):
        assert planner["served"] > methods[rule]["served"]
        assert planner["urgent_served"] > methods[rule]["urgent_served"]
        assert planner["overtime_min"] == 0 < methods[rule]["overtime_min"]
    assert planner["km"] < methods["fcfs"]["km"]


def test_validation_seed_zero_is_reproduced(shared_data):
    saved = json.loads(val.RESULTS_FILE.read_text(encoding="utf-8"))["planner_per_seed"]["0"]
    again = val.backtest(val.load_requests(shared_data), seeds=(0,))["planner_per_seed"]["0"]
    assert again == saved


def test_french_spreadsheet_export_gives_the_same_schedule(tmp_path):
    paths = {}
    for name in ("interventions", "crews"):
        frame = pd.read_csv(FOLDER / f"{name}.csv", dtype=str, keep_default_na=False)
        if name == "interventions":
            frame["lon"] = frame["lon"].str.replace(".", ",")
            frame["lat"] = frame["lat"].str.replace(".", ",")
            frame["window_start"] = frame["window_start"].str.replace(":", "h")
            frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.strftime("%d/%m/%Y")
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False, sep=";", encoding="cp1252", errors="replace")
    french = headless.analyse_to_dir("intervention_planning", paths, {}, tmp_path / "fr")
    plain = MODULE.run(MODULE.sample_inputs(), MODULE.params_model())
    pd.testing.assert_frame_equal(french.tables["schedule"], plain.tables["schedule"])
