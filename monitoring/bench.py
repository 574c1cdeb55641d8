"""Drift benchmark: Vigie's engine against Evidently and a plain scipy/numpy computation.

``drift_benchmark(rows)`` builds a reference and a current batch of ``rows`` rows each with
15 columns (10 numerical: normal, lognormal, wide integers; 5 categorical with 3, 5, 10, 20
and 50 levels), the current batch shifted on about half the columns, then times:

* ``vigie``: ``compute_drift`` (fast path; normed Wasserstein + Jensen-Shannon, plus missing
  rates and new categories);
* ``plain``: the same two statistics written directly with scipy (``wasserstein_distance``,
  ``distance.jensenshannon`` on value counts) — the yardstick for the ratios;
* ``vigie_evidently``: ``compute_drift(engine="evidently")``, one Evidently ``ValueDrift``
  per column with the pinned methods;
* ``evidently_preset``: Evidently's ``DataDriftPreset()`` with its defaults (its own method
  choice, plots and three passes over each column), ``Dataset.from_pandas`` included.

Times are ``time.perf_counter`` wall seconds, best of ``repeats`` (3 up to 200k rows, else
1), excluding ``import evidently`` and data generation. ``peak_mb`` is the tracemalloc peak
of one extra run of Vigie's engine (memory allocated during the call, on top of the data).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance

from monitoring.drift import ColumnKind, compute_drift

N_NUMERICAL = 10
CATEGORY_LEVELS = (3, 5, 10, 20, 50)


def make_batches(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, ColumnKind]]:
    """A reference and a shifted current batch, ``rows`` rows each, and the column kinds."""
    rng = np.random.default_rng(seed)

    def numerical(i: int, shifted: bool) -> np.ndarray:
        shift = 0.25 if shifted else 0.0
        if i % 3 == 0:
            return rng.normal(10 + shift * 2, 2, rows)
        if i % 3 == 1:
            return rng.lognormal(1 + shift, 0.5, rows)
        return rng.integers(0, 100_000 + int(shift * 80_000), rows).astype(float)

    def categorical(levels: int, shifted: bool) -> pd.Series:
        weights = np.linspace(1, 2, levels)
        if shifted:
            weights = weights[::-1] ** 2
        codes = rng.choice(levels, size=rows, p=weights / weights.sum())
        names = [f"modalite_{j:02d}" for j in range(levels)]
        # object dtype (as read from CSV) but sharing one string object per level
        return pd.Series(pd.Categorical.from_codes(codes, names)).astype(object)

    ref: dict[str, Any] = {}
    cur: dict[str, Any] = {}
    kinds: dict[str, ColumnKind] = {}
    for i in range(N_NUMERICAL):
        name = f"num_{i}"
        ref[name] = numerical(i, False)
        cur[name] = numerical(i, i % 2 == 0)
        kinds[name] = "numerical"
    for j, levels in enumerate(CATEGORY_LEVELS):
        name = f"cat_{levels}"
        ref[name] = categorical(levels, False)
        cur[name] = categorical(levels, j % 2 == 1)
        kinds[name] = "categorical"
    reference, current = pd.DataFrame(ref), pd.DataFrame(cur)
    # a few missing values, as in real batches
    for frame in (reference, current):
        frame.loc[frame.index[::97], "num_1"] = np.nan
    return reference, current, kinds


def plain_drift(reference: pd.DataFrame, current: pd.DataFrame, kinds: dict[str, ColumnKind]) -> dict[str, float]:
    """The same statistics, straight scipy: normed W1 for numbers, JS on value shares for categories."""
    scores: dict[str, float] = {}
    for column, kind in kinds.items():
        ref = reference[column].dropna()
        cur = current[column].dropna()
        if kind == "numerical":
            r = ref.to_numpy()
            scores[column] = stats.wasserstein_distance(r, cur.to_numpy()) / max(float(np.std(r)), 0.001)
        else:
            rc, cc = ref.value_counts(), cur.value_counts()
            keys = rc.index.union(cc.index)
            scores[column] = float(
                distance.jensenshannon(
                    rc.reindex(keys, fill_value=0).to_numpy() / len(ref),
                    cc.reindex(keys, fill_value=0).to_numpy() / len(cur),
                )
            )
    return scores


def _best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def _result_row(
    engine: str, label: str, rows: int, columns: int, seconds: float | None, share: float | None,
    note: str = "", **extra: Any,
) -> dict[str, Any]:
    """One engine's line of :func:`drift_benchmark` (its ratio is filled in at the end)."""
    return {
        "engine": engine,
        "label_fr": label,
        "rows": rows,
        "columns": columns,
        "seconds": seconds,
        "ratio_vs_plain": None,
        "share_drifted": share,
        "note": note,
        **extra,
    }


