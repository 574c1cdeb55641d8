"""Time-based validation of the risk ranking on Kitchener's water mains, against two baselines.

Hyperparameters are chosen on the tuning origins (2006–2008, labels up to 2013) only; the test origin
(2013, failures 2014–2018) is scored once with the chosen setting. At each origin the model learns
from earlier origins only, with label windows cut at the origin. Measure: share of the assets that
fail in the five following years found in the top 10 % of the ranking (assets installed by then).

``python -m usecases.maintenance.validation /path/to/shared/data`` prints the table of the README
and writes ``validation.json`` next to this file (the tests compare both).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from usecases.maintenance import model
from usecases.maintenance.module import backtest

TUNING_ORIGINS = (2006, 2007, 2008)
TEST_ORIGIN = 2013
HORIZON = 5
SHARE = 0.1
#: Systematic break recording starts in 1997 (a dozen scattered records before).
HISTORY_START = 1997
CANDIDATES: dict[str, dict[str, float]] = {
    "A": {"learning_rate": 0.05, "max_iter": 300, "max_leaf_nodes": 15, "min_samples_leaf": 40, "l2_regularization": 1.0},
    "B": {"learning_rate": 0.03, "max_iter": 200, "max_leaf_nodes": 15, "min_samples_leaf": 100, "l2_regularization": 1.0},
    "C": {"learning_rate": 0.03, "max_iter": 300, "max_leaf_nodes": 7, "min_samples_leaf": 200, "l2_regularization": 1.0},
    "D": {"learning_rate": 0.03, "max_iter": 300, "max_leaf_nodes": 7, "min_samples_leaf": 400, "l2_regularization": 1.0},
    "E": {"learning_rate": 0.02, "max_iter": 400, "max_leaf_nodes": 5, "min_samples_leaf": 300, "l2_regularization": 1.0},
}
RESULT_FILE = Path(__file__).with_name("validation.json")


def load_kitchener(data_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``assets`` and ``failures`` in the module's columns; breaks on ids absent from the inventory dropped."""
    folder = Path(data_dir, "maintenance")
    mains = pd.read_csv(folder / "Water_Mains.csv", encoding="utf-8-sig", low_memory=False)
    breaks = pd.read_csv(folder / "Water_Main_Breaks.csv", encoding="utf-8-sig", low_memory=False)
    assets = pd.DataFrame({
        "asset_id": mains["WATMAINID"].astype(str),
        "material": mains["MATERIAL"],
        "diameter_mm": mains["PIPE_SIZE"].astype(float),
        "installed": mains["INSTALLATION_DATE"].str[:10].str.replace("/", "-"),
        "length_m": mains["Shape__Length"].astype(float),
        "status": mains["STATUS"],
    })
    failures = pd.DataFrame({
        "asset_id": breaks["ASSETID"].astype("Int64").astype(str),
        "date": pd.to_datetime(breaks["INCIDENT_DATE"].str[:10]),
    })
    failures = failures[failures["asset_id"].isin(set(assets["asset_id"]))]
    return assets, failures.reset_index(drop=True)


