"""Rolling-origin backtest of the attendance forecast, per horizon, against the seasonal-naive one.

Every week of the history is an origin: fit on the days up to it, forecast the next 1 to 28 days.
Methods, on the same days: the combined model (weekly profile × calendar, combined in log space
with a statsmodels ETS), each of its two parts, and the weekly seasonal-naive baseline. Scored by
MASE (absolute error divided by the in-sample error of the weekly seasonal-naive forecast, per site
and origin), per horizon.

ETS smoothing (``tune``), then the combination among ``COMBINATIONS`` (``combinations``), are chosen on
the origins before ``TEST_FIRST_ORIGIN`` only; the README reports the origins from that date on, scored
once with those choices.

``python -m usecases.facility_usage.validation /path/to/shared/data`` prints the tables and writes
``validation_results.json`` next to this file (the tests compare it with the README).

``... validation /path/to/shared/data --later /path/to/bikes.csv`` (the whole 2012 file of the same
source, to 5 November) also replays the procedure, unchanged, from every week after the shared file
ends and from its last day (31 August, 28 days ahead) and writes ``validation_later_results.json``.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from usecases.facility_usage import model
from usecases.forecast_check import later_option

MAX_HORIZON = 28
FIRST_ORIGIN = "2012-01-29"  # four weeks of history
TEST_FIRST_ORIGIN = "2012-05-06"
RESULTS_FILE = Path(__file__).with_name("validation_results.json")
LATER_FILE = Path(__file__).with_name("validation_later_results.json")
LATER_FIRST_ORIGIN = "2012-09-02"  # first weekly origin after the shared file's last day
END_OF_AUGUST = "2012-08-31"
METHODS = ("modele", "profil", "ets", "naif_saisonnier")  # modele = the whole procedure
ETS_GRID = {
    "smoothing_level": (0.1, 0.3, 0.5),
    "smoothing_trend": (0.0, 0.05),
    "smoothing_seasonal": (0.05, 0.2),
}
WEIGHT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Candidate combinations (weights of profile, ETS, seasonal naive in log(1 + count); ``None``: the
#: earlier procedure, each run picking the profile weight against ETS on its recent weeks), compared by
#: ``combinations`` on the tuning origins only; the best is ``model.COMBINATION``.
COMBINATIONS: dict[str, tuple[float, float, float] | None] = {
    "profil_ets_naif": (1 / 3, 1 / 3, 1 / 3),
    "profil_ets_poids_choisi": None,
    "profil_ets": (0.5, 0.5, 0.0),
    "profil_naif": (0.5, 0.0, 0.5),
    "ets_naif": (0.0, 0.5, 0.5),
}


def load_montreal(data_dir: Path, file: Path | None = None) -> pd.DataFrame:
    """Long table site, date, count from ``facility_usage/montreal_bikes_2012.csv`` (empty counters dropped),
    or from ``file`` when given (same format)."""
    path = file if file is not None else Path(data_dir, "facility_usage", "montreal_bikes_2012.csv")
    raw = pd.read_csv(path, sep=";", encoding="latin-1")
    raw["Date"] = pd.to_datetime(raw["Date"], format="%d/%m/%Y")
    long = raw.melt(id_vars="Date", var_name="site", value_name="count").dropna(subset=["count"])
    long = long.rename(columns={"Date": "date"})
    return long[["site", "date", "count"]].sort_values(["site", "date"]).reset_index(drop=True)


def backtest(
    long: pd.DataFrame,
    horizon: int = 14,
    first_origin: str = "2012-03-01",
    step_days: int = 14,
    country: str = "CA-QC",
    zone: str = "aucune",
    *,
    last_origin: str | None = None,
    ets_params: dict[str, float] | None = None,
    level: float = 0.8,
    combination: tuple[float, float, float] | None = model.COMBINATION,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every ``step_days`` from ``first_origin``: the module's whole procedure, as run on the data up to
    the origin: self-backtest on the previous weekly origins (``model.choose``: combination weight, or
    the seasonal-naive fallback, and interval), then the forecast of the next ``horizon`` days.

    One row per (site, origin, date): ``horizon`` (days ahead), ``actual``, ``scale`` (MASE denominator),
    ``modele`` (the procedure), ``lower``/``upper``, ``weight``, ``naive_used`` and every part
    (``profil``, ``ets``, ``naif_saisonnier``). ``combination``: see ``model.choose``; ``table``: the
    parts' forecasts already computed (``model.backtest_table``) for these origins and their past ones.
    """
    last = long["date"].max()
    end = min(pd.Timestamp(last_origin), last - pd.Timedelta(days=1)) if last_origin else last - pd.Timedelta(days=1)
    origins = list(pd.date_range(first_origin, end, freq=f"{step_days}D"))
    past = {o: model.self_origins(o, horizon) for o in origins}
    needed = sorted(set(origins) | {p for ps in past.values() for p in ps})
    if table is None:
        table = model.backtest_table(long, needed, horizon, country, zone, ets_params)
    parts = []
    for origin in origins:
        rows = table[table["origin"] == origin]
        if len(rows) == 0:
            continue
        c = model.choose(table[table["origin"].isin(past[origin])], level, combination)
        if c["use_model"]:
            pred = model.combine(rows["profil"].to_numpy(), rows["ets"].to_numpy(), c["weight"],
                                 rows["naif_saisonnier"].to_numpy())
        else:
            pred = rows["naif_saisonnier"].to_numpy()
        parts.append(rows.assign(
            modele=pred, lower=np.expm1(np.log1p(pred) + c["lo"]), upper=np.expm1(np.log1p(pred) + c["hi"]),
            weight=c["weight"] if combination is None else np.nan, naive_used=not c["use_model"],
        ))
    return pd.concat(parts, ignore_index=True)


