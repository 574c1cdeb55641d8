"""maintenance: stored validation figures match the README, bad input is refused in French, plans are feasible."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from usecases import headless, registry
from usecases.loading import InvalidInput
from usecases.maintenance import model, plan
from usecases.maintenance import validation as val
from usecases.maintenance.module import check

FOLDER = Path(val.__file__).parent
RESULT = json.loads(val.RESULT_FILE.read_text(encoding="utf-8"))


def _readme_rows() -> dict[int, list[str]]:
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        m = re.match(r"\| (\d{4}) \| (\d{4}-\d{4}) \|", line)
        if m:
            rows[int(m.group(1))] = [c.strip() for c in line.strip("|").split("|")]
    return rows


def test_readme_table_is_the_stored_validation():
    rows = _readme_rows()
    assert sorted(rows) == [r["origin"] for r in RESULT["rows"]]
    for r in RESULT["rows"]:
        cells = rows[r["origin"]]
        assert cells[3] == str(r["assets"]) and cells[4] == str(r["failing_assets"])
        for cell, key in zip(cells[5:8], ("model", "most_failures", "oldest"), strict=True):
            assert cell == f"{r[key]:.1f} %".replace(".", ",")


def test_shipped_model_is_the_one_chosen_on_tuning_origins_only():
    assert RESULT["hparams"] == model.DEFAULT_HPARAMS
    assert RESULT["partial_windows"] == model.PARTIAL_WINDOWS
    best = max(RESULT["tuning"].values(), key=lambda t: t["mean"])
    assert RESULT["tuning"][RESULT["chosen"]] == best
    assert val.TEST_ORIGIN + val.HORIZON <= 2018 and max(val.TUNING_ORIGINS) + val.HORIZON <= val.TEST_ORIGIN
    test_row = next(r for r in RESULT["rows"] if r["role"] == "test")
    assert test_row["model"] > test_row["most_failures"] > test_row["oldest"]


def test_baselines_recomputed_from_the_data(shared_data):
    """The two baselines need no training: recompute them at the test origin and compare."""
    a, f = val.prepared(*val.load_kitchener(shared_data))
    o = val.TEST_ORIGIN
    X = model.features(a, f, o, val.HISTORY_START, model.material_vocabulary(a))
    failed = pd.Series(model.labels(X.index, f, o, val.HORIZON) > 0, index=X.index)
    by_age = X.sort_values("install_year", kind="stable")
    row = next(r for r in RESULT["rows"] if r["origin"] == o)
    assert 100 * model.recall_at(by_age["n_all"], failed.reindex(by_age.index)) == pytest.approx(row["most_failures"], abs=0.01)
    assert 100 * model.recall_at(-X["install_year"], failed) == pytest.approx(row["oldest"], abs=0.01)
    assert int(failed.sum()) == row["failing_assets"]


def test_recall_at_counts_failing_assets_in_the_top_share():
    scores = pd.Series(np.arange(20, 0, -1), index=[f"a{i}" for i in range(20)], dtype=float)
    failed = pd.Series(False, index=scores.index)
    failed[["a0", "a1", "a15"]] = True
    assert model.recall_at(scores, failed, 0.1) == pytest.approx(2 / 3)


def _inputs():
    assets = pd.DataFrame({"asset_id": ["A", "B", "C"], "material": ["CI", "PVC", "DI"],
                           "diameter_mm": [150.0, 200.0, 300.0], "installed": ["1950", "12/03/1980", "2001-05-01"],
                           "length_m": [100.0, 50.0, 80.0], "lon": [-80.5, -80.4, 200.0], "lat": [43.4, 43.5, 43.4]})
    failures = pd.DataFrame({"asset_id": ["A", "Z", "B"],
                             "date": pd.to_datetime(["2010-01-05", "2011-02-03", "2099-01-01"])})
    return assets, failures


def test_bad_input_is_named_in_french_with_its_line():
    assets, failures = _inputs()
    problems = check(assets, failures)
    text = "\n".join(problems)
    assert "colonne « lon » : coordonnée hors de [\u2212180 ; 180] « 200 » ligne 4" in text
    assert "identifiant absent de l'inventaire" in text and "« Z » ligne 3" in text
    assert "date dans le futur « 01/01/2099 » ligne 4" in text
    module = registry.get("maintenance")
    with pytest.raises(InvalidInput) as info:
        module.run({"assets": assets, "failures": failures}, module.params_model())
    assert len(info.value.problems) == 3


def test_too_large_file_is_refused_and_nothing_written(tmp_path):
    sample = FOLDER / "assets.csv"
    out = tmp_path / "out"
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("maintenance", {"assets": sample, "failures": FOLDER / "failures.csv"}, {}, out,
                                max_bytes=10_000)
    assert "trop volumineux" in str(info.value)
    assert not out.exists()


def test_vigie_analyse_writes_risk_and_plan_and_refuses_a_20_mb_file(tmp_path):
    out = tmp_path / "out"
    headless.analyse_to_dir("maintenance", {"assets": FOLDER / "assets.csv", "failures": FOLDER / "failures.csv"},
                            {"backtest": False, "plan_years": 2}, out)
    risk, planned = pd.read_csv(out / "risk.csv"), pd.read_csv(out / "plan.csv")
    assert list(risk.columns[:4]) == ["asset_id", "risk", "rank", "expected_failures"]
    assert list(planned.columns[:2]) == ["asset_id", "year"] and len(planned) > 0
    big = tmp_path / "big.csv"
    big.write_bytes(b"asset_id,date\n" + b"x" * (20 * 1024 * 1024))
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("maintenance", {"assets": FOLDER / "assets.csv", "failures": big}, {}, tmp_path / "o2")
    assert "trop volumineux" in info.value.problems[0]
    assert not (tmp_path / "o2").exists()


def test_out_of_service_assets_are_not_ranked():
    module = registry.get("maintenance")
    inputs = module.sample_inputs()
    assets = inputs["assets"].copy()
    gone = assets["asset_id"].iloc[:5].tolist()
    assets.loc[assets.index[:5], "status"] = "Hors service"
    result = module.run({"assets": assets, "failures": inputs["failures"]},
                        module.params_model(backtest=False, plan_years=2))
    risk, planned = result.tables["risk"], result.tables["plan"]
    assert not set(gone) & set(risk["asset_id"]) and not set(gone) & set(planned["asset_id"])
    assert list(risk.columns[:4]) == ["asset_id", "risk", "rank", "expected_failures"]
    assert list(risk["rank"]) == list(range(1, len(risk) + 1))
    assert list(planned.columns[:2]) == ["asset_id", "year"]
    assert result.metrics["assets_out_of_service"] == 5
    assert "carte_du_risque" in result.charts


@pytest.mark.parametrize("n, crews", [(12, 2), (300, 0), (3000, 25)])
def test_plan_is_feasible_and_within_its_proven_bound(n, crews):
    rng = np.random.default_rng(n)
    rate, weight = rng.gamma(0.3, 0.1, n), rng.lognormal(3.5, 1.0, n)
    budget, years = float(weight.sum() * 0.05), 3
    res = plan.optimise(pd.Index([f"a{i}" for i in range(n)]), rate, weight, years, budget, crews)
    p = res.plan
    assert not p["asset_id"].duplicated().any()
    per_year = p.groupby("plan_year")["weight"].agg(["sum", "size"])
    assert (per_year["sum"] <= budget + 1e-6).all()
    if crews:
        assert (per_year["size"] <= crews).all()
    assert res.value <= res.bound + 1e-9 and 0 <= res.gap_pct < 5
    if n == 12:
        assert res.method == "exact" and res.gap_pct == 0


def _synthetic(seed: int = 7, n: int = 1500):
    """Failures driven by material and laying era only (no memory): the model should beat past-failures ranking."""
    rng = np.random.default_rng(seed)
    material = rng.choice(["CI", "PVC", "DI"], n, p=[0.3, 0.5, 0.2])
    installed = rng.integers(1930, 1995, n)
    assets = pd.DataFrame({"asset_id": [f"T{i}" for i in range(n)], "material": material,
                           "diameter_mm": rng.choice([150.0, 200.0, 300.0], n), "installed": installed.astype(str),
                           "length_m": rng.uniform(50, 150, n).round(1)})
    lam = np.where((material == "CI") & (installed < 1955), 0.04, 0.0005)
    rows = []
    for year in range(2000, 2019):
        for i in np.flatnonzero(rng.poisson(lam)):
            rows.append((f"T{i}", pd.Timestamp(year, 1, 1) + pd.Timedelta(days=int(rng.integers(0, 365)))))
    failures = pd.DataFrame(rows, columns=["asset_id", "date"])
    return assets, failures


def test_run_reports_its_own_backtest_and_keeps_the_model_when_it_beats_past_failures():
    module = registry.get("maintenance")
    assets, failures = _synthetic()
    result = module.run({"assets": assets, "failures": failures}, module.params_model(plan_years=1))
    m = result.metrics
    assert m["backtest_failing_assets"] > 0
    assert m["backtest_model"] > m["backtest_most_failures"] and m["backtest_fallback"] == 0
    note = result.notes[0]
    assert note.startswith("Sur vos données, ce classement retrouve")
    assert f"{m['backtest_model']:.0f}".replace(".", ",") in note and "2013" in note and "2014–2018" in note
    assert "gradient boosting" in " ".join(result.notes)


def test_run_falls_back_to_past_failures_when_the_model_is_not_better():
    """On the shipped sample the check decides; whichever way, the output follows the decision and says so."""
    module = registry.get("maintenance")
    result = module.run(module.sample_inputs(), module.params_model(plan_years=1))
    m, risk = result.metrics, result.tables["risk"]
    fallback = m["backtest_model"] < m["backtest_most_failures"]
    assert m["backtest_fallback"] == float(fallback)
    if fallback:
        assert "ne fait pas mieux que le classement par nombre de casses passées" in result.notes[0]
        by_past = risk.sort_values(["past_failures", "age"], ascending=False, kind="stable")
        assert list(risk["past_failures"]) == list(by_past["past_failures"])
        assert risk["expected_failures"].is_monotonic_decreasing
    else:
        assert result.notes[0].startswith("Sur vos données, ce classement retrouve")


def test_ranking_check_sentences_in_french():
    from usecases.maintenance.self_check import RankingCheck
    better = RankingCheck(68.2, 54.0, 31.8, 337, 2013, 5, 10)
    assert better.use_model and not better.oldest_better
    assert better.sentence().startswith("Sur vos données, ce classement retrouve 68\u00a0% des tronçons cassés ensuite "
                                        "dans les 10\u00a0% premiers, contre 54\u00a0%")
    worse = RankingCheck(40.0, 50.0, 60.0, 20, 2013, 5, 10)
    assert not worse.use_model and worse.oldest_better
    assert "ne fait pas mieux" in worse.sentence() and "Attention" in worse.sentence()
    empty = RankingCheck(float("nan"), float("nan"), float("nan"), 0, 2013, 5, 10)
    assert empty.use_model and "n'a pas pu être rétro-testé" in empty.sentence()


def test_scattered_early_records_do_not_stretch_the_history():
    years = pd.Series([1985.2, 1987.5, 1991.0] + [y + 0.5 for y in range(1997, 2019) for _ in range(10)])
    assert model.systematic_start(years, 2018) == 1997
    assert model.systematic_start(pd.Series([2000.5, 2010.2, 2011.3]), 2012) == 2000
    module = registry.get("maintenance")
    assets, failures = _synthetic()
    old = assets.loc[assets["installed"].astype(int) < 1980, "asset_id"].iloc[:3]
    early = pd.DataFrame({"asset_id": old.to_numpy(), "date": pd.to_datetime(["1985-03-01", "1987-06-01", "1991-09-01"])})
    result = module.run({"assets": assets, "failures": pd.concat([early, failures], ignore_index=True)},
                        module.params_model(plan_years=1, backtest=False))
    assert any(n.startswith("3 casse(s) antérieure(s) à 2000") for n in result.notes)
    assert result.metrics["failures_used"] == len(failures)


def test_trials_never_score_the_test_origin():
    from usecases.maintenance import trials
    assert max(trials.ORIGINS) + val.HORIZON <= val.TEST_ORIGIN
    assert trials.C == model.DEFAULT_HPARAMS and list(model.FEATURES) == trials.BASE


def test_third_campaign_is_on_tuning_origins_only_and_its_table_is_in_the_readme():
    from usecases.maintenance import trials_survival as ts
    assert max(ts.ORIGINS) + val.HORIZON <= val.TEST_ORIGIN
    stored = json.loads(ts.RESULT_FILE.read_text(encoding="utf-8"))
    assert stored["origins"] == list(ts.ORIGINS)
    assert ts.table(stored) in (FOLDER / "README.md").read_text(encoding="utf-8")
    reference = stored["trials"][ts.REFERENCE]
    assert reference["per_origin"] == [71.5, 70.7, 69.6, 68.5]  # the shipped model, as in the second campaign
    assert ts.adopted(stored["trials"]) == []  # hence the shipped model and its test figure are unchanged


def test_two_part_ranking_gives_the_asked_share_of_top_places_to_assets_that_failed_before():
    from usecases.maintenance import trials_survival as ts
    ids = [f"a{i}" for i in range(20)]
    scores = pd.Series(np.linspace(1, 0, 20), index=ids)
    ever = pd.Series([i % 2 == 0 for i in range(20)], index=ids)
    failed = pd.Series([i in (1, 3) for i in range(20)], index=ids)
    share, recall = ts.allocation_share(scores, ever, failed, share=0.1)
    assert share == 0 and recall == 100  # both places to never-failed assets find both failures
    top = ts.two_part(scores, ever, 0.5, share=0.1).sort_values(ascending=False).index[:2]
    assert set(top) == {"a0", "a1"}
    assert model.recall_at(ts.two_part(scores, ever, 0.0, share=0.1), failed, 0.1) == 1.0