def prepared(assets: pd.DataFrame, failures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    a = model.clean_assets(assets)
    a = a[a["install_year"].notna()]
    f = model.failure_years(failures)
    f = f[(f["year"] >= HISTORY_START) & (f["year"] >= f["asset_id"].map(a["install_year"]))]
    return a, f


def run(data_dir: Path) -> dict:
    a, f = prepared(*load_kitchener(data_dir))
    tuning: dict[str, dict[str, Any]] = {}
    for name, hp in CANDIDATES.items():
        for partial in (True, False):
            scores = [backtest(a, f, o, HORIZON, HISTORY_START, SHARE, hp, partial)["model"] for o in TUNING_ORIGINS]
            tuning[f"{name}{'+partiel' if partial else ''}"] = {
                "per_origin": [round(s, 2) for s in scores], "mean": round(sum(scores) / len(scores), 2)}
    chosen = max(tuning, key=lambda k: tuning[k]["mean"])
    hparams, partial = CANDIDATES[chosen[0]], chosen.endswith("+partiel")
    rows = []
    for o in (*TUNING_ORIGINS, TEST_ORIGIN):
        r = backtest(a, f, o, HORIZON, HISTORY_START, SHARE, hparams, partial)
        rows.append({"origin": o, "period": f"{o + 1}-{o + HORIZON}", "role": "test" if o == TEST_ORIGIN else "réglage",
                     "assets": int((a["install_year"] <= o).sum()), "failing_assets": int(r["failing_assets"]),
                     **{k: round(v, 2) for k, v in r.items() if k != "failing_assets"}})
    return {"tuning": tuning, "chosen": chosen, "hparams": hparams, "partial_windows": partial, "rows": rows}


def table(result: dict) -> str:
    lines = ["| origine | casses de | rôle | tronçons | tronçons cassés | modèle | plus de casses passées | plus ancien |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in result["rows"]:
        lines.append(f"| {r['origin']} | {r['period']} | {r['role']} | {r['assets']} | {r['failing_assets']} | "
                     f"{r['model']:.1f} % | {r['most_failures']:.1f} % | {r['oldest']:.1f} % |".replace(".", ","))
    return "\n".join(lines)


SAMPLE_ZONE = "KIT 5"
#: The sample keeps the mains laid up to this year (older mains carry almost all breaks; a fast demo).
SAMPLE_LAST_INSTALL_YEAR = 1990


def make_sample(data_dir: Path, out_dir: Path = Path(__file__).parent) -> None:  # pragma: no cover - one-off
    """Write ``assets.csv`` and ``failures.csv``: one pressure zone's older mains (see ``SOURCE.txt``).

    Asset coordinates are not in the inventory: a main gets the mean position of its recorded breaks,
    else of the breaks on the same road segment, else none (for the map only, never a feature).
    """
    folder = Path(data_dir, "maintenance")
    mains = pd.read_csv(folder / "Water_Mains.csv", encoding="utf-8-sig", low_memory=False)
    breaks = pd.read_csv(folder / "Water_Main_Breaks.csv", encoding="utf-8-sig", low_memory=False)
    laid = pd.to_datetime(mains["INSTALLATION_DATE"].str[:10]).dt.year
    zone = mains[(mains["PRESSURE_ZONE"] == SAMPLE_ZONE) & (laid <= SAMPLE_LAST_INSTALL_YEAR)].copy()
    zone["asset_id"] = zone["WATMAINID"].astype(str)
    breaks["asset_id"] = breaks["ASSETID"].astype("Int64").astype(str)
    own = breaks.groupby("asset_id")[["X", "Y"]].mean()
    seg = breaks.groupby("ROADSEGMENTID")[["X", "Y"]].mean()
    xy = own.reindex(zone["asset_id"]).set_axis(zone.index)
    xy = xy.fillna(seg.reindex(zone["ROADSEGMENTID"]).set_axis(zone.index))
    assets = pd.DataFrame({
        "asset_id": zone["asset_id"], "material": zone["MATERIAL"], "diameter_mm": zone["PIPE_SIZE"],
        "installed": pd.to_datetime(zone["INSTALLATION_DATE"].str[:10]).dt.strftime("%d/%m/%Y"),
        "length_m": zone["Shape__Length"].round(1), "status": zone["STATUS"],
        "lon": xy["X"].round(5), "lat": xy["Y"].round(5),
    })
    fails = breaks[breaks["asset_id"].isin(set(assets["asset_id"]))]
    fails = pd.DataFrame({"asset_id": fails["asset_id"],
                          "date": pd.to_datetime(fails["INCIDENT_DATE"].str[:10]).dt.strftime("%d/%m/%Y"),
                          "break_nature": fails["BREAK_NATURE"]})
    years = pd.to_datetime(fails["date"], format="%d/%m/%Y").dt.year
    fails = fails[years >= HISTORY_START].sort_values("asset_id", kind="stable")
    assets.to_csv(out_dir / "assets.csv", index=False)
    fails.to_csv(out_dir / "failures.csv", index=False)


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    res = run(data)
    RESULT_FILE.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name, t in res["tuning"].items():
        print(name, CANDIDATES[name[0]], t)
    print("chosen:", res["chosen"])
    print(table(res))
