"""The one strict reader of user files (bytes in, DataFrame of text cells out).

Every entry point that reads a file a person gives (analysis modules, monitoring batches and
outcomes, budget imports) goes through ``read_table``. It never guesses in silence:

- encoding: UTF-8 (with or without BOM), UTF-16 (Excel's « Texte Unicode », with or without BOM),
  else Windows-1252; binary content is refused as such;
- separator: ``;``, ``,`` or tab, sniffed from the header; a row with more fields than the
  header is refused with its line (with a ``,`` separator that is the mark of decimal commas, and
  the message says how to save the file); pandas never takes a column as an implicit index;
- headers: a duplicate or an empty header over filled cells is refused by name;
- Excel: formula cells without a cached value are refused by cell (« C12 »);
- line numbers are the file's own (blank lines and multi-line cells counted): ``line_numbers``.

Cells stay text (Excel values as read) so that ``prepare`` parses French numbers and dates
against the module's schema, finite numbers only. Every failure raises ``InvalidInput`` with
French messages; nothing is partially returned.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Sequence
from pathlib import PurePath

import numpy as np
import pandas as pd

from usecases.base import HEADER_OFFSET, LINES_ATTR, InputSchema, coerce

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_SEPARATORS = (";", ",", "\t")
_SEPARATOR_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation", "|": "barre verticale"}
_EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_CSV_SUFFIXES = (".csv", ".txt", ".tsv", "")
#: ``DataFrame.attrs`` key holding every column name of the file, even those ``usecols`` left out.
HEADER_ATTR = "vigie_header"
_SAVE_AS = ("Enregistrez-le depuis votre tableur au format « CSV (séparateur : point-virgule) » "
            "ou au format Excel (.xlsx).")


class InvalidInput(ValueError):
    """Input refused before anything was written; ``problems`` lists every reason in French.

    The one such error in Vigie: modules, the reader and the portal's services all raise it."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _mo(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".replace(".", ",") + " Mo"


def _lines_fr(lines: Sequence[int], limit: int = 5) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    more = len(lines) - limit
    return shown + (f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else "")


# ---- encoding ------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """The codec name to read ``data`` with; raises ``InvalidInput`` for binary content."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:8192]
    zeros = head.count(b"\x00")
    if zeros:
        even, odd = head[0::2].count(b"\x00"), head[1::2].count(b"\x00")
        # UTF-16 without BOM: text in the Latin range has one zero byte in every pair.
        if zeros * 3 >= len(head) and max(even, odd) * 10 >= 9 * zeros:
            return "utf-16-le" if odd > even else "utf-16-be"
        raise _binary()
    try:
        data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        # a cut multi-byte sequence at the very end of a valid UTF-8 file is still UTF-8
        encoding = "utf-8" if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data" else "cp1252"
    sample = head.decode(encoding, errors="replace")
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    if controls * 100 > max(len(sample), 1):
        raise _binary()
    return encoding


def _binary() -> InvalidInput:
    return InvalidInput([
        "Le fichier n'est pas un fichier texte (CSV) ni un classeur Excel : son contenu est binaire. "
        + _SAVE_AS
    ])


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return data.decode("cp1252" if encoding.startswith("utf-8") else "latin-1", errors="replace")


# ---- CSV -----------------------------------------------------------------------------------


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


def _check_header(names: list[str], where: Callable[[int], str]) -> list[str]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):
        if not name:
            continue
        if name in seen:
            problems.append(
                f"La colonne « {name} » apparaît deux fois dans l'en-tête ({where(seen[name])} et {where(i)}) : "
                "renommez ou supprimez l'une des deux."
            )
        else:
            seen[name] = i
    return problems


