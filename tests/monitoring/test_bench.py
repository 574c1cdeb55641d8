from __future__ import annotations

import pytest

from monitoring.bench import drift_benchmark, make_batches, plain_drift
from monitoring.drift import compute_drift


def test_benchmark_rows_and_equal_scores():
    ref, cur, kinds = make_batches(5000, seed=1)
    assert ref.shape == cur.shape == (5000, 15)
    assert sum(k == "numerical" for k in kinds.values()) == 10
    plain = plain_drift(ref, cur, kinds)
    ours = compute_drift(ref, cur, kinds)
    for col in ours.columns:
        assert col.score == pytest.approx(plain[col.column], abs=1e-9)
    assert 0 < ours.share_drifted < 1

    rows = drift_benchmark(5000, include_evidently=False, repeats=1)
    by_engine = {r["engine"]: r for r in rows}
    assert set(by_engine) == {"vigie", "plain", "vigie_evidently", "evidently_preset"}
    assert by_engine["vigie"]["seconds"] > 0 and by_engine["vigie"]["peak_mb"] > 0
    assert by_engine["plain"]["ratio_vs_plain"] == 1.0
    assert by_engine["evidently_preset"]["seconds"] is None
    assert "Non mesuré" in by_engine["evidently_preset"]["note"]


@pytest.mark.bench
def test_benchmark_with_evidently_small():
    rows = drift_benchmark(3000, repeats=1)
    by_engine = {r["engine"]: r for r in rows}
    assert by_engine["evidently_preset"]["seconds"] > 0
    assert by_engine["vigie_evidently"]["share_drifted"] == by_engine["vigie"]["share_drifted"]
