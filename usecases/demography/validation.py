"""Rolling-origin backtest of the projection, per horizon, against three baselines.

Every (origin, target) pair of censuses the data allow, 1 to 10 years apart (including the rolling
census years 2008–2011), is a backtest: fit on censuses up to the origin, forecast the target.
Baselines, computed here on the same communes: last value, linear trend (OLS through every census
up to the origin) and a damped long-run growth rate (whole history, φ = 0.9, no shrinkage).

Model settings are chosen by ``tune`` on the early pairs only (targets up to ``TUNE_LAST_TARGET``);
the README reports the later pairs (origins from ``TEST_FIRST_ORIGIN``), never used for tuning.

Candidate models, combinations included (``CANDIDATES``: the model, the damped long-run growth rate,
and geometric means of the model with it, with the last value and with a 20-year rate), are compared
on the same tuning pairs; the one with the lowest mean WAPE ratio to the last value is the model.

``python -m usecases.demography.validation /path/to/shared/data`` prints the tables and writes
``validation_results.json`` next to this file (the tests compare it with the README).

``... validation /path/to/shared/data --later /path/to/later`` also scores, with the same settings, every
pair whose target is a later vintage (``LATER_YEARS``, 2012–2016: data never used to build or tune the
model, from the same COGugaison commit, see README) and writes ``validation_later_results.json``.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from usecases.demography import model
from usecases.forecast_check import later_option

MAX_HORIZON = 10
TUNE_LAST_TARGET = 1999
TEST_FIRST_ORIGIN = 1999
RESULTS_FILE = Path(__file__).with_name("validation_results.json")
LATER_FILE = Path(__file__).with_name("validation_later_results.json")
#: Later vintages scored by ``report_later`` (the 2017 file repeats the 2016 populations: left out).
LATER_YEARS = (2012, 2013, 2014, 2015, 2016)
#: Candidates compared on the tuning pairs (``candidates``); ``×``: geometric mean of the forecasts.
CANDIDATES = ("modele", "croissance_longue_amortie", "modele×croissance_longue", "modele×derniere_valeur",
              "modele×taux_20_ans")
METHODS = ("modele", "derniere_valeur", "tendance_lineaire", "croissance_longue_amortie")
BASELINES = METHODS[1:]


@dataclass(frozen=True)
class Settings:
    phi: float = model.PHI
    shrink: float = model.SHRINK
    long_years: float = model.LONG_YEARS
    weight_last: float = model.WEIGHT_LAST


#: Interval growth exponents tried by ``tune_interval_power`` (errors scale as horizon**power).
POWER_GRID = (0.5, 0.75, 1.0)
GRID = {
    "phi": (0.5, 0.65, 0.8, 0.9, 1.0),
    "shrink": (2000.0, 8000.0, 30000.0, 100000.0),
    "long_years": (10.0, 20.0, 30.0),
    "weight_last": (0.0, 0.5, 1.0),
}


def load_cog(data_dir: Path, years: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Long table code, name, year, population, group (département) from ``demography/COG*.csv``
    (only the vintages in ``years`` when given)."""
    frames = []
    for path in sorted(Path(data_dir, "demography").glob("COG*.csv")):
        found = re.search(r"(\d{4})", path.name)
        if found is None:
            continue
        year = int(found.group(1))
        if years is not None and year not in years:
            continue
        d = pd.read_csv(path, sep=";", encoding="latin-1", dtype={"CODGEO": str})
        d = d.rename(columns={"CODGEO": "code", "LIBGEO": "name", "POP": "population"})
        d["year"] = year
        frames.append(d)
    long = pd.concat(frames, ignore_index=True).dropna(subset=["population"])
    long["group"] = model.departement(long["code"])
    return long[["code", "name", "year", "population", "group"]]


def pairs(years: list[int], max_horizon: int = MAX_HORIZON) -> list[tuple[int, int]]:
    """Every (origin, target) with at least two censuses up to the origin and 1 ≤ gap ≤ max_horizon."""
    years = sorted(years)
    return [(o, t) for i, o in enumerate(years) if i >= 1 for t in years if 0 < t - o <= max_horizon]


