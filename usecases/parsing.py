"""Lenient, French-aware value parsing shared by schema checks and coercion.

Numbers accept decimal commas ("12,5"), thousands separators made of spaces, non-breaking or
narrow spaces ("1 234"), dots in the French style ("1.234,56") and the Unicode minus sign.
Dates accept day-first French forms (dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy) and ISO forms.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")

DATE_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%Y-%m-%d",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d/%m/%y",
    "%Y/%m/%d",
)

_TRUE = frozenset({"true", "vrai", "oui", "yes", "1", "o", "y", "x"})
_FALSE = frozenset({"false", "faux", "non", "no", "0", "n"})


def is_blank(series: pd.Series) -> pd.Series:
    """True where a cell is missing or only whitespace."""
    if series.dtype == object or pd.api.types.is_string_dtype(series):
        return series.isna() | (series.astype(str).str.strip() == "")
    return series.isna()


def _number_from_text(text: str) -> float:
    t = _SPACES.sub("", text.strip()).replace("\u2212", "-")
    if not t:
        return np.nan
    if "," in t and "." in t:
        # "1.234,56" (French, dot thousands) or "1,234.56" (English, comma thousands)
        french = t.rfind(",") > t.rfind(".")
        t = t.replace(".", "").replace(",", ".") if french else t.replace(",", "")
    elif "," in t:
        t = t.replace(",", ".") if t.count(",") == 1 else t.replace(",", "")
    if not _NUMBER.match(t):
        return np.nan
    value = float(t)
    return value if math.isfinite(value) else np.nan


def is_non_finite(value: object) -> bool:
    """True for a cell that reads as a number too large for a float, or as an infinity."""
    if isinstance(value, int | float | np.number):
        return not math.isfinite(float(value))
    text = _SPACES.sub("", str(value).strip()).lower().replace(",", ".")
    if text.lstrip("+-") in ("inf", "infinity", "∞"):
        return True
    if _NUMBER.match(text):
        return not math.isfinite(float(text))
    return False


def _finite(value: float) -> float:
    return value if math.isfinite(value) else np.nan


def to_number(series: pd.Series) -> pd.Series:
    """Float series; unparseable or blank cells become NaN."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series):
        out = series.astype("float64")
        return out.where(np.isfinite(out))
    values = [
        np.nan if v is None or (isinstance(v, float) and np.isnan(v)) else
        _finite(float(v)) if isinstance(v, int | float | np.number) else _number_from_text(str(v))
        for v in series.tolist()
    ]
    return pd.Series(values, index=series.index, dtype="float64")


def to_datetime(series: pd.Series) -> pd.Series:
    """Datetime series (naive); tries day-first French formats, then ISO; NaT when unreadable."""
    if pd.api.types.is_datetime64_any_dtype(series):
        if getattr(series.dt, "tz", None) is not None:
            return series.dt.tz_localize(None)
        return series
    text = series.map(lambda v: v if pd.isna(v) else str(v).strip())
    present = ~is_blank(text)
    result = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    remaining = present.copy()
    # Try every format on what is left, most successful first, so a column mixing two forms works.
    for _ in range(3):
        if not remaining.any():
            break
        best, best_count = None, 0
        for fmt in DATE_FORMATS:
            parsed = pd.to_datetime(text[remaining], format=fmt, errors="coerce")
            count = int(parsed.notna().sum())
            if count > best_count:
                best, best_count = parsed, count
        if best is None:
            break
        result.loc[best.index[best.notna()]] = best[best.notna()]
        remaining = present & result.isna()
    return result


def to_boolean(series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series):
        return series
    lowered = series.map(lambda v: v if pd.isna(v) else str(v).strip().lower())
    return lowered.map(lambda v: True if v in _TRUE else False if v in _FALSE else pd.NA).astype("boolean")


def to_text(series: pd.Series) -> pd.Series:
    def clean(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        s = str(v).strip()
        return s or None

    return series.map(clean).astype("object")


def convert(series: pd.Series, kind: str) -> pd.Series:
    if kind == "numerical":
        return to_number(series)
    if kind == "datetime":
        return to_datetime(series)
    if kind == "boolean":
        return to_boolean(series)
    return to_text(series)


def bad_mask(series: pd.Series, kind: str) -> pd.Series:
    """True where a non-blank cell cannot be read as ``kind``."""
    if kind in ("categorical", "text"):
        return pd.Series(False, index=series.index)
    converted = convert(series, kind)
    return ~is_blank(series) & converted.isna()