def _col_letter(i: int) -> str:
    letters = ""
    n = i + 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _scan_csv(text_stream: io.TextIOBase, separator: str) -> tuple[list[str], list[int], list[int], bool]:
    """One streaming pass: the header, the start line of each data record, the records longer than
    the header (by line), and whether any record crosses lines or blank lines were skipped."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # a long text cell is no error
    reader = csv.reader(text_stream, delimiter=separator, quotechar='"', strict=False)
    header: list[str] | None = None
    starts: list[int] = []
    long_lines: list[int] = []
    irregular = False
    previous_end = 0
    for fields in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            irregular = irregular or header is not None
            continue
        if header is None:
            header = [f.strip() for f in fields]
            if start != 1 or previous_end != 1:
                irregular = True
            continue
        if previous_end != start:
            irregular = True
        if len(fields) > len(header) and any(f.strip() for f in fields[len(header):]):
            long_lines.append(start)
        starts.append(start)
    return header or [], starts, long_lines, irregular


def _csv_stream(data: bytes, encoding: str) -> Callable[[], io.TextIOBase]:
    """A way to read the text again from the start: UTF-8 and Windows-1252 are streamed from the
    bytes; UTF-16 is decoded once."""
    if encoding.startswith("utf-16"):
        text = _decode(data, encoding)

        def stream() -> io.TextIOBase:
            return io.StringIO(text)
    else:

        def stream() -> io.TextIOBase:
            return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    return stream


def _refuse_long_lines(long_lines: list[int], n: int, separator: str) -> None:
    """Refuse lines with more fields than the header's ``n`` columns, naming them."""
    if not long_lines:
        return
    if separator == ",":
        raise InvalidInput([
            f"Lecture ambiguë : le fichier est séparé par des virgules, mais des lignes ont plus de champs "
            f"que les {n} colonnes de l'en-tête (ligne {_lines_fr(long_lines)}) : des nombres y sont "
            "sans doute écrits avec une virgule décimale. " + _SAVE_AS
        ])
    raise InvalidInput([
        f"Des lignes ont plus de champs que les {n} colonnes de l'en-tête "
        f"({_SEPARATOR_NAMES.get(separator, separator)} comme séparateur) : ligne {_lines_fr(long_lines)}. "
        "Vérifiez le séparateur et les guillemets."
    ])


