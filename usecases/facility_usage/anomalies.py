"""Anomalies in daily counts: zero runs (closure or outage), flat runs (stuck sensor), outliers."""

from __future__ import annotations

import numpy as np
import pandas as pd

KIND_ZERO = "fermeture ou panne (zéros)"
KIND_FLAT = "capteur figé (valeur constante)"
KIND_HIGH = "valeur anormalement haute"
KIND_LOW = "valeur anormalement basse"
KIND_COMMON = "écart commun à plusieurs sites (météo, événement ?)"


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) inclusive positions of True runs."""
    runs, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        elif not m and start is not None:
            runs.append((start, i - 1))
            start = None
    if start is not None:
        runs.append((start, len(mask) - 1))
    return runs


def detect(daily: pd.DataFrame, min_run: int = 3, z_threshold: float = 4.0) -> pd.DataFrame:
    """One row per anomaly: site, debut, fin, jours, type, valeur, detail (French)."""
    rows = []
    for site, g in daily.groupby("site", sort=True):
        g = g.sort_values("date")
        counts = g["count"].to_numpy(dtype=float)
        dates = pd.DatetimeIndex(g["date"])
        zero = counts == 0
        for a, b in _runs(zero):
            if b - a + 1 >= min_run:
                rows.append((site, dates[a], dates[b], b - a + 1, KIND_ZERO, 0.0,
                             f"{b - a + 1} jours consécutifs à zéro"))
        same = np.r_[False, (counts[1:] == counts[:-1]) & (counts[1:] > 0)]
        # a flat run of n equal values has n-1 'same' flags; extend one back
        for a, b in _runs(same):
            start = a - 1
            if b - start + 1 >= min_run:
                rows.append((site, dates[start], dates[b], b - start + 1, KIND_FLAT, counts[b],
                             f"{b - start + 1} jours consécutifs à la même valeur ({counts[b]:.0f})"))
        flagged = zero.copy()
        for _, r in enumerate(rows):
            if r[0] == site:
                flagged |= (dates >= r[1]) & (dates <= r[2])
        pos = (counts > 0) & ~flagged
        if pos.sum() < 14:
            continue
        logy = pd.Series(np.where(pos, np.log(np.where(pos, counts, 1.0)), np.nan), index=dates)
        wd = (logy - logy.rolling("15D", center=True, min_periods=5).median()).groupby(dates.weekday).median()
        adj = logy - wd.reindex(dates.weekday).to_numpy()
        baseline = adj.rolling("15D", center=True, min_periods=5).median()
        resid = adj - baseline
        mad = float(np.nanmedian(np.abs(resid - np.nanmedian(resid)))) * 1.4826
        if not np.isfinite(mad) or mad == 0:
            continue
        z = resid / mad
        for i in np.flatnonzero(np.abs(z.to_numpy()) > z_threshold):
            expected = float(np.exp(baseline.iloc[i] + wd.get(dates[i].weekday(), 0.0)))
            kind = KIND_HIGH if z.iloc[i] > 0 else KIND_LOW
            rows.append((site, dates[i], dates[i], 1, kind, counts[i],
                         f"{counts[i]:.0f} pour environ {expected:.0f} attendus (écart robuste {z.iloc[i]:+.1f})"))
    out = pd.DataFrame(rows, columns=["site", "debut", "fin", "jours", "type", "valeur", "detail"])
    n_sites = daily["site"].nunique()
    if n_sites >= 3 and len(out):
        single = out["type"].isin([KIND_HIGH, KIND_LOW])
        per_day = out[single].groupby(["debut", "type"])["site"].transform("size")
        common = per_day >= max(2, n_sites / 2)
        out.loc[common.index[common], "type"] = KIND_COMMON
    return out.sort_values(["site", "debut", "type"], kind="stable").reset_index(drop=True)
