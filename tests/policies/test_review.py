"""Periodic review cadence by impact level."""

from __future__ import annotations

from datetime import date

import pytest

from policies.review import add_months, months_between_reviews, review_due
from policies.rulebook import load_rules
from policies.vocabulary import ImpactLevel


@pytest.mark.parametrize(("level", "months"), [("I", 24), ("II", 12), ("III", 12), ("IV", 6)])
def test_cadence_comes_from_the_rules_file(level, months):
    assert months_between_reviews(level) == months == load_rules("review")["months_between_reviews"][level]


@pytest.mark.parametrize(
    ("level", "last", "today", "due", "overdue"),
    [
        (ImpactLevel.IV, date(2026, 1, 15), date(2026, 7, 15), date(2026, 7, 15), False),
        (ImpactLevel.IV, date(2026, 1, 15), date(2026, 7, 16), date(2026, 7, 15), True),
        (ImpactLevel.I, date(2025, 3, 1), date(2026, 12, 1), date(2027, 3, 1), False),
        (ImpactLevel.II, date(2024, 2, 29), date(2025, 3, 1), date(2025, 2, 28), True),
    ],
)
def test_review_due(level, last, today, due, overdue):
    result = review_due(level, last, today)
    assert result == (due, overdue)
    assert result.due_date == due and result.overdue is overdue


def test_a_modified_cadence_moves_the_due_date():
    rules = load_rules("review")
    rules["months_between_reviews"]["IV"] = 3
    assert review_due("IV", date(2026, 1, 15), date(2026, 5, 1), rules) == (date(2026, 4, 15), True)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
