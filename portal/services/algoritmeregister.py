"""A published register entry in the Dutch Algorithm Register's publication standard 1.0
(« Algoritmeregister publicatiestandaard », the JSON its register imports).

The standard's attributes and permitted values are those of the register's own configuration
(``MinBZK/Algoritmeregister``, ``backend/app/schemas/config/v1_0.json``): ``name`` (100 characters),
``organization``, ``description_short`` (350), ``category`` (up to three of 16 themes), ``status``
(In ontwikkeling, In gebruik, Buiten gebruik), ``begin_date`` and ``end_date`` (``YYYY-MM``),
``contact_email``, ``website``, ``publication_category`` (Hoog-risico AI-systeem, Impactvolle
algoritmes, Overige algoritmes), ``url``, ``goal``, ``proportionality``, ``human_intervention``,
``risks``, ``lawful_basis`` and ``lawful_basis_grouping``, ``process_index_url``, ``impacttoetsen``
and ``impacttoetsen_grouping``, ``source_data`` and ``source_data_grouping``, ``methods_and_models``,
``provider``, ``publiccode``, ``lang``, ``standard_version``, ``source_id``, ``tags`` (``lars`` is
given by the register itself).

Like :mod:`portal.services.eurocities` it reads only the published snapshot (the Etalab fields and
the sheet's « Transparence » section: proportionality, impact assessments, methods and models, code,
product page, keywords) so
the export says what was published; what the snapshot cannot answer is ``null`` and listed by
:func:`missing`, never invented. The text stays in French: ``lang`` is ``"fra"`` (ISO 639-3), which
the Dutch register does not accept today (it permits ``"nld"`` only); a collectivité publishing
there translates first. Themes and the publication category are Vigie's reading of the sheet:
:data:`CATEGORY` maps each public-policy domain onto the nearest Dutch theme; an AI Act high-risk
class gives « Hoog-risico AI-systeem », individual decisions « Impactvolle algoritmes ».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from policies.vocabulary import AiActClass, PublicDomain, Stage
from portal.services import eurocities

VERSION = "1.0"

ATTRIBUTES: tuple[str, ...] = (
    "name", "organization", "description_short", "category", "status", "begin_date", "end_date",
    "contact_email", "website", "publication_category", "url", "goal", "proportionality", "human_intervention",
    "risks", "lawful_basis", "lawful_basis_grouping", "process_index_url", "impacttoetsen",
    "impacttoetsen_grouping", "source_data", "source_data_grouping", "methods_and_models", "provider",
    "publiccode", "lang", "standard_version", "source_id", "tags",
)
#: Required by the standard.
REQUIRED: tuple[str, ...] = ("name", "organization", "description_short", "status", "contact_email",
                             "publication_category", "lang")
MAX_LENGTH = {"name": 100, "organization": 100, "description_short": 350, "contact_email": 500, "website": 500,
              "goal": 2500, "human_intervention": 2500, "risks": 2500, "lawful_basis": 2500, "source_data": 2500,
              "methods_and_models": 5000, "provider": 200, "source_id": 100}

#: The nearest of the standard's 16 themes for each public-policy domain of the sheet.
CATEGORY: dict[PublicDomain, str] = {
    PublicDomain.TAXES: "Overheidsfinanciën", PublicDomain.HOUSING: "Wonen",
    PublicDomain.CULTURE_SPORT: "Cultuur en recreatie", PublicDomain.DEFENCE: "Openbare orde en veiligheid",
    PublicDomain.ECONOMY: "Economie", PublicDomain.FAMILY_YOUTH: "Sociale zekerheid",
    PublicDomain.FINANCE: "Overheidsfinanciën", PublicDomain.GENERIC: "Organisatie en bedrijfsvoering",
    PublicDomain.HEALTH: "Zorg en gezondheid", PublicDomain.IMMIGRATION: "Migratie en integratie",
    PublicDomain.INTERNATIONAL: "Internationaal", PublicDomain.AGRICULTURE: "Natuur en milieu",
    PublicDomain.ENVIRONMENT: "Natuur en milieu", PublicDomain.EDUCATION: "Onderwijs en wetenschap",
    PublicDomain.PUBLIC_SAFETY: "Openbare orde en veiligheid", PublicDomain.GOVERNMENT: "Organisatie en bedrijfsvoering",
    PublicDomain.JUSTICE: "Recht", PublicDomain.ABROAD: "Internationaal",
    PublicDomain.BENEFITS: "Sociale zekerheid", PublicDomain.TRANSPORT: "Verkeer", PublicDomain.WORK: "Werk",
}
THEMES = frozenset(CATEGORY.values()) | {"Ruimte en infrastructuur"}
#: Pilots and evaluations take part in real decisions: « In gebruik » (the standard: in use wins).
STATUS = {Stage.IDEA: "In ontwikkeling", Stage.FRAMING: "In ontwikkeling", Stage.PILOT: "In gebruik",
          Stage.EVALUATION: "In gebruik", Stage.DEPLOYED: "In gebruik", Stage.SUSPENDED: "Buiten gebruik",
          Stage.RETIRED: "Buiten gebruik"}


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _short(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def algorithm(record: Mapping[str, Any], *, first_published: dt.date, last_published: dt.date) -> dict[str, Any]:
    """One algorithm description (standard 1.0) from a published snapshot."""
    eu = eurocities.registration(record, first_published=first_published, last_published=last_published)
    stage = eurocities._by_label(Stage, str(record.get("stage") or ""))
    domain = eurocities._by_label(PublicDomain, str(record.get("domain") or ""))
    risk = eurocities._by_label(AiActClass, str(record.get("ai_act_class") or ""))
    if risk is AiActClass.HIGH:
        publication = "Hoog-risico AI-systeem"
    elif record.get("individual_decisions") == "oui":
        publication = "Impactvolle algoritmes"
    else:
        publication = "Overige algoritmes"
    purpose = _text(record.get("purpose"))
    goal = "\n\n".join(p for p in (purpose, _text(eu.get("impact"))) if p) or None
    contact = _text(record.get("contact"))
    out: dict[str, Any] = dict.fromkeys(ATTRIBUTES)
    out.update({
        "name": _text(record.get("name")),
        "organization": _text(record.get("administration")),
        "description_short": _short(purpose, MAX_LENGTH["description_short"]),
        "category": [CATEGORY[domain]] if domain in CATEGORY else [],
        "status": STATUS.get(stage) if stage else None,
        "contact_email": _text(eu.get("contact_email")) or contact,
        "website": _text(record.get("rules_url")),
        "publication_category": publication,
        "goal": goal,
        "human_intervention": _text(eu.get("human_intervention")),
        "risks": _text(eu.get("risks")),
        "lawful_basis": _text(record.get("legal_bases")),
        "lawful_basis_grouping": [],
        "impacttoetsen_grouping": [],
        "source_data": _text(eu.get("source_data")),
        "source_data_grouping": [],
        "proportionality": _text(record.get("proportionality")),
        "impacttoetsen": _assessments(record),
        # the sheet's methods and models, else what the snapshot says of the type of algorithm
        "methods_and_models": _text(record.get("methods_and_models")) or _text(record.get("algorithm_type")),
        "url": _text(record.get("product_page")),
        "publiccode": _text(record.get("codebase_url")),
        "tags": _text(record.get("keywords")),
        "provider": _text(record.get("provider")),
        "lang": "fra",
        "standard_version": VERSION,
        "source_id": _text(record.get("reference")),
    })
    return out


def _assessments(record: Mapping[str, Any]) -> str | None:
    """The impact assessments the sheet summarises (AIPD, algorithmic impact assessment), with their address."""
    parts = []
    for title, summary, url in (("Analyse d'impact relative à la protection des données (AIPD)", "dpia_summary",
                                 "dpia_url"),
                                ("Analyse d'impact algorithmique", "aia_summary", "aia_url")):
        text, address = _text(record.get(summary)), _text(record.get(url))
        if text or address:
            parts.append(f"{title} : " + " ".join(p for p in (text, f"({address})" if address else None) if p))
    return "\n\n".join(parts) or None


def missing(entry: Mapping[str, Any]) -> list[str]:
    """The attributes still empty, and the values the standard would refuse (length), for the export's notes."""
    out = [name for name in ATTRIBUTES if entry.get(name) in (None, "", [])]
    out += [f"{name} (plus de {limit} caractères)" for name, limit in MAX_LENGTH.items()
            if isinstance(entry.get(name), str) and len(entry[name]) > limit]
    return out


def document(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The export file: the algorithms, and per algorithm what is still empty."""
    return {
        "standard": "Algoritmeregister publicatiestandaard",
        "standard_version": VERSION,
        "algorithms": entries,
        "empty_fields": {e.get("source_id") or str(i): missing(e) for i, e in enumerate(entries, start=1)},
    }