def scores(bt: pd.DataFrame) -> pd.DataFrame:
    """MAE, MAPE (days with count ≥ 1), WAPE and MASE per method, on the days every method forecasts."""
    methods = [m for m in METHODS if m in bt]
    ok = bt[methods].notna().all(axis=1) & (bt["scale"] > 0)
    bt = bt[ok]
    out = {}
    for method in methods:
        err = (bt[method] - bt["actual"]).abs()
        out[method] = {
            "mae": float(err.mean()),
            "mape": float((err / bt["actual"].clip(lower=1)).mean() * 100),
            "wape": float(err.sum() / bt["actual"].sum() * 100),
            "mase": float((err / bt["scale"]).mean()),
            "n": float(len(bt)),
        }
    return pd.DataFrame(out).T


def mase_by_horizon(bt: pd.DataFrame) -> pd.DataFrame:
    """Per horizon: MASE of each method and the ratio model / seasonal naive."""
    methods = [m for m in METHODS if m in bt]
    bt = bt[bt[methods].notna().all(axis=1) & (bt["scale"] > 0)]
    scaled = pd.DataFrame({m: (bt[m] - bt["actual"]).abs() / bt["scale"] for m in methods})
    scaled["horizon"] = bt["horizon"].to_numpy()
    out = scaled.groupby("horizon")[methods].mean()
    out.insert(0, "prevues", scaled.groupby("horizon").size())
    out["ratio"] = out["modele"] / out["naif_saisonnier"]
    out["sites_pires_que_naif"] = [
        int(((g["modele"] - g["actual"]).abs().groupby(g["site"]).sum()
             > (g["naif_saisonnier"] - g["actual"]).abs().groupby(g["site"]).sum()).sum())
        for _, g in bt.groupby("horizon")
    ]
    return out.round(3)


