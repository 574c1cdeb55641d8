"""Obligations derived from a use case's governance profile, and their tracking statuses.

One rule decides applicability, in the style of AMT's ``is_requirement_applicable``: an obligation
of ``rules/obligations.yaml`` applies when every attribute its ``when`` specifies matches the
:class:`GovernanceProfile` (an unspecified attribute matches anything). Each obligation carries the
article, start date and verification status of the rule it rests on.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.conditions import matches
from policies.rulebook import load_rules, rule
from policies.vocabulary import AiActClass, AiActRole, ImpactLevel, ObligationStatus, Stage

Family = Literal["ai_act", "rgpd", "crpa", "governance"]

FAMILY_FR: dict[str, str] = {
    "ai_act": "Règlement européen sur l'IA",
    "rgpd": "RGPD et loi Informatique et Libertés",
    "crpa": "Code des relations entre le public et l'administration",
    "governance": "Gouvernance interne",
}


class GovernanceProfile(BaseModel):
    """What the engines concluded about one use case, flattened for the obligation rules.

    Build it with :func:`policies.profile.build_profile` from the engines' results, or fill it
    directly (the portal's services do so from the database).
    """

    model_config = ConfigDict(frozen=True)

    # AI Act (policies.ai_act)
    risk_class: AiActClass | None = None
    role: AiActRole | None = None
    high_risk_basis: list[Literal["annex1", "annex3"]] = Field(default_factory=list)
    annex3_points: list[str] = Field(default_factory=list)
    art6_3_derogation: bool = False
    fria_required: bool = False
    eu_registration_required: bool = False
    decisions_about_persons: bool = False
    workplace_use: bool = False
    gpai: bool = False
    transparency: list[str] = Field(default_factory=list)  # Art. 50 rule ids, e.g. "AIA-TR-04"
    chatbot: bool = False
    generated_content: bool = False
    # impact (policies.impact)
    impact_level: ImpactLevel | None = None
    # RGPD (policies.rgpd)
    personal_data: bool = False
    special_categories: bool = False
    dpia_required: bool = False
    art22: bool = False
    # CRPA (policies.crpa)
    individual_decisions: bool = False
    crpa_secret: bool = False  # a justified L311-5 2° secret sets the mention and publication aside
    crpa_publication_required: bool = False
    # organisation and lifecycle
    public_body: bool = True
    stage: Stage | None = None

    def facts(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Obligation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    family: Family
    title_fr: str
    article: str
    applies_from: date
    status: str  # verification status of the basis rule (see policies.rulebook.STATUSES)
    basis: tuple[str, ...]
    help_fr: str = ""

    def in_force(self, on: date) -> bool:
        return on >= self.applies_from


def _resolve(entry: dict[str, Any], profile: GovernanceProfile) -> Obligation:
    primary = rule(entry["basis"][0])
    applies_from = primary.applies_from
    annex1_date = getattr(primary, "applies_from_annex1", None)
    if annex1_date and profile.high_risk_basis == ["annex1"]:
        applies_from = annex1_date
    return Obligation(
        id=entry["id"],
        family=entry["family"],
        title_fr=entry["title_fr"],
        article=entry.get("article") or primary.article,
        applies_from=entry.get("applies_from", applies_from),
        status=entry.get("status", primary.status),
        basis=tuple(entry["basis"]),
        help_fr=entry.get("help_fr", "") or primary.title_fr,
    )


def applicable_obligations(
    profile: GovernanceProfile, rules: dict[str, Any] | None = None
) -> list[Obligation]:
    """Every obligation of the catalogue whose ``when`` matches the profile, in catalogue order.

    Criteria (AMT's rule): ``always: true`` applies unconditionally; otherwise an obligation
    applies when each attribute it specifies matches the profile's value (a list of allowed
    values matches when the profile's value is one of them, or, for a list-valued attribute, when
    they share a value). A prohibited practice keeps only the ``prohibited_keeps`` obligations (the
    duty to stop). ``rules`` replaces the bundled catalogue (tests, simulations).
    """
    facts = profile.facts()
    data = rules or load_rules("obligations")
    keep = set(data.get("prohibited_keeps") or [])
    prohibited = profile.risk_class is AiActClass.PROHIBITED
    return [
        _resolve(entry, profile)
        for entry in data["obligations"]
        if (entry.get("always") or matches(entry.get("when"), facts)) and (not prohibited or entry["id"] in keep)
    ]


def status_problem(status: ObligationStatus | str, justification: str | None = None) -> str | None:
    """French message when a status is not acceptable as recorded, else ``None``."""
    status = ObligationStatus(status)
    if status is ObligationStatus.NOT_APPLICABLE and not (justification or "").strip():
        return "Une obligation déclarée non applicable doit être justifiée."
    return None


def is_settled(status: ObligationStatus | str, justification: str | None = None) -> bool:
    """Done, or not applicable with a justification: what a deployment gate accepts."""
    status = ObligationStatus(status)
    if status is ObligationStatus.DONE:
        return True
    return status is ObligationStatus.NOT_APPLICABLE and status_problem(status, justification) is None
