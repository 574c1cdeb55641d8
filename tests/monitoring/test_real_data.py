"""Drift on real data: Montréal's daily bike counts, 2012 (one column per counter)."""

from __future__ import annotations

import pandas as pd
import pytest

from monitoring.drift import DriftConfig, compute_drift
from tests.conftest import SHARED_DATA, require_shared

BIKES = SHARED_DATA / "facility_usage" / "montreal_bikes_2012.csv"



@pytest.fixture(scope="module")
def bikes() -> pd.DataFrame:
    frame = pd.read_csv(require_shared(BIKES), sep=";", encoding="latin-1")
    frame["Date"] = pd.to_datetime(frame["Date"], format="%d/%m/%Y")
    return frame


def counters(frame: pd.DataFrame) -> dict[str, str]:
    return {c: "numerical" for c in frame.columns if c != "Date"}


def test_winter_against_summer_drifts(bikes):
    winter = bikes[bikes["Date"].dt.month.isin([1, 2, 3])]
    summer = bikes[bikes["Date"].dt.month.isin([6, 7, 8])]
    result = compute_drift(winter, summer, counters(bikes))
    assert result.dataset_drift and result.share_drifted == 1.0
    assert result.n_computable == 7
    # the two counters without data ("données non disponibles") are explained, not crashed on
    empty = [c for c in result.columns if not c.computable]
    assert {c.column for c in empty} == {
        "Brébeuf (données non disponibles)",
        "St-Urbain (données non disponibles)",
    }
    assert all(any("entièrement vide" in m for m in c.messages) for c in empty)
    assert all(c.score > 1 for c in result.columns if c.computable)  # summer moves by > 1 std


def test_two_halves_of_a_month_mostly_do_not_drift(bikes):
    """15 days against 15 days: distances are large by chance (~0.3), the noise check absorbs them.

    Real within-month changes remain (March's thaw), so we ask for "mostly": a minority of
    months, and a minority of counters on average.
    """
    config = DriftConfig(min_rows=10)
    flags, shares = [], []
    for month in range(1, 9):
        days = bikes[bikes["Date"].dt.month == month]
        first, second = days[days["Date"].dt.day <= 15], days[days["Date"].dt.day > 15]
        result = compute_drift(first, second, counters(bikes), config)
        flags.append(result.dataset_drift)
        shares.append(result.share_drifted)
    assert sum(flags) < len(flags) / 2
    assert sum(shares) / len(shares) < 0.5
    july = bikes[bikes["Date"].dt.month == 7]
    result = compute_drift(
        july[july["Date"].dt.day <= 15], july[july["Date"].dt.day > 15], counters(bikes), config
    )
    assert result.drifted_columns == []
