"""French number formatting for the messages this package writes (no locale dependency)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

_NBSP = "\u202f"  # narrow no-break space, the French thousands separator and the space before %


def number(value: float | None, digits: int = 2) -> str:
    """``0.1234 -> "0,12"``, ``12345.6 -> "12 345,6"`` with ``digits=1``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/d"
    text = f"{value:,.{digits}f}"
    return text.replace(",", _NBSP).replace(".", ",")


def percent(share: float | None, digits: int = 1) -> str:
    """``0.125 -> "12,5 %"``."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "n/d"
    return f"{number(share * 100, digits)}{_NBSP}%"


def points(share: float, digits: int = 1) -> str:
    """A difference of two shares in percentage points: ``0.125 -> "12,5 points"``."""
    return f"{number(share * 100, digits)} points"


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
