"""French number formatting for the scenario messages and the charts' tooltips (``policies.french``)."""

from __future__ import annotations

from policies import french


def fr_number(x: float | None, decimals: int = 0) -> str:
    """``1234567.891 -> "1 234 567,89"`` with ``decimals=2``; a missing value reads « n.d. »."""
    return french.number(x, decimals)


def fr_eur(x: float | None) -> str:
    """``1234.5 -> "1 235 €"``."""
    return french.money(x)
