"""Flags on public accounts: peer outliers (per inhabitant) and breaks of a line's own trend.

* Peer flag: for one line and one year, the per-inhabitant amount of an entity against all
  entities (median, MAD × 1.4826); flagged beyond ``k_peer`` MADs, with at least ``min_peers``.
* Trend break: one-step-ahead forecast of year t from years < t, ``last + damping × median of
  past yearly changes`` (a robust, damped drift); flagged when the error exceeds ``k_trend`` times
  the robust scale of past yearly changes (MAD of changes, floored at 2 % of the level).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAD_SCALE = 1.4826
DAMPING = 0.5
MIN_HISTORY = 3


def per_inhabitant(df: pd.DataFrame) -> pd.Series:
    if "population" in df and df["population"].notna().any():
        pop = df["population"].where(df["population"] > 0)
        return df["amount"] / pop
    return df["amount"]


def peer_flags(df: pd.DataFrame, k_peer: float = 3.5, min_peers: int = 5) -> pd.DataFrame:
    d = df.assign(value=per_inhabitant(df)).dropna(subset=["value"])
    g = d.groupby(["year", "line"])["value"]
    d["n_peers"] = g.transform("count")
    d["peer_median"] = g.transform("median")
    d["peer_mad"] = (d["value"] - d["peer_median"]).abs().groupby([d["year"], d["line"]]).transform("median") * MAD_SCALE
    d = d[(d["n_peers"] >= min_peers) & (d["peer_mad"] > 0)]
    d["z"] = (d["value"] - d["peer_median"]) / d["peer_mad"]
    return d[d["z"].abs() > k_peer].copy()


def one_step(history: np.ndarray, damping: float = DAMPING) -> float:
    """Forecast of the next value from a history (oldest first)."""
    if len(history) == 1:
        return float(history[-1])
    return float(history[-1] + damping * np.median(np.diff(history)))


def trend_scale(history: np.ndarray) -> float:
    diffs = np.diff(history)
    mad = float(np.median(np.abs(diffs - np.median(diffs))) * MAD_SCALE) if len(diffs) else 0.0
    return max(mad, 0.02 * abs(float(history[-1])), 1e-9)


def trend_flags(df: pd.DataFrame, k_trend: float = 4.0, damping: float = DAMPING) -> pd.DataFrame:
    rows = []
    for (entity, line), g in df.dropna(subset=["amount"]).groupby(["entity", "line"], sort=True):
        g = g.sort_values("year")
        years, values = g["year"].to_numpy(), g["amount"].to_numpy(dtype=float)
        for t in range(MIN_HISTORY, len(values)):
            hist = values[:t]
            pred = one_step(hist, damping)
            scale = trend_scale(hist)
            score = (values[t] - pred) / scale
            if abs(score) > k_trend:
                rows.append({"entity": entity, "line": line, "year": int(years[t]), "amount": values[t],
                             "expected": pred, "score": score, "previous": values[t - 1]})
    return pd.DataFrame(rows, columns=["entity", "line", "year", "amount", "expected", "score", "previous"])