def linear_trend(hist: pd.DataFrame, target: int) -> pd.Series:
    """OLS line through every census up to the origin (the 'linear trend' baseline)."""
    years = np.asarray(hist.columns, dtype=float)
    values = hist.to_numpy(dtype=float)
    x = years - years.mean()
    slope = ((values - values.mean(axis=1, keepdims=True)) * x).sum(axis=1) / (x**2).sum()
    pred = values.mean(axis=1) + slope * (target - years.mean())
    return pd.Series(np.maximum(pred, 0), index=hist.index)


def long_run_growth(hist: pd.DataFrame, groups: pd.Series, target: int) -> pd.Series:
    """Damped long-run growth baseline: whole-history log growth rate, φ = 0.9, no shrinkage."""
    rates = model.growth_rates(hist, groups, 0.0, long_years=np.inf, weight_last=0.0)
    return model.point_forecast(rates, target, 0.9)


def candidate_forecasts(hist: pd.DataFrame, groups: pd.Series, target: int,
                        settings: Settings | None = None) -> dict[str, pd.Series]:
    """Point forecasts of every candidate in ``CANDIDATES`` (combinations: geometric means)."""
    settings = settings or Settings()
    rates = model.growth_rates(hist, groups, settings.shrink, long_years=settings.long_years,
                               weight_last=settings.weight_last)
    m = model.point_forecast(rates, target, settings.phi).reindex(hist.index)
    lrg = long_run_growth(hist, groups, target).reindex(hist.index)
    last = hist[hist.columns[-1]]
    r20 = model.growth_rates(hist, groups, 0.0, long_years=20.0, weight_last=0.0)
    m20 = model.point_forecast(r20, target, settings.phi).reindex(hist.index)

    def geo(a: pd.Series, b: pd.Series) -> pd.Series:
        return np.sqrt(a * b)

    return {"modele": m, "croissance_longue_amortie": lrg, "modele×croissance_longue": geo(m, lrg),
            "modele×derniere_valeur": geo(m, last), "modele×taux_20_ans": geo(m, m20)}


def candidates(long: pd.DataFrame, settings: Settings | None = None,
               last_target: int = TUNE_LAST_TARGET) -> tuple[str, pd.DataFrame]:
    """WAPE and MAPE ratio to the last value of every candidate, per pair; the chosen one has the lowest
    mean WAPE ratio over the tuning pairs (targets up to ``last_target``) only."""
    wide = model.to_wide(long)
    groups = _groups(long, wide)
    rows = []
    for origin, target in pairs(list(wide.columns)):
        hist, actual = _split(wide, origin, target)
        if len(actual) == 0:
            continue
        naive = _scores(hist[hist.columns[-1]], actual)
        for name, pred in candidate_forecasts(hist, groups, target, settings).items():
            sc = _scores(pred.reindex(actual.index), actual)
            rows.append({"origin": origin, "target": target, "horizon": target - origin, "candidate": name,
                         "tuning": target <= last_target, "wape_ratio": sc["wape"] / naive["wape"],
                         "mape_ratio": sc["mape"] / naive["mape"]})
    table = pd.DataFrame(rows)
    tuning = table[table["tuning"]].groupby("candidate")["wape_ratio"].mean()
    return str(tuning.idxmin()), table


def _scores(pred: pd.Series, actual: pd.Series) -> dict[str, float]:
    ape = (pred - actual).abs() / actual
    return {
        "mape": float(ape.mean() * 100),
        "mdape": float(ape.median() * 100),
        "wape": float((pred - actual).abs().sum() / actual.sum() * 100),
    }


def _groups(long: pd.DataFrame, wide: pd.DataFrame) -> pd.Series:
    if "group" in long:
        return long.drop_duplicates("code").set_index("code")["group"]
    return model.departement(pd.Series(wide.index, index=wide.index))


def _split(wide: pd.DataFrame, origin: int, target: int) -> tuple[pd.DataFrame, pd.Series]:
    hist_years = [y for y in wide.columns if y <= origin]
    sub = wide[[*hist_years, target]].dropna()
    sub = sub[(sub > 0).all(axis=1)]
    return sub[hist_years], sub[target]


