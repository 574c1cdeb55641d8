"""Time-based backtest of the attendance forecast against the seasonal-naive baseline.

``backtest`` is pure; ``load_montreal`` reshapes the shared wide file (one column per counter)
into the module's long format. README figures: ``python -m usecases.facility_usage.validation``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from usecases.facility_usage import model


def load_montreal(data_dir: Path) -> pd.DataFrame:
    """Long table site, date, count from ``facility_usage/montreal_bikes_2012.csv`` (empty counters dropped)."""
    raw = pd.read_csv(Path(data_dir, "facility_usage", "montreal_bikes_2012.csv"), sep=";", encoding="latin-1")
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
) -> pd.DataFrame:
    """Every ``step_days`` from ``first_origin``: fit up to the origin, forecast ``horizon`` days.

    Returns one row per (site, origin, date) with ``actual``, ``modele``, ``naif_saisonnier``.
    """
    rows = []
    last = long["date"].max()
    origins = pd.date_range(first_origin, last - pd.Timedelta(days=1), freq=f"{step_days}D")
    for site, g in long.groupby("site"):
        s = g.set_index("date")["count"].astype(float).sort_index()
        for origin in origins:
            train = s[s.index <= origin]
            test = s[(s.index > origin) & (s.index <= origin + pd.Timedelta(days=horizon))]
            if len(test) == 0 or len(train) < 28:
                continue
            dates = pd.DatetimeIndex(test.index)
            rows.append(pd.DataFrame({
                "site": site, "origin": origin, "date": dates, "actual": test.to_numpy(),
                "modele": model.forecast_site(train, dates, country, zone),
                "naif_saisonnier": model.seasonal_naive(train, origin, dates),
            }))
    return pd.concat(rows, ignore_index=True)


def scores(bt: pd.DataFrame) -> pd.DataFrame:
    """MAE, MAPE (days with count ≥ 1) and WAPE per method."""
    out = {}
    for method in ("modele", "naif_saisonnier"):
        ok = bt[method].notna()
        err = (bt.loc[ok, method] - bt.loc[ok, "actual"]).abs()
        actual = bt.loc[ok, "actual"]
        out[method] = {
            "mae": float(err.mean()),
            "mape": float((err / actual.clip(lower=1)).mean() * 100),
            "wape": float(err.sum() / actual.sum() * 100),
            "n": float(ok.sum()),
        }
    return pd.DataFrame(out).T


def coverage(long: pd.DataFrame, level: float = 0.8, horizon: int = 14, country: str = "CA-QC") -> float:
    """Share of actuals inside intervals calibrated on earlier origins only (last 8 weeks held out)."""
    cutoff = long["date"].max() - pd.Timedelta(days=56)
    past = long[long["date"] <= cutoff]
    err = model.rolling_errors(past, horizon, country, "aucune")
    lo, hi = np.quantile(err, [(1 - level) / 2, 1 - (1 - level) / 2])
    bt = backtest(long, horizon, first_origin=str(cutoff.date()), country=country)
    bt = bt[bt["modele"].notna() & (bt["actual"] > 0)]
    inside = (bt["actual"] >= bt["modele"] * np.exp(lo)) & (bt["actual"] <= bt["modele"] * np.exp(hi))
    return float(inside.mean() * 100)


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    long = load_montreal(data)
    for country in ("CA-QC", "FR"):
        print(country)
        print(scores(backtest(long, country=country)).round(2).to_string())
    print("coverage 80%:", round(coverage(long), 1))
