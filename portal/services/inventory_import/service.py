"""The import service: read, map, preview, check duplicates, create through the register."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any

from pydantic import ValidationError

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.services import eurocities
from portal.services.audit import AuditService
from portal.services.errors import InvalidInput
from portal.services.inventory_import.mapping import (
    FIELDS,
    FORMATS,
    LABELS,
    MAPPINGS_FILE,
    MAX_BYTES,
    MAX_SHOWN_PROBLEMS,
    REFERENCE,
    REQUIRED,
    ColumnMapping,
    _cell,
    _short,
    _signature,
    _where,
    guess_mapping,
    norm,
)
from portal.services.inventory_import.results import (
    ImportPreview,
    ImportReport,
    RowResult,
)
from portal.services.inventory_import.rows import (
    _convert,
    _fix,
    _from_eurocities,
    _json_records,
    likely_duplicates,
)
from portal.services.register import RegisterService
from portal.services.schemas import SheetFields, UseCaseView
from portal.services.validation import french_problems
from usecases import loading

# ---- the service --------------------------------------------------------------------------------


class InventoryImportService:
    def __init__(self, register: RegisterService, audit_service: AuditService, data_dir: Path) -> None:
        self._register = register
        self._audit = audit_service
        self.data_dir = Path(data_dir)

    # ---- saved mappings --------------------------------------------------------------------

    def _mappings_path(self) -> Path:
        return self.data_dir / MAPPINGS_FILE

    def _saved(self) -> dict[str, Any]:
        path = self._mappings_path()
        if not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def saved_mapping(self, fmt: str, headers: Iterable[str]) -> ColumnMapping | None:
        entry = self._saved().get(_signature(fmt, headers))
        if not entry:
            return None
        try:
            return ColumnMapping.from_json(entry.get("mapping"))
        except InvalidInput:
            return None

    def save_mapping(self, principal: Principal, fmt: str, headers: Iterable[str], mapping: ColumnMapping) -> None:
        """Keep ``mapping`` for the next file of this format with the same headers (audited)."""
        require(principal, Action.CREATE_USE_CASE)
        headers = list(headers)
        ColumnMapping.from_json(mapping.to_json())  # validates the field names
        saved = self._saved()
        key = _signature(fmt, headers)
        saved[key] = {"format": fmt, "headers": headers, "mapping": mapping.to_json(),
                      "saved_by": principal.display_name,
                      "saved_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        path = self._mappings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(saved, ensure_ascii=False, indent=2), encoding="utf-8")
        tmp.replace(path)
        self._audit.record(principal, "save_import_mapping", "import_mapping", key,
                           details={"format": fmt, "mapping": mapping.to_json()})

    # ---- reading ---------------------------------------------------------------------------

    def _records(self, data: bytes, filename: str, fmt: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
        if fmt not in FORMATS:
            raise InvalidInput([f"Format d'import inconnu : « {fmt} » (formats : {', '.join(FORMATS)})."])
        if fmt == "eurocities-json":
            return _json_records(data)
        suffix = PurePath(filename).suffix.lower()
        if fmt == "xlsx" and suffix not in (".xlsx", ".xlsm"):
            filename = f"{PurePath(filename).stem or 'inventaire'}.xlsx"
        if fmt in ("csv", "eurocities-csv") and suffix not in (".csv", ".txt", ".tsv"):
            filename = f"{PurePath(filename).stem or 'inventaire'}.csv"
        try:
            df = loading.read_table(data, filename, max_bytes=MAX_BYTES)
        except loading.InvalidInput as exc:
            raise InvalidInput(exc.problems) from None
        headers = [str(c) for c in df.columns]
        lines = loading.line_numbers(df)
        records = [(line, dict(zip(headers, values, strict=True)))
                   for line, values in zip(lines, df.itertuples(index=False, name=None), strict=True)]
        return headers, records

    # ---- preview ---------------------------------------------------------------------------

    def preview(self, principal: Principal, data: bytes, filename: str, fmt: str,
                mapping: ColumnMapping | None = None) -> ImportPreview:
        """Every row read, mapped and validated; nothing is written."""
        require(principal, Action.CREATE_USE_CASE)
        headers, records = self._records(data, filename, fmt)
        sha = hashlib.sha256(data).hexdigest()
        eurocities_fmt = fmt.startswith("eurocities")
        if mapping is not None:
            source = "fournie"
        elif (saved := self.saved_mapping(fmt, headers)) is not None:
            mapping, source = saved, "enregistrée"
        elif eurocities_fmt:
            mapping, source = ColumnMapping(), "standard Eurocities"
        else:
            mapping, source = guess_mapping(headers), "devinée"
        problems: list[str] = []
        if eurocities_fmt:
            ignored = [h for h in headers if h not in eurocities.ATTRIBUTES]
            if "name" not in headers:
                problems.append("Colonne « name » (nom de l'algorithme) absente : ce n'est pas un registre au "
                                f"standard Eurocities v{eurocities.VERSION}.")
            absent_defaults = [f for f in ("family",) if f not in mapping.defaults]
            if absent_defaults and not problems:
                problems.append("Le standard Eurocities ne dit pas la famille du cas d'usage : choisissez une "
                                "famille par défaut dans la correspondance (champ « family »).")
        else:
            ignored = [h for h in headers if h not in mapping.columns.values()]
            unknown = [c for c in mapping.columns.values() if c not in headers]
            if unknown:
                problems.append("Correspondance : colonne(s) absente(s) du fichier : "
                                + ", ".join(f"« {c} »" for c in unknown) + ".")
            missing = [LABELS[f] for f in REQUIRED if f not in mapping.columns and f not in mapping.defaults]
            if missing:
                problems.append("Colonne(s) obligatoire(s) introuvable(s) : " + ", ".join(f"« {m} »" for m in missing)
                                + f". En-têtes du fichier : {', '.join(headers)}. Indiquez la colonne de chacune "
                                "ou une valeur par défaut dans la correspondance.")
        rows: list[RowResult] = []
        if not problems:
            rows = [self._row(line, record, mapping, fmt) for line, record in records]
            self._flag_duplicates(rows)
        return ImportPreview(fmt, filename, sha, headers, mapping, source, rows, ignored, problems)

    def _row(self, line: int, record: dict[str, Any], mapping: ColumnMapping, fmt: str) -> RowResult:
        where = _where(line, fmt == "eurocities-json")
        problems: list[str] = []
        raw: dict[str, str | None] = {}
        columns: dict[str, str] = {}
        extra: dict[str, str] = {}
        if fmt.startswith("eurocities"):
            raw, columns, extra = _from_eurocities(record)
        else:
            used = set(mapping.columns.values())
            for name, column in mapping.columns.items():
                raw[name] = _cell(record.get(column))
                columns[name] = column
            extra = {h: text for h, v in record.items() if h not in used and (text := _cell(v)) is not None}
        for name, text in list(raw.items()):
            if text is None:
                continue
            if text.startswith("'") and text[1:2] in loading.FORMULA_PREFIXES:
                raw[name] = text = text[1:]  # neutralised by an export (Vigie's own, for one)
            elif text.startswith(("=", "@")) or re.match(r"[+-]\s*[A-Za-z_.]+\s*\(", text):
                problems.append(f"{where} — Colonne « {columns[name]} » ({LABELS[name]}) : formule de tableur refusée "
                                f"(« {_short(text, 40)} ») ; saisissez la valeur elle-même.")
                raw[name] = None
        for name, value in mapping.defaults.items():
            if raw.get(name) is None:
                raw[name] = value
                columns.setdefault(name, f"valeur par défaut de « {LABELS[name]} »")
        reference = raw.pop(REFERENCE, None)
        data: dict[str, Any] = {}
        for name, text in raw.items():
            if name == REFERENCE or name not in FIELDS:
                continue
            value, problem = _convert(name, text)
            if problem:
                problems.append(f"{where} — Colonne « {columns.get(name, LABELS[name])} » ({LABELS[name]}) : "
                                f"{problem}")
                continue
            if value is not None:
                data[name] = value
        for name in REQUIRED:
            if data.get(name) is None and not any(f"({LABELS[name]})" in p for p in problems):
                problems.append(f"{where} — Colonne « {columns.get(name, LABELS[name])} » ({LABELS[name]}) : "
                                "obligatoire, la cellule est vide.")
        if not problems:
            try:
                data = SheetFields.model_validate(data).model_dump(mode="json", exclude_none=True)
            except ValidationError as exc:
                marks = {n: f"\x00{n}\x00" for n in LABELS}
                for p in french_problems(exc, marks, row=line):
                    p = p.replace(f"Ligne {line} — ", f"{where} — ", 1)
                    for n in LABELS:
                        p = p.replace(f"Champ « \x00{n}\x00 »",
                                      f"Colonne « {columns.get(n, LABELS[n])} » ({LABELS[n]})")
                    problems.append(_fix(p))
        return RowResult(line, where, reference, data, problems, [], extra,
                         columns.get(REFERENCE, LABELS[REFERENCE]))

    def _flag_duplicates(self, rows: list[RowResult]) -> None:
        existing = self._register.list()
        seen_refs: dict[str, str] = {}
        seen_titles: dict[str, str] = {}
        for row in rows:
            if row.reference:
                if row.reference in seen_refs:
                    row.problems.append(f"{row.where} — Colonne « {row.reference_column} » : « {row.reference} » "
                                        f"figure déjà en {seen_refs[row.reference].lower()} (référence en double).")
                else:
                    seen_refs[row.reference] = row.where
            title = row.data.get("title")
            if not title:
                continue
            row.duplicates = [f"{uc.reference} — {uc.title}" + (f" ({why})" if why else "")
                              for uc, why in likely_duplicates(row.data, existing)]
            key = norm(title)
            if key in seen_titles:
                row.duplicates.append(f"{seen_titles[key].lower()} du fichier (même titre)")
            else:
                seen_titles[key] = row.where

    def duplicates_for(self, data: Mapping[str, Any], exclude_id: int | None = None) -> list[tuple[UseCaseView, str]]:
        """Use cases of the register that a new sheet (``data``: title, service, provider) probably repeats."""
        return likely_duplicates(data, self._register.list(), exclude_id)

    # ---- import ----------------------------------------------------------------------------

    def run(self, principal: Principal, data: bytes, filename: str, fmt: str, mapping: ColumnMapping | None = None,
            *, all_or_nothing: bool = True, skip_duplicates: bool = False, dry_run: bool = False,
            today: dt.date | None = None) -> ImportReport:
        """Import the file: every valid row, or none at all when one row is refused (``all_or_nothing``)."""
        preview = self.preview(principal, data, filename, fmt, mapping)
        if preview.file_problems:
            raise InvalidInput(preview.file_problems)
        invalid = preview.invalid
        if all_or_nothing and invalid:
            problems = [p for r in invalid for p in r.problems]
            shown = problems[:MAX_SHOWN_PROBLEMS]
            if len(problems) > len(shown):
                shown.append(f"… et {len(problems) - len(shown)} autre(s) problème(s).")
            raise InvalidInput([f"Import « tout ou rien » : {len(invalid)} ligne(s) sur {len(preview.rows)} en "
                                "erreur, aucun cas d'usage n'a été créé.", *shown])
        skipped = [r for r in preview.valid if r.duplicates] if skip_duplicates else []
        chosen = [r for r in preview.valid if r not in skipped]
        created: list[tuple[str, str]] = []
        if not dry_run and chosen:
            items: list[tuple[dict[str, Any], dict[str, Any] | None]] = [(r.data, {"import": {
                "file": PurePath(filename).name, "sha256": preview.sha256, "format": fmt, "where": r.where,
                "source_reference": r.reference, "unmapped": r.extra,
                "likely_duplicates": r.duplicates}}) for r in chosen]
            ids = self._register.create_many(principal, items, today=today)
            refs = {uc.id: uc.reference for uc in self._register.list()}
            created = [(r.where, refs[i]) for r, i in zip(chosen, ids, strict=True)]
        return ImportReport(preview, created, invalid, skipped, dry_run)
