"""French formats for numbers, shares, money, dates and plurals: the one formatter every layer uses
(analysis modules' notes, monitoring's messages, the policies' texts and the portal's pages).

« 1 234,5 », « 8,2 % », « 1 234 € », « 03/12/2026 », « 2 ans ». Thousands are separated by a narrow
no-break space, the decimal mark is a comma, and a missing value (None, NaN, infinite) reads
« n.d. » (non disponible) wherever it appears, in a sentence or in a table.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

NNBSP = "\u202f"  # narrow no-break space: the thousands separator
NBSP = "\u00a0"  # no-break space: before « % » and a unit or a word that goes with the number
MISSING = "n.d."


def missing(x: Any) -> bool:
    """None, NaN or an infinite number: a value that cannot be shown as a number."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def number(x: float | None, decimals: int = 1) -> str:
    """``1234.56 -> "1 234,6"``; never « -0 »."""
    if missing(x):
        return MISSING
    text = f"{float(x):,.{decimals}f}"  # type: ignore[arg-type]
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]  # a negative amount that rounds to zero reads « 0,0 », not « -0,0 »
    return text.replace(",", NNBSP).replace(".", ",")


def integer(x: float | None) -> str:
    """``1234.6 -> "1 235"``."""
    return number(x, 0)


def percent(x: float | None, decimals: int = 1) -> str:
    """A value already in percent: ``8.25 -> "8,3 %"``."""
    return MISSING if missing(x) else f"{number(x, decimals)}{NBSP}%"


def share(x: float | None, decimals: int = 1) -> str:
    """A share between 0 and 1, shown in percent: ``0.125 -> "12,5 %"``."""
    return MISSING if missing(x) else percent(float(x) * 100, decimals)  # type: ignore[arg-type]


def points(x: float | None, decimals: int = 1) -> str:
    """A difference of two shares in percentage points: ``0.125 -> "12,5 points"``."""
    return MISSING if missing(x) else f"{number(float(x) * 100, decimals)} points"  # type: ignore[arg-type]


def money(x: float | None, decimals: int = 0) -> str:
    """``1234.5 -> "1 235 €"``."""
    return MISSING if missing(x) else f"{number(x, decimals)} €"


def year(x: float | None) -> str:
    """A year or an exercise, without thousands separator: ``2024.0 -> "2024"``."""
    return MISSING if missing(x) else str(round(float(x)))  # type: ignore[arg-type]


def date(value: dt.date | dt.datetime | None) -> str:
    """``03/12/2026``; a moment in local time: ``03/12/2026 14:05``."""
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 an``, ``2 ans``, ``0 jour`` (French: singular below 2)."""
    word = singular if abs(n) < 2 else (plural or singular + "s")
    return f"{integer(n)}{NBSP}{word}"


def by_format(x: float | None, fmt: str) -> str:
    """A metric as its module declares it (``usecases.base.MetricFormat``)."""
    if fmt == "count":
        return integer(x)
    if fmt == "percent":
        return percent(x)
    if fmt == "share":
        return share(x)
    if fmt == "year":
        return year(x)
    if fmt == "money":
        return money(x)
    return number(x, 2)
