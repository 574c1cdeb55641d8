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