def backtest(
    long: pd.DataFrame,
    origins: tuple[tuple[int, int], ...] | None = None,
    level: float = 0.8,
    phi: float | None = None,
    shrink: float | None = None,
    settings: Settings | None = None,
    baselines: bool = True,
    power: float | None = None,
) -> pd.DataFrame:
    """Scores per (origin, target) pair and method; coverage of the model's intervals.

    Only communes present with a positive population at every census up to the target are scored,
    so every method is judged on the same communes. ``origins`` defaults to every pair ``pairs`` gives.
    """
    settings = settings or Settings()
    if phi is not None or shrink is not None:
        settings = Settings(phi if phi is not None else settings.phi, shrink if shrink is not None else settings.shrink,
                            settings.long_years, settings.weight_last)
    wide = model.to_wide(long)
    groups = _groups(long, wide)
    rows = []
    for origin, target in origins or pairs(list(wide.columns)):
        if target not in wide.columns or sum(y <= origin for y in wide.columns) < 2:
            continue
        hist, actual = _split(wide, origin, target)
        if len(actual) == 0:
            continue
        fc = model.project(hist, groups, [target], level, shrink=settings.shrink, phi=settings.phi,
                           long_years=settings.long_years, weight_last=settings.weight_last,
                           power=power).set_index("code")
        fc = fc.reindex(actual.index)
        methods = {"modele": fc["forecast"]}
        if baselines:
            methods |= {
                "derniere_valeur": hist[hist.columns[-1]],
                "tendance_lineaire": linear_trend(hist, target),
                "croissance_longue_amortie": long_run_growth(hist, groups, target),
            }
        for name, pred in methods.items():
            row = {"origin": origin, "target": target, "horizon": target - origin, "method": name,
                   "communes": len(actual), **_scores(pred, actual)}
            if name == "modele":
                inside = (actual >= fc["lower"]) & (actual <= fc["upper"])
                row["coverage"] = float(inside.mean() * 100)
            rows.append(row)
    return pd.DataFrame(rows)


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of each score over pairs, per method."""
    return scores.groupby("method")[["mape", "mdape", "wape", "coverage"]].mean().round(2)


def by_horizon(scores: pd.DataFrame) -> pd.DataFrame:
    """Per horizon: mean WAPE and MAPE of each method over pairs, ratio model / best baseline, coverage."""
    table = scores.pivot_table(index="horizon", columns="method", values=["wape", "mape"], aggfunc="mean")
    out = pd.DataFrame(index=table.index)
    out["paires"] = scores[scores["method"] == "modele"].groupby("horizon").size()
    for metric in ("wape", "mape"):
        for method in METHODS:
            if (metric, method) in table:
                out[f"{metric}_{method}"] = table[(metric, method)]
        base = [f"{metric}_{b}" for b in BASELINES if f"{metric}_{b}" in out]
        if base:
            out[f"{metric}_ratio"] = out[f"{metric}_modele"] / out[base].min(axis=1)
    out["coverage"] = scores[scores["method"] == "modele"].groupby("horizon")["coverage"].mean()
    return out.round(3)


def tune(long: pd.DataFrame, last_target: int = TUNE_LAST_TARGET) -> tuple[Settings, pd.DataFrame]:
    """Grid search on the early pairs only: minimise the mean over horizons of WAPE / last-value WAPE."""
    wide = model.to_wide(long)
    early = [(o, t) for o, t in pairs(list(wide.columns)) if t <= last_target]
    groups = _groups(long, wide)
    splits = {p: _split(wide, *p) for p in early}
    rows = []
    for phi, shrink, long_years, weight_last in itertools.product(*GRID.values()):
        ratios = []
        for (_origin, target), (hist, actual) in splits.items():
            rates = model.growth_rates(hist, groups, shrink, long_years=long_years, weight_last=weight_last)
            pred = model.point_forecast(rates, target, phi).reindex(actual.index)
            naive = hist[hist.columns[-1]]
            ratios.append(float((pred - actual).abs().sum() / (naive - actual).abs().sum()))
        rows.append({"phi": phi, "shrink": shrink, "long_years": long_years, "weight_last": weight_last,
                     "ratio": float(np.mean(ratios))})
    grid = pd.DataFrame(rows).sort_values("ratio", kind="stable")
    best = grid.iloc[0]
    return Settings(float(best["phi"]), float(best["shrink"]), float(best["long_years"]),
                    float(best["weight_last"])), grid


def tune_interval_power(long: pd.DataFrame, settings: Settings | None = None,
                        last_target: int = TUNE_LAST_TARGET, level: float = 0.8) -> tuple[float, pd.DataFrame]:
    """Interval growth exponent chosen on the early pairs only: the smallest mean distance between the
    coverage of the ``level`` intervals and ``level``."""
    wide = model.to_wide(long)
    early = tuple((o, t) for o, t in pairs(list(wide.columns)) if t <= last_target)
    rows = []
    for power in POWER_GRID:
        sc = backtest(long, origins=early, level=level, settings=settings, baselines=False, power=power)
        rows.append({"power": power, "coverage_by_pair": [round(float(c), 2) for c in sc["coverage"]],
                     "mean_gap": float((sc["coverage"] - 100 * level).abs().mean())})
    table = pd.DataFrame(rows).sort_values("mean_gap", kind="stable")
    return float(table.iloc[0]["power"]), table


def hindsight_bound(long: pd.DataFrame, origins: tuple[tuple[int, int], ...],
                    settings: Settings | None = None) -> pd.DataFrame:
    """Hindsight bound, not a forecast: WAPE ratio to the last value, per pair, of the model and of the
    last value once each is rescaled so that every département's total equals its *observed* total at
    the target (what no forecast can know). If even the model rescaled this way stays above 0.8 × the
    last value's error, pooling across communes (any better département growth) cannot reach the aim:
    what remains is each commune's own deviation from its département."""
    settings = settings or Settings()
    wide = model.to_wide(long)
    groups = _groups(long, wide)
    rows = []
    for origin, target in origins:
        hist, actual = _split(wide, origin, target)
        if len(actual) == 0:
            continue
        g = groups.reindex(actual.index).fillna("").to_numpy()
        last = hist[hist.columns[-1]]
        rates = model.growth_rates(hist, groups, settings.shrink, long_years=settings.long_years,
                                   weight_last=settings.weight_last)
        pred = model.point_forecast(rates, target, settings.phi).reindex(actual.index)
        naive = float((last - actual).abs().sum())
        true_total = actual.groupby(g).transform("sum")
        preds = {"modele": pred, "modele_totaux_connus": pred * true_total / pred.groupby(g).transform("sum"),
                 "derniere_valeur_totaux_connus": last * true_total / last.groupby(g).transform("sum")}
        rows.append({"origin": origin, "target": target, "horizon": target - origin}
                    | {k: float((p - actual).abs().sum()) / naive for k, p in preds.items()})
    return pd.DataFrame(rows)


