"""The ``vigie bench`` analysis row: storing a run costs little next to computing it."""

from __future__ import annotations

from portal.bench import analysis_rows


def test_stored_run_overhead_stays_small():
    (row,) = analysis_rows(repeat=1)
    assert row.seconds > 0 and row.baseline_seconds > 0
    assert row.ratio < 3, f"un run enregistré coûte {row.ratio:.2f}× le calcul seul"