def coverage(bt: pd.DataFrame) -> dict[int, float]:
    """Share of actuals inside the procedure's intervals (calibrated on earlier origins), per week ahead."""
    inside = (bt["actual"] >= bt["lower"]) & (bt["actual"] <= bt["upper"])
    week = (bt["horizon"] - 1) // 7 + 1
    return {int(w): float(v * 100) for w, v in inside.groupby(week).mean().items()}


def simplex(step: float = 0.1) -> list[tuple[float, float, float]]:
    """Weights (profile, ETS, seasonal naive) on a grid of the simplex."""
    n = round(1 / step)
    return [(a / n, b / n, (n - a - b) / n) for a in range(n + 1) for b in range(n + 1 - a)]


def combination_bound(bt: pd.DataFrame, step: float = 0.1) -> dict[str, float]:
    """Hindsight bound, not a forecast: at each origin, the weights of profile, ETS and seasonal naive
    (combined in log(1 + count)) that minimise that origin's own MASE, chosen after seeing it. If even
    this does not reach 0.8 × the naive MASE at every horizon, no weighting of these parts can."""
    t = bt[bt[["profil", "ets", "naif_saisonnier"]].notna().all(axis=1) & (bt["scale"] > 0)]
    logs = np.log1p(t[["profil", "ets", "naif_saisonnier"]].clip(lower=0).to_numpy(dtype=float))
    actual, scale = t["actual"].to_numpy(dtype=float), t["scale"].to_numpy(dtype=float)
    best = np.empty(len(t))
    origins = t["origin"].to_numpy()
    grid = np.array(simplex(step))
    for o in np.unique(origins):
        rows = origins == o
        preds = np.expm1(logs[rows] @ grid.T)  # days × weightings
        err = np.abs(preds - actual[rows, None]).mean(axis=0)
        best[rows] = preds[:, int(np.argmin(err))]
    scaled = pd.DataFrame({"h": t["horizon"].to_numpy(), "best": np.abs(best - actual) / scale,
                           "naive": np.abs(t["naif_saisonnier"].to_numpy(dtype=float) - actual) / scale})
    by_h = scaled.groupby("h")[["best", "naive"]].mean()
    ratio = by_h["best"] / by_h["naive"]
    return {"ratio": round(float(scaled["best"].mean() / scaled["naive"].mean()), 3),
            "worst_horizon_ratio": round(float(ratio.max()), 3), "horizons_at_or_below_0_8": int((ratio <= 0.8).sum())}


def tune(long: pd.DataFrame, country: str = "CA-QC") -> tuple[dict[str, float], pd.DataFrame]:
    """ETS smoothing chosen on the early origins only: mean over horizons 1–28 of MASE model / MASE naive,
    for the best fixed profile weight against ETS (the combination itself is chosen next, by ``combinations``)."""
    last_tune = pd.Timestamp(TEST_FIRST_ORIGIN) - pd.Timedelta(days=1)
    origins = list(pd.date_range(FIRST_ORIGIN, last_tune, freq="7D"))
    rows = []
    for values in itertools.product(*ETS_GRID.values()):
        params = dict(zip(ETS_GRID, values, strict=True)) | {"damping_trend": 0.9}
        bt = model.backtest_table(long, origins, MAX_HORIZON, country, "aucune", params)
        for w in WEIGHT_GRID:
            comb = bt.assign(modele=model.combine(bt["profil"].to_numpy(), bt["ets"].to_numpy(), w))
            rows.append(params | {"weight": w, "ratio": float(mase_by_horizon(comb)["ratio"].mean())})
    grid = pd.DataFrame(rows).sort_values("ratio", kind="stable")
    best = grid.iloc[0]
    return {k: float(best[k]) for k in (*ETS_GRID, "damping_trend")}, grid


