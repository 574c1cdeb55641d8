"""Rolling-origin backtest of the projection against last-value and linear-trend baselines.

``backtest`` is pure (a long table in, scores out); ``load_cog`` reads the shared COG vintages.
The README figures come from ``python -m usecases.demography.validation /path/to/shared/data``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from usecases.demography import model

#: (last census used, census predicted)
ORIGINS: tuple[tuple[int, int], ...] = ((1982, 1990), (1990, 1999), (1999, 2008), (2008, 2011), (1999, 2011))


def load_cog(data_dir: Path) -> pd.DataFrame:
    """Long table code, name, year, population, group (département) from ``demography/COG*.csv``."""
    frames = []
    for path in sorted(Path(data_dir, "demography").glob("COG*.csv")):
        year = int(re.search(r"(\d{4})", path.name).group(1))
        d = pd.read_csv(path, sep=";", encoding="latin-1", dtype={"CODGEO": str})
        d = d.rename(columns={"CODGEO": "code", "LIBGEO": "name", "POP": "population"})
        d["year"] = year
        frames.append(d)
    long = pd.concat(frames, ignore_index=True).dropna(subset=["population"])
    long["group"] = model.departement(long["code"])
    return long[["code", "name", "year", "population", "group"]]


def _linear_trend(hist: pd.DataFrame, target: int) -> pd.Series:
    """OLS line through every census up to the origin (the 'linear trend' baseline)."""
    years = np.asarray(hist.columns, dtype=float)
    values = hist.to_numpy(dtype=float)
    x = years - years.mean()
    slope = ((values - values.mean(axis=1, keepdims=True)) * x).sum(axis=1) / (x**2).sum()
    pred = values.mean(axis=1) + slope * (target - years.mean())
    return pd.Series(np.maximum(pred, 0), index=hist.index)


def _scores(pred: pd.Series, actual: pd.Series) -> dict[str, float]:
    ape = (pred - actual).abs() / actual
    return {
        "mape": float(ape.mean() * 100),
        "mdape": float(ape.median() * 100),
        "wape": float((pred - actual).abs().sum() / actual.sum() * 100),
    }


def backtest(
    long: pd.DataFrame,
    origins: tuple[tuple[int, int], ...] = ORIGINS,
    level: float = 0.8,
    phi: float = model.PHI,
    shrink: float = model.SHRINK,
) -> pd.DataFrame:
    """Scores per origin and method (model, last value, linear trend); coverage of model intervals.

    Only communes present with a positive population at every census up to the target are scored,
    so every method is judged on the same communes.
    """
    wide = model.to_wide(long)
    groups = long.drop_duplicates("code").set_index("code")["group"] if "group" in long else model.departement(
        pd.Series(wide.index, index=wide.index)
    )
    rows = []
    for origin, target in origins:
        hist_years = [y for y in wide.columns if y <= origin]
        if len(hist_years) < 2 or target not in wide.columns:
            continue
        sub = wide[[*hist_years, target]].dropna()
        sub = sub[(sub > 0).all(axis=1)]
        hist, actual = sub[hist_years], sub[target]
        fc = model.project(hist, groups, [target], level, shrink=shrink, phi=phi).set_index("code")
        fc = fc.reindex(actual.index)
        methods = {
            "modele": fc["forecast"],
            "derniere_valeur": hist[hist_years[-1]],
            "tendance_lineaire": _linear_trend(hist, target),
        }
        for name, pred in methods.items():
            row = {"origin": origin, "target": target, "method": name, "communes": len(actual), **_scores(pred, actual)}
            if name == "modele":
                inside = (actual >= fc["lower"]) & (actual <= fc["upper"])
                row["coverage"] = float(inside.mean() * 100)
            rows.append(row)
    return pd.DataFrame(rows)


def summary(scores: pd.DataFrame) -> pd.DataFrame:
    """Mean of each score over origins, per method."""
    return scores.groupby("method")[["mape", "mdape", "wape", "coverage"]].mean().round(2)


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    s = backtest(load_cog(data))
    pd.set_option("display.width", 200)
    print(s.round(2).to_string(index=False))
    print(summary(s).to_string())