def report(long: pd.DataFrame) -> dict:
    """Tune on early pairs, then score every later pair with the chosen settings (the README tables)."""
    chosen, grid = tune(long)
    power, power_table = tune_interval_power(long, chosen)
    best_candidate, cand = candidates(long, chosen)
    cand_summary = cand.assign(partie=np.where(cand["tuning"], "reglage", np.where(
        cand["origin"] >= TEST_FIRST_ORIGIN, "test", "autre"))).groupby(["candidate", "partie"])[
        ["wape_ratio", "mape_ratio"]].mean().round(3).reset_index()
    scores = backtest(long, settings=chosen, power=power)
    test = scores[scores["origin"] >= TEST_FIRST_ORIGIN]
    early = scores[scores["target"] <= TUNE_LAST_TARGET]
    return {
        "settings": asdict(chosen),
        "tuning_pairs": sorted({(int(o), int(t)) for o, t in zip(early["origin"], early["target"], strict=True)}),
        "test_pairs": sorted({(int(o), int(t)) for o, t in zip(test["origin"], test["target"], strict=True)}),
        "test_by_horizon": by_horizon(test).reset_index().to_dict(orient="records"),
        "tuning_by_horizon": by_horizon(early).reset_index().to_dict(orient="records"),
        "test_pairs_scores": test.round(3).to_dict(orient="records"),
        "grid_best": grid.head(5).round(4).to_dict(orient="records"),
        "interval_power": power,
        "interval_power_grid": power_table.round(3).to_dict(orient="records"),
        "candidate_chosen": best_candidate,
        "candidates": cand_summary.to_dict(orient="records"),
        "hindsight_bound_by_horizon": hindsight_bound(long, tuple(
            (int(o), int(t)) for o, t in sorted(set(zip(test["origin"], test["target"], strict=True)))), chosen)
            .groupby("horizon")[["modele", "modele_totaux_connus", "derniere_valeur_totaux_connus"]].mean()
            .round(3).reset_index().to_dict(orient="records"),
    }


