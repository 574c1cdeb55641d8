"""A published register entry in the Eurocities « Algorithmic Transparency Standard » v0.3.1.

The standard (algorithmregister.org/standard, source ``Algoritmeregister/standard``,
``_data/schema-v0_3_1.yaml``) is what Amsterdam, Helsinki, Barcelona and other cities exchange:
49 attributes in METADATA, BASIC INFORMATION, USE CASE, DATA, ALGORITHM and OVERSIGHT. This module
maps one published snapshot (the Etalab fields of :mod:`portal.services.public_register`) onto it.
It reads only the snapshot and its dates, never the live sheet, so the export says what was
published. Attributes the snapshot cannot answer (a sheet whose « Transparence » section is not
filled yet) are ``None`` (JSON ``null``, empty in CSV) rather than invented; :func:`empty_fields`
lists them per registration, and the JSON export gives that list for each one.

Enumerations use the standard's English values (``status``, ``risk_category``, ``algorithm_type``,
``type``, ``domain``); free text stays in French (``lang = "fr"``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any

from policies.vocabulary import AiActClass, Automation, PublicDomain, Stage

VERSION = "0.3.1"

#: Every attribute of v0.3.1, in the standard's order.
ATTRIBUTES: tuple[str, ...] = (
    "standard_version", "uuid", "lang", "publication_date", "last_change_date", "revision_date",
    "revision_note", "keywords",
    "name", "organization", "department", "country", "contact_email", "contact_phone", "contact_name",
    "description_short", "website", "status", "remark",
    "decision_making_process", "domain", "area", "goal", "impact", "risks", "risk_category",
    "proportionality", "lawful_basis", "documentation",
    "training_data", "source_data", "data_bias", "connected_data_sources", "DPIA_description", "DPIA_url",
    "description", "algorithm_type", "methods_and_models", "performance", "alternatives_considered",
    "product_information", "codebase_url", "product_page", "AIA_description", "AIA_url",
    "type", "monitoring", "human_intervention", "objection_procedure", "rollback",
)

#: The attributes copied from the published snapshot's field of the same meaning (the sheet's
#: « Transparence » section and its keywords).
FROM_RECORD: dict[str, str] = {
    "keywords": "keywords", "contact_phone": "contact_phone", "remark": "remark",
    "proportionality": "proportionality", "training_data": "training_data", "data_bias": "data_bias",
    "DPIA_description": "dpia_summary", "DPIA_url": "dpia_url", "description": "technical_description",
    "methods_and_models": "methods_and_models", "performance": "performance",
    "alternatives_considered": "alternatives_considered", "product_information": "product_information",
    "codebase_url": "codebase_url", "product_page": "product_page", "AIA_description": "aia_summary",
    "AIA_url": "aia_url", "monitoring": "monitoring_summary", "rollback": "rollback",
}

#: Attributes no sheet can fill: none since the sheet has its « Transparence » section. What one
#: registration still leaves empty is given by :func:`empty_fields`.
NOT_FILLED: tuple[str, ...] = ()

#: A namespace of Vigie's own, so the same administration and reference always give the same uuid.
_NAMESPACE = uuid.UUID("6f1d2c1e-4f0a-5b7e-9c3d-7a2b1e0f9d41")

_STATUS = {Stage.IDEA: "planned", Stage.FRAMING: "design", Stage.PILOT: "pilot", Stage.EVALUATION: "evaluation",
           Stage.DEPLOYED: "operational", Stage.SUSPENDED: "operational", Stage.RETIRED: "retired"}
_RISK = {AiActClass.PROHIBITED: "unacceptable", AiActClass.HIGH: "high risk", AiActClass.LIMITED: "limited risk",
         AiActClass.MINIMAL: "minimal risk"}  # out of the AI Act's scope: no category, the risks text says so
#: The standard's 21 domains, as it spells them.
_DOMAIN = {
    PublicDomain.TAXES: "taxes", PublicDomain.HOUSING: "housing, living and living environment",
    PublicDomain.CULTURE_SPORT: "culture, sports and leisure", PublicDomain.DEFENCE: "defence",
    PublicDomain.ECONOMY: "economy and entrepreneurship", PublicDomain.FAMILY_YOUTH: "family, youth and households",
    PublicDomain.FINANCE: "finance", PublicDomain.GENERIC: "generic",
    PublicDomain.HEALTH: "health and health care", PublicDomain.IMMIGRATION: "immigration and integration",
    PublicDomain.INTERNATIONAL: "international collaboration and development aid",
    PublicDomain.AGRICULTURE: "agriculture, nature and food",
    PublicDomain.ENVIRONMENT: "environment, spacial planning and water",  # sic, the standard's spelling
    PublicDomain.EDUCATION: "education and science", PublicDomain.PUBLIC_SAFETY: "public safety",
    PublicDomain.GOVERNMENT: "government", PublicDomain.JUSTICE: "justice",
    PublicDomain.ABROAD: "travel, living and working abroad",
    PublicDomain.BENEFITS: "subsidies, benefits and allowances", PublicDomain.TRANSPORT: "traffic and transportation",
    PublicDomain.WORK: "work and career",
}
#: How the output is used: information describes, a recommendation prescribes, a decision too.
_USE = {Automation.INFORMATION: "descriptive", Automation.RECOMMENDATION: "prescriptive",
        Automation.DECISION_REVIEWED: "prescriptive", Automation.AUTOMATED: "prescriptive"}


def _by_label(enum: Any, label: str) -> Any:
    """The member whose French label the snapshot holds (snapshots store labels), or None."""
    return next((m for m in enum if m.label == label), None)


def _text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _algorithm_type(label: str) -> str | None:
    if label.startswith("modèle statistique ou d'apprentissage"):
        return "self-learning"
    return None  # a supplier's solution or « à préciser »: the snapshot does not say


def registration(record: Mapping[str, Any], *, first_published: dt.date, last_published: dt.date,
                 revision_months: int = 12) -> dict[str, Any]:
    """One v0.3.1 registration from a published snapshot and its first and latest publication dates."""
    stage = _by_label(Stage, str(record.get("stage") or ""))
    risk = _by_label(AiActClass, str(record.get("ai_act_class") or ""))
    automation = _by_label(Automation, str(record.get("automation") or ""))
    contact = _text(record.get("contact")) or ""
    found = re.search(r"[^@\s<>()]+@[^@\s<>()]+\.[^@\s<>().,;]+", contact)
    email = found.group(0) if found else None
    # what the contact says besides the address (a service, a postal address) names the contact
    name = re.sub(r"\s*[—–-]?\s*$", "", contact.replace(email, "")).strip(" —–-,;") if email else contact
    purpose = _text(record.get("purpose"))
    individual = record.get("individual_decisions") == "oui"
    public = _text(record.get("public_concerned"))
    revision = _add_months(last_published, revision_months)
    sources = "; ".join(p for p in (_text(record.get("data")), _text(record.get("data_sources"))) if p) or None
    connected = "; ".join(p for p in (_text(record.get("data_sources")), _text(record.get("collection"))) if p)
    objection = None
    if contact:
        objection = (f"Toute personne concernée peut s'adresser à : {contact}."
                     + (" Pour une décision individuelle, elle peut demander les règles du traitement et ses "
                        "principales caractéristiques (code des relations entre le public et l'administration, "
                        "art. L311-3-1 et R311-3-1-2) et contester la décision par les voies de recours "
                        "administratif et contentieux de droit commun." if individual else ""))
    out: dict[str, Any] = dict.fromkeys(ATTRIBUTES)
    out.update({
        "standard_version": VERSION,
        "uuid": str(uuid.uuid5(_NAMESPACE, f"{record.get('administration', '')}|{record.get('reference', '')}")),
        "lang": "fr",
        "publication_date": first_published.isoformat(),
        "last_change_date": last_published.isoformat(),
        "revision_date": revision.isoformat(),
        "revision_note": f"revue du registre {revision_months} mois après la dernière publication",
        "name": _text(record.get("name")),
        "organization": _text(record.get("administration")),
        "department": _text(record.get("service")),
        "country": "France",
        "contact_email": email,
        "contact_name": _text(name),
        "description_short": (purpose[:147] + "…") if purpose and len(purpose) > 150 else purpose,
        "website": _text(record.get("rules_url")),
        "status": _STATUS.get(stage) if stage else None,
        "decision_making_process": _text(record.get("role_in_decision")),
        # an entry published before the sheet named its domain stays "generic", the standard's catch-all
        "domain": _DOMAIN.get(_by_label(PublicDomain, str(record.get("domain") or "")), "generic"),
        "area": _text(record.get("administration")),
        "goal": purpose,
        "impact": "; ".join(p for p in (
            f"public concerné : {public}" if public else "",
            "fonde des décisions individuelles" if individual else "ne fonde pas de décision individuelle",
            f"décisions par an : {record['decisions_per_year']}" if record.get("decisions_per_year") else "",
        ) if p),
        "risks": (f"Classification au règlement européen sur l'IA (règlement (UE) 2024/1689) : "
                  f"{record.get('ai_act_class')}.") if record.get("ai_act_class") else None,
        "risk_category": _RISK.get(risk) if risk else None,
        "lawful_basis": _text(record.get("legal_bases")),
        "documentation": _text(record.get("rules_url")),
        "source_data": sources,
        "connected_data_sources": connected or None,
        "algorithm_type": _algorithm_type(str(record.get("algorithm_type") or "")),
        "type": _USE.get(automation) if automation else None,
        "human_intervention": "; ".join(p for p in (_text(record.get("automation")),
                                                    _text(record.get("role_in_decision"))) if p) or None,
        "objection_procedure": objection,
    })
    out.update({attribute: _text(record.get(field)) for attribute, field in FROM_RECORD.items()})
    return out


def empty_fields(registration: Mapping[str, Any]) -> list[str]:
    """The attributes a registration leaves empty (the sheet does not say yet), in the standard's order."""
    return [a for a in ATTRIBUTES if registration.get(a) in (None, "")]


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover
