"""The ``vigie bench`` intervention-planning row: the planner and the nearest-next dispatcher timed on one day."""

from __future__ import annotations

from portal.bench import planning_rows


def test_planning_row_times_planner_and_nearest_next_on_the_same_day():
    (row,) = planning_rows(n_jobs=30, n_crews=3)
    assert row.seconds > 0 and row.baseline_seconds > 0
    assert "30 interventions, 3 équipes" in row.name and "au plus proche" in row.baseline_name
    assert "servies" in row.note and "heures sup." in row.note
