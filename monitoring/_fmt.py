"""Formatting for the messages this package writes: numbers through ``policies.french``, quotes."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from policies import french


def number(value: float | None, digits: int = 2) -> str:
    """``0.1234 -> "0,12"``, ``12345.6 -> "12 345,6"`` with ``digits=1`` (``policies.french``)."""
    return french.number(value, digits)


def percent(share: float | None, digits: int = 1) -> str:
    """A share between 0 and 1 in percent: ``0.125 -> "12,5 %"``."""
    return french.share(share, digits)


def points(share: float | None, digits: int = 1) -> str:
    """A difference of two shares in percentage points: ``0.125 -> "12,5 points"``."""
    return french.points(share, digits)


def quoted(value: Any) -> str:
    return f"« {value} »"


def quoted_list(values: Iterable[Any], limit: int = 10) -> str:
    items = list(values)
    shown = ", ".join(quoted(v) for v in items[:limit])
    rest = len(items) - limit
    if rest > 0:
        shown += f" et {rest} autre{'s' if rest > 1 else ''}"
    return shown


def plain(value: Any) -> Any:
    """A JSON-friendly Python scalar: numpy scalars to Python, NaN to None, other objects to str."""
    if value is None:
        return None
    item = getattr(value, "item", None)
    if callable(item) and not isinstance(value, str | bytes):
        try:
            value = item()
        except (ValueError, TypeError):
            value = str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
