"""Bring in the inventory a collectivité already keeps: a spreadsheet (CSV or Excel) of its
algorithms, or a register in the Eurocities Algorithmic Transparency Standard v0.3.1 (CSV or JSON).

Steps, the same from the page and from ``vigie import``:

1. **read** the file with the strict reader of user files (:func:`usecases.loading.read_table`:
   ``;`` or ``,``, decimal comma, UTF-8 with or without BOM, Windows-1252/Latin-1, Excel), or the
   Eurocities JSON (``{"registrations": [...]}`` or a list);
2. **map** the columns onto the sheet's fields: guessed from the headers (French labels, field codes,
   usual synonyms), or the mapping saved for files with the same headers, or one given; a mapping
   also holds default values (the family, a direction) for what the file does not say. The Eurocities
   attributes map by the standard (the inverse of :mod:`portal.services.eurocities`);
3. **preview**: every row validated like the form (``UseCaseFields``), with French problems naming the
   row, the column and the problem, and likely duplicates (similar title, same service or provider,
   in the register or earlier in the file) flagged for the person to decide;
4. **import**: all or nothing (one bad row and nothing is written), or the valid rows only (each
   refused row listed with its reason). Creation goes through :meth:`RegisterService.create_many`:
   the role check, one transaction, and one audit event per use case carrying the source file's
   SHA-256, its line and the values of the row that no field of the sheet holds, so nothing the
   file said is lost.

Mappings are saved as JSON in the data folder (``import-mappings.json``), keyed by format and headers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path, PurePath
from typing import Any

import pandas as pd
from pydantic import ValidationError

from policies.access import require
from policies.vocabulary import Action, Automation, Family, Principal, Provider, PublicDomain
from portal.services import eurocities
from portal.services.audit import AuditService
from portal.services.errors import InvalidInput
from portal.services.register import RegisterService
from portal.services.schemas import USE_CASE_LABELS, UseCaseFields, UseCaseView
from portal.services.validation import french_problems
from usecases import loading, parsing

FORMATS = ("xlsx", "csv", "eurocities-csv", "eurocities-json")
FORMAT_LABELS = {"xlsx": "Excel (.xlsx)", "csv": "CSV", "eurocities-csv": "Eurocities v0.3.1 (CSV)",
                 "eurocities-json": "Eurocities v0.3.1 (JSON)"}
MAX_BYTES = loading.DEFAULT_MAX_BYTES
MAPPINGS_FILE = "import-mappings.json"

#: Fields a file can fill (people are named in Vigie, not in a file).
FIELDS: tuple[str, ...] = tuple(f for f in UseCaseFields.model_fields if f not in ("sponsor_id", "lead_id"))
REQUIRED: tuple[str, ...] = ("title", "family", "direction")
#: The file's own reference of a row (not a field: Vigie numbers its use cases), for duplicates and the audit.
REFERENCE = "reference"
LABELS: dict[str, str] = {REFERENCE: "Référence dans le fichier"} | {f: USE_CASE_LABELS[f] for f in FIELDS}

_ENUMS: dict[str, type[Enum]] = {"family": Family, "domain": PublicDomain, "automation": Automation,
                                 "provider_type": Provider}
_INTEGERS = ("decisions_per_year",)
_FLOATS = ("kpi_baseline", "kpi_target", "build_cost", "run_cost_per_year")
_DATES = ("start_date", "end_date")

#: Header synonyms (compared without accents, case, punctuation or units), besides labels and codes.
SYNONYMS: dict[str, tuple[str, ...]] = {
    REFERENCE: ("reference", "ref", "identifiant", "id", "numero", "n", "code"),
    "title": ("intitule", "nom", "nom de l algorithme", "nom du traitement", "titre", "libelle", "name",
              "cas d usage", "algorithme"),
    "problem": ("description", "probleme", "finalite", "objectif", "objet", "finalite de l algorithme", "goal"),
    "family": ("famille", "categorie", "famille de cas d usage"),
    "domain": ("domaine", "domaine d action publique", "politique publique"),
    "direction": ("direction", "direction porteuse", "pole", "departement", "department"),
    "service": ("service", "service porteur", "service utilisateur"),
    "public_concerned": ("public", "public concerne", "usagers concernes", "personnes concernees"),
    "decisions_per_year": ("decisions par an", "nombre de decisions par an", "volume annuel"),
    "automation": ("automatisation", "niveau d automatisation", "niveau d automatisation de la decision"),
    "human_role": ("role de l agent", "intervention humaine", "controle humain",
                   "comment et quand l algorithme intervient dans la decision"),
    "provider_type": ("type de fournisseur", "conception", "mode de conception"),
    "provider_name": ("fournisseur", "prestataire", "editeur", "solution", "titulaire"),
    "expected_benefits": ("benefices attendus", "gains attendus", "benefices"),
    "kpi_name": ("indicateur", "kpi", "indicateur kpi"),
    "kpi_unit": ("unite", "unite du kpi", "unite de l indicateur"),
    "kpi_baseline": ("valeur de reference", "valeur de reference du kpi", "reference du kpi"),
    "kpi_target": ("cible", "cible du kpi", "valeur cible"),
    "build_cost": ("cout de construction", "cout d investissement", "investissement", "cout de realisation"),
    "run_cost_per_year": ("cout de fonctionnement annuel", "cout annuel", "cout de fonctionnement",
                          "fonctionnement annuel"),
    "start_date": ("date de debut", "debut", "date de mise en service"),
    "end_date": ("date de fin", "fin"),
    "tags": ("mots cles", "etiquettes", "tags", "keywords"),
}

#: The Eurocities attributes read into the sheet's fields (the others are kept in the audit event).
EUROCITIES_FIELDS: dict[str, str] = {
    "name": "title", "goal": "problem", "description_short": "problem", "department": "direction",
    "domain": "domain", "impact": "public_concerned", "decision_making_process": "human_role",
    "human_intervention": "automation", "keywords": "tags",
}
_EUROCITIES_DOMAIN = {v: k.value for k, v in eurocities._DOMAIN.items()}
_EUROCITIES_REFERENCE = "uuid"
MAX_SHOWN_PROBLEMS = 200


# ---- small helpers ------------------------------------------------------------------------------


def norm(text: object) -> str:
    """Lower case, no accents, words separated by one space (for headers, enumerations, titles)."""
    raw = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    raw = re.sub(r"\(.*?\)|€", " ", raw)
    return re.sub(r"[^a-z0-9]+", " ", raw).strip()


def _cell(value: object) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value).strip()
    return text or None


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _where(line: int, json_entries: bool) -> str:
    return f"Fiche n° {line}" if json_entries else f"Ligne {line}"


# ---- mappings -----------------------------------------------------------------------------------


@dataclass
class ColumnMapping:
    """Which source column feeds which field, and the values used where the file says nothing."""

    columns: dict[str, str] = field(default_factory=dict)  # field (or "reference") -> source column
    defaults: dict[str, str] = field(default_factory=dict)  # field -> value (code or French label)

    def to_json(self) -> dict[str, Any]:
        return {"columns": dict(self.columns), "defaults": dict(self.defaults)}

    @classmethod
    def from_json(cls, data: Any) -> ColumnMapping:
        problems = []
        if not isinstance(data, dict):
            raise InvalidInput(["Correspondance de colonnes illisible : un objet JSON {\"columns\": …, "
                                "\"defaults\": …} est attendu."])
        columns = data.get("columns") or {}
        defaults = data.get("defaults") or {}
        if not isinstance(columns, dict) or not isinstance(defaults, dict):
            raise InvalidInput(["Correspondance de colonnes illisible : « columns » et « defaults » sont des objets."])
        for name in [*columns, *defaults]:
            if name not in LABELS:
                problems.append(f"Correspondance : champ « {name} » inconnu (champs possibles : "
                                f"{', '.join(LABELS)}).")
        if problems:
            raise InvalidInput(problems)
        return cls({k: str(v) for k, v in columns.items() if v}, {k: str(v) for k, v in defaults.items() if v})


def guess_mapping(headers: Iterable[str]) -> ColumnMapping:
    """Each field from the first header that names it (label, code or synonym), each header used once."""
    keys = {h: norm(h) for h in headers}
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in LABELS:
        names = {norm(LABELS[name]), norm(name), *SYNONYMS.get(name, ())}
        for header, key in keys.items():
            if header not in used and key in names:
                out[name] = header
                used.add(header)
                break
    return ColumnMapping(out)


def _signature(fmt: str, headers: Iterable[str]) -> str:
    text = fmt + "|" + "|".join(sorted(norm(h) for h in headers))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---- results ------------------------------------------------------------------------------------


@dataclass
class RowResult:
    line: int
    where: str  # « Ligne 12 » or « Fiche n° 3 »
    reference: str | None
    data: dict[str, Any]  # the validated fields, as UseCaseFields accepts them
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
                data = UseCaseFields.model_validate(data).model_dump(mode="json", exclude_none=True)
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


def likely_duplicates(data: Mapping[str, Any], existing: Iterable[UseCaseView],
                      exclude_id: int | None = None) -> list[tuple[UseCaseView, str]]:
    """Use cases of the register that ``data`` (a title, a service, a provider) probably repeats:
    a very similar title, or a similar title with the same service or the same provider."""
    title = norm(data.get("title") or "")
    if not title:
        return []
    words = {w for w in title.split() if len(w) > 2}
    service = norm(data.get("service") or "")
    provider = norm(data.get("provider_name") or "")
    out = []
    for uc in existing:
        if uc.id == exclude_id:
            continue
        other = norm(uc.title)
        if not (words & {w for w in other.split() if len(w) > 2}) and title != other:
            continue
        matcher = difflib.SequenceMatcher(None, title, other)
        if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:  # cheap upper bounds first
            continue
        ratio = matcher.ratio()
        same_service = bool(service) and service == norm(uc.service or "")
        same_provider = bool(provider) and provider == norm(uc.provider_name or "")
        if ratio >= 0.85:
            out.append((uc, "titre très proche"))
        elif ratio >= 0.6 and (same_service or same_provider):
            out.append((uc, "titre proche, même " + ("service" if same_service else "fournisseur")))
    return out


def _fix(problem: str) -> str:
    """Shorten what a problem quotes (a long text quoted whole is unreadable)."""
    return re.sub(r"\(reçu : « (.{80}).* »\)", lambda m: f"(reçu : « {m.group(1)}… »)", problem, flags=re.S) \
        if len(problem) > 300 else problem


def _convert(name: str, text: str | None) -> tuple[Any, str | None]:
    """A cell's text as the field's value, or a French problem."""
    if text is None:
        return None, None
    if name in _ENUMS:
        enum = _ENUMS[name]
        key = norm(text)
        for member in enum:
            if key in (norm(member.value), norm(member.label)):  # type: ignore[attr-defined]
                return member.value, None
        if name == "domain" and text.strip().lower() in _EUROCITIES_DOMAIN:
            return _EUROCITIES_DOMAIN[text.strip().lower()], None
        allowed = ", ".join(f"« {m.label} »" for m in enum)  # type: ignore[attr-defined]
        return None, f"valeur « {_short(text, 60)} » non prévue ; valeurs possibles : {allowed}."
    if name in _INTEGERS or name in _FLOATS:
        cleaned = re.sub(r"[€\s\u00a0\u202f]", "", text)
        if parsing.is_non_finite(cleaned):
            return None, f"« {_short(text, 40)} » n'est pas un nombre fini."
        number = parsing.to_number(pd.Series([cleaned], dtype=object)).iloc[0]
        if pd.isna(number):
            return None, f"« {_short(text, 40)} » n'est pas un nombre (exemple : 12 500,50)."
        if name in _INTEGERS:
            if not float(number).is_integer():
                return None, f"« {_short(text, 40)} » n'est pas un nombre entier."
            return int(number), None
        return float(number), None
    if name in _DATES:
        parsed = parsing.to_datetime(pd.Series([text], dtype=object)).iloc[0]
        if pd.isna(parsed):
            return None, f"« {_short(text, 40)} » n'est pas une date (jj/mm/aaaa)."
        return parsed.date().isoformat(), None
    if name == "tags":
        return [t.strip() for t in re.split(r"[;,]", text) if t.strip()], None
    return text, None


# ---- Eurocities --------------------------------------------------------------------------------


def _json_records(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    if len(data) > MAX_BYTES:
        raise InvalidInput([f"Le fichier est trop volumineux : {len(data) / 1048576:.1f} Mo pour une limite de "
                            f"{MAX_BYTES / 1048576:.1f} Mo.".replace(".", ",")])
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput(["Le fichier JSON n'est pas en UTF-8 : enregistrez-le en UTF-8."]) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput([f"JSON illisible : {exc.msg} (ligne {exc.lineno}, colonne {exc.colno})."]) from None
    entries = doc.get("registrations") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise InvalidInput(["Registre Eurocities attendu : une liste de fiches, ou un objet avec « registrations »."])
    if not entries:
        raise InvalidInput(["Le registre ne contient aucune fiche."])
    records: list[tuple[int, dict[str, Any]]] = []
    headers: list[str] = []
    problems = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"Fiche n° {i} : un objet JSON est attendu.")
            continue
        for key in entry:
            if key not in headers:
                headers.append(str(key))
        records.append((i, entry))
    if problems:
        raise InvalidInput(problems[:MAX_SHOWN_PROBLEMS])
    return headers, records


def _from_eurocities(record: Mapping[str, Any]) -> tuple[dict[str, str | None], dict[str, str], dict[str, str]]:
    """(field texts, field -> attribute it came from, attributes no field holds) of one registration."""
    values = {str(k): _cell(v) for k, v in record.items()}
    raw: dict[str, str | None] = {}
    columns: dict[str, str] = {}

    def put(name: str, value: str | None, attribute: str) -> None:
        if value is not None and raw.get(name) is None:
            raw[name] = value
            columns[name] = attribute

    put(REFERENCE, values.get(_EUROCITIES_REFERENCE), _EUROCITIES_REFERENCE)
    put("title", values.get("name"), "name")
    put("problem", values.get("goal"), "goal")
    put("problem", values.get("description_short"), "description_short")
    department = values.get("department")
    if department:
        direction, _, service = department.partition(" — ")
        put("direction", direction.strip() or None, "department")
        put("service", service.strip() or None, "department")
    put("domain", values.get("domain"), "domain")
    impact = values.get("impact") or ""
    public = re.search(r"public concerné : (.*?)(?:; (?:fonde des|ne fonde pas|décisions par an)|$)", impact, re.S)
    if public:
        put("public_concerned", public.group(1).strip() or None, "impact")
    decisions = re.search(r"décisions par an : (\d+)", impact)
    if decisions:
        put("decisions_per_year", decisions.group(1), "impact")
    if impact and not public and not decisions:
        put("public_concerned", impact, "impact")
    put("human_role", values.get("decision_making_process"), "decision_making_process")
    intervention = values.get("human_intervention") or ""
    label = intervention.split(";")[0].strip()
    if any(norm(label) == norm(m.label) for m in Automation):
        put("automation", label, "human_intervention")
    put("tags", values.get("keywords"), "keywords")
    read = set(columns.values())
    # everything else, and what was only partly read, stays in the audit event
    extra = {k: v for k, v in values.items() if v is not None and (k not in read or k in ("impact",
                                                                                         "human_intervention"))}
    return raw, columns, extra
