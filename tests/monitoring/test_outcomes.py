from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from monitoring.outcomes import (
    KpiStatus,
    assess_kpi,
    classification_by_period,
    kpi_status,
    override_rate_by_period,
    performance_by_territory,
    regression_by_period,
)


def test_binary_classification_matches_sklearn_per_period(rng):
    n = 400
    df = pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=n, freq="D").astype(str),
            "actual": rng.integers(0, 2, n),
            "prediction": rng.integers(0, 2, n),
        }
    )
    df.loc[df.index[-10:], "actual"] = np.nan  # labels not arrived yet
    report = classification_by_period(df, date="date", freq="M")
    assert report.average == "binary" and report.positive_label == 1
    assert report.table["period"].iloc[0] == "2024-01"
    months = pd.to_datetime(df["date"]).dt.to_period("M").astype(str)
    for _, row in report.table.iterrows():
        sub = df[(months == row["period"]) & df["actual"].notna()]
        y, p = sub["actual"].astype(int), sub["prediction"]
        assert row["n"] == len(sub)
        if not len(sub):  # February 2025: no label yet
            assert np.isnan(row["accuracy"])
            continue
        assert row["accuracy"] == pytest.approx(skm.accuracy_score(y, p))
        assert row["precision"] == pytest.approx(skm.precision_score(y, p, zero_division=0))
        assert row["recall"] == pytest.approx(skm.recall_score(y, p, zero_division=0))
        assert row["f1"] == pytest.approx(skm.f1_score(y, p, zero_division=0))
    assert report.table["n_unlabelled"].sum() == 10
    assert any("pas encore disponible" in m for m in report.messages)
    json.dumps(report.to_dict())


def test_multiclass_macro_matches_sklearn(rng):
    labels = ["voirie", "propreté", "éclairage", "espaces verts"]
    n = 300
    df = pd.DataFrame(
        {
            "period": rng.choice(["2024-T1", "2024-T2"], n),
            "actual": rng.choice(labels, n),
            "prediction": rng.choice(labels[:3], n),  # never predicts the 4th class
        }
    )
    report = classification_by_period(df, period="period")
    assert report.average == "macro"
    for _, row in report.table.iterrows():
        sub = df[df["period"] == row["period"]]
        y, p = sub["actual"], sub["prediction"]
        for name, fn in (
            ("precision", skm.precision_score),
            ("recall", skm.recall_score),
            ("f1", skm.f1_score),
        ):
            assert row[name] == pytest.approx(fn(y, p, average="macro", zero_division=0)), name
        assert row["accuracy"] == pytest.approx(skm.accuracy_score(y, p))


def test_explicit_positive_label(rng):
    df = pd.DataFrame(
        {"actual": rng.choice(["oui", "non"], 200), "prediction": rng.choice(["oui", "non"], 200)}
    )
    report = classification_by_period(df, positive_label="oui")
    row = report.table.iloc[0]
    assert row["period"] == "ensemble"
    assert row["f1"] == pytest.approx(skm.f1_score(df["actual"], df["prediction"], pos_label="oui"))


