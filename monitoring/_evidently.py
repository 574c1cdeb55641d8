"""The only module that imports Evidently (0.7.x). Imported lazily: ``import evidently`` takes ~2–3 s.

Pitfalls of Evidently handled here:
* ``Report.run`` takes the *current* batch first; we always pass keywords.
* Methods and thresholds are always explicit, so Evidently never switches tests at 1,000 rows
  and the config echoes our method codes rather than display names.
* Scores come back as ``numpy.float64``; we cast to ``float``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import pandas as pd

#: (column, kind, method, threshold)
Spec = tuple[str, str, str, float]


def _definition(specs: Sequence[Spec]):
    from evidently import DataDefinition

    return DataDefinition(
        numerical_columns=[c for c, k, _, _ in specs if k == "numerical"],
        categorical_columns=[c for c, k, _, _ in specs if k == "categorical"],
    )


def _datasets(reference: pd.DataFrame, current: pd.DataFrame, specs: Sequence[Spec]):
    from evidently import Dataset

    names = [c for c, _, _, _ in specs]
    definition = _definition(specs)
    ref = Dataset.from_pandas(reference[names], data_definition=definition)
    cur = Dataset.from_pandas(current[names], data_definition=definition)
    return ref, cur


def value_drift_scores(
    reference: pd.DataFrame, current: pd.DataFrame, specs: Sequence[Spec]
) -> dict[str, float]:
    """One ``ValueDrift`` per column with the given method and threshold; returns column -> score."""
    from evidently import Report
    from evidently.metrics import ValueDrift

    metrics = [ValueDrift(column=c, method=m, threshold=t) for c, _, m, t in specs]
    with warnings.catch_warnings():
        # Evidently's internals warn on ±inf (it drops them before testing, as we do).
        warnings.simplefilter("ignore")
        ref, cur = _datasets(reference, current, specs)
        snapshot = Report(metrics).run(current_data=cur, reference_data=ref)
    scores: dict[str, float] = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if str(config.get("type", "")).endswith("ValueDrift"):
            scores[config["column"]] = float(metric["value"])
    return scores


def html_report(
    reference: pd.DataFrame, current: pd.DataFrame, specs: Sequence[Spec], drift_share: float
) -> str:
    """Evidently's ``DataDriftPreset`` rendered as a standalone HTML page, with our methods."""
    from evidently import Report
    from evidently.presets import DataDriftPreset

    preset = DataDriftPreset(
        columns=[c for c, _, _, _ in specs],
        per_column_method={c: m for c, _, m, _ in specs},
        per_column_threshold={c: t for c, _, _, t in specs},
        drift_share=drift_share,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, cur = _datasets(reference, current, specs)
        snapshot = Report([preset], include_tests=True).run(current_data=cur, reference_data=ref)
        return snapshot.get_html_str(as_iframe=False)


def default_preset_run(reference: pd.DataFrame, current: pd.DataFrame, specs: Sequence[Spec]) -> float:
    """Evidently's ``DataDriftPreset()`` with its default methods (for the benchmark).

    Returns the share of drifted columns.
    """
    from evidently import Report
    from evidently.presets import DataDriftPreset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, cur = _datasets(reference, current, specs)
        snapshot = Report([DataDriftPreset()]).run(current_data=cur, reference_data=ref)
    for metric in snapshot.dict()["metrics"]:
        value = metric.get("value")
        if isinstance(value, dict) and "share" in value:
            return float(value["share"])
    return float("nan")


def warm_up() -> None:
    """Import Evidently's heavy modules now (about 2–3 s), e.g. before timing it."""
    import evidently  # noqa: F401
    from evidently import Dataset, Report  # noqa: F401
    from evidently.metrics import ValueDrift  # noqa: F401
    from evidently.presets import DataDriftPreset  # noqa: F401


def version() -> str:
    from importlib.metadata import version as _version

    return _version("evidently")
