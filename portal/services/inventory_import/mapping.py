"""Column mappings: the fields an import fills, guessed from the headers, edited and saved."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import pandas as pd

from policies.vocabulary import Automation, Family, Provider, PublicDomain
from portal.services import eurocities
from portal.services.errors import InvalidInput
from portal.services.schemas import SHEET_LABELS, SheetFields
from usecases import loading

FORMATS = ("xlsx", "csv", "eurocities-csv", "eurocities-json")
FORMAT_LABELS = {"xlsx": "Excel (.xlsx)", "csv": "CSV", "eurocities-csv": "Eurocities v0.3.1 (CSV)",
                 "eurocities-json": "Eurocities v0.3.1 (JSON)"}
MAX_BYTES = loading.DEFAULT_MAX_BYTES
MAPPINGS_FILE = "import-mappings.json"

#: Fields a file can fill (people are named in Vigie, not in a file).
FIELDS: tuple[str, ...] = tuple(f for f in SheetFields.model_fields if f not in ("sponsor_id", "lead_id"))
REQUIRED: tuple[str, ...] = ("title", "family", "direction")
#: The file's own reference of a row (not a field: Vigie numbers its use cases), for duplicates and the audit.
REFERENCE = "reference"
LABELS: dict[str, str] = {REFERENCE: "Référence dans le fichier"} | {f: SHEET_LABELS[f] for f in FIELDS}

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
    # the sheet's « Transparence » section, attribute for attribute
    **{attribute: field for attribute, field in eurocities.FROM_RECORD.items() if attribute != "keywords"},
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
