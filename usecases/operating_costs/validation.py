"""Unlabelled data: injected-anomaly recall on held-out facilities, false alarms, and stability.

``backtest`` is pure. It repeatedly holds out a random share of facilities, multiplies one of
their measures by a factor (×3 or ×1/3) and checks which method flags them, against a baseline
that uses a global z-score on the same log intensities without peer groups. README figures:
``python -m usecases.operating_costs.validation ../shared/data``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from usecases.operating_costs import detect

TORONTO_COLUMNS = {
    "Property Name": "facility",
    "Primary Property Type - Self Selected": "facility_type",
    "Property GFA - Self-Reported (m²)": "floor_area",
    "Electricity Use - Grid Purchase (kWh)": "electricity_kwh",
    "Natural Gas Use (GJ)": "gas_gj",
    "Site Energy Use (GJ)": "site_energy_gj",
    "Total (Location-Based) GHG Emissions (Metric Tons CO2e)": "ghg_t",
}


def load_toronto(data_dir: Path) -> pd.DataFrame:
    """Module-format table from the ENERGY STAR export (5 metadata lines, 'Not Available' = missing)."""
    raw = pd.read_csv(Path(data_dir, "operating_costs", "toronto_city_facilities_energy_2021.csv"),
                      skiprows=5, na_values=["Not Available", "NA"], low_memory=False)
    df = raw[list(TORONTO_COLUMNS)].rename(columns=TORONTO_COLUMNS)
    ids = raw["Portfolio Manager Property ID"].astype(str)
    dup = df["facility"].duplicated(keep=False)
    df.loc[dup, "facility"] = df.loc[dup, "facility"] + " (" + ids[dup] + ")"
    return df[df["electricity_kwh"].notna() & (df["floor_area"] > 0)].reset_index(drop=True)


def backtest(df: pd.DataFrame, rounds: int = 20, share: float = 0.05, factor: float = 3.0,
             z_threshold: float = 3.5, contamination: float = 0.03, seed: int = 0) -> pd.DataFrame:
    """Per round: recall on injected facilities and false-alarm rate elsewhere, model vs baseline."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(rounds):
        data = df.copy()
        n = max(1, round(share * len(data)))
        held = rng.choice(len(data), size=n, replace=False)
        up = rng.random(n) < 0.5
        for i, is_up in zip(held, up, strict=True):
            data.loc[data.index[i], "electricity_kwh"] *= factor if is_up else 1 / factor
        injected = np.zeros(len(data), dtype=bool)
        injected[held] = True
        model = detect.score(data, z_threshold=z_threshold, contamination=contamination, seed=seed)
        gz = detect.global_z(detect.intensities(data)["electricity_kwh"]).abs()
        base = (gz > z_threshold).to_numpy()
        # same number of alerts as the model, taken by largest global |z|: a fair volume comparison
        k = int(model["flag"].sum())
        base_k = np.zeros(len(data), dtype=bool)
        base_k[np.argsort(-gz.fillna(0).to_numpy(), kind="stable")[:k]] = True
        peers_only = model["z_flag"].to_numpy()
        methods = (("modele", model["flag"].to_numpy()), ("z_pairs_seul", peers_only),
                   ("z_global", base), ("z_global_meme_volume", base_k))
        for name, flagged in methods:
            rows.append({"round": r, "method": name,
                         "recall": float(flagged[injected].mean() * 100),
                         "false_alarm": float(flagged[~injected].mean() * 100)})
    return pd.DataFrame(rows)


def stability(df: pd.DataFrame, seeds: tuple[int, ...] = (0, 1, 2, 3, 4)) -> float:
    """Mean Jaccard similarity of the flagged sets across forest seeds."""
    sets = [set(df.index[detect.score(df, seed=s)["flag"]]) for s in seeds]
    pairs = [(a, b) for i, a in enumerate(sets) for b in sets[i + 1:]]
    return float(np.mean([len(a & b) / max(len(a | b), 1) for a, b in pairs]) * 100)


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    df = load_toronto(data)
    print(len(df), "facilities")
    for factor in (2.0, 3.0, 5.0):
        bt = backtest(df, factor=factor)
        print("factor", factor)
        print(bt.groupby("method")[["recall", "false_alarm"]].mean().round(1).to_string())
    print("stability (Jaccard %):", round(stability(df), 1))
