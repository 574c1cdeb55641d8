from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from monitoring.drift import ColumnDrift, DriftConfig, compute_drift
from monitoring.levels import level_factor, parse_level
from tests.monitoring.conftest import COLUMNS, make_frame


def test_identical_batches_do_not_drift(rng):
    ref = make_frame(rng, 3000)
    result = compute_drift(ref, ref.copy(), COLUMNS)
    assert not result.dataset_drift
    assert result.share_drifted == 0
    assert all(c.score == pytest.approx(0, abs=1e-12) for c in result.columns)
    assert all(not c.messages for c in result.columns)


def test_same_distribution_large_samples_do_not_drift(rng):
    result = compute_drift(make_frame(rng, 5000), make_frame(rng, 5000), COLUMNS)
    assert result.drifted_columns == []
    assert result.messages == []  # no small-sample warning above 1,000 rows


def test_shifted_numeric_and_categorical_batches_drift(rng):
    ref = make_frame(rng, 4000)
    cur = make_frame(rng, 4000, shift=0.5, cats=("a", "b", "c", "d"))
    cur["district"] = rng.choice(["a", "b", "c", "d"], 4000, p=[0.7, 0.1, 0.1, 0.1])
    result = compute_drift(ref, cur, COLUMNS)
    assert set(result.drifted_columns) == {"age", "income", "district"}
    assert result.dataset_drift and result.share_drifted == 1.0
    age = result.column("age")
    assert age.method == "wasserstein" and age.threshold == 0.1 and age.score > 0.4
    assert "Dérive détectée sur « age »" in age.messages[0]
    assert result.column("district").method == "jensenshannon"
    assert "Dérive du jeu de données" in result.messages[0]


def test_dataset_flag_follows_drift_share(rng):
    ref = make_frame(rng, 3000)
    cur = make_frame(rng, 3000)
    cur["age"] += 8  # one column out of three drifts
    assert compute_drift(ref, cur, COLUMNS).dataset_drift is False
    assert compute_drift(ref, cur, COLUMNS, DriftConfig(drift_share=0.3)).dataset_drift is True


def test_missing_rate_change_is_flagged_not_counted_as_drift(rng):
    ref = make_frame(rng, 3000)
    cur = make_frame(rng, 3000)
    cur.loc[cur.index[:900], "income"] = np.nan  # 30 % missing, same distribution otherwise
    cur.loc[cur.index[:30], "age"] = np.inf  # 1 %: inf counts as missing, below threshold
    result = compute_drift(ref, cur, COLUMNS)
    income = result.column("income")
    assert income.missing_rate_changed and not income.drifted
    assert income.ref_missing_rate == 0 and income.cur_missing_rate == pytest.approx(0.3)
    assert income.missing_rate_change == pytest.approx(0.3)
    assert any("valeurs manquantes de « income » en hausse" in m for m in income.messages)
    age = result.column("age")
    assert age.cur_missing_rate == pytest.approx(0.01) and not age.missing_rate_changed
    assert age.n_current == 2970


def test_new_categories_are_listed(rng):
    ref = make_frame(rng, 2000)
    cur = make_frame(rng, 2000)
    cur.loc[cur.index[:40], "district"] = "Nouveau quartier"
    cur.loc[cur.index[40:45], "district"] = "Hameau"
    col = compute_drift(ref, cur, COLUMNS).column("district")
    assert col.new_categories == ["Nouveau quartier", "Hameau"]  # most frequent first
    assert any("2 nouvelles catégories" in m and "« Hameau »" in m for m in col.messages)


@pytest.mark.parametrize("side", ["reference", "current"])
@pytest.mark.parametrize("engine", ["fast", "evidently"])
def test_all_empty_column_gives_a_message_not_a_crash(rng, side, engine):
    ref, cur = make_frame(rng, 500), make_frame(rng, 500)
    target = ref if side == "reference" else cur
    target["age"] = np.nan
    target["district"] = None
    result = compute_drift(ref, cur, COLUMNS, engine=engine)
    for name in ("age", "district"):
        col = result.column(name)
        assert not col.computable and col.score is None and not col.drifted
        assert any("entièrement vide" in m for m in col.messages)
        assert "Dérive non calculable pour cette colonne." in col.messages
        assert col.missing_rate_changed  # 100 % missing on one side, 0 % on the other
    assert result.n_computable == 1
    assert result.column("income").computable


def test_absent_and_badly_typed_columns_and_too_few_values(rng):
    ref, cur = make_frame(rng, 500), make_frame(rng, 500)
    cur = cur.drop(columns=["income"])
    cur["age"] = cur["age"].astype(str)
    ref.loc[ref.index[5:], "district"] = None  # 5 values left
    result = compute_drift(ref, cur, COLUMNS)
    assert "absente du lot courant" in result.column("income").messages[0]
    assert "déclarée numérique" in result.column("age").messages[0]
    assert "ne compte que 5 valeurs" in result.column("district").messages[0]
    assert result.n_computable == 0 and not result.dataset_drift
    assert "Aucune colonne" in result.messages[0]