def _parse_csv(
    stream: io.TextIOBase, separator: str, header: list[str], usecols: Sequence[str] | None
) -> pd.DataFrame:
    """pandas' C reader on the checked header, every value as text (empty columns get a name)."""
    wanted = None if usecols is None else {c for c in usecols}
    try:
        return pd.read_csv(
            stream,
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=True,
            index_col=False,
            header=0,
            names=[name or f"__vide_{i}" for i, name in enumerate(header)],
            usecols=(lambda c: c in wanted) if wanted is not None else None,
            quoting=csv.QUOTE_MINIMAL,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InvalidInput([
            "Le fichier CSV est mal formé (nombre de champs variable d'une ligne à l'autre) : "
            f"vérifiez le séparateur ({_SEPARATOR_NAMES.get(separator, separator)} détecté) "
            "et les guillemets."
        ]) from exc


def _drop_unnamed(df: pd.DataFrame, header: list[str], starts: list[int]) -> pd.DataFrame:
    """Drop the columns without a name in the header; refuse one that holds values."""
    for i in [i for i, name in enumerate(header) if not name]:
        col = f"__vide_{i}"
        if col in df.columns:
            filled = df[col].notna()
            if filled.any():
                first = int(np.flatnonzero(filled.to_numpy())[0])
                line = starts[first] if len(starts) == len(df) else first + HEADER_OFFSET
                raise InvalidInput([
                    f"La colonne {i + 1} n'a pas de nom dans l'en-tête mais contient des valeurs "
                    f"(ligne {line}) : donnez-lui un nom."
                ])
            df = df.drop(columns=[col])
    return df


def _read_csv(data: bytes, sep: str | None, usecols: Sequence[str] | None) -> pd.DataFrame:
    encoding = detect_encoding(data)
    text_head = _decode(data[:65536], encoding) if encoding.startswith("utf-16") else \
        data[:65536].decode(encoding, errors="replace")
    if not text_head.strip():
        raise InvalidInput(["Le fichier est vide."])
    separator = sep or sniff_separator(text_head)
    stream = _csv_stream(data, encoding)
    try:
        header, starts, long_lines, irregular = _scan_csv(stream(), separator)
    except csv.Error as exc:
        raise InvalidInput([f"Le fichier CSV est mal formé ({exc}) : vérifiez les guillemets. " + _SAVE_AS]) from exc
    if not header:
        raise InvalidInput(["Le fichier est vide."])
    problems = _check_header(header, lambda i: f"colonne {i + 1}")
    if problems:
        raise InvalidInput(problems)
    if len(header) == 1:
        _refuse_single_column(header[0], data, encoding, separator)
    _refuse_long_lines(long_lines, len(header), separator)
    df = _parse_csv(stream(), separator, header, usecols)
    # pandas drops blank lines but keeps rows of empty fields: align with the scan's records
    df = df.dropna(how="all") if len(df) != len(starts) else df
    df = _drop_unnamed(df, header, starts).reset_index(drop=True)
    df.attrs[HEADER_ATTR] = [name for name in header if name]
    if irregular and len(starts) == len(df):
        df.attrs[LINES_ATTR] = list(starts)
    return df


def _refuse_single_column(name: str, data: bytes, encoding: str, separator: str) -> None:
    others = [s for s in (*_SEPARATORS, "|") if s != separator]
    head = _decode(data[:65536], encoding) if encoding.startswith("utf-16") else \
        data[:65536].decode(encoding, errors="replace")
    lines = [ln for ln in head.splitlines()[1:50] if ln.strip()]
    in_header = any(s in name for s in others)
    in_values = bool(lines) and sum(any(s in ln for s in others) for ln in lines) * 2 > len(lines)
    if in_header or in_values:
        raise InvalidInput([
            "Le séparateur semble incorrect : le fichier n'a qu'une seule colonne "
            f"(« {name[:60]} ») qui contient des « ; », des « , » ou des « | ». "
            "Enregistrez le fichier en CSV séparé par des points-virgules ou des virgules."
        ])


# ---- Excel ---------------------------------------------------------------------------------


def _formula_cells_without_value(number: int, cells: list[object], formulas: Sequence[object]) -> list[str]:
    """Cells of row ``number`` holding a formula whose computed value was never saved."""
    missing = []
    for j, value in enumerate(cells):
        raw = formulas[j] if j < len(formulas) else None
        if value is None and isinstance(raw, str) and raw.startswith("="):
            missing.append(f"{_col_letter(j)}{number}")
    return missing


def _scan_sheet(values_sheet, formula_rows):
    """The first non-blank row as header and the non-blank rows after it, with their line numbers
    and the cells holding a formula without a computed value.

    Returns (header or None, header line, rows, lines, cells without value).
    """
    header: list[str] | None = None
    header_row = 0
    rows: list[list[object]] = []
    lines: list[int] = []
    missing_cells: list[str] = []
    for number, row in enumerate(values_sheet.iter_rows(values_only=True), start=1):
        cells = list(row)
        missing_cells += _formula_cells_without_value(number, cells, next(formula_rows, ()))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        if header is None:
            header = ["" if v is None else str(v).strip() for v in cells]
            header_row = number
            continue
        rows.append(cells)
        lines.append(number)
    return header, header_row, rows, lines, missing_cells


def _excel_frame(header: list[str], header_row: int, rows: list[list[object]], lines: list[int]) -> pd.DataFrame:
    """The rows as a table of the header's named columns; refuse values outside named columns."""
    width = len(header)
    for cells, line in zip(rows, lines, strict=True):
        extra = [v for v in cells[width:] if v is not None and str(v).strip()]
        if extra:
            raise InvalidInput([f"Ligne {line} : des valeurs sont écrites hors des colonnes nommées dans l'en-tête "
                                f"(ligne {header_row}) : donnez un nom à chaque colonne."])
    padded = [list(cells[:width]) + [None] * (width - len(cells[:width])) for cells in rows]
    names = [name or f"__vide_{i}" for i, name in enumerate(header)]
    df = pd.DataFrame(padded, columns=names, dtype=object)
    for i, name in enumerate(header):
        if not name:
            filled = df[names[i]].notna()
            if filled.any():
                raise InvalidInput([f"La colonne {_col_letter(i)} n'a pas de nom dans l'en-tête mais contient "
                                    f"des valeurs (ligne {lines[int(np.flatnonzero(filled.to_numpy())[0])]}) : "
                                    "donnez-lui un nom."])
            df = df.drop(columns=[names[i]])
    return df


def _read_excel(data: bytes, usecols: Sequence[str] | None) -> pd.DataFrame:
    from openpyxl import load_workbook

    try:
        values_book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas_book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise InvalidInput([
            "Le fichier Excel est illisible (fichier endommagé, protégé par mot de passe "
            "ou qui n'est pas au format .xlsx)."
        ]) from exc
    try:
        header, header_row, rows, lines, missing_cells = _scan_sheet(
            values_book.worksheets[0], formulas_book.worksheets[0].iter_rows(values_only=True)
        )
    finally:
        values_book.close()
        formulas_book.close()
    if missing_cells:
        raise InvalidInput([
            f"Des cellules contiennent une formule sans valeur calculée ({_lines_fr(missing_cells)}) : "
            "ouvrez le classeur dans votre tableur, laissez-le recalculer et enregistrez-le, "
            "ou remplacez les formules par leurs valeurs."
        ])
    if header is None:
        raise InvalidInput(["Le fichier est vide."])
    problems = _check_header(header, lambda i: f"colonne {_col_letter(i)}")
    if problems:
        raise InvalidInput(problems)
    df = _excel_frame(header, header_row, rows, lines)
    df = df.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    df.attrs[HEADER_ATTR] = [name for name in header if name]
    if usecols is not None:
        df = df[[c for c in df.columns if c in set(usecols)]]
    if lines != list(range(header_row + 1, header_row + 1 + len(lines))) or header_row != 1:
        df.attrs[LINES_ATTR] = lines
    return df


# ---- entry points --------------------------------------------------------------------------


def read_table(
    data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES, sep: str | None = None,
    usecols: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file; raise ``InvalidInput`` (French) when it cannot be read
    without guessing. ``usecols`` keeps only those columns (large monitoring batches)."""
    size = len(data)
    if size > max_bytes:
        raise InvalidInput([
            f"Le fichier est trop volumineux : {_mo(size)} pour une limite de {_mo(max_bytes)}."
        ])
    if size == 0 or not data.strip():
        raise InvalidInput(["Le fichier est vide."])
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".xls" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InvalidInput([
            "Le format Excel 97-2003 (.xls) n'est pas pris en charge : enregistrez le fichier "
            "au format .xlsx ou CSV."
        ])
    if suffix in _EXCEL_SUFFIXES or (data[:4] == b"PK\x03\x04" and _is_workbook(data)):
        df = _read_excel(data, usecols)
    elif data[:4] == b"PK\x03\x04":
        raise InvalidInput(["Le fichier est une archive zip, pas un tableau : " + _SAVE_AS])
    elif suffix in _CSV_SUFFIXES:
        df = _read_csv(data, sep, usecols)
    else:
        raise InvalidInput([
            f"Type de fichier non pris en charge : « {suffix} ». Formats acceptés : CSV, Excel (.xlsx)."
        ])
    if usecols is not None and df.shape[1] == 0:
        return df  # none of the wanted columns: the caller names them, with the columns found
    if len(df) == 0 or len(df.dropna(how="all")) == 0:
        raise InvalidInput(["Le fichier ne contient aucune ligne de données (seulement l'en-tête)."])
    return df


def _is_workbook(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return True  # let the Excel reader say it is damaged


def line_numbers(df: pd.DataFrame) -> list[int]:
    """The file line of each row of a frame returned by ``read_table`` (header on line 1)."""
    lines = df.attrs.get(LINES_ATTR)
    if lines is not None and len(lines) == len(df):
        return list(lines)
    return list(range(HEADER_OFFSET, HEADER_OFFSET + len(df)))


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


# ---- output --------------------------------------------------------------------------------

#: A cell starting with one of these is read as a formula by spreadsheet programs (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: object) -> object:
    """Neutralise a text cell that a spreadsheet would run as a formula (prefix it with ')."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells can be opened in a spreadsheet without running as formulas."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_text)
    return out