def test_regression_metrics(rng):
    n = 120
    actual = rng.normal(100, 20, n).round()
    actual[:5] = 0
    df = pd.DataFrame(
        {
            "period": np.repeat(["a", "b", "c"], n // 3),
            "actual": actual,
            "prediction": actual + rng.normal(0, 5, n),
        }
    )
    report = regression_by_period(df, period="period")
    first = report.table.iloc[0]
    sub = df[df["period"] == "a"]
    nz = sub[sub["actual"] != 0]
    assert first["mae"] == pytest.approx(skm.mean_absolute_error(sub["actual"], sub["prediction"]))
    assert first["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(sub["actual"], sub["prediction"])))
    assert first["mape"] == pytest.approx(skm.mean_absolute_percentage_error(nz["actual"], nz["prediction"]))
    assert first["wape"] == pytest.approx(
        (sub["actual"] - sub["prediction"]).abs().sum() / sub["actual"].abs().sum()
    )
    assert first["n_zero_actuals"] == 5
    assert any("5 valeur(s) réelle(s) nulle(s) exclue(s) du MAPE" in m for m in report.messages)


def test_override_rate_and_bad_values():
    df = pd.DataFrame(
        {
            "period": ["m1"] * 4 + ["m2"] * 4,
            "overridden": ["oui", "non", "non", "non", "Oui", "vrai", "1", None],
        }
    )
    report = override_rate_by_period(df, period="period")
    assert list(report.table["override_rate"]) == [0.25, 1.0]
    assert report.table["n"].tolist() == [4, 3]
    assert any("1 ligne(s)" in m for m in report.messages)
    numeric = override_rate_by_period(pd.DataFrame({"overridden": [0, 1, 1, 0]}))
    assert numeric.latest()["override_rate"] == 0.5
    with pytest.raises(ValueError, match="ligne 2"):
        override_rate_by_period(pd.DataFrame({"overridden": ["oui", "non", "peut-être"]}))
    with pytest.raises(ValueError, match="absente"):
        override_rate_by_period(pd.DataFrame({"x": [1]}))


def test_unreadable_date_names_row_and_column():
    df = pd.DataFrame({"jour": ["2024-01-02", "pas une date"], "actual": [1, 0], "prediction": [1, 1]})
    with pytest.raises(ValueError, match="« jour », ligne 1"):
        classification_by_period(df, date="jour")


@pytest.mark.parametrize(
    "value,baseline,target,higher,expected",
    [
        (0.9, 0.7, 0.85, True, KpiStatus.ON_TRACK),
        (0.8, 0.7, 0.85, True, KpiStatus.BELOW_TARGET),
        (0.6, 0.7, 0.85, True, KpiStatus.WORSE_THAN_BASELINE),
        # lower is better: delay in days, baseline 10, target 5
        (4, 10, 5, False, KpiStatus.ON_TRACK),
        (7, 10, 5, False, KpiStatus.BELOW_TARGET),
        (12, 10, 5, False, KpiStatus.WORSE_THAN_BASELINE),
        (5, 10, 5, False, KpiStatus.ON_TRACK),
    ],
)
def test_kpi_status(value, baseline, target, higher, expected):
    assert kpi_status(value, baseline, target, higher_is_better=higher) == expected


def test_kpi_assessment_message():
    result = assess_kpi("délai de traitement (jours)", 7, 10, 5, higher_is_better=False)
    assert result.status == "below_target"
    assert result.progress == pytest.approx(0.6)
    assert "plus bas est meilleur" in result.message_fr and "en dessous de l'objectif" in result.message_fr
    with pytest.raises(ValueError, match="manquante"):
        kpi_status(float("nan"), 1, 2)


def _territory_frame(rng, accuracy: dict[str, float], n: int = 300) -> pd.DataFrame:
    parts = []
    for place, acc in accuracy.items():
        actual = rng.integers(0, 2, n)
        correct = rng.random(n) < acc
        parts.append(
            pd.DataFrame(
                {"territory": place, "actual": actual, "prediction": np.where(correct, actual, 1 - actual)}
            )
        )
    return pd.concat(parts, ignore_index=True)


def test_territorial_gap_and_significantly_worse_territory(rng):
    df = _territory_frame(rng, {"Centre": 0.9, "Nord": 0.88, "Sud": 0.9, "Quartier prioritaire": 0.7})
    df = pd.concat(
        [df, pd.DataFrame({"territory": ["Hameau"] * 5, "actual": [1] * 5, "prediction": [0] * 5})]
    )
    report = performance_by_territory(df)
    assert report.worst == "Quartier prioritaire"
    assert report.gap > 0.1 and report.gap_exceeded
    assert report.significantly_worse == ["Quartier prioritaire"]
    assert report.flagged
    hameau = report.table.set_index("territory").loc["Hameau"]
    assert not hameau["included"] and not hameau["significantly_worse"]  # 5 rows: excluded, not blamed
    assert any("« Hameau » : 5 observation(s)" in m for m in report.messages)
    assert any("significativement moins bien traité" in m for m in report.messages)
    json.dumps(report.to_dict())


def test_equal_territories_are_not_flagged(rng):
    df = _territory_frame(rng, {"A": 0.85, "B": 0.85, "C": 0.85, "D": 0.85}, n=500)
    report = performance_by_territory(df)
    assert not report.flagged and report.gap < 0.1


def test_territory_mae_and_override_rate(rng):
    n = 200
    df = pd.DataFrame(
        {
            "territory": np.repeat(["Est", "Ouest"], n),
            "actual": rng.normal(50, 5, 2 * n),
            "overridden": np.r_[rng.random(n) < 0.1, rng.random(n) < 0.4],
        }
    )
    df["prediction"] = df["actual"] + np.r_[rng.normal(0, 2, n), rng.normal(0, 6, n)]
    mae = performance_by_territory(df, metric="mae")
    assert mae.worst == "Ouest" and mae.significantly_worse == ["Ouest"] and mae.gap_exceeded
    over = performance_by_territory(df, metric="override_rate")
    assert over.worst == "Ouest" and over.significantly_worse == ["Ouest"]
