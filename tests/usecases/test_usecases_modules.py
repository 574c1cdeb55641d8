"""Per-module behaviour on real data: forecasts shape, backtests beat baselines, anomalies found."""

import json

import numpy as np
import pandas as pd
import pytest

from usecases import headless, registry
from usecases.demography import validation as demo_val
from usecases.facility_usage import anomalies as fac_anom
from usecases.facility_usage import validation as fac_val
from usecases.loading import InvalidInput
from usecases.municipal_accounts import validation as acc_val
from usecases.operating_costs import validation as oc_val

FORECAST_COLUMNS = {
    "demography": ["code", "year", "forecast", "lower", "upper"],
    "facility_usage": ["site", "date", "forecast", "lower", "upper"],
}


@pytest.mark.parametrize("key", sorted(FORECAST_COLUMNS))
def test_forecast_table_has_exact_columns_and_ordered_bounds(key):
    module = registry.get(key)
    result = module.run(module.sample_inputs(), module.params_model())
    forecast = result.tables["forecast"]
    assert list(forecast.columns) == FORECAST_COLUMNS[key]
    assert len(forecast) > 0
    assert (forecast["lower"] <= forecast["forecast"]).all()
    assert (forecast["forecast"] <= forecast["upper"]).all()


def test_demography_one_row_per_commune_and_projected_year():
    module = registry.get("demography")
    inputs = module.sample_inputs()
    params = module.params_model(horizon_years=10, step_years=5)
    forecast = module.run(inputs, params).tables["forecast"]
    assert sorted(forecast["year"].unique()) == [2016, 2021]
    assert not forecast.duplicated(["code", "year"]).any()
    assert forecast["code"].nunique() == inputs["populations"]["code"].nunique()


def test_demography_backtest_beats_baselines(shared_data):
    long = demo_val.load_cog(shared_data)
    long = long[long["group"].isin(["23", "35", "59", "13", "69", "29"])]  # a fast, varied subset
    scores = demo_val.summary(demo_val.backtest(long))
    for metric in ("mape", "wape"):
        assert scores.loc["modele", metric] < scores.loc["derniere_valeur", metric]
        assert scores.loc["modele", metric] < scores.loc["tendance_lineaire", metric]


def test_facility_backtest_beats_seasonal_naive(shared_data):
    scores = fac_val.scores(fac_val.backtest(fac_val.load_montreal(shared_data)))
    for metric in ("mae", "mape", "wape"):
        assert scores.loc["modele", metric] < scores.loc["naif_saisonnier", metric]


def test_facility_anomalies_detect_injected_closure_and_stuck_sensor():
    module = registry.get("facility_usage")
    counts = module.sample_inputs()["counts"]
    site = counts[counts["site"] == "Berri 1"].sort_values("date").copy()
    closure = site["date"].between("2012-06-11", "2012-06-15")
    stuck = site["date"].between("2012-07-09", "2012-07-13")
    site.loc[closure, "count"] = 0
    site.loc[stuck, "count"] = 4321
    found = fac_anom.detect(site)
    zero = found[found["type"] == fac_anom.KIND_ZERO]
    flat = found[found["type"] == fac_anom.KIND_FLAT]
    assert (zero["debut"] == pd.Timestamp("2012-06-11")).any() and (zero["jours"] == 5).any()
    assert (flat["debut"] == pd.Timestamp("2012-07-09")).any() and (flat["jours"] == 5).any()


def test_facility_anomalies_detect_injected_spike():
    module = registry.get("facility_usage")
    counts = module.sample_inputs()["counts"]
    site = counts[counts["site"] == "Maisonneuve 1"].copy()
    day = site["date"] == pd.Timestamp("2012-07-18")
    site.loc[day, "count"] = site.loc[day, "count"] * 8
    found = fac_anom.detect(site, z_threshold=5.0)
    assert ((found["debut"] == pd.Timestamp("2012-07-18")) & (found["type"] == fac_anom.KIND_HIGH)).any()


def test_operating_costs_detect_injected_anomalies_better_than_global_z(shared_data):
    df = oc_val.load_toronto(shared_data)
    bt = oc_val.backtest(df, rounds=3, factor=5.0)
    mean = bt.groupby("method")[["recall", "false_alarm"]].mean()
    assert mean.loc["modele", "recall"] > 2 * mean.loc["z_global_meme_volume", "recall"]
    assert mean.loc["modele", "false_alarm"] < 8


