"""Expected value of each indicator for comparable services, its interval, and adjusted comparisons.

For each indicator, a robust (Huber) linear model on what explains the spread and is not the
management choice: size (log population), a rural/urban proxy (log inhabitants per commune served),
and, when given, territory, area type and water resource. Each service's expectation is predicted
by a model fitted without it (K-fold cross-fitting), so a service never pulls its own benchmark;
the interval comes from the quantiles of those out-of-fold residuals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import KFold


@dataclass(frozen=True)
class Indicator:
    column: str
    label: str
    unit: str
    #: +1 when a higher value is better for users, -1 when lower is better.
    better: int
    sispea: str


INDICATORS: tuple[Indicator, ...] = (
    Indicator("price_m3", "Prix TTC au m³ (120 m³)", "€/m³", -1, "D102.0"),
    Indicator("network_yield", "Rendement du réseau", "%", +1, "P104.3"),
    Indicator("unbilled_index", "Indice linéaire des volumes non comptés", "m³/km/j", -1, "P105.3"),
    Indicator("loss_index", "Indice linéaire de pertes", "m³/km/j", -1, "P106.3"),
    Indicator("renewal_rate", "Taux de renouvellement des réseaux", "%", +1, "P107.2"),
    Indicator("unpaid_rate", "Taux d'impayés", "%", -1, "P154.0"),
    Indicator("complaints", "Réclamations pour 1 000 abonnés", "‰", -1, "P155.1"),
)
BY_COLUMN = {i.column: i for i in INDICATORS}
#: Optional categorical columns used as adjustment factors when present.
FACTOR_COLUMNS = ("territory", "area_type", "resource")
MIN_LEVEL = 5
MIN_FIT = 12


def features(df: pd.DataFrame) -> pd.DataFrame:
    """Design matrix (NaN rows where size is unknown): log size, log inhabitants per commune, dummies."""
    pop = pd.to_numeric(df["population"], errors="coerce").where(lambda s: s > 0)
    X = pd.DataFrame({"log_population": np.log(pop)}, index=df.index)
    if "communes" in df and pd.to_numeric(df["communes"], errors="coerce").gt(0).any():
        communes = pd.to_numeric(df["communes"], errors="coerce").where(lambda s: s > 0)
        X["log_hab_per_commune"] = np.log(pop / communes).fillna(X["log_population"])
    for col in FACTOR_COLUMNS:
        if col not in df:
            continue
        values = df[col].astype("string").fillna("inconnu")
        counts = values.value_counts()
        values = values.where(values.map(counts) >= MIN_LEVEL, "autre")
        if values.nunique() < 2:
            continue
        dummies = pd.get_dummies(values, prefix=col, dtype=float)
        X = X.join(dummies.drop(columns=dummies.columns[0]))
    return X


class HuberLinear:
    """Linear regression with Huber weights, fitted by iteratively reweighted least squares.

    Features are standardised; a small ridge keeps rare dummies stable. Deterministic and fast
    (a few milliseconds on a few hundred services), unlike a generic optimiser.
    """

    def __init__(self, c: float = 1.345, ridge: float = 1e-2, iterations: int = 50) -> None:
        self.c, self.ridge, self.iterations = c, ridge, iterations

    def _design(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([np.ones(len(X)), (X - self.mean_) / self.scale_])

    def fit(self, X: np.ndarray, y: np.ndarray) -> HuberLinear:
        self.mean_ = X.mean(axis=0)
        self.scale_ = np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
        A = self._design(X)
        penalty = self.ridge * len(y) * np.eye(A.shape[1])
        penalty[0, 0] = 0.0
        w = np.ones(len(y))
        beta = np.zeros(A.shape[1])
        for _ in range(self.iterations):
            Aw = A * w[:, None]
            new = np.linalg.solve(A.T @ Aw + penalty, Aw.T @ y)
            r = y - A @ new
            s = np.median(np.abs(r - np.median(r))) / 0.6745
            if s <= 0:
                beta = new
                break
            w = np.minimum(1.0, self.c * s / np.maximum(np.abs(r), 1e-12))
            if np.allclose(new, beta, rtol=1e-6, atol=1e-9):
                beta = new
                break
            beta = new
        self.coef_ = beta
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self._design(X) @ self.coef_


def _model() -> HuberLinear:
    return HuberLinear()


def cross_fit(X: pd.DataFrame, y: pd.Series, folds: int = 5, seed: int = 0) -> pd.Series:
    """Out-of-fold predictions for rows where X and y are known (NaN elsewhere)."""
    ok = X.notna().all(axis=1) & y.notna()
    pred = pd.Series(np.nan, index=y.index)
    idx = np.flatnonzero(ok.to_numpy())
    if len(idx) < MIN_FIT:
        # too few services for a model: the median of the others
        vals = y.to_numpy(dtype=float)
        for i in idx:
            others = np.delete(vals[idx], np.flatnonzero(idx == i))
            pred.iloc[i] = float(np.median(others)) if len(others) else np.nan
        return pred
    Xv, yv = X.to_numpy(dtype=float), y.to_numpy(dtype=float)
    for train, test in KFold(n_splits=min(folds, len(idx)), shuffle=True, random_state=seed).split(idx):
        tr, te = idx[train], idx[test]
        model = _model()
        model.fit(Xv[tr], yv[tr])
        pred.iloc[te] = model.predict(Xv[te])
    return pred


def interval(residuals: pd.Series, level: float) -> tuple[float, float]:
    """Quantiles of out-of-fold residuals: the spread of comparable services around the model."""
    r = residuals.dropna().to_numpy(dtype=float)
    if len(r) < 5:
        return (np.nan, np.nan)
    a = (1 - level) / 2
    return float(np.quantile(r, a)), float(np.quantile(r, 1 - a))


def flag(value: float, low: float, high: float, better: int) -> str:
    if not np.isfinite(value) or not np.isfinite(low):
        return "non évalué"
    if value > high:
        return "favorable" if better > 0 else "défavorable"
    if value < low:
        return "défavorable" if better > 0 else "favorable"
    return "dans la norme"


def expectations(df: pd.DataFrame, level: float, folds: int = 5) -> pd.DataFrame:
    """Long table: one row per service and indicator present in ``df``."""
    X = features(df)
    rows = []
    for ind in INDICATORS:
        if ind.column not in df or df[ind.column].notna().sum() == 0:
            continue
        y = pd.to_numeric(df[ind.column], errors="coerce")
        pred = cross_fit(X, y, folds=folds)
        low_q, high_q = interval(y - pred, level)
        part = pd.DataFrame({
            "row": df.index, "indicator": ind.column, "value": y, "expected": pred,
            "low": pred + low_q, "high": pred + high_q,
        })
        part["gap"] = part["value"] - part["expected"]
        part["flag"] = [flag(v, lo, hi, ind.better) for v, lo, hi in
                        zip(part["value"], part["low"], part["high"], strict=True)]
        rows.append(part)
    if not rows:
        return pd.DataFrame(columns=["row", "indicator", "value", "expected", "low", "high", "gap", "flag"])
    return pd.concat(rows, ignore_index=True)


def _mean_ci(x: np.ndarray) -> tuple[float, float, float]:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (np.nan, np.nan, np.nan)
    m = float(np.mean(x))
    if len(x) < 3:
        return (m, np.nan, np.nan)
    half = float(stats.t.ppf(0.975, len(x) - 1) * np.std(x, ddof=1) / np.sqrt(len(x)))
    return (m, m - half, m + half)


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float]:
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if len(a) < 3 or len(b) < 3:
        return (np.nan, np.nan, np.nan)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1.0
    d = float(np.mean(a) - np.mean(b))
    half = float(stats.t.ppf(0.975, dof) * se)
    return (d, d - half, d + half)


def compare(long: pd.DataFrame, min_services: int) -> pd.DataFrame:
    """Groups (mode, operator) and the delegated − public difference, raw and adjusted, with 95 % CI.

    ``long`` carries ``indicator``, ``value``, ``gap``, ``mode_group`` (délégation/régie) and ``operator``.
    """
    rows = []
    for ind in INDICATORS:
        part = long[(long["indicator"] == ind.column) & long["value"].notna()]
        if part.empty:
            continue
        # gaps are read against the average comparable service (a robust fit leaves a non-zero mean gap)
        part = part.assign(gap=part["gap"] - part["gap"].mean())
        for grouping, col in (("mode", "mode_group"), ("opérateur", "operator")):
            for group, g in part.groupby(col, sort=True, dropna=True):
                if len(g) < min_services:
                    continue
                m, lo, hi = _mean_ci(g["gap"].to_numpy(dtype=float))
                rows.append({"grouping": grouping, "group": str(group), "indicator": ind.column,
                             "services": len(g), "median_value": float(g["value"].median()),
                             "raw_difference": float(g["value"].mean() - part["value"].mean()),
                             "adjusted_gap": m, "gap_low": lo, "gap_high": hi})
        deleg = part[part["mode_group"] == "délégation"]
        public = part[part["mode_group"] == "régie"]
        raw, _, _ = _welch(deleg["value"].to_numpy(dtype=float), public["value"].to_numpy(dtype=float))
        d, lo, hi = _welch(deleg["gap"].to_numpy(dtype=float), public["gap"].to_numpy(dtype=float))
        if np.isfinite(d):
            rows.append({"grouping": "délégation − régie", "group": "délégation − régie", "indicator": ind.column,
                         "services": int(len(deleg) + len(public)), "median_value": np.nan,
                         "raw_difference": raw, "adjusted_gap": d, "gap_low": lo, "gap_high": hi})
    out = pd.DataFrame(rows, columns=["grouping", "group", "indicator", "services", "median_value",
                                      "raw_difference", "adjusted_gap", "gap_low", "gap_high"])
    reading = []
    for r in out.itertuples():
        ind = BY_COLUMN[r.indicator]
        if not np.isfinite(r.gap_low):
            reading.append("trop peu de services pour conclure")
        elif r.gap_low > 0 or r.gap_high < 0:
            good = (r.adjusted_gap > 0) == (ind.better > 0)
            reading.append("mieux que les services comparables" if good else "moins bien que les services comparables")
        else:
            reading.append("pas d'écart établi avec les services comparables")
    out["reading"] = reading
    return out
