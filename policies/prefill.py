"""Answers the use-case sheet already gives: the questionnaire proposes them instead of asking blank.

Pure: :func:`proposals` maps a few facts of the sheet (automation level, provider, data sources,
decisions a year, public concerned) to proposed answers of the AI Act, RGPD, CRPA and impact
questionnaires, each with the French reason shown next to it (« d'après la fiche »). The officer
can change any of them; a proposal never overrides an answer already recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policies.vocabulary import Automation, Provider

#: Words of the « public concerné » that name vulnerable people (minors, elderly, disabled, patients…).
_VULNERABLE = re.compile(
    r"\b(enfants?|mineurs?|élèves?|collégiens?|lycéens?|jeunes|personnes? âgées?|seniors?|handicap\w*|"
    r"patients?|malades?|demandeurs? d'asile|réfugiés?|bénéficiaires? du rsa|allocataires?|"
    r"personnes? vulnérables?|précaires?|sans[- ]abri)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SourceFacts:
    personal_data: bool = False
    sensitive_data: bool = False
    producer: str | None = None
    origin: str | None = None


@dataclass(frozen=True)
class SheetFacts:
    automation: str | None = None
    provider_type: str | None = None
    decisions_per_year: int | None = None
    public_concerned: str | None = None
    sources: tuple[SourceFacts, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Proposal:
    value: Any
    reason_fr: str  # what in the sheet gives the answer


Proposals = dict[str, dict[str, Proposal]]  # questionnaire ("ai_act", "rgpd", "crpa", "impact") → id → proposal


def _people_band(n: int) -> str:
    return "lt_100" if n < 100 else "lt_10k" if n < 10_000 else "lt_100k" if n < 100_000 else "ge_100k"


def proposals(sheet: SheetFacts) -> Proposals:
    """The answers that follow from the sheet, by questionnaire and question id."""
    out: Proposals = {"ai_act": {}, "rgpd": {}, "crpa": {}, "impact": {}}
    ai, rgpd, crpa, impact = out["ai_act"], out["rgpd"], out["crpa"], out["impact"]

    crpa["algorithmic_processing"] = Proposal(True, "le cas d'usage est inscrit au registre des algorithmes")

    if sheet.automation in Automation.choices():
        level = Automation(sheet.automation)
        why = f"niveau d'automatisation « {level.label} »"
        impact["decision_role"] = Proposal(level.value, why)
        impact["human_review"] = Proposal(level is not Automation.AUTOMATED, why)
        rgpd["dpia_c2"] = Proposal(level is Automation.AUTOMATED, why)
        if level is not Automation.INFORMATION:  # it recommends or takes decisions about persons
            ai["decisions_about_persons"] = Proposal(True, why)
            crpa["individual_decision"] = Proposal(True, why)

    if sheet.provider_type in Provider.choices():
        provider = Provider(sheet.provider_type)
        ai["supply"] = Proposal("in_house" if provider is Provider.IN_HOUSE else "third_party",
                                f"type de fournisseur « {provider.label} »")

    if sheet.decisions_per_year:  # 0 says « no decision », not how many people the results reach
        impact["people_affected"] = Proposal(_people_band(sheet.decisions_per_year),
                                             f"{sheet.decisions_per_year} décisions par an")

    if sheet.sources:
        personal = [s for s in sheet.sources if s.personal_data or s.sensitive_data]
        sensitive = [s for s in sheet.sources if s.sensitive_data]
        n = len(sheet.sources)
        if sensitive:
            impact["data_sensitivity"] = Proposal("sensitive", f"{len(sensitive)} source(s) de données sensibles")
            rgpd["dpia_c4"] = Proposal(True, f"{len(sensitive)} source(s) de données sensibles")
        elif personal:
            impact["data_sensitivity"] = Proposal("personal", f"{len(personal)} source(s) de données personnelles")
        else:
            impact["data_sensitivity"] = Proposal("none", f"aucune des {n} source(s) ne contient de données "
                                                          "personnelles")
        producers = {(s.producer or "").strip().casefold() for s in sheet.sources}
        crossed = n > 1 and (len(producers) > 1 or any(s.origin == "partner" for s in sheet.sources))
        impact["data_matching"] = Proposal(crossed, f"{n} source(s) de données"
                                           + (" de producteurs différents" if crossed else ""))
        if len(personal) > 1 and crossed:
            rgpd["dpia_c6"] = Proposal(True, f"{len(personal)} sources de données personnelles croisées")

    match = _VULNERABLE.search(sheet.public_concerned or "")
    if match:
        why = f"public concerné : « {match.group(0)} »"
        impact["vulnerable_people"] = Proposal(True, why)
        rgpd["dpia_c7"] = Proposal(True, why)
    return out
