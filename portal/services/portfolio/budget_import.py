"""Budget lines from a finance export: one row per use case and year (voted, committed, spent).

Finance departments keep their figures in their accounting software and export them to a
spreadsheet; retyping them line by line in each sheet is where errors creep in. This module reads
such a table (CSV or Excel, French or code headers, French number formats) into validated rows,
or a list of French problems naming the line and the column. It writes nothing: the portfolio
service applies the rows in one transaction, all or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from pydantic import BaseModel, ValidationError

from portal.services.validation import french_problems
from usecases import loading, parsing

#: Accepted headers (accents, case, « (€) » and spaces ignored) for each field.
HEADERS: dict[str, tuple[str, ...]] = {
    "reference": ("reference", "cas d'usage", "cas dusage", "ref"),
    "year": ("year", "annee", "exercice"),
    "voted": ("voted", "vote", "budget vote", "credits votes"),
    "committed": ("committed", "engage", "montant engage", "engagements"),
    "spent": ("spent", "depense", "mandate", "realise", "depenses"),
}
LABELS = {"reference": "Référence", "year": "Année", "voted": "Voté (€)", "committed": "Engagé (€)",
          "spent": "Dépensé (€)"}
#: Problems listed before « … et N autres » (a wrong file gives one per line).
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class BudgetRow:
    line: int  # as a spreadsheet shows it: the header is line 1
    reference: str
    fields: dict[str, float | int]


def _key(header: str) -> str:
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\(.*?\)|€|eur\b", " ", text)
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip()


def _columns(df: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    found: dict[str, str] = {}
    for col in df.columns:
        for field, names in HEADERS.items():
            if _key(col) in names and field not in found:
                found[field] = col
    missing = [LABELS[f] for f in HEADERS if f not in found]
    return found, missing


def _amount(value: object) -> object:
    """« 12 500,50 € », « 12500.5 », 12500 → a float; anything else is left for validation to name."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, int | float):
        return float(value)
    if parsing.is_non_finite(value):
        return str(value).strip()  # « inf », « 1e309 »: named by validation, never stored
    text = re.sub(r"[\s\u00a0\u202f€]", "", str(value))
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", text):  # 12.500,50: dots group thousands
        text = text.replace(".", "")
    text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return str(value).strip()


def _year(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def parse(df: pd.DataFrame, known: Mapping[str, int], model: type[BaseModel]) -> tuple[list[BudgetRow], list[str]]:
    """Rows validated against ``model`` (the service's budget fields), or the problems found.

    ``known`` maps the references of the register to their ids. Every problem names its line; the
    same (reference, year) twice in the file is a problem too (which figure would win?).
    """
    columns, missing = _columns(df)
    if missing:
        return [], [f"Colonne(s) absente(s) : {', '.join(missing)}. En-têtes attendus : "
                    f"{', '.join(LABELS.values())} (ou reference, year, voted, committed, spent)."]
    rows: list[BudgetRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, object], int] = {}
    for line, record in zip(loading.line_numbers(df), df.to_dict("records"), strict=True):
        reference = str(record[columns["reference"]] or "").strip()
        if not reference or reference.lower() == "nan":
            problems.append(f"Ligne {line} — Champ « Référence » : obligatoire.")
            continue
        if reference not in known:
            problems.append(f"Ligne {line} — Champ « Référence » : cas d'usage « {reference} » inconnu du registre.")
            continue
        data = {"year": _year(record[columns["year"]]),
                **{f: _amount(record[columns[f]]) for f in ("voted", "committed", "spent")}}
        data = {k: (0.0 if v is None and k != "year" else v) for k, v in data.items()}
        try:
            fields = model.model_validate(data).model_dump()
        except ValidationError as exc:
            problems += french_problems(exc, LABELS, row=line)
            continue
        key = (reference, fields["year"])
        if key in seen:
            problems.append(f"Ligne {line} — {reference}, année {fields['year']} : déjà à la ligne {seen[key]} "
                            "du fichier (une seule ligne par cas d'usage et par année).")
            continue
        seen[key] = line
        rows.append(BudgetRow(line, reference, fields))
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], f"… et {len(problems) - MAX_PROBLEMS} autre(s) problème(s)."]
    return rows, problems
