"""French numbers and plurals in module notes: « 1 234,5 », « 8,2 % », « 1 an », « 2 ans »."""

from __future__ import annotations

import math

NBSP = "\u00a0"


def fr_number(x: float, decimals: int = 1) -> str:
    """« 1 234,5 » (narrow no-break space for thousands, decimal comma)."""
    if x is None or not math.isfinite(x):
        return "n.d."
    text = f"{x:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def fr_pct(x: float, decimals: int = 1) -> str:
    """« 8,2 % » with a no-break space before the sign."""
    return f"{fr_number(x, decimals)}{NBSP}%"


def fr_count(n: int, singular: str, plural: str | None = None) -> str:
    """« 1 an », « 2 ans », « 0 jour » (French: singular below 2)."""
    word = singular if abs(n) < 2 else (plural or singular + "s")
    return f"{fr_number(n, 0)}{NBSP}{word}"
