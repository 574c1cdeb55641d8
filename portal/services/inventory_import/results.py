"""What an import returns: each row's result, the preview and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pandas as pd

from policies.vocabulary import Family
from portal.services.inventory_import.mapping import (
    LABELS,
    REFERENCE,
    ColumnMapping,
)

# ---- results ------------------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    where: str  # « Ligne 12 » or « Fiche n° 3 »
    reference: str | None
    data: dict[str, Any]  # the validated fields, as SheetFields accepts them
    problems: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # French, « UC-2026-003 — title (…) »
    extra: dict[str, str] = field(default_factory=dict)  # source values no field holds
    reference_column: str = LABELS[REFERENCE]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ImportPreview:
    fmt: str
    filename: str
    sha256: str
    headers: list[str]
    mapping: ColumnMapping
    mapping_source: str  # « devinée », « enregistrée », « fournie », « standard Eurocities »
    rows: list[RowResult]
    ignored_columns: list[str]
    file_problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok]

    @property
    def invalid(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def flagged(self) -> list[RowResult]:
        return [r for r in self.rows if r.duplicates]

    def problems(self) -> list[str]:
        return [*self.file_problems, *(p for r in self.rows for p in r.problems)]

    def table(self) -> pd.DataFrame:
        """One row per source row: where, what would be created, status, problems, duplicates."""
        return pd.DataFrame([{
            "Ligne": r.where, "Référence source": r.reference or "", "Titre": r.data.get("title") or "",
            "Famille": _label(Family, r.data.get("family")), "Direction": r.data.get("direction") or "",
            "Statut": "à corriger" if r.problems else ("doublon probable" if r.duplicates else "prête"),
            "Problèmes": " ; ".join(r.problems), "Doublons probables": " ; ".join(r.duplicates),
        } for r in self.rows])


def _label(enum: type[Enum], value: Any) -> str:
    try:
        return enum(value).label  # type: ignore[attr-defined]
    except ValueError:
        return ""


@dataclass
class ImportReport:
    preview: ImportPreview
    created: list[tuple[str, str]]  # (where, Vigie reference)
    refused: list[RowResult]
    skipped_duplicates: list[RowResult]
    dry_run: bool

    def lines(self) -> list[str]:
        """Every row accounted for, in French."""
        out = [f"{where} : créée ({reference})." for where, reference in self.created]
        if self.dry_run:
            out = [f"{r.where} : serait créée." for r in self.preview.valid if r not in self.skipped_duplicates]
        out += [f"{r.where} : écartée, doublon probable de {' ; '.join(r.duplicates)}."
                for r in self.skipped_duplicates]
        out += [p for r in self.refused for p in r.problems]
        return out

    def message(self) -> str:
        n = len(self.preview.rows)
        done = len(self.preview.valid) - len(self.skipped_duplicates) if self.dry_run else len(self.created)
        verb = "seraient créés" if self.dry_run else "créé(s)"
        return (f"{n} ligne(s) lue(s) : {done} cas d'usage {verb}, {len(self.refused)} refusée(s), "
                f"{len(self.skipped_duplicates)} doublon(s) probable(s) écarté(s)"
                + (" (essai : rien n'a été enregistré)." if self.dry_run else "."))
