from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from monitoring.alerts import (
    AlertKind,
    Severity,
    drift_alerts,
    evaluate_alerts,
    outcome_alerts,
    propose_suspension,
    territory_alerts,
    thresholds_for_level,
)
from monitoring.drift import compute_drift
from monitoring.outcomes import (
    classification_by_period,
    override_rate_by_period,
    performance_by_territory,
    regression_by_period,
)
from tests.monitoring.conftest import COLUMNS, make_frame


def test_thresholds_tighten_with_level():
    levels = [thresholds_for_level(lvl) for lvl in (1, 2, 3, 4)]
    drift = [t.drift.numerical_threshold for t in levels]
    assert drift == sorted(drift, reverse=True) and drift[0] == 0.1 and drift[3] == pytest.approx(0.05)
    accuracy = [t.min_metrics["accuracy"] for t in levels]
    assert accuracy == sorted(accuracy) and accuracy[0] == 0.8 and accuracy[3] == pytest.approx(0.9)
    overrides = [t.max_override_rate for t in levels]
    assert overrides == sorted(overrides, reverse=True)
    gaps = [t.max_territorial_gap for t in levels]
    assert gaps == sorted(gaps, reverse=True)
    assert [t.max_metrics["mape"] for t in levels] == sorted(
        (t.max_metrics["mape"] for t in levels), reverse=True
    )
    assert thresholds_for_level("IV") == levels[3]
    json.dumps(levels[3].to_dict())


def test_drift_alerts(rng):
    ref = make_frame(rng, 3000)
    cur = make_frame(rng, 3000, shift=0.6)
    cur.loc[cur.index[:600], "age"] = np.nan
    cur.loc[cur.index[600:650], "district"] = "Z"
    result = compute_drift(ref, cur, COLUMNS)
    alerts = drift_alerts(result, critical_columns=["income"])
    kinds = {a.kind for a in alerts}
    assert kinds == {
        AlertKind.DATASET_DRIFT,
        AlertKind.CRITICAL_COLUMN_DRIFT,
        AlertKind.MISSING_RATE_CHANGE,
        AlertKind.NEW_CATEGORIES,
    }
    critical = next(a for a in alerts if a.kind == AlertKind.CRITICAL_COLUMN_DRIFT)
    assert critical.severity == Severity.CRITICAL and critical.details["column"] == "income"
    assert critical.message_fr.startswith("La répartition de « income », colonne déclarée critique, a changé")
    for alert in alerts:
        json.dumps(alert.to_dict())
    assert drift_alerts(compute_drift(ref, ref, COLUMNS)) == []


def test_level_changes_what_alerts(rng):
    """A mild shift alerts at level IV, not at level I."""
    ref = make_frame(rng, 5000)
    cur = ref.copy()
    cur["age"] += 0.07 * ref["age"].std(ddof=0)  # a pure translation: W1/std = 0.07, between IV and I
    lenient, strict = thresholds_for_level(1), thresholds_for_level(4)
    assert not compute_drift(ref, cur, COLUMNS, lenient.drift).column("age").drifted
    result = compute_drift(ref, cur, COLUMNS, strict.drift)
    assert result.column("age").drifted
    # at level IV, drift_share is 0.25 too: one column out of three makes the dataset drift; that
    # column being the critical one, the two are one problem and raise one alert
    assert result.dataset_drift
    alerts = drift_alerts(result, critical_columns=["age"])
    assert [a.kind for a in alerts] == [AlertKind.CRITICAL_COLUMN_DRIFT]
    assert alerts[0].details["dataset_drift"]["drifted_columns"] == ["age"]
    # without the column declared critical, the dataset drift alerts on its own
    assert [a.kind for a in drift_alerts(result)] == [AlertKind.DATASET_DRIFT]


