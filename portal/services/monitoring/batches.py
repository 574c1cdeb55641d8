"""Batches in, frames out: the reading and checking of monitored files, and the stored reference."""

from __future__ import annotations

import gzip
import io
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from portal.db.models import (
    MonitoringReference,
)
from portal.services.errors import InvalidInput
from usecases import loading, parsing
from usecases.base import Column, InputSchema, coerce

_PLAIN_NUMBER = r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?"
JOB_MAX_BYTES = 1024 * 1024 * 1024  # files read by `vigie monitor` jobs (pages keep the 20 MB upload limit)


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.17g").encode("utf-8")


def schema_of(columns: Mapping[str, str]) -> InputSchema:
    return InputSchema(tuple(Column(name, kind, role="feature", required=False)  # type: ignore[arg-type]
                             for name, kind in columns.items()))


def decode_reference(ref: MonitoringReference) -> pd.DataFrame:
    """The stored batch with its kinds: written by ``frame_to_csv`` (dot decimals), so read natively."""
    dtypes = {c: ("float64" if k == "numerical" else "object") for c, k in ref.columns.items()}
    return pd.read_csv(io.BytesIO(gzip.decompress(ref.data)), dtype=dtypes, keep_default_na=False, na_values=[""])


def problems_for(frame: pd.DataFrame, columns: Mapping[str, str], side_fr: str) -> list[str]:
    problems = []
    found = list(frame.attrs.get(loading.HEADER_ATTR, frame.columns))
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        problems.append(
            f"Colonne(s) suivie(s) absente(s) du lot {side_fr} : {', '.join('« ' + c + ' »' for c in missing)}. "
            f"Colonnes trouvées : {', '.join('« ' + str(c) + ' »' for c in found[:20])}."
        )
    elif len(frame) == 0:
        problems.append(f"Le lot {side_fr} ne contient aucune ligne.")
    return problems


_OUTCOME_FLAGS = InputSchema((Column("overridden", "boolean", required=False),))


def read_outcomes(data: bytes, filename: str, kind: str) -> pd.DataFrame:
    """An outcomes file through the strict reader: numbers as everywhere else (French decimals and
    thousands), the override flag checked, every problem named by its line in the file."""
    frame = loading.read_table(data, filename)
    schema = InputSchema(tuple(
        Column(col, "numerical" if kind == "regression" else "categorical")
        for col in ("actual", "prediction") if col in frame.columns
    ))
    problems = schema.problems(frame) + _OUTCOME_FLAGS.problems(frame)
    if problems:
        raise InvalidInput(problems)
    for col in ("actual", "prediction"):
        if col not in frame.columns:
            continue
        numbers = parsing.to_number(frame[col])
        present = ~parsing.is_blank(frame[col])
        if kind == "regression" or bool((numbers.notna() == present).all()):  # class labels written as numbers
            frame[col] = numbers
    if "overridden" in frame.columns:
        frame["overridden"] = parsing.to_boolean(frame["overridden"])
    return frame


def infer_columns(frame: pd.DataFrame) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in frame.columns:
        series = frame[name]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        out[str(name)] = "numerical" if pd.api.types.is_numeric_dtype(series) else "categorical"
    return out


def module_columns(module_key: str | None, present: Any = None) -> dict[str, str]:
    """The monitored columns of an analysis module (``AnalysisModule.monitored_columns``), or none
    when no module, or an unknown one, is bound."""
    if not module_key:
        return {}
    from usecases import registry

    try:
        return registry.get(module_key).monitored_columns(present)
    except KeyError:
        return {}


def pick_frame(frame_or_inputs: pd.DataFrame | Mapping[str, pd.DataFrame],
                columns: Mapping[str, str]) -> pd.DataFrame:
    if isinstance(frame_or_inputs, pd.DataFrame):
        return frame_or_inputs
    frames = list(frame_or_inputs.values())
    if not frames:
        raise InvalidInput(["Aucune donnée fournie pour la référence."])
    # the input holding most of the monitored columns
    return max(frames, key=lambda f: sum(c in f.columns for c in columns))


def read_batch(data: bytes, filename: str, columns: Mapping[str, str], side_fr: str,
               max_bytes: int = loading.DEFAULT_MAX_BYTES) -> pd.DataFrame:
    try:
        # only the monitored columns are kept: a large batch costs what they need, not the whole file
        raw = loading.read_table(data, filename, max_bytes=max_bytes, usecols=list(columns))
    except InvalidInput as exc:
        raise InvalidInput([f"Lot {side_fr} : {p}" for p in exc.problems]) from None
    problems = problems_for(raw, columns, side_fr)
    if problems:
        raise InvalidInput(problems)
    # Fast path: a numerical column written with plain dot decimals (as most exports are) is read
    # by pandas; any other spelling (French decimals, spaces, text) goes through the shared
    # French parser, which also names the first bad cell.
    fast: dict[str, pd.Series] = {}
    for name, kind in columns.items():
        if kind != "numerical":
            continue
        text = raw[name].astype("string").str.strip()
        plain = text.isna() | (text == "") | text.str.fullmatch(_PLAIN_NUMBER).fillna(False)
        if bool(plain.all()):
            values = pd.to_numeric(text.mask(text == ""), errors="coerce").astype("float64")
            blank = text.isna() | (text == "")
            if bool(np.isinf(values).any()) or bool((values.isna() & ~blank).any()):
                continue  # « 1e309 »: the French parser names the cell
            fast[name] = values
    schema = schema_of({c: k for c, k in columns.items() if c not in fast})
    problems = [f"Lot {side_fr} — {p}" for p in schema.problems(raw)]
    if problems:
        raise InvalidInput(problems)
    frame = coerce(raw, schema)
    for name, values in fast.items():
        frame[name] = values
    return frame
