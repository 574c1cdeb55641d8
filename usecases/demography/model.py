"""Damped log-linear projection of commune populations, with size-class prediction intervals.

Model (chosen on the rolling-origin backtest in ``validation.py``):

* growth rate ``r`` = annual log growth over the commune's last inter-census interval;
* shrunk towards the median rate of its group (département by default) with weight
  ``n / (n + shrink)`` where ``n`` is the last population: small communes are noisy;
* damped: ``log P(T+h) = log P(T) + r * (phi + phi² + … + phi^h)``, ``phi`` = 0.9 a year;
* interval: quantiles of past one-step errors ``log(actual / forecast) / sqrt(gap)`` (rolling
  origins inside the input itself), per population size class, scaled by ``sqrt(h)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

PHI = 0.9
SHRINK = 2000.0
SIZE_BINS: tuple[float, ...] = (0, 500, 2000, 10000, np.inf)
SIZE_LABELS: tuple[str, ...] = ("< 500 hab.", "500–2 000 hab.", "2 000–10 000 hab.", "≥ 10 000 hab.")
MIN_CLASS_SIZE = 30
#: How many of the latest censuses serve to calibrate intervals (older decades were more volatile).
LAST_K = 1


def departement(code: pd.Series) -> pd.Series:
    """Département code from a commune code (2 characters, 3 for overseas 97x)."""
    code = code.astype(str).str.zfill(5)
    return pd.Series(np.where(code.str.startswith("97"), code.str[:3], code.str[:2]), index=code.index)


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    """code × year table of populations (mean over duplicates)."""
    wide = long.pivot_table(index="code", columns="year", values="population", aggfunc="mean")
    wide.columns = [int(c) for c in wide.columns]
    return wide.sort_index(axis=1)


def damped_sum(h: np.ndarray | float, phi: float = PHI) -> np.ndarray:
    h = np.asarray(h, dtype=float)
    if phi >= 1:
        return h
    return phi * (1 - phi**h) / (1 - phi)


def growth_rates(wide: pd.DataFrame, groups: pd.Series, shrink: float = SHRINK) -> pd.DataFrame:
    """Per commune: last year, last population and shrunk annual log growth rate.

    ``wide`` holds only years up to the origin. Communes need two positive observations.
    """
    values = wide.to_numpy(dtype=float)
    years = np.asarray(wide.columns, dtype=float)
    valid = np.isfinite(values) & (values > 0)
    rows = []
    for i, code in enumerate(wide.index):
        idx = np.flatnonzero(valid[i])
        if len(idx) == 0:
            continue
        last = idx[-1]
        if len(idx) >= 2:
            prev = idx[-2]
            rate = (np.log(values[i, last]) - np.log(values[i, prev])) / (years[last] - years[prev])
        else:
            rate = np.nan
        rows.append((code, years[last], values[i, last], rate))
    out = pd.DataFrame(rows, columns=["code", "last_year", "last_pop", "raw_rate"]).set_index("code")
    out["group"] = groups.reindex(out.index).fillna("").to_numpy()
    group_rate = out.groupby("group")["raw_rate"].transform("median")
    global_rate = out["raw_rate"].median()
    group_rate = group_rate.fillna(global_rate if np.isfinite(global_rate) else 0.0)
    weight = out["last_pop"] / (out["last_pop"] + shrink) if shrink > 0 else 1.0
    rate = weight * out["raw_rate"] + (1 - weight) * group_rate
    out["rate"] = rate.fillna(group_rate)
    return out


def point_forecast(rates: pd.DataFrame, target_year: float, phi: float = PHI) -> pd.Series:
    h = np.maximum(target_year - rates["last_year"].to_numpy(), 0)
    return pd.Series(
        np.exp(np.log(rates["last_pop"].to_numpy()) + rates["rate"].to_numpy() * damped_sum(h, phi)),
        index=rates.index,
    )


def size_class(pop: pd.Series | np.ndarray) -> pd.Series:
    return pd.Series(
        pd.cut(np.asarray(pop, dtype=float), bins=list(SIZE_BINS), labels=list(SIZE_LABELS), right=False),
        index=getattr(pop, "index", None),
    ).astype(str)


def scaled_errors(
    wide: pd.DataFrame, groups: pd.Series, shrink: float = SHRINK, phi: float = PHI, last_k: int = LAST_K
) -> pd.DataFrame:
    """Rolling one-step errors inside ``wide``: for each of the ``last_k`` latest censuses, fit on earlier ones."""
    years = list(wide.columns)
    parts = []
    for j in range(max(2, len(years) - last_k), len(years)):
        hist = wide[years[:j]]
        target = years[j]
        rates = growth_rates(hist, groups, shrink)
        actual = wide[target].reindex(rates.index)
        pred = point_forecast(rates, target, phi)
        h = target - rates["last_year"]
        ok = actual.notna() & (actual > 0) & (h > 0)
        err = np.log(actual[ok] / pred[ok]) / np.sqrt(h[ok])
        parts.append(pd.DataFrame({"err": err, "size": size_class(rates.loc[ok, "last_pop"]).to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["err", "size"])
    return pd.concat(parts)


def error_quantiles(errors: pd.DataFrame, level: float) -> dict[str, tuple[float, float]]:
    """Lower/upper quantiles of scaled log errors per size class (pooled when a class is thin)."""
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    if len(errors) == 0:
        pooled = (-0.05, 0.05)
    else:
        pooled = (float(errors["err"].quantile(lo_q)), float(errors["err"].quantile(hi_q)))
    out = {}
    for label in SIZE_LABELS:
        e = errors.loc[errors["size"] == label, "err"] if len(errors) else pd.Series(dtype=float)
        out[label] = (float(e.quantile(lo_q)), float(e.quantile(hi_q))) if len(e) >= MIN_CLASS_SIZE else pooled
    return out


def project(
    wide: pd.DataFrame,
    groups: pd.Series,
    target_years: list[int],
    level: float,
    *,
    shrink: float = SHRINK,
    phi: float = PHI,
    errors: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Long table code, year, forecast, lower, upper for every commune and target year."""
    rates = growth_rates(wide, groups, shrink)
    if errors is None:
        errors = scaled_errors(wide, groups, shrink, phi)
    quantiles = error_quantiles(errors, level)
    sizes = size_class(rates["last_pop"])
    lo = sizes.map(lambda s: quantiles[s][0]).to_numpy(dtype=float)
    hi = sizes.map(lambda s: quantiles[s][1]).to_numpy(dtype=float)
    parts = []
    for year in target_years:
        pred = point_forecast(rates, year, phi)
        h = np.sqrt(np.maximum(year - rates["last_year"].to_numpy(), 0))
        parts.append(pd.DataFrame({
            "code": rates.index,
            "year": year,
            "forecast": pred.to_numpy(),
            "lower": pred.to_numpy() * np.exp(np.minimum(lo, 0) * h),
            "upper": pred.to_numpy() * np.exp(np.maximum(hi, 0) * h),
        }))
    return pd.concat(parts, ignore_index=True)