def test_bad_declarations_raise_in_french():
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match="Type de colonne inconnu"):
        compute_drift(frame, frame, {"x": "text"})
    with pytest.raises(ValueError, match="ne s'applique pas"):
        compute_drift(frame, frame, {"x": "categorical"}, DriftConfig(per_column_method={"x": "wasserstein"}))
    with pytest.raises(ValueError):
        DriftConfig(categorical_method="wasserstein")


def test_small_batches_must_beat_chance(rng):
    """Two samples of 40 from the same law differ by ~0.2 (normed W1): above 0.1, but chance."""
    ref = make_frame(rng, 40)
    cur = make_frame(rng, 40)
    result = compute_drift(ref, cur, COLUMNS)
    assert result.drifted_columns == []
    noisy = [c for c in result.columns if c.score >= c.threshold]
    assert noisy, "the test needs at least one column above threshold by chance"
    assert all(c.p_value >= 0.05 and c.noise_floor > c.threshold for c in noisy)
    assert any("bruit d'échantillonnage" in m for c in noisy for m in c.messages)
    assert "Petit échantillon" in result.messages[-1]
    # a real shift on small batches is still caught
    shifted = make_frame(rng, 40, shift=1.0)
    assert "age" in compute_drift(ref, shifted, COLUMNS).drifted_columns
    # without the check, chance alone makes columns drift
    assert compute_drift(ref, cur, COLUMNS, DriftConfig(noise_check=False)).drifted_columns


def test_per_column_overrides(rng):
    ref, cur = make_frame(rng, 2000), make_frame(rng, 2000)
    cfg = DriftConfig(per_column_method={"age": "psi"}, per_column_threshold={"age": 0.5, "district": 0.02})
    result = compute_drift(ref, cur, COLUMNS, cfg)
    assert result.column("age").method == "psi" and result.column("age").threshold == 0.5
    assert result.column("district").threshold == 0.02
    assert result.column("income").threshold == 0.1


def test_tightened_and_impact_levels():
    base = DriftConfig(per_column_threshold={"age": 0.2})
    half = base.tightened(0.5)
    assert half.numerical_threshold == pytest.approx(0.05)
    assert half.categorical_threshold == pytest.approx(0.05)
    assert half.per_column_threshold == {"age": pytest.approx(0.1)}
    assert half.missing_rate_threshold == pytest.approx(0.05)
    assert half.drift_share == pytest.approx(0.25)
    assert base.numerical_threshold == 0.1  # frozen, untouched
    thresholds = [DriftConfig.for_impact_level(lvl).numerical_threshold for lvl in ("I", "II", "III", "IV")]
    assert thresholds == sorted(thresholds, reverse=True) and len(set(thresholds)) == 4
    assert DriftConfig.for_impact_level(4).categorical_threshold == pytest.approx(0.05)
    assert DriftConfig.for_impact_level("i") == DriftConfig()
    assert parse_level("IV") == parse_level(4) == parse_level("4") == 4
    assert level_factor(1) == 1.0
    with pytest.raises(ValueError, match="Niveau d'impact inconnu"):
        parse_level(5)


def test_serialisation(rng):
    ref, cur = make_frame(rng, 800), make_frame(rng, 800, shift=0.3)
    cur.loc[cur.index[:3], "district"] = "zz"
    result = compute_drift(ref, cur, {**COLUMNS, "missing_col": "numerical"})
    frame = result.to_frame()
    assert list(frame["column"]) == ["age", "income", "district", "missing_col"]
    assert frame.loc[frame["column"] == "district", "new_categories"].iloc[0] == ["zz"]
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["columns"][3]["computable"] is False
    assert payload["config"]["numerical_method"] == "wasserstein"
    assert isinstance(result.columns[0], ColumnDrift)
    assert isinstance(result.columns[0].score, float)


def test_integer_coded_categories_and_pandas_categorical(rng):
    ref = pd.DataFrame(
        {"code": rng.integers(0, 5, 2000), "cat": pd.Categorical(rng.choice(list("xyz"), 2000))}
    )
    cur = pd.DataFrame(
        {"code": rng.integers(0, 6, 2000), "cat": pd.Categorical(rng.choice(list("xyw"), 2000))}
    )
    result = compute_drift(ref, cur, {"code": "categorical", "cat": "categorical"})
    assert result.column("code").new_categories == [5]
    assert result.column("cat").new_categories == ["w"]
    json.dumps(result.to_dict())
