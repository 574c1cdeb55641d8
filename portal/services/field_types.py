"""The constrained types every validated form shares (bounded texts, scores, money)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptText200 = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
OptLongText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=10_000)]
Score = Annotated[int, Field(ge=1, le=5)]
Money = Annotated[float, Field(ge=0, le=1e10)]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value
