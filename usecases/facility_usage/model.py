"""Daily attendance model: robust level × weekday profile × calendar effects, in log space.

For each site, on days with a positive count:

* weekday effect = median, over the last ``profile_days``, of the log count minus its centred
  7-day mean (public-holiday days left out), centred to sum to zero;
* calendar effects (public holiday, school holiday) = median deviation of the weekday-adjusted
  log count from its 7-day mean on those days, shrunk towards 0 with ``n / (n + 10)``;
* level = median of the adjusted log counts over the last ``level_days`` (no trend: the
  backtest showed trend extrapolation over-shoots after the spring ramp-up).

The forecast is ``exp(level + weekday + calendar)``; intervals come from the quantiles of the
model's own past 1–``horizon``-day errors (rolling origins every 7 days in the input).
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


def public_holidays(dates: pd.DatetimeIndex, country: str) -> np.ndarray:
    if country == "aucun" or len(dates) == 0:
        return np.zeros(len(dates), dtype=bool)
    years = range(dates.min().year, dates.max().year + 1)
    cal = holidays.France(years=years) if country == "FR" else holidays.Canada(subdiv="QC", years=years)
    return np.array([d in cal for d in dates.date], dtype=bool)


def school_holidays(dates: pd.DatetimeIndex, zone: str) -> np.ndarray:
    if zone == "aucune" or len(dates) == 0:
        return np.zeros(len(dates), dtype=bool)
    cal = school_calendar()
    cal = cal[cal["zone"] == zone]
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


def rolling_errors(daily: pd.DataFrame, horizon: int, country: str, zone: str,
                   n_origins: int = 6, step: int = 7) -> pd.Series:
    """log(actual / forecast) for every site, origin and day ahead, over the last origins."""
    errors = []
    last = daily["date"].max()
    for k in range(n_origins, 0, -1):
        origin = last - pd.Timedelta(days=horizon + step * (k - 1))
        for _, g in daily.groupby("site"):
            s = g.set_index("date")["count"]
            train, test = s[s.index <= origin], s[(s.index > origin) & (s.index <= origin + pd.Timedelta(days=horizon))]
            test = test[test > 0]
            if len(train[train > 0]) < 21 or len(test) == 0:
                continue
            pred = forecast_site(train, pd.DatetimeIndex(test.index), country, zone)
            errors.append(np.log(test.to_numpy(dtype=float) / pred))
    if not errors:
        return pd.Series(dtype=float)
    e = np.concatenate(errors)
    return pd.Series(e[np.isfinite(e)])
