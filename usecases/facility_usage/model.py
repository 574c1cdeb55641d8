"""Daily attendance forecast: a weekly-profile model combined with a statsmodels ETS, self-checked.

Profile model, per site, on days with a positive count:

* weekday effect = median, over the last ``profile_days``, of the log count minus its centred
  7-day mean (public-holiday days left out), centred to sum to zero;
* calendar effects (public holiday, school holiday) = median deviation of the weekday-adjusted
  log count from its 7-day mean on those days, shrunk towards 0 with ``n / (n + 10)``;
* level = median of the adjusted log counts over the last ``level_days``; forecast
  ``exp(level + weekday + calendar)``.

ETS: Holt-Winters (damped additive trend, additive weekly season) on log(1 + count) with fixed
smoothing (``ets_states``). The forecast is a weighted mean, in log(1 + count), of the profile model
and the ETS (weights ``COMBINATION``, 0.5 each, chosen among candidate combinations, the seasonal naive
included, on the early backtest origins only, see ``validation.combinations``). Each run backtests
it on its own last weeks (``backtest_table`` + ``choose``), falls back to the seasonal naive when it
does not beat it there, and takes from these weeks the interval and its checked coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import holidays
import numpy as np
import pandas as pd

LEVEL_DAYS = 14
PROFILE_DAYS = 56
SHRINK_DAYS = 10.0


@lru_cache(maxsize=1)
def school_calendar() -> pd.DataFrame:
    """French school holidays per zone (A, B, C), 2012–2027, from ``vacances_scolaires.csv``."""
    with resources.files("usecases.facility_usage").joinpath("vacances_scolaires.csv").open("rb") as fh:
        cal = pd.read_csv(fh, parse_dates=["debut", "fin"])
    return cal


@lru_cache(maxsize=32)
def _holiday_days(country: str, first_year: int, last_year: int) -> np.ndarray:
    years = range(first_year, last_year + 1)
    cal = holidays.France(years=years) if country == "FR" else holidays.Canada(subdiv="QC", years=years)
    return np.array(sorted(pd.Timestamp(d) for d in cal), dtype="datetime64[ns]")


def public_holidays(dates: pd.DatetimeIndex, country: str) -> np.ndarray:
    if country == "aucun" or len(dates) == 0:
        return np.zeros(len(dates), dtype=bool)
    days = _holiday_days(country, int(dates.min().year), int(dates.max().year))
    return np.isin(pd.DatetimeIndex(dates).normalize().to_numpy(dtype="datetime64[ns]"), days)


def school_holidays(dates: pd.DatetimeIndex, zone: str) -> np.ndarray:
    if zone == "aucune" or len(dates) == 0:
        return np.zeros(len(dates), dtype=bool)
    cal = school_calendar()
    cal = cal[(cal["zone"] == zone) & (cal["fin"] >= dates.min()) & (cal["debut"] <= dates.max())]
    out = np.zeros(len(dates), dtype=bool)
    values = dates.to_numpy()
    for start, end in zip(cal["debut"].to_numpy(), cal["fin"].to_numpy(), strict=True):
        out |= (values >= start) & (values <= end)
    return out


def school_calendar_covers(dates: pd.DatetimeIndex) -> bool:
    cal = school_calendar()
    return bool(len(dates) == 0 or (dates.min() >= cal["debut"].min() and dates.max() <= cal["fin"].max()))


@dataclass(frozen=True)
class SiteModel:
    level: float
    weekday: np.ndarray  # 7 log effects, Monday first
    holiday_effect: float
    school_effect: float
    last_date: pd.Timestamp

    def predict(self, dates: pd.DatetimeIndex, hol: np.ndarray, school: np.ndarray) -> np.ndarray:
        log = self.level + self.weekday[dates.weekday] + np.where(hol, self.holiday_effect, 0.0)
        log = log + np.where(school & ~hol, self.school_effect, 0.0)
        return np.exp(log)


def _shrunk_median(values: pd.Series) -> float:
    values = values.dropna()
    if len(values) == 0:
        return 0.0
    return float(values.median() * len(values) / (len(values) + SHRINK_DAYS))


def fit_site(series: pd.Series, country: str, zone: str,
             level_days: int = LEVEL_DAYS, profile_days: int = PROFILE_DAYS) -> SiteModel | None:
    """Fit on a daily count series indexed by date; ``None`` when under 7 positive days."""
    s = series[series > 0].dropna()
    if len(s) < 7:
        return None
    idx = pd.DatetimeIndex(s.index)
    logy = pd.Series(np.log(s.to_numpy(dtype=float)), index=idx)
    hol = public_holidays(idx, country)
    school = school_holidays(idx, zone)
    base = logy.rolling("7D", center=True, min_periods=4).mean()
    dev = logy - base
    recent = idx > idx[-1] - pd.Timedelta(days=profile_days)
    use = recent & ~hol
    wd = dev[use].groupby(idx[use].weekday).median().reindex(range(7)).fillna(0.0)
    wd = wd - wd.mean()
    adj_dev = dev - wd.reindex(idx.weekday).to_numpy()
    holiday_effect = _shrunk_median(adj_dev[hol])
    school_effect = _shrunk_median(adj_dev[school & ~hol])
    adjusted = logy - wd.reindex(idx.weekday).to_numpy() - np.where(hol, holiday_effect, 0.0)
    adjusted = adjusted - np.where(school & ~hol, school_effect, 0.0)
    level = float(adjusted[idx > idx[-1] - pd.Timedelta(days=level_days)].median())
    return SiteModel(level, wd.to_numpy(), holiday_effect, school_effect, pd.Timestamp(idx[-1]))


def forecast_site(series: pd.Series, dates: pd.DatetimeIndex, country: str, zone: str) -> np.ndarray:
    model = fit_site(series, country, zone)
    if model is None:
        return np.full(len(dates), np.nan)
    return model.predict(dates, public_holidays(dates, country), school_holidays(dates, zone))


def seasonal_naive(series: pd.Series, origin: pd.Timestamp, dates: pd.DatetimeIndex) -> np.ndarray:
    """Same weekday in the last observed week before ``origin``."""
    out = []
    for d in dates:
        weeks = int(np.ceil((d - origin).days / 7))
        out.append(series.get(d - pd.Timedelta(days=7 * weeks), np.nan))
    return np.asarray(out, dtype=float)


# --- Combination with exponential smoothing (ETS) -------------------------------------------------
# Settings chosen by ``validation.tune`` on the origins before ``validation.TEST_FIRST_ORIGIN`` only.

#: Holt-Winters additive ETS on log(1 + count): level, trend, weekly season, damping.
ETS_PARAMS: dict[str, float] = {"smoothing_level": 0.5, "smoothing_trend": 0.05, "smoothing_seasonal": 0.05,
                                "damping_trend": 0.9}
#: Weights of (profile, ETS, seasonal naive) in the log-space combination, or ``None``: the earlier
#: procedure, where each run picks the profile weight among ``WEIGHTS`` (the rest to ETS, none to the
#: seasonal naive) on its own recent backtest. Chosen by ``validation.combinations`` on early origins.
COMBINATION: tuple[float, float, float] | None = (0.5, 0.5, 0.0)
PROFILE_WEIGHT = 0.5
WEIGHTS: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
#: Self-backtest: weekly origins ending ``horizon`` days before the last observed day.
SELF_ORIGINS = 4


def _daily_log(series: pd.Series) -> pd.Series:
    """log(1 + count) on a daily grid, missing days interpolated."""
    s = series.dropna().astype(float).sort_index().clip(lower=0)
    grid = pd.date_range(s.index.min(), s.index.max(), freq="D")
    y = np.log1p(s.reindex(grid)).interpolate(limit_direction="both")
    y.index.freq = "D"
    return y


def ets_states(series: pd.Series, params: dict[str, float] | None = None):
    """statsmodels Holt-Winters (additive damped trend, additive weekly season) run over log(1 + count).

    Smoothing parameters are fixed (chosen on early backtest origins), so the fit is a filter; the
    initial state is the first week (level = its mean, season = its deviations, trend 0), so the state
    at any day depends only on the days up to it: one pass gives the forecast from every origin.
    Returns ``(y, results, phi, trend)`` or ``None`` under three weeks.
    """
    import warnings

    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    params = dict(ETS_PARAMS if params is None else params)
    if series.dropna().empty:
        return None
    y = _daily_log(series)
    if len(y) < 21:
        return None
    trend = params.get("smoothing_trend", 0.0) > 0
    phi = params.pop("damping_trend", 1.0) if trend else 1.0
    if not trend:
        params.pop("smoothing_trend", None)
    first = y.iloc[:7].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = ExponentialSmoothing(
            y, trend="add" if trend else None, damped_trend=trend, seasonal="add", seasonal_periods=7,
            initialization_method="known", initial_level=float(first.mean()),
            initial_trend=0.0 if trend else None, initial_seasonal=first - first.mean())
        fit = model.fit(optimized=False, **params, **({"damping_trend": phi} if trend else {}))
    return y, fit, phi, trend


def ets_from_origin(states, origin: pd.Timestamp, dates: pd.DatetimeIndex) -> np.ndarray:
    """Forecast of ``dates`` from the filter state at ``origin`` (the last observed day ≤ origin)."""
    if states is None or len(dates) == 0:
        return np.full(len(dates), np.nan)
    y, fit, phi, trend = states
    t = int(y.index.searchsorted(origin, side="right")) - 1
    if t < 20:
        return np.full(len(dates), np.nan)
    level, season = np.asarray(fit.level), np.asarray(fit.season)
    slope = np.asarray(fit.trend)[t] if trend else 0.0
    h = np.asarray((dates - y.index[t]).days, dtype=float)
    damp = damped_sum_days(h, phi)
    seas = season[t - 7 + 1 + ((h.astype(int) - 1) % 7)]
    return np.maximum(np.expm1(level[t] + damp * slope + seas), 0.0)


def damped_sum_days(h: np.ndarray, phi: float) -> np.ndarray:
    return h if phi >= 1 else phi * (1 - phi**h) / (1 - phi)


def ets_forecast(series: pd.Series, dates: pd.DatetimeIndex, params: dict[str, float] | None = None) -> np.ndarray:
    """ETS forecast of ``dates`` from the last day of ``series`` (NaN under three weeks)."""
    s = series.dropna()
    if s.empty:
        return np.full(len(dates), np.nan)
    return ets_from_origin(ets_states(s, params), s.index.max(), dates)


def combine(profile: np.ndarray, ets: np.ndarray, weight: float | tuple[float, float, float] = PROFILE_WEIGHT,
            naive: np.ndarray | None = None) -> np.ndarray:
    """Weighted mean in log(1 + count) of the profile, ETS and seasonal-naive forecasts.

    ``weight``: the profile's weight against ETS alone (a number), or the weights of the three (a
    tuple, ``naive`` then needed). A missing forecast is left out and the other weights rescaled.
    """
    weights = (weight, 1 - weight, 0.0) if isinstance(weight, (int, float)) else tuple(weight)
    parts = [np.asarray(profile, dtype=float), np.asarray(ets, dtype=float),
             np.full(len(profile), np.nan) if naive is None else np.asarray(naive, dtype=float)]
    logs = np.stack([np.log1p(np.maximum(p, 0)) for p in parts])
    w = np.asarray(weights, dtype=float)[:, None] * np.isfinite(logs)
    total = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, (w * np.nan_to_num(logs)).sum(axis=0) / total, np.nan)
    return np.expm1(out)


def forecast_all(series: pd.Series, origin: pd.Timestamp, dates: pd.DatetimeIndex, country: str, zone: str,
                 *, weight: float | tuple[float, float, float] = PROFILE_WEIGHT, ets_params: dict[str, float] | None = None,
                 states=None, site_model: SiteModel | None = None) -> dict[str, np.ndarray]:
    """Every method on the same days: combined model, its two parts and the seasonal-naive baseline.

    ``states``: the ETS filter already run over ``series`` (``ets_states``), reused across origins;
    ``site_model``: the profile model already fitted on ``series`` up to ``origin``.
    Missing forecasts (too little history) fall back to the seasonal-naive one.
    """
    train = series[series.index <= origin]
    naive = seasonal_naive(train, origin, dates)
    if site_model is None:
        profile = forecast_site(train, dates, country, zone)
    else:
        profile = site_model.predict(dates, public_holidays(dates, country), school_holidays(dates, zone))
    ets = ets_forecast(train, dates, ets_params) if states is None else ets_from_origin(states, origin, dates)
    model = combine(profile, ets, weight, naive)
    fill = np.where(np.isnan(naive), np.nanmean(train.to_numpy(dtype=float)[-7:]) if len(train) else np.nan, naive)
    return {
        "modele": np.where(np.isnan(model), fill, model),
        "profil": np.where(np.isnan(profile), fill, profile),
        "ets": np.where(np.isnan(ets), fill, ets),
        "naif_saisonnier": naive,
    }


def mase_scale(train: pd.Series) -> float:
    """In-sample mean absolute error of the weekly seasonal-naive forecast (MASE denominator)."""
    s = train.dropna().astype(float)
    s = s.reindex(pd.date_range(s.index.min(), s.index.max(), freq="D")) if len(s) else s
    diff = (s - s.shift(7)).abs().dropna()
    return float(diff.mean()) if len(diff) else float("nan")


def backtest_table(daily: pd.DataFrame, origins: list[pd.Timestamp], horizon: int, country: str, zone: str,
                   ets_params: dict[str, float] | None = None, states_out: dict | None = None) -> pd.DataFrame:
    """Forecasts of every part (profile, ETS, seasonal naive) from each origin, 1 to ``horizon`` days ahead.

    ``states_out``, when given, receives each site's ETS filter (to forecast from the last day without rerunning).
    """
    rows = []
    for site, g in daily.groupby("site"):
        s = g.set_index("date")["count"].astype(float).sort_index()
        states = ets_states(s, ets_params)
        if states_out is not None:
            states_out[site] = states
        for origin in origins:
            train = s[s.index <= origin]
            test = s[(s.index > origin) & (s.index <= origin + pd.Timedelta(days=horizon))]
            if len(test) == 0 or len(train) < 28:
                continue
            dates = pd.DatetimeIndex(test.index)
            preds = forecast_all(s, origin, dates, country, zone, weight=0.0, ets_params=ets_params, states=states)
            rows.append(pd.DataFrame({
                "site": site, "origin": origin, "date": dates, "horizon": (dates - origin).days,
                "actual": test.to_numpy(), "scale": mase_scale(train),
                "profil": preds["profil"], "ets": preds["ets"], "naif_saisonnier": preds["naif_saisonnier"],
            }))
    cols = ["site", "origin", "date", "horizon", "actual", "scale", "profil", "ets", "naif_saisonnier"]
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)


def self_origins(last_day: pd.Timestamp, horizon: int, n: int = SELF_ORIGINS) -> list[pd.Timestamp]:
    """Weekly origins whose ``horizon`` days ahead are all observed, latest last."""
    return [last_day - pd.Timedelta(days=horizon + 7 * k) for k in range(n - 1, -1, -1)]


def choose(table: pd.DataFrame, level: float,
           combination: tuple[float, float, float] | None = COMBINATION) -> dict:
    """From past forecasts: the combination's weights (``combination``, or with ``None`` the profile
    weight that did best), its MASE and the naive one, interval and coverage.

    The interval is the ``level`` quantile range of ``log(1 + actual) − log(1 + forecast)``; its coverage
    is checked origin by origin with quantiles from the other origins only (leave one origin out).
    """
    out = {"weight": PROFILE_WEIGHT if combination is None else combination, "use_model": True, "model_error": float("nan"), "naive_error": float("nan"),
           "lo": float(np.log(0.5)), "hi": float(np.log(1.5)), "coverage": float("nan"), "n": 0}
    t = table[(table["scale"] > 0) & table[["profil", "ets", "naif_saisonnier", "actual"]].notna().all(axis=1)]
    if len(t) < 14:
        return out
    actual, scale = t["actual"].to_numpy(dtype=float), t["scale"].to_numpy(dtype=float)
    naive = t["naif_saisonnier"].to_numpy(dtype=float)
    mase = {w: float(np.mean(np.abs(combine(t["profil"].to_numpy(), t["ets"].to_numpy(), w, naive) - actual) / scale))
            for w in (WEIGHTS if combination is None else (combination,))}
    weight = min(mase, key=lambda w: (mase[w], abs(w - PROFILE_WEIGHT) if isinstance(w, (int, float)) else 0))
    naive_error = float(np.mean(np.abs(naive - actual) / scale))
    use_model = mase[weight] < naive_error
    pred = combine(t["profil"].to_numpy(), t["ets"].to_numpy(), weight, naive) if use_model else naive
    err = np.log1p(actual) - np.log1p(np.maximum(pred, 0))
    lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
    lo, hi = np.quantile(err, [lo_q, hi_q])
    origins = t["origin"].to_numpy()
    inside = []
    for o in np.unique(origins):
        rest = err[origins != o]
        if len(rest) < 7:
            continue
        a, b = np.quantile(rest, [lo_q, hi_q])
        e = err[origins == o]
        inside.append((e >= a) & (e <= b))
    coverage = float(np.concatenate(inside).mean() * 100) if inside else float("nan")
    return {"weight": weight, "use_model": use_model, "model_error": mase[weight], "naive_error": naive_error, "lo": float(min(lo, 0)),
            "hi": float(max(hi, 0)), "coverage": coverage, "n": len(t)}


def site_checks(table: pd.DataFrame, weight: float | tuple[float, float, float], use_model: bool) -> pd.DataFrame:
    """Per site, on the run's own backtest: MASE of the forecast shown (the combination with ``weight``,
    or the seasonal naive when ``use_model`` is false) and of the seasonal naive, and the gain in %."""
    t = table[(table["scale"] > 0) & table[["profil", "ets", "naif_saisonnier", "actual"]].notna().all(axis=1)]
    cols = ["site", "mase_prevision", "mase_naif", "gain_pct", "jours"]
    if len(t) == 0:
        return pd.DataFrame(columns=cols)
    naive = t["naif_saisonnier"].to_numpy()
    pred = combine(t["profil"].to_numpy(), t["ets"].to_numpy(), weight, naive) if use_model else naive
    err = pd.DataFrame({"site": t["site"].to_numpy(),
                        "m": np.abs(pred - t["actual"].to_numpy()) / t["scale"].to_numpy(),
                        "n": np.abs(t["naif_saisonnier"].to_numpy() - t["actual"].to_numpy()) / t["scale"].to_numpy()})
    out = err.groupby("site").agg(mase_prevision=("m", "mean"), mase_naif=("n", "mean"), jours=("m", "size"))
    out["gain_pct"] = 100 * (1 - out["mase_prevision"] / out["mase_naif"].where(out["mase_naif"] > 0))
    return out.reset_index()[cols]
