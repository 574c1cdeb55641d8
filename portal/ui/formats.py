"""French formats for numbers, amounts and dates in the pages (the interface is French only:
decision record 0074)."""

from __future__ import annotations

import datetime as dt

from policies import french


def fmt_int(value: float | int | None) -> str:
    return french.integer(value)


def fmt_number(value: float | None, decimals: int = 1) -> str:
    return french.number(value, decimals)


def fmt_money(value: float | None) -> str:
    return french.money(value)


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    return french.date(value)


#: The rule files by their French names, for a classification's or a decision's rule version.
RULE_NAMES = {"ai_act": "règlement IA", "rgpd": "RGPD", "crpa": "CRPA", "impact": "impact", "obligations": "obligations",
              "gates": "étapes", "review": "revues", "notifications": "notifications", "scoring": "priorisation"}


def fmt_rules(version: str | None) -> str:
    """``ai_act@2026.11.1+rgpd@2026.10.2`` as « règlement IA 2026.11.1, RGPD 2026.10.2 »."""
    if not version:
        return "—"
    parts = []
    for part in str(version).split("+"):
        name, _, number = part.partition("@")
        parts.append(f"{RULE_NAMES.get(name, name.replace('_', ' '))} {number}".strip())
    return ", ".join(parts)


def section_title(section: str) -> str:
    """A questionnaire section as a heading: « AIPD » and « CRPA » stay in capitals."""
    return section if section.isupper() else section[:1].upper() + section[1:]
