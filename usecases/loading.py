"""Pure reading of uploaded files (bytes in, DataFrame out), tolerant of French spreadsheets.

``read_table`` reads CSV (separator ``;``, ``,`` or tab sniffed from the header; UTF-8 with or
without BOM, else Windows-1252/Latin-1) and Excel ``.xlsx``; every cell stays as read (text for
CSV) so that ``prepare`` can parse French numbers and dates against the module's schema. Every
failure raises ``InvalidInput`` with French messages; nothing is partially returned.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath

import pandas as pd

from usecases.base import InputSchema, coerce

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SEPARATORS = (";", ",", "\t")
_SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_CSV_SUFFIXES = (".csv", ".txt", ".tsv", "")


class InvalidInput(ValueError):
    """The input cannot be used; ``problems`` lists French messages for the user."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _mo(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " Mo"


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def sniff_separator(text: str) -> str:
    """The candidate separator found most often, outside quotes, in the header line."""
    header = _first_line(text)
    counts = dict.fromkeys(_SEPARATORS, 0)
    in_quotes = False
    for ch in header:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in counts:
            counts[ch] += 1
    best = max(_SEPARATORS, key=lambda s: counts[s])
    return best if counts[best] > 0 else ";"


def _read_csv(data: bytes, sep: str | None) -> pd.DataFrame:
    text = _decode(data)
    if not text.strip():
        raise InvalidInput(["Le fichier est vide."])
    separator = sep or sniff_separator(text)
    try:
        df = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.EmptyDataError as exc:
        raise InvalidInput(["Le fichier est vide."]) from exc
    except pd.errors.ParserError as exc:
        raise InvalidInput([
            "Le fichier CSV est mal formé (nombre de champs variable d'une ligne à l'autre) : "
            f"vérifiez le séparateur ({_SEPARATOR_NAMES.get(separator, separator)} détecté) "
            "et les guillemets."
        ]) from exc
    df.columns = [str(c).strip() for c in df.columns]
    if df.shape[1] == 1:
        name = df.columns[0]
        values = df[name].dropna().astype(str)
        others = [s for s in (*_SEPARATORS, "|") if s != separator]
        in_header = any(s in name for s in others)
        pattern = "|".join("\\|" if s == "|" else s for s in others)
        in_values = len(values) > 0 and bool(values.str.contains(pattern).mean() > 0.5)
        if in_header or in_values:
            raise InvalidInput([
                "Le séparateur semble incorrect : le fichier n'a qu'une seule colonne "
                f"(« {name[:60]} ») qui contient des « ; », des « , » ou des « | ». "
                "Enregistrez le fichier en CSV séparé par des points-virgules ou des virgules."
            ])
    return df


def _read_excel(data: bytes) -> pd.DataFrame:
    try:
        df = pd.read_excel(io.BytesIO(data), sheet_name=0, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise InvalidInput([
            "Le fichier Excel est illisible (fichier endommagé, protégé par mot de passe "
            "ou qui n'est pas au format .xlsx)."
        ]) from exc
    df.columns = [str(c).strip() for c in df.columns]
    return df


def read_table(
    data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES, sep: str | None = None
) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file; raise ``InvalidInput`` (French) when it cannot be used."""
    size = len(data)
    if size > max_bytes:
        raise InvalidInput([
            f"Le fichier est trop volumineux : {_mo(size)} pour une limite de {_mo(max_bytes)}."
        ])
    if size == 0 or not data.strip():
        raise InvalidInput(["Le fichier est vide."])
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls":
        raise InvalidInput([
            "Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le fichier "
            "au format .xlsx ou CSV."
        ])
    if suffix in _EXCEL_SUFFIXES or data[:4] == b"PK\x03\x04":
        df = _read_excel(data)
    elif suffix in _CSV_SUFFIXES:
        df = _read_csv(data, sep)
    else:
        raise InvalidInput([
            f"Type de fichier non pris en charge : « {suffix} ». Formats acceptés : CSV, Excel (.xlsx)."
        ])
    df = df.dropna(how="all")
    if len(df) == 0:
        raise InvalidInput(["Le fichier ne contient aucune ligne de données (seulement l'en-tête)."])
    df = df.reset_index(drop=True)
    unnamed = [c for c in df.columns if c.startswith("Unnamed:") or c == ""]
    return df.drop(columns=[c for c in unnamed if df[c].isna().all()])


def prepare(df: pd.DataFrame, schema: InputSchema) -> pd.DataFrame:
    """Check ``df`` against ``schema`` and coerce its columns; raise ``InvalidInput`` on problems."""
    if len(df) == 0:
        raise InvalidInput(["Le fichier ne contient aucune ligne de données (seulement l'en-tête)."])
    problems = schema.problems(df)
    if problems:
        raise InvalidInput(problems)
    return coerce(df, schema)


def load(data: bytes, filename: str, schema: InputSchema, *, max_bytes: int = DEFAULT_MAX_BYTES) -> pd.DataFrame:
    """``read_table`` then ``prepare``."""
    return prepare(read_table(data, filename, max_bytes=max_bytes), schema)