def _fast_engine_rows(
    reference: pd.DataFrame, current: pd.DataFrame, kinds: dict[str, ColumnKind], rows: int, repeats: int
) -> tuple[list[dict[str, Any]], float]:
    """Vigie's fast engine (time and traced memory peak) and plain scipy/numpy, with the latter's time."""
    columns = len(kinds)
    plain_seconds, plain_scores = _best_time(lambda: plain_drift(reference, current, kinds), repeats)
    vigie_seconds, vigie_result = _best_time(lambda: compute_drift(reference, current, kinds), repeats)

    gc.collect()
    tracemalloc.start()
    compute_drift(reference, current, kinds)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # same 0.1 thresholds as Vigie's defaults
    plain_share = float(sum(s >= 0.1 for s in plain_scores.values()) / len(plain_scores))
    return [
        _result_row(
            "vigie",
            "Vigie (calcul rapide numpy/scipy)",
            rows,
            columns,
            vigie_seconds,
            vigie_result.share_drifted,
            "Wasserstein normalisée et Jensen-Shannon, plus valeurs manquantes et nouvelles catégories.",
            peak_mb=peak / 2**20,
        ),
        _result_row(
            "plain", "scipy/numpy direct (mêmes statistiques)", rows, columns, plain_seconds, plain_share,
            "Référence des ratios.",
        ),
    ], plain_seconds


def _evidently_rows(
    reference: pd.DataFrame, current: pd.DataFrame, kinds: dict[str, ColumnKind], rows: int, repeats: int
) -> list[dict[str, Any]]:
    """Vigie through Evidently (same methods) and Evidently's default preset."""
    from monitoring import _evidently

    columns = len(kinds)
    _evidently.warm_up()  # keep the one-off import out of the timings
    ev_repeats = 1 if rows > 20_000 else repeats
    ev_seconds, ev_result = _best_time(
        lambda: compute_drift(reference, current, kinds, engine="evidently"), ev_repeats
    )
    specs = [(c, k, "", 0.0) for c, k in kinds.items()]
    preset_seconds, preset_share = _best_time(
        lambda: _evidently.default_preset_run(reference, current, specs), ev_repeats
    )
    return [
        _result_row(
            "vigie_evidently", "Vigie via Evidently (un ValueDrift par colonne)", rows, columns,
            ev_seconds, ev_result.share_drifted, "Mêmes méthodes et seuils que le calcul rapide.",
        ),
        _result_row(
            "evidently_preset", "Evidently DataDriftPreset() par défaut", rows, columns,
            preset_seconds, preset_share,
            "Méthodes choisies par Evidently ; graphiques compris ; Dataset.from_pandas compris.",
        ),
    ]


def drift_benchmark(
    rows: int,
    seed: int = 0,
    *,
    repeats: int | None = None,
    include_evidently: bool = True,
    evidently_max_rows: int = 2_000_000,
) -> list[dict[str, Any]]:
    """Time the engines on ``rows`` rows per side (see the module docstring).

    Returns one dict per engine: ``engine``, ``label_fr``, ``rows``, ``columns``, ``seconds``
    (None when skipped), ``ratio_vs_plain``, ``peak_mb`` (Vigie's engine only),
    ``share_drifted`` and ``note`` (French). Evidently runs are skipped above
    ``evidently_max_rows`` rows per side or with ``include_evidently=False``; at 1M rows the
    preset takes about a minute on 2 cores.
    """
    repeats = repeats or (3 if rows <= 200_000 else 1)
    reference, current, kinds = make_batches(rows, seed)
    results, plain_seconds = _fast_engine_rows(reference, current, kinds, rows, repeats)
    if include_evidently and rows <= evidently_max_rows:
        results += _evidently_rows(reference, current, kinds, rows, repeats)
    else:
        reason = "désactivé" if not include_evidently else f"au-delà de {evidently_max_rows} lignes"
        for engine, label in (
            ("vigie_evidently", "Vigie via Evidently (un ValueDrift par colonne)"),
            ("evidently_preset", "Evidently DataDriftPreset() par défaut"),
        ):
            results.append(_result_row(engine, label, rows, len(kinds), None, None, f"Non mesuré ({reason})."))

    for result in results:
        if result["seconds"] is not None and plain_seconds > 0:
            result["ratio_vs_plain"] = result["seconds"] / plain_seconds
    return results