def report_later(long_all: pd.DataFrame, settings: Settings | None = None) -> dict:
    """Every pair whose target is a later vintage (``LATER_YEARS``), scored with the module's settings
    (chosen on targets up to ``TUNE_LAST_TARGET``): per horizon, and every pair from the last shared
    census (2011), with the candidates' WAPE ratios on the same pairs."""
    settings = settings or Settings()
    wide = model.to_wide(long_all)
    later = tuple((o, t) for o, t in pairs(list(wide.columns)) if t in LATER_YEARS and o >= 2008)
    scores = backtest(long_all, origins=later, settings=settings, power=model.INTERVAL_POWER)
    groups = _groups(long_all, wide)
    cand_rows = []
    for origin, target in later:
        hist, actual = _split(wide, origin, target)
        naive = _scores(hist[hist.columns[-1]], actual)["wape"]
        for name, pred in candidate_forecasts(hist, groups, target, settings).items():
            cand_rows.append({"horizon": target - origin, "candidate": name,
                              "wape_ratio": _scores(pred.reindex(actual.index), actual)["wape"] / naive})
    cand = pd.DataFrame(cand_rows).groupby(["horizon", "candidate"])["wape_ratio"].mean().unstack()
    from_2011 = scores[scores["origin"] == 2011].pivot_table(index=["target", "horizon"], columns="method",
                                                               values="wape").reset_index()
    return {
        "settings": asdict(settings),
        "interval_power": model.INTERVAL_POWER,
        "later_years": list(LATER_YEARS),
        "pairs": [[int(o), int(t)] for o, t in later],
        "by_horizon": by_horizon(scores).reset_index().to_dict(orient="records"),
        "from_2011_wape": from_2011.round(3).to_dict(orient="records"),
        "candidates_wape_ratio_by_horizon": cand.round(3).reset_index().to_dict(orient="records"),
    }


if __name__ == "__main__":  # pragma: no cover - manual report
    args, later_dir = later_option(sys.argv[1:])
    data = Path(args[0]) if args else Path(__file__).parents[2].parent / "shared" / "data"
    shared = load_cog(data)
    result = report(shared)
    pd.set_option("display.width", 250)
    print("settings chosen on pairs with target <=", TUNE_LAST_TARGET, ":", result["settings"])
    print(pd.DataFrame(result["grid_best"]).to_string(index=False))
    print("\ntuning pairs, per horizon")
    print(pd.DataFrame(result["tuning_by_horizon"]).to_string(index=False))
    print("\ntest pairs (origin >=", TEST_FIRST_ORIGIN, "), per horizon")
    print(pd.DataFrame(result["test_by_horizon"]).to_string(index=False))
    print("\ninterval power chosen on tuning pairs:", result["interval_power"])
    print(pd.DataFrame(result["interval_power_grid"]).to_string(index=False))
    print("\ncandidates, mean ratio to the last value; chosen on tuning pairs:", result["candidate_chosen"])
    print(pd.DataFrame(result["candidates"]).to_string(index=False))
    print("\nhindsight bound on test pairs (WAPE ratio to the last value, département totals known):")
    print(pd.DataFrame(result["hindsight_bound_by_horizon"]).to_string(index=False))
    RESULTS_FILE.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    print("written", RESULTS_FILE)
    if later_dir is not None:
        later = report_later(pd.concat([shared, load_cog(later_dir, LATER_YEARS)], ignore_index=True))
        print("\nlater vintages", LATER_YEARS, "per horizon")
        print(pd.DataFrame(later["by_horizon"]).to_string(index=False))
        print(pd.DataFrame(later["from_2011_wape"]).to_string(index=False))
        print(pd.DataFrame(later["candidates_wape_ratio_by_horizon"]).to_string(index=False))
        LATER_FILE.write_text(json.dumps(later, indent=1, ensure_ascii=False), encoding="utf-8")
        print("written", LATER_FILE)
