"""Failure risk of network assets: a time-based design of (asset, origin year) rows and gradient boosting.

Each row describes an asset as it stood at the end of an origin year ``Y`` (age, material, diameter,
length, failures in past windows, years since the last failure) and is labelled with its failures in
``Y+1 .. Y+horizon``. Training rows come from origins whose label window is fully observed; the
model then scores every asset at the last observed year. Pure functions, no IO.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from usecases import parsing

#: Materials with fewer assets than this are grouped under ``OTHER``.
MIN_MATERIAL_COUNT = 20
OTHER = "AUTRE"
UNKNOWN = "INCONNU"
WINDOWS = (1, 3, 5)
FEATURES = ("material", "age", "diameter_mm", "log_length", "n_all", "n_1", "n_3", "n_5",
            "years_since_last", "rate_per_km_year", "install_year")

#: Keep origins whose label window is cut by the end of the data (chosen with the hyperparameters).
PARTIAL_WINDOWS = True
#: Hyperparameters chosen on the tuning origin only (see ``validation.tune``).
DEFAULT_HPARAMS: dict[str, float] = {"learning_rate": 0.03, "max_iter": 300, "max_leaf_nodes": 7,
                                     "min_samples_leaf": 200, "l2_regularization": 1.0}


def install_years(installed: pd.Series) -> pd.Series:
    """A year from a date or a bare year (numbers in 1800..2100 are read as years)."""
    if pd.api.types.is_datetime64_any_dtype(installed):
        return installed.dt.year.astype(float)
    text = installed.astype("string").str.strip()
    numeric = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4}(\.0)?", na=False)), errors="coerce")
    numeric = numeric.where(numeric.between(1800, 2100))
    dates = parsing.to_datetime(installed.where(numeric.isna()).astype(object))
    return numeric.astype(float).where(numeric.notna(), dates.dt.year.astype(float))


def clean_assets(assets: pd.DataFrame) -> pd.DataFrame:
    """Asset table indexed by ``asset_id`` with ``install_year``, ``material``, ``diameter_mm``, ``length_m``."""
    a = assets.copy()
    a["asset_id"] = a["asset_id"].astype(str)
    a = a.drop_duplicates("asset_id", keep="last").set_index("asset_id")
    a["install_year"] = install_years(a["installed"])
    mat = a["material"].astype("string").str.strip().str.upper().fillna(UNKNOWN).replace("", UNKNOWN)
    counts = mat.value_counts()
    a["material"] = mat.where(mat.map(counts) >= MIN_MATERIAL_COUNT, OTHER).astype(str)
    a["diameter_mm"] = pd.to_numeric(a["diameter_mm"], errors="coerce").astype(float)
    a["length_m"] = pd.to_numeric(a["length_m"], errors="coerce").astype(float)
    return a


def failure_years(failures: pd.DataFrame) -> pd.DataFrame:
    """``asset_id`` (text) and fractional ``year`` of each failure."""
    dates = pd.to_datetime(failures["date"])
    return pd.DataFrame({"asset_id": failures["asset_id"].astype(str).to_numpy(),
                         "year": (dates.dt.year + (dates.dt.dayofyear - 1) / 366).to_numpy()})


@dataclass
class Design:
    X: pd.DataFrame
    #: failures per year over the observed part of the label window, and that window in years
    y: np.ndarray
    weight: np.ndarray
    origin: np.ndarray
    asset_id: np.ndarray
    materials: list[str] = field(default_factory=list)


def features(assets: pd.DataFrame, fails: pd.DataFrame, origin: int, history_start: float,
             materials: list[str]) -> pd.DataFrame:
    """One row per asset installed by the end of ``origin``, from failures up to the end of ``origin``."""
    a = assets[assets["install_year"].fillna(-np.inf) <= origin]
    past = fails[(fails["year"] < origin + 1) & fails["asset_id"].isin(a.index)]
    past = past[past["year"] >= past["asset_id"].map(a["install_year"]).fillna(-np.inf)]
    g = past.groupby("asset_id")["year"]
    out = pd.DataFrame(index=a.index)
    out["material"] = pd.Categorical(a["material"], categories=materials).codes.astype(float)
    out.loc[out["material"] < 0, "material"] = np.nan
    out["install_year"] = a["install_year"]
    out["age"] = origin + 1 - a["install_year"]
    out["diameter_mm"] = a["diameter_mm"]
    out["log_length"] = np.log1p(a["length_m"].clip(lower=0))
    out["n_all"] = g.size().reindex(a.index, fill_value=0).astype(float)
    for w in WINDOWS:
        out[f"n_{w}"] = past[past["year"] >= origin + 1 - w].groupby("asset_id").size().reindex(a.index, fill_value=0)
    last = g.max().reindex(a.index)
    out["years_since_last"] = (origin + 1 - last).fillna(99.0)
    exposure = np.minimum(out["age"].fillna(99.0), origin + 1 - history_start).clip(lower=0.5)
    km = (a["length_m"].clip(lower=1.0) / 1000).fillna(0.1)
    out["rate_per_km_year"] = out["n_all"] / km / exposure
    return out[list(FEATURES)].astype(float)


def labels(index: pd.Index, fails: pd.DataFrame, origin: int, horizon: int) -> np.ndarray:
    future = fails[(fails["year"] >= origin + 1) & (fails["year"] < origin + 1 + horizon)]
    return future.groupby("asset_id").size().reindex(index, fill_value=0).to_numpy(dtype=float)


def material_vocabulary(assets: pd.DataFrame) -> list[str]:
    return sorted(assets["material"].unique())


def design(assets: pd.DataFrame, fails: pd.DataFrame, origins: list[int], horizon: int,
           history_start: float, last_year: int, partial_windows: bool | None = None) -> Design:
    """Rows for the origins whose label window ends by ``last_year``.

    The target is the yearly failure rate over the observed window, weighted by the window's length
    (a Poisson model of counts with an exposure). With ``partial_windows``, recent origins whose
    window is cut at the end of ``last_year`` are kept too (shorter windows, smaller weights).
    """
    partial_windows = PARTIAL_WINDOWS if partial_windows is None else partial_windows
    materials = material_vocabulary(assets)
    parts, ys, ws, os_, ids = [], [], [], [], []
    for origin in origins:
        window = min(horizon, last_year - origin)
        if window < 1 or (window < horizon and not partial_windows):
            continue
        X = features(assets, fails, origin, history_start, materials)
        parts.append(X)
        ys.append(labels(X.index, fails, origin, window) / window)
        ws.append(np.full(len(X), float(window)))
        os_.append(np.full(len(X), origin))
        ids.append(X.index.to_numpy())
    return Design(pd.concat(parts, ignore_index=True), np.concatenate(ys), np.concatenate(ws),
                  np.concatenate(os_), np.concatenate(ids), materials)


def fit(d: Design, hparams: dict[str, float] | None = None, seed: int = 0) -> HistGradientBoostingRegressor:
    hp = {**DEFAULT_HPARAMS, **(hparams or {})}
    model = HistGradientBoostingRegressor(
        loss="poisson", categorical_features=[list(FEATURES).index("material")], random_state=seed,
        learning_rate=hp["learning_rate"], max_iter=int(hp["max_iter"]), max_leaf_nodes=int(hp["max_leaf_nodes"]),
        min_samples_leaf=int(hp["min_samples_leaf"]), l2_regularization=hp["l2_regularization"],
        early_stopping=False,
    )
    # One thread: OpenMP threads on a busy shared server are many times slower, never faster.
    # Equal weights are left out: sklearn's weighted binning is slow and gives the same bins.
    weight = None if np.all(d.weight == d.weight[0]) else d.weight
    with threadpool_limits(limits=1):
        model.fit(d.X, d.y, sample_weight=weight)
    return model


def predict(fitted: HistGradientBoostingRegressor, X: pd.DataFrame) -> np.ndarray:
    """Yearly expected failures per row (never negative)."""
    with threadpool_limits(limits=1):
        return np.clip(fitted.predict(X), 0, None)


def systematic_start(years: pd.Series, last_year: int, share: float = 0.2) -> int:
    """First year from which failures are recorded systematically.

    The first year with at least ``share`` of the median count of the years with records: a few
    scattered records years before systematic recording would otherwise stretch the history, and its
    windows, with years where « no failure » only means « not recorded ».
    """
    counts = np.floor(years).astype(int).value_counts()
    first = int(counts.index.min())
    span = np.array([counts.get(y, 0) for y in range(first, last_year + 1)], dtype=float)
    threshold = max(1.0, share * float(np.median(counts.to_numpy())))
    return first + int(np.argmax(span >= threshold))


def past_rate(X: pd.DataFrame, origin: int, history_start: float) -> np.ndarray:
    """Naive yearly rate: each asset's failures since ``history_start`` over the years of history.

    The common history length (not each asset's exposure) keeps the order of « most past failures first ».
    """
    years = max(origin + 1 - history_start, 1.0)
    return X["n_all"].to_numpy(dtype=float) / years


def recall_at(scores: pd.Series, failed: pd.Series, share: float = 0.1) -> float:
    """Share of the assets that fail (``failed`` true) found in the top ``share`` of ``scores``.

    Ties are broken by the order of ``scores`` (callers sort by a secondary key first).
    """
    k = round(share * len(scores))
    order = np.argsort(-scores.to_numpy(), kind="stable")[:k]
    top = scores.index[order]
    total = int(failed.sum())
    return float(failed.reindex(top).sum() / total) if total else float("nan")
