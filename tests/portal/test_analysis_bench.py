"""The ``vigie bench`` analysis row is measured and printed; its ratio is a figure for `vigie bench`,
not a timed assertion (a loaded machine would make such a test flaky)."""

from __future__ import annotations

import pytest

from portal.bench import analysis_rows

pytestmark = pytest.mark.bench


def test_stored_run_row_measures_the_service_against_the_bare_module():
    (row,) = analysis_rows(repeat=1)
    assert row.seconds > 0 and row.baseline_seconds > 0
    assert "facility_usage" in row.name and "module.run seul" in row.baseline_name
    assert row.ratio == row.seconds / row.baseline_seconds
