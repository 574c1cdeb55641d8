"""Impact levels I–IV and how much they tighten the monitoring thresholds.

The higher a use case's impact level, the earlier monitoring should speak up. Every
threshold that triggers when a value goes *above* it (a drift distance, a change in missing
rate, an override rate, a territorial gap, an error rate) is multiplied by the level's factor:

======  ======  =====================================================
level   factor  effect on a drift distance threshold of 0.10
======  ======  =====================================================
I       1.00    0.10
II      0.85    0.085
III     0.70    0.07
IV      0.50    0.05
======  ======  =====================================================

Thresholds that trigger when a value goes *below* them (a minimum accuracy or F1) tighten
through their complement: ``1 - (1 - minimum) * factor``, so the tolerated error shrinks by
the same factor (a minimum accuracy of 0.80 becomes 0.90 at level IV).

Below roughly 1,000 rows per side, distances carry sampling noise of a few hundredths
(see ``monitoring.drift``), so the level IV thresholds are meant for batches of at least a
few thousand rows; smaller batches get a French warning in the drift result.
"""

from __future__ import annotations

from typing import Final

LEVEL_FACTORS: Final[dict[int, float]] = {1: 1.0, 2: 0.85, 3: 0.7, 4: 0.5}

_ROMAN: Final[dict[str, int]] = {"I": 1, "II": 2, "III": 3, "IV": 4}


def parse_level(level: int | str) -> int:
    """Accept 1–4, "1"–"4", "I"–"IV" (any case) or an enum whose value is one of those."""
    raw = getattr(level, "value", level)
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, int) and raw in LEVEL_FACTORS:
        return raw
    if isinstance(raw, str):
        text = raw.strip().upper()
        if text in _ROMAN:
            return _ROMAN[text]
        if text.isdigit() and int(text) in LEVEL_FACTORS:
            return int(text)
    raise ValueError(f"Niveau d'impact inconnu : {level!r} (attendu : I, II, III ou IV).")


def level_factor(level: int | str) -> float:
    """The multiplier applied to "above" thresholds for this impact level."""
    return LEVEL_FACTORS[parse_level(level)]


def roman(level: int | str) -> str:
    number = parse_level(level)
    return next(key for key, value in _ROMAN.items() if value == number)
