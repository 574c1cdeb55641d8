"""Alert sentences: one French sentence per alert, saying what changed, by how much and what to do,
without technical metric names; and the rules raise one alert per problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.alerts import AlertKind, drift_alerts, evaluate_alerts, outcome_alerts, thresholds_for_level
from monitoring.drift import compute_drift
from monitoring.outcomes import regression_by_period
from monitoring.sentences import alert_sentence, sentence_from_details
from tests.monitoring.conftest import COLUMNS, make_frame

TECHNICAL = ("Jensen", "Wasserstein", "MAPE", "WAPE", "PSI", "MAE", "RMSE", "jensenshannon", "wasserstein")
NBSP = "\u202f"


def test_column_drift_sentence_says_what_how_much_and_what_to_do():
    text = alert_sentence(AlertKind.CRITICAL_COLUMN_DRIFT, "quartier", 0.31, 0.10)
    assert text == ("La répartition de « quartier », colonne déclarée critique, a changé nettement depuis la "
                    "référence (écart 0,31, seuil 0,10) : vérifiez que les données du mois sont complètes avant "
                    "de vous fier aux résultats de l'outil, et faites-les revoir par la conformité.")
    # a level-tightened threshold keeps its third decimal; a score under twice the threshold is "sensible"
    mild = alert_sentence("column_drift", "age", 0.12, 0.085)
    assert "a changé sensiblement" in mild and "(écart 0,12, seuil 0,085)" in mild


@pytest.mark.parametrize(
    "kind,column,value,threshold,context,expected",
    [
        (AlertKind.DATASET_DRIFT, None, 2 / 3, 0.5, {"columns": ["age", "commune"], "n_columns": 3},
         ["2 colonnes sur 3 ont changé", "« age », « commune »", "67 %", "seuil 50 %", "vérifiez que le lot"]),
        (AlertKind.MISSING_RATE_CHANGE, "age", 0.2, None, {"reference_rate": 0.01},
         ["de 1,0 % dans la référence à 20,0 % dans le lot", "vérifiez auprès de la source"]),
        (AlertKind.NEW_CATEGORIES, "commune", None, None, {"categories": ["Z"]},
         ["La colonne « commune » contient une valeur jamais vue dans la référence (« Z »)", "erreur de saisie"]),
        (AlertKind.OUTCOME_BELOW, "mape", 0.31, 0.17, {"period": "2026-09", "others": ["mape", "wape"]},
         ["Période 2026-09 : l'erreur moyenne des prévisions est de 31,0 %", "au-dessus du maximum convenu de "
          "17,0 %", "1 autre mesure de qualité va dans le même sens", "signalez l'écart"]),
        (AlertKind.OUTCOME_BELOW, "accuracy", 0.7, 0.83, {},
         ["La part de propositions justes est de 70,0 %, sous le minimum convenu de 83,0 %"]),
        (AlertKind.OVERRIDE_RATE_ABOVE, None, 0.4, 0.255, {"period": "2026-10", "n": 10, "n_overridden": 4},
         ["Période 2026-10 : les agents ont corrigé 40,0 % des propositions de l'outil (4 sur 10)",
          "maximum convenu de 25,5 %", "demandez-leur pourquoi"]),
        (AlertKind.TERRITORIAL_GAP, "accuracy", 0.12, 0.085,
         {"best": "Centre", "worst": "Périphérie", "worse": ["Périphérie"]},
         ["la part de propositions justes varie de 12,0 points entre « Centre » et « Périphérie »",
          "(seuil 8,5 points)", "« Périphérie » est nettement moins bien servi",
          "examinez les cas de « Périphérie »"]),
    ],
)
def test_each_kind_reads_as_one_plain_french_sentence(kind, column, value, threshold, context, expected):
    text = alert_sentence(kind, column, value, threshold, **context).replace(NBSP, " ").replace("\u00a0", " ")
    for part in expected:
        assert part in text
    assert text[0].isupper() and text.endswith(".") and text.count(". ") == 0  # one sentence
    assert " : " in text  # the change, then what is expected of the reader
    assert not any(word in text for word in TECHNICAL)


def _every_kind_of_alert(rng):  # type: ignore[no-untyped-def]
    """A drifted batch with missing values and a new category, a critical column, and a regression
    outcome over its limits: one alert of each kind the rules raise."""
    ref = make_frame(rng, 3000)
    cur = make_frame(rng, 3000, shift=0.6)
    cur.loc[cur.index[:600], "age"] = np.nan
    cur.loc[cur.index[600:650], "district"] = "Z"
    reg = pd.DataFrame({"actual": [100.0, 100, 100], "prediction": [150.0, 60, 100]})
    return evaluate_alerts(thresholds_for_level(2), drift=compute_drift(ref, cur, COLUMNS),
                           outcomes=[regression_by_period(reg)], critical_columns=["income"])


def test_rules_never_put_a_metric_name_in_the_message(rng):
    alerts = _every_kind_of_alert(rng)
    assert {a.kind for a in alerts} == {AlertKind.CRITICAL_COLUMN_DRIFT, AlertKind.DATASET_DRIFT,
                                        AlertKind.MISSING_RATE_CHANGE, AlertKind.NEW_CATEGORIES,
                                        AlertKind.OUTCOME_BELOW}
    for alert in alerts:
        assert not any(word in alert.message_fr for word in TECHNICAL), alert.message_fr
    # the technical detail stays available
    critical = next(a for a in alerts if a.kind == AlertKind.CRITICAL_COLUMN_DRIFT)
    assert critical.details["method"] == "wasserstein" and critical.details["score"] > critical.details["threshold"]


def test_one_alert_per_problem_keeps_every_measure_in_its_detail():
    reg = pd.DataFrame({"period": ["2026-09"] * 3 + ["2026-10"] * 3,
                        "actual": [100.0, 100, 100] * 2, "prediction": [150.0, 60, 100, 100, 101, 99]})
    thresholds = thresholds_for_level(2)
    alerts = outcome_alerts(regression_by_period(reg, period="period"), thresholds, all_periods=True)
    assert len(alerts) == 1  # September only; its two error measures are one problem
    (alert,) = alerts
    measures = {m["metric"]: m for m in alert.details["metrics"]}
    assert set(measures) == {"mape", "wape"}
    assert all(m["value"] > m["threshold"] and m["direction"] == "maximum" for m in measures.values())
    assert alert.details["metric"] in measures and alert.details["period"] == "2026-09"


def test_dataset_drift_covered_by_critical_columns_is_not_raised_twice(rng):
    ref = make_frame(rng, 3000)
    cur = ref.copy()
    cur["income"] = cur["income"] * 3  # only income moves
    result = compute_drift(ref, cur, COLUMNS, thresholds_for_level(4).drift)
    assert result.dataset_drift and result.drifted_columns == ["income"]
    alerts = drift_alerts(result, critical_columns=["income"])
    assert [a.kind for a in alerts] == [AlertKind.CRITICAL_COLUMN_DRIFT]
    assert alerts[0].details["dataset_drift"]["drifted_columns"] == ["income"]
    # a non-critical column drifting too keeps the dataset alert: a different, wider problem
    cur["age"] = cur["age"] + 15
    wider = compute_drift(ref, cur, COLUMNS, thresholds_for_level(4).drift)
    assert {a.kind for a in drift_alerts(wider, critical_columns=["income"])} == {
        AlertKind.CRITICAL_COLUMN_DRIFT, AlertKind.DATASET_DRIFT}


def test_a_stored_alert_reads_the_same_sentence_from_its_details(rng):
    alerts = _every_kind_of_alert(rng)
    for alert in alerts:
        assert sentence_from_details(alert.kind, alert.to_dict()["details"]) == alert.message_fr
    # an alert stored before the sentences (a technical message, no list of measures) reads plainly
    old = sentence_from_details("outcome_below", {"period": "2024-02", "metric": "mape", "value": 0.3,
                                                  "threshold": 0.17})
    assert old is not None and old.startswith("Période 2024-02 : l'erreur moyenne des prévisions est de 30,0")
    assert sentence_from_details("outcome_below", {}) is None
