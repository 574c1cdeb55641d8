"""`vigie bench` prints the drift comparison: Vigie's engine, Evidently's preset, plain scipy."""

from __future__ import annotations

import pytest

from portal.bench import drift_report

pytestmark = pytest.mark.bench


def test_drift_report_measures_every_engine_with_ratios_and_memory(capsys):
    rows = drift_report((3_000,))
    out = capsys.readouterr().out
    engines = {r["engine"]: r for r in rows}
    assert set(engines) == {"vigie", "plain", "vigie_evidently", "evidently_preset"}
    assert all(r["seconds"] and r["seconds"] > 0 and r["ratio_vs_plain"] for r in rows)
    assert engines["plain"]["ratio_vs_plain"] == 1.0
    assert engines["vigie"]["peak_mb"] is not None
    # the fast path and Evidently (same pinned methods) agree on which columns drift
    assert engines["vigie"]["share_drifted"] == engines["vigie_evidently"]["share_drifted"]
    for label in ("Vigie (calcul rapide", "scipy/numpy direct", "Evidently DataDriftPreset", "Pic de mémoire"):
        assert label in out


def test_batch_reading_row_compares_the_strict_reader_with_pandas():
    from portal.bench import reading_rows

    (row,) = reading_rows(1)
    assert row.seconds > 0 and row.baseline_seconds > 0
    assert "lecteur strict" in row.name and "pic de mémoire" in row.note