def combinations(long: pd.DataFrame, country: str = "CA-QC", ets_params: dict[str, float] | None = None,
                 level: float = 0.8) -> tuple[str, pd.DataFrame]:
    """The whole procedure (self-check, fallback) with each of ``COMBINATIONS``, from every weekly origin:
    mean over horizons of MASE / seasonal-naive MASE on the tuning origins (before ``TEST_FIRST_ORIGIN``)
    and, for the record only, on the test origins. The chosen one has the lowest tuning ratio."""
    last = long["date"].max() - pd.Timedelta(days=1)
    origins = list(pd.date_range(FIRST_ORIGIN, last, freq="7D"))
    needed = sorted(set(origins) | {p for o in origins for p in model.self_origins(o, MAX_HORIZON)})
    table = model.backtest_table(long, needed, MAX_HORIZON, country, "aucune", ets_params)
    rows = []
    for name, combination in COMBINATIONS.items():
        bt = backtest(long, MAX_HORIZON, FIRST_ORIGIN, 7, country, ets_params=ets_params, level=level,
                      combination=combination, table=table)
        test = bt["origin"] >= pd.Timestamp(TEST_FIRST_ORIGIN)
        rows.append({"combination": name, "reglage": float(mase_by_horizon(bt[~test])["ratio"].mean()),
                     "test": float(mase_by_horizon(bt[test])["ratio"].mean())})
    out = pd.DataFrame(rows).round(3)
    return str(out.sort_values("reglage", kind="stable").iloc[0]["combination"]), out


def report(long: pd.DataFrame, country: str = "CA-QC", tuned: dict[str, float] | None = None) -> dict:
    grid = None
    if tuned is None:
        tuned, grid = tune(long, country)
    chosen, comb = combinations(long, country, tuned)
    bt = backtest(long, MAX_HORIZON, FIRST_ORIGIN, 7, country, ets_params=tuned,
                  combination=COMBINATIONS[chosen])
    test = bt[bt["origin"] >= pd.Timestamp(TEST_FIRST_ORIGIN)]
    early = bt[bt["origin"] < pd.Timestamp(TEST_FIRST_ORIGIN)]
    by_h = mase_by_horizon(test)
    weights = test.drop_duplicates("origin")
    return {
        "ets_params": tuned,
        "combination_chosen": chosen,
        "combinations": comb.to_dict(orient="records"),
        "tuning_by_horizon": mase_by_horizon(early).reset_index().to_dict(orient="records"),
        "tuning_origins": [str(d.date()) for d in sorted(early["origin"].unique())],
        "test_origins": [str(d.date()) for d in sorted(test["origin"].unique())],
        "test_by_horizon": by_h.reset_index().to_dict(orient="records"),
        "test_scores": scores(test).round(4).reset_index(names="method").to_dict(orient="records"),
        "test_naive_used": {str(o.date()): bool(n) for o, n in zip(weights["origin"], weights["naive_used"], strict=True)},
        "coverage_80_by_week": coverage(test),
        "hindsight_bound": combination_bound(test),
        "grid_best": [] if grid is None else grid.head(5).round(4).to_dict(orient="records"),
    }


def sites_worse(bt: pd.DataFrame) -> list[str]:
    """Sites whose total absolute error is above the seasonal-naive one."""
    err = bt.assign(m=(bt["modele"] - bt["actual"]).abs(), n=(bt["naif_saisonnier"] - bt["actual"]).abs())
    by_site = err.groupby("site")[["m", "n"]].sum()
    return sorted(by_site.index[by_site["m"] > by_site["n"]])


def _write_later(later: dict[str, Any]) -> None:
    """Print the scores on the later days and keep them beside the module."""
    print(pd.DataFrame(later["by_horizon"]).to_string(index=False))
    print(pd.DataFrame(later["scores"]).to_string(index=False))
    print("coverage", later["coverage_80_by_week"], "sites worse", later["sites_worse"])
    print("end of August:", later["end_of_august"])
    LATER_FILE.write_text(json.dumps(later, indent=1, ensure_ascii=False), encoding="utf-8")
    print("written", LATER_FILE)


