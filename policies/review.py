"""Periodic review cadence: months between reviews by impact level (``rules/review.yaml``)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from policies.rulebook import load_rules
from policies.vocabulary import ImpactLevel


class ReviewDue(NamedTuple):
    due_date: date
    overdue: bool


def months_between_reviews(level: ImpactLevel | str, rules: Mapping[str, Any] | None = None) -> int:
    rules = rules or load_rules("review")
    return int(rules["months_between_reviews"][ImpactLevel(level).value])


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_due(
    level: ImpactLevel | str, last_review_date: date, today: date, rules: Mapping[str, Any] | None = None
) -> ReviewDue:
    """When the next review is due (from the last review, or the deployment decision if none yet),
    and whether it is overdue on ``today`` (due date passed)."""
    due = add_months(last_review_date, months_between_reviews(level, rules))
    return ReviewDue(due_date=due, overdue=today > due)