def test_outcome_and_override_alerts():
    df = pd.DataFrame(
        {
            "period": ["2024-01"] * 10 + ["2024-02"] * 10,
            "actual": [1, 0] * 10,
            "prediction": [1, 0] * 5 + [1, 1, 0, 0, 1, 1, 0, 0, 1, 1],
            "overridden": [0] * 10 + [1] * 4 + [0] * 6,
        }
    )
    thresholds = thresholds_for_level(2)
    alerts = outcome_alerts(classification_by_period(df, period="period"), thresholds)
    # four measures below their minimum in the latest period: one problem, one alert carrying them all
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.kind == AlertKind.OUTCOME_BELOW and alert.details["period"] == "2024-02"
    assert {m["metric"] for m in alert.details["metrics"]} == {"accuracy", "precision", "recall", "f1"}
    assert alert.message_fr.startswith("Période 2024-02 : ") and "sous le minimum convenu" in alert.message_fr
    assert "3 autres mesures de qualité vont dans le même sens" in alert.message_fr
    # January is fine: all periods still give one alert
    assert len(outcome_alerts(classification_by_period(df, period="period"), thresholds, all_periods=True)) == 1
    over = outcome_alerts(override_rate_by_period(df, period="period"), thresholds)
    assert len(over) == 1 and over[0].kind == AlertKind.OVERRIDE_RATE_ABOVE
    assert "40,0" in over[0].message_fr
    reg = pd.DataFrame({"actual": [100.0, 100, 100], "prediction": [150.0, 60, 100]})
    errors = outcome_alerts(regression_by_period(reg), thresholds)
    assert len(errors) == 1  # MAPE and WAPE over their maximum: the same problem
    assert {m["metric"] for m in errors[0].details["metrics"]} == {"mape", "wape"}
    assert "MAPE" not in errors[0].message_fr and "WAPE" not in errors[0].message_fr
    assert "au-dessus du maximum convenu" in errors[0].message_fr


def test_territory_alerts(rng):
    parts = []
    for place, acc in {"Centre": 0.92, "Périphérie": 0.8}.items():
        actual = rng.integers(0, 2, 400)
        pred = np.where(rng.random(400) < acc, actual, 1 - actual)
        parts.append(pd.DataFrame({"territory": place, "actual": actual, "prediction": pred}))
    report = performance_by_territory(pd.concat(parts, ignore_index=True))
    alerts = territory_alerts(report, thresholds_for_level(1))
    assert len(alerts) == 1 and alerts[0].severity == Severity.CRITICAL
    assert "Périphérie" in alerts[0].message_fr


def test_evaluate_alerts_orders_critical_first(rng):
    ref = make_frame(rng, 2000)
    cur = make_frame(rng, 2000, shift=0.6)
    df = pd.DataFrame({"actual": [1, 0] * 50, "prediction": [1, 1] * 50})
    alerts = evaluate_alerts(
        thresholds_for_level(3),
        drift=compute_drift(ref, cur, COLUMNS),
        outcomes=[classification_by_period(df)],
    )
    severities = [a.severity for a in alerts]
    assert severities[0] == Severity.CRITICAL and severities[-1] == Severity.WARNING


@pytest.mark.parametrize(
    "history,stage,expected",
    [
        ([True, True, True], "deployed", True),
        ([0, 2, 1, 3], "deployed", True),
        ([True, True, False], "deployed", False),
        ([True, True], "deployed", False),
        ([True, True, True], "pilot", False),
        ([[], ["a"], ["a", "b"], ["c"]], "deployed", True),
    ],
)
def test_propose_suspension(history, stage, expected):
    assert propose_suspension(history, stage) is expected


def test_propose_suspension_configurable_and_enum_stage():
    from policies.vocabulary import Stage

    assert propose_suspension([1, 1], Stage.DEPLOYED, consecutive=2)
    assert not propose_suspension([1, 1, 0, 1, 1], Stage.DEPLOYED, consecutive=3)
    with pytest.raises(ValueError):
        propose_suspension([1], "deployed", consecutive=0)