def test_operating_costs_flags_and_explains_a_tenfold_facility():
    module = registry.get("operating_costs")
    df = module.sample_inputs()["facilities"].copy()
    libraries = df.index[df["facility_type"] == "Library"]
    target = libraries[0]
    df.loc[target, "electricity_kwh"] *= 10
    result = module.run({"facilities": df}, module.params_model())
    ranked = result.tables["classement"]
    row = ranked[ranked["facility"] == df.at[target, "facility"]]
    assert len(row) == 1
    text = row["explication"].iloc[0]
    assert "Électricité" in text and "médiane des pairs" in text and "MAD au-dessus" in text


def test_municipal_trend_beats_last_value(shared_data):
    for long in (acc_val.load_ofgl(shared_data), acc_val.load_regions(shared_data)):
        scores = acc_val.scores(acc_val.backtest(long))
        assert scores.loc["tendance", "wape"] < scores.loc["derniere_valeur", "wape"]
        assert scores.loc["tendance", "mdape"] < scores.loc["derniere_valeur", "mdape"]


def test_municipal_flags_injected_break_and_peer_outlier():
    module = registry.get("municipal_accounts")
    df = module.sample_inputs()["accounts"].copy()
    staff = (df["line"] == "Frais de personnel")
    target = staff & (df["entity"] == "Nantes") & (df["year"] == 2023)
    df.loc[target, "amount"] *= 3
    result = module.run({"accounts": df}, module.params_model())
    breaks = result.tables["ruptures_de_tendance"]
    assert ((breaks["entity"] == "Nantes") & (breaks["year"] == 2023) & (breaks["line"] == "Frais de personnel")).any()
    peers = result.tables["ecarts_aux_pairs"]
    hit = peers[(peers["entity"] == "Nantes") & (peers["year"] == 2023) & (peers["line"] == "Frais de personnel")]
    assert len(hit) == 1 and "Nantes" in hit["explication"].iloc[0]


def _write_sample(module, tmp_path):
    paths = {}
    for name, frame in module.sample_inputs().items():
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False, sep=";", decimal=",", date_format="%d/%m/%Y", encoding="cp1252",
                     errors="replace")
        paths[name] = path
    return paths


@pytest.mark.parametrize("key", ["demography", "facility_usage", "municipal_accounts", "operating_costs"])
def test_headless_writes_metrics_and_tables(key, tmp_path):
    module = registry.get(key)
    paths = _write_sample(module, tmp_path)
    out = tmp_path / "out"
    result = headless.analyse_to_dir(key, {"": next(iter(paths.values()))}, {}, out)
    payload = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert payload["module"] == key and payload["version"] == module.version
    assert len(payload["input_fingerprint"]) == 64
    assert set(payload["metrics"]) == set(result.metrics)
    for name in result.tables:
        assert (out / f"{name}.csv").exists()
    assert (out / "notes.txt").read_text(encoding="utf-8").strip()


def test_headless_rejects_bad_input_before_writing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("site;date;count\nA;01/01/2024;abc\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("facility_usage", {"": bad}, {}, out)
    assert "valeur non numérique « abc » ligne 2" in info.value.problems[0]
    assert not out.exists()


def test_headless_named_input_and_unknown_name(tmp_path):
    module = registry.get("municipal_accounts")
    paths = _write_sample(module, tmp_path)
    headless.analyse_to_dir("municipal_accounts", {"accounts": paths["accounts"]}, {"top_n": 5}, tmp_path / "o")
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("municipal_accounts", {"comptes": paths["accounts"]}, {}, tmp_path / "p")
    assert "Donnée inconnue" in info.value.problems[0]


def test_describe_modules_lists_inputs_columns_and_params():
    described = {d["key"]: d for d in headless.describe_modules()}
    assert set(described) == set(registry.load())
    demo = described["demography"]
    assert [c["name"] for c in demo["inputs"][0]["columns"]] == ["code", "name", "year", "population", "group"]
    assert {p["name"] for p in demo["params"]} >= {"horizon_years", "confidence_level", "top_n"}
    assert all(p["description"] for d in described.values() for p in d["params"])
    json.dumps(described, default=str)


def test_params_are_validated():
    module = registry.get("demography")
    with pytest.raises(ValueError):
        module.params_model.model_validate({"horizon_years": 0})
    with pytest.raises(ValueError):
        module.params_model.model_validate({"unknown": 1})
    assert np.isfinite(module.params_model().confidence_level)
