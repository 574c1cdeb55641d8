"""The corpus of bad and awkward files, one folder per entry point that reads a user file.

Each entry point has a clean table (``CLEAN``). Every case turns it into the bytes a person could
give (a spreadsheet's export, a broken file…) and says what must happen: ``SAME`` (accepted, with
results identical to the clean file's) or the French fragments a refusal must contain (one of each
tuple). ``python -m tests.data.bad_inputs.corpus`` writes the files under this folder; the test
reads them from there, so that anyone can open the file behind a failure.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

HERE = Path(__file__).parent
SAME = "same"
REFERENCES = ("UC-TEST-001", "UC-TEST-002", "UC-TEST-003")


@dataclass(frozen=True)
class Entry:
    name: str
    clean: Callable[[], pd.DataFrame]
    number_col: str  # a numerical column to spoil
    key_col: str  # a required column to drop


def _operating_costs() -> pd.DataFrame:
    sample = Path(__file__).parents[3] / "usecases" / "operating_costs" / "sample.csv"
    return pd.read_csv(sample, dtype=str, keep_default_na=False).head(120)


def _budget() -> pd.DataFrame:
    rows = [(ref, str(year), f"{12500.5 + 1000 * i + year % 7:.2f}", f"{800.25 * (i + 1):.2f}", f"{100.75 * i:.2f}")
            for i, ref in enumerate(REFERENCES) for year in (2025, 2026, 2027)]
    return pd.DataFrame(rows, columns=["reference", "year", "voted", "committed", "spent"])


def _batch() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 300
    return pd.DataFrame({"id": [str(i) for i in range(n)],
                         "age": [f"{v:.2f}" for v in rng.normal(44, 10, n)],
                         "commune": rng.choice(["Amiens", "Évreux", "Rouen"], n)})


def _outcomes() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 240
    actual = rng.normal(1200, 150, n)
    return pd.DataFrame({"period": np.where(np.arange(n) < 120, "2026-01", "2026-02"),
                         "actual": [f"{v:.1f}" for v in actual],
                         "prediction": [f"{v + d:.1f}" for v, d in zip(actual, rng.normal(0, 60, n), strict=True)],
                         "overridden": rng.choice(["oui", "non"], n, p=[0.1, 0.9])})


ENTRIES = {
    "analyse": Entry("analyse", _operating_costs, "floor_area", "facility_type"),
    "budget": Entry("budget", _budget, "voted", "reference"),
    "monitor_run": Entry("monitor_run", _batch, "age", "age"),
    "monitor_outcomes": Entry("monitor_outcomes", _outcomes, "actual", "actual"),
}


def _numeric_columns(entry: Entry, df: pd.DataFrame) -> list[str]:
    out = []
    for col in df.columns:
        values = df[col].replace("", np.nan).dropna()
        if col != "year" and len(values) and pd.to_numeric(values, errors="coerce").notna().all() \
                and values.str.contains(r"\.").any():
            out.append(col)
    return out


def _french(entry: Entry, df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in _numeric_columns(entry, df):
        out[col] = out[col].str.replace(".", ",", regex=False)
    return out


def _csv(df: pd.DataFrame, sep: str = ";", encoding: str = "utf-8", newline: str = "\n") -> bytes:
    return df.to_csv(index=False, sep=sep, lineterminator=newline).encode(encoding)


def _unquoted(df: pd.DataFrame, sep: str) -> bytes:
    """Fields joined as a careless export does: a separator inside a value is not quoted."""
    lines = [sep.join(df.columns)] + [sep.join(map(str, row)) for row in df.itertuples(index=False)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _xlsx(df: pd.DataFrame, entry: Entry, formula: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(df.columns))
    numeric = set(_numeric_columns(entry, df)) | ({"year"} & set(df.columns))
    for _, row in df.iterrows():
        sheet.append([float(v) if c in numeric and v != "" else (v if v != "" else None) for c, v in row.items()])
    if formula:  # written by a program, never opened in a spreadsheet: no cached value
        col = list(df.columns).index(entry.number_col) + 1
        sheet.cell(row=4, column=col, value=f"={sheet.cell(row=3, column=col).coordinate}*2")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _spoil(df: pd.DataFrame, col: str, row: int, value: str) -> pd.DataFrame:
    out = df.copy()
    out.loc[row, col] = value
    return out


def _ragged(entry: Entry, df: pd.DataFrame) -> bytes:
    lines = _csv(df).decode().splitlines()
    lines[4] += ";en trop"
    return ("\n".join(lines) + "\n").encode()


def _blank_lines(entry: Entry, df: pd.DataFrame) -> bytes:
    lines = _csv(_french(entry, df)).decode().splitlines()
    lines.insert(3, "")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _duplicate_header(entry: Entry, df: pd.DataFrame) -> bytes:
    other = next(c for c in df.columns if c != entry.number_col)
    return _csv(df.rename(columns={other: entry.number_col}))


def _long_field(entry: Entry, df: pd.DataFrame) -> bytes:
    out = df.copy()
    out["commentaire"] = ""
    out.loc[1, "commentaire"] = "très long " * 20_000
    return _csv(out)


#: case -> (file extension, maker(entry, clean) -> bytes, expectation)
CASES: dict[str, tuple[str, Callable[[Entry, pd.DataFrame], bytes], object]] = {
    "point_virgule_virgule_decimale_cp1252": ("csv", lambda e, d: _csv(_french(e, d), encoding="cp1252"), SAME),
    "classeur": ("xlsx", lambda e, d: _xlsx(d, e), SAME),
    "virgule_bom": ("csv", lambda e, d: _csv(d, ",", "utf-8-sig"), SAME),
    "tabulation": ("tsv", lambda e, d: _csv(d, "\t"), SAME),
    "texte_unicode_utf16": ("txt", lambda e, d: _csv(_french(e, d), "\t", "utf-16", "\r\n"), SAME),
    "lignes_vides_crlf": ("csv", _blank_lines, SAME),
    "champ_tres_long": ("csv", _long_field, SAME),
    "virgule_et_virgule_decimale": ("csv", lambda e, d: _unquoted(_french(e, d), ","), [("Lecture ambiguë",), ("ligne",)]),
    "infini": ("csv", lambda e, d: _csv(_spoil(d, e.number_col, 2, "inf")), [("fini",), ("ligne 4",)]),
    "hors_limites_1e309": ("csv", lambda e, d: _csv(_spoil(d, e.number_col, 4, "1e309")), [("fini",), ("ligne 6",)]),
    "texte_dans_un_nombre": ("csv", lambda e, d: _csv(_spoil(d, e.number_col, 6, "douze")),
                             [("douze",), ("ligne 8",)]),
    "en_tete_en_double": ("csv", _duplicate_header, [("apparaît deux fois",)]),
    "ligne_trop_longue": ("csv", _ragged, [("plus de champs",), ("ligne 5",)]),
    "colonne_manquante": ("csv", lambda e, d: _csv(d.drop(columns=[e.key_col])), [("manquante", "absente")]),
    "vide": ("csv", lambda e, d: b"", [("vide",)]),
    "en_tete_seulement": ("csv", lambda e, d: _csv(d.head(0)), [("aucune ligne",)]),
    "mauvais_separateur": ("csv", lambda e, d: _csv(d, "|"), [("séparateur",)]),
    "binaire": ("csv", lambda e, d: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, [("binaire",)]),
    "formule_sans_valeur": ("xlsx", lambda e, d: _xlsx(d, e, formula=True), [("formule",), ("4",)]),
}


def path_of(entry: str, case: str) -> Path:
    return HERE / entry / f"{case}.{CASES[case][0]}"


def write_all() -> None:
    for name, entry in ENTRIES.items():
        clean = entry.clean()
        (HERE / name).mkdir(exist_ok=True)
        (HERE / name / "propre.csv").write_bytes(_csv(clean))
        for case, (_, make, _) in CASES.items():
            path_of(name, case).write_bytes(make(entry, clean))


if __name__ == "__main__":
    write_all()
