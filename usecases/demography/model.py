"""Damped log-linear projection of commune populations, with size-class prediction intervals.

Model (chosen on the rolling-origin backtest in ``validation.py``):

* growth rate ``r`` = blend of the annual log growth over the commune's last inter-census interval
  and over its last ``LONG_YEARS`` years (from the oldest census in that window, at least the
  previous one); the chosen blend is all long-run (``WEIGHT_LAST`` = 0) over 10 years, which on the
  rolling census years 2008–2011 avoids extrapolating a one-year change;
* shrunk towards the median rate of its group (département by default) with weight
  ``n / (n + shrink)`` where ``n`` is the last population: small communes are noisy;
* damped (Gardner's damped trend in log space):
  ``log P(T+h) = log P(T) + r * (phi + phi² + … + phi^h)``, ``phi`` = 0.8 a year;
* interval: quantiles of past one-step errors ``log(actual / forecast) / gap**INTERVAL_POWER`` (rolling
  origins inside the input itself), per population size class, scaled by ``h**INTERVAL_POWER``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

# Settings chosen by ``validation.tune`` on the backtest pairs with targets up to 1999 only.
PHI = 0.8
SHRINK = 8000.0
#: Long-run rate window (years before the last census) and weight of the last interval's rate.
LONG_YEARS = 10.0
WEIGHT_LAST = 0.0
SIZE_BINS: tuple[float, ...] = (0, 500, 2000, 10000, np.inf)
SIZE_LABELS: tuple[str, ...] = ("< 500 hab.", "500–2 000 hab.", "2 000–10 000 hab.", "≥ 10 000 hab.")
MIN_CLASS_SIZE = 30
#: How many of the latest censuses serve to calibrate intervals (older decades were more volatile).
LAST_K = 1
#: Interval growth with the horizon: errors scale as ``h**INTERVAL_POWER`` (0.5: random walk; 1: trend error).
INTERVAL_POWER = 1.0  # chosen by ``validation.tune_interval_power`` on targets up to 1999 only


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


def _last_valid(valid: np.ndarray) -> np.ndarray:
    """Index of the last True per row (-1 when none)."""
    k = valid.shape[1]
    idx = k - 1 - np.argmax(valid[:, ::-1], axis=1)
    return np.where(valid.any(axis=1), idx, -1)


def growth_rates(
    wide: pd.DataFrame,
    groups: pd.Series,
    shrink: float = SHRINK,
    *,
    long_years: float = LONG_YEARS,
    weight_last: float = WEIGHT_LAST,
) -> pd.DataFrame:
    """Per commune: last year, last population and blended, shrunk annual log growth rate.

    ``raw_rate`` = ``weight_last`` × rate over the last inter-census interval + (1 − ``weight_last``) ×
    rate from the oldest census at most ``long_years`` before the last one (the long-run rate).
    ``wide`` holds only years up to the origin. Communes need two positive observations for a rate.
    """
    values = wide.to_numpy(dtype=float)
    years = np.asarray(wide.columns, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        logv = np.log(values)
    valid = np.isfinite(values) & (values > 0)
    keep = valid.any(axis=1)
    values, logv, valid = values[keep], logv[keep], valid[keep]
    rows = np.arange(len(values))
    last = _last_valid(valid)
    before = valid.copy()
    before[rows, last] = False
    prev = _last_valid(before)
    last_year, last_log = years[last], logv[rows, last]
    has_prev = prev >= 0
    prev_safe = np.where(has_prev, prev, last)
    gap = last_year - years[prev_safe]
    with np.errstate(divide="ignore", invalid="ignore"):
        short = np.where(has_prev, (last_log - logv[rows, prev_safe]) / gap, np.nan)
    window = before & (years[None, :] >= last_year[:, None] - long_years)
    first = np.where(window.any(axis=1), np.argmax(window, axis=1), prev_safe)
    span = last_year - years[first]
    with np.errstate(divide="ignore", invalid="ignore"):
        long_rate = np.where(has_prev & (span > 0), (last_log - logv[rows, first]) / span, np.nan)
    raw = weight_last * short + (1 - weight_last) * long_rate
    out = pd.DataFrame({"last_year": last_year, "last_pop": values[rows, last], "raw_rate": raw},
                       index=wide.index[keep])
    out.index.name = "code"
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
    wide: pd.DataFrame, groups: pd.Series, shrink: float = SHRINK, phi: float = PHI, last_k: int = LAST_K,
    *, long_years: float = LONG_YEARS, weight_last: float = WEIGHT_LAST, power: float | None = None,
) -> pd.DataFrame:
    """Rolling one-step errors inside ``wide``: for each of the ``last_k`` latest censuses, fit on earlier ones."""
    years = list(wide.columns)
    parts = []
    for j in range(max(2, len(years) - last_k), len(years)):
        hist = wide[years[:j]]
        target = years[j]
        rates = growth_rates(hist, groups, shrink, long_years=long_years, weight_last=weight_last)
        actual = wide[target].reindex(rates.index)
        pred = point_forecast(rates, target, phi)
        h = target - rates["last_year"]
        ok = actual.notna() & (actual > 0) & (h > 0)
        err = np.log(actual[ok] / pred[ok]) / h[ok] ** (INTERVAL_POWER if power is None else power)
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
    long_years: float = LONG_YEARS,
    weight_last: float = WEIGHT_LAST,
    power: float | None = None,
) -> pd.DataFrame:
    """Long table code, year, forecast, lower, upper for every commune and target year."""
    power = INTERVAL_POWER if power is None else power
    rates = growth_rates(wide, groups, shrink, long_years=long_years, weight_last=weight_last)
    if errors is None:
        errors = scaled_errors(wide, groups, shrink, phi, long_years=long_years, weight_last=weight_last,
                               power=power)
    quantiles = error_quantiles(errors, level)
    sizes = size_class(rates["last_pop"])
    lo = sizes.map(lambda s: quantiles[s][0]).to_numpy(dtype=float)
    hi = sizes.map(lambda s: quantiles[s][1]).to_numpy(dtype=float)
    parts = []
    for year in target_years:
        pred = point_forecast(rates, year, phi)
        h = np.maximum(year - rates["last_year"].to_numpy(), 0) ** power
        parts.append(pd.DataFrame({
            "code": rates.index,
            "year": year,
            "forecast": pred.to_numpy(),
            "lower": pred.to_numpy() * np.exp(np.minimum(lo, 0) * h),
            "upper": pred.to_numpy() * np.exp(np.maximum(hi, 0) * h),
        }))
    return pd.concat(parts, ignore_index=True)


def self_backtest(wide: pd.DataFrame, groups: pd.Series, horizon: int, level: float) -> dict:
    """Backtest on the user's own censuses at the gap closest to ``horizon``.

    Every (origin, target) pair with at least two censuses up to the origin and that gap is scored on
    the communes present at every census up to the target: pooled WAPE of the model and of the last
    value, share of observed populations inside the model's interval.
    """
    years = sorted(int(y) for y in wide.columns)
    candidates = [(o, t) for i, o in enumerate(years) if i >= 1 for t in years if t > o]
    empty: dict[str, Any] = {"gap": None, "pairs": [], "model_error": float("nan"), "naive_error": float("nan"),
             "coverage": float("nan"), "n": 0}
    if not candidates:
        return empty
    latest = {g: max(o for o, t in candidates if t - o == g) for g in {t - o for o, t in candidates}}
    gap = min(latest, key=lambda g: (abs(g - horizon), -latest[g]))  # closest gap, then most recent
    chosen = [(o, t) for o, t in candidates if t - o == gap]
    abs_model = abs_naive = total = 0.0
    inside = n = 0
    for origin, target in chosen:
        hist_years = [y for y in wide.columns if y <= origin]
        sub = wide[[*hist_years, target]].dropna()
        sub = sub[(sub > 0).all(axis=1)]
        if len(sub) == 0:
            continue
        actual = sub[target]
        fc = project(sub[hist_years], groups, [target], level).set_index("code").reindex(actual.index)
        abs_model += float((fc["forecast"] - actual).abs().sum())
        abs_naive += float((sub[hist_years[-1]] - actual).abs().sum())
        total += float(actual.sum())
        inside += int(((actual >= fc["lower"]) & (actual <= fc["upper"])).sum())
        n += len(actual)
    if n == 0 or total <= 0:
        return empty | {"gap": gap, "pairs": chosen}
    return {"gap": gap, "pairs": chosen, "model_error": 100 * abs_model / total,
            "naive_error": 100 * abs_naive / total, "coverage": 100 * inside / n, "n": n}