def report_later(full: pd.DataFrame, country: str = "CA-QC") -> dict:
    """The procedure, with the module's settings, on the days after the shared file (never used to tune):
    every week from ``LATER_FIRST_ORIGIN``, and from ``END_OF_AUGUST`` 28 days ahead."""
    weekly = backtest(full, MAX_HORIZON, LATER_FIRST_ORIGIN, 7, country, ets_params=model.ETS_PARAMS)
    august = backtest(full, MAX_HORIZON, END_OF_AUGUST, 7, country, ets_params=model.ETS_PARAMS,
                      last_origin=END_OF_AUGUST)
    sc = scores(august)
    origins = list(pd.date_range(LATER_FIRST_ORIGIN, full["date"].max() - pd.Timedelta(days=1), freq="7D"))
    needed = sorted(set(origins) | {p for o in origins for p in model.self_origins(o, MAX_HORIZON)})
    table = model.backtest_table(full, needed, MAX_HORIZON, country, "aucune", model.ETS_PARAMS)
    candidates = {name: round(float(mase_by_horizon(backtest(
        full, MAX_HORIZON, LATER_FIRST_ORIGIN, 7, country, ets_params=model.ETS_PARAMS, combination=comb,
        table=table))["ratio"].mean()), 3) for name, comb in COMBINATIONS.items()}
    return {
        "ets_params": model.ETS_PARAMS,
        "combination": list(model.COMBINATION) if model.COMBINATION is not None else None,
        "combinations_mean_ratio": candidates,
        "last_day": str(full["date"].max().date()),
        "origins": [str(d.date()) for d in sorted(weekly["origin"].unique())],
        "by_horizon": mase_by_horizon(weekly).reset_index().to_dict(orient="records"),
        "scores": scores(weekly).round(4).reset_index(names="method").to_dict(orient="records"),
        "coverage_80_by_week": coverage(weekly),
        "sites_worse": sites_worse(weekly),
        "end_of_august": {"mase_modele": round(float(sc.loc["modele", "mase"]), 4),
                          "mase_naif": round(float(sc.loc["naif_saisonnier", "mase"]), 4),
                          "jours_prevus": int(sc.loc["modele", "n"]),
                          "naive_used": bool(august["naive_used"].iloc[0]),
                          "sites": int(august["site"].nunique()),
                          "sites_worse": sites_worse(august)},
    }


if __name__ == "__main__":  # pragma: no cover - manual report
    args, later_file = later_option(sys.argv[1:])
    if later_file is not None and "--later-only" in args:
        args.remove("--later-only")
        later = report_later(load_montreal(Path("."), later_file))
        _write_later(later)
        sys.exit(0)
    data = Path(args[0]) if args else Path(__file__).parents[2].parent / "shared" / "data"
    result = report(load_montreal(data))
    pd.set_option("display.width", 250)
    print("ETS chosen on origins before", TEST_FIRST_ORIGIN, ":", result["ets_params"])
    print("combinations, mean ratio over horizons (chosen on tuning origins):", result["combination_chosen"])
    print(pd.DataFrame(result["combinations"]).to_string(index=False))
    print("test origins where the run fell back to the seasonal naive:", result["test_naive_used"])
    print(pd.DataFrame(result["grid_best"]).to_string(index=False))
    print("\ntest origins", result["test_origins"][0], "to", result["test_origins"][-1])
    print(pd.DataFrame(result["test_by_horizon"]).to_string(index=False))
    print(pd.DataFrame(result["test_scores"]).to_string(index=False))
    print("coverage 80% by week ahead:", result["coverage_80_by_week"])
    print("hindsight bound (best weights per origin, chosen after the fact):", result["hindsight_bound"])
    RESULTS_FILE.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print("written", RESULTS_FILE)
    if later_file is not None:
        later = report_later(load_montreal(data, later_file))
        print("\nlater days, weekly origins from", LATER_FIRST_ORIGIN)
        _write_later(later)
