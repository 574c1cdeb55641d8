"""French number formatting shared by the scenario messages and the charts' tooltips."""

from __future__ import annotations

import math

NNBSP = "\u202f"  # narrow no-break space, the French thousands separator


def fr_number(x: float | None, decimals: int = 0) -> str:
    """``1234567.891`` -> ``1 234 567,89`` (French grouping and decimal comma); None/NaN -> ``—``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    text = f"{x:,.{decimals}f}"
    return text.replace(",", NNBSP).replace(".", ",")


def fr_eur(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{fr_number(x)} €"

