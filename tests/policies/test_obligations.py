"""Obligations derived from profiles (AMT's rule), and their statuses."""

from __future__ import annotations

from datetime import date

import pytest

from policies import ai_act, crpa, impact, rgpd
from policies.obligations import GovernanceProfile, applicable_obligations, is_settled, status_problem
from policies.profile import build_profile
from policies.rulebook import load_rules
from policies.vocabulary import AiActClass, AiActRole, ImpactLevel, ObligationStatus
from tests.policies.answers import BASE


def ids(profile: GovernanceProfile) -> set[str]:
    return {o.id for o in applicable_obligations(profile)}


ALWAYS = {
    "OBL-CRPA-SOURCE-CODE",
    "OBL-GOV-EVALUATION",
    "OBL-GOV-MONITORING-PLAN",
    "OBL-GOV-PERIODIC-REVIEW",
    "OBL-GOV-PUBLIC-INVENTORY",
}

CASES = [
    ("rule-based tool, no personal data", GovernanceProfile(risk_class=AiActClass.OUT_OF_SCOPE), ALWAYS),
    (
        "minimal AI with personal data, level I",
        GovernanceProfile(
            risk_class=AiActClass.MINIMAL,
            role=AiActRole.DEPLOYER,
            personal_data=True,
            impact_level=ImpactLevel.I,
        ),
        ALWAYS | {"OBL-AIA-LITERACY", "OBL-RGPD-LEGAL-BASIS", "OBL-RGPD-RECORD", "OBL-RGPD-INFORMATION"},
    ),
    (
        "resident chatbot, level II",
        GovernanceProfile(
            risk_class=AiActClass.LIMITED,
            role=AiActRole.DEPLOYER,
            chatbot=True,
            generated_content=True,
            transparency=["AIA-TR-01", "AIA-TR-02"],
            impact_level=ImpactLevel.II,
        ),
        ALWAYS | {"OBL-AIA-LITERACY", "OBL-AIA-CHATBOT", "OBL-AIA-MARKING", "OBL-GOV-HUMAN-OVERSIGHT"},
    ),
    (
        "prohibited practice",
        GovernanceProfile(risk_class=AiActClass.PROHIBITED, role=AiActRole.DEPLOYER),
        {"OBL-AIA-PROHIBITED"},
    ),
]


@pytest.mark.parametrize(("name", "profile", "expected"), CASES, ids=[c[0] for c in CASES])
def test_golden_profiles(name, profile, expected):
    assert ids(profile) == expected


def test_a_requirement_applies_only_when_every_attribute_matches():
    catalogue = {
        "obligations": [
            {
                "id": "X",
                "family": "ai_act",
                "title_fr": "x",
                "basis": ["AIA-DEP-02"],
                "when": {"risk_class": "high", "role": ["deployer", "both"], "public_body": True},
            },
        ]
    }
    high = GovernanceProfile(risk_class=AiActClass.HIGH, role=AiActRole.BOTH)
    assert [o.id for o in applicable_obligations(high, catalogue)] == ["X"]
    assert applicable_obligations(high.model_copy(update={"public_body": False}), catalogue) == []
    assert applicable_obligations(high.model_copy(update={"role": AiActRole.PROVIDER}), catalogue) == []


def test_full_social_benefit_case_from_the_engines():
    """RSA eligibility scoring by a département: high risk, level IV, DPIA, CRPA, Art. 22."""
    ai = ai_act.classify({**BASE, "annex3": ["5a"], "profiling": True, "decisions_about_persons": True,
                          "workplace_use": False})
    rg = rgpd.assess(
        [{"name": "Allocataires RSA", "personal_data": True, "legal_basis": "legal_obligation"}],
        {
            "dpia_c1": True,
            "dpia_c7": True,
            "dpia_c9": True,
            "individual_decision": True,
            "significant_effect": True,
            "solely_automated": False,
            "human_action_documented": True,
        },
    )
    cr = crpa.assess(crpa.CrpaFacts(individual_decision=True, org_fte=3_000))
    level = impact.assess(
        {
            "people_affected": "ge_100k",
            "decision_role": "decision_reviewed",
            "rights_effect": "high",
            "reversibility": "hard",
            "effect_duration": "long",
            "vulnerable_people": True,
            "data_sensitivity": "sensitive",
            "data_matching": True,
            "opacity": "opaque",
        }
    )
    assert level.level is ImpactLevel.IV
    profile = build_profile(ai_act_result=ai, rgpd_result=rg, crpa_result=cr, impact_result=level)
    found = {o.id: o for o in applicable_obligations(profile)}
    assert {
        "OBL-AIA-FRIA",
        "OBL-AIA-REGISTRATION",
        "OBL-AIA-EXPLANATION",
        "OBL-AIA-INFORM-PERSONS",
        "OBL-AIA-DPIA-INPUT",
        "OBL-RGPD-DPIA",
        "OBL-CRPA-MENTION",
        "OBL-CRPA-EXPLANATION",
        "OBL-CRPA-PUBLICATION",
        "OBL-GOV-PEER-REVIEW",
        "OBL-GOV-LOGS",
    } <= set(found)
    assert "OBL-RGPD-ART22" not in found  # human action documented
    assert found["OBL-CRPA-MENTION"].article.startswith("CRPA L311-3-1")
    assert found["OBL-AIA-FRIA"].applies_from == date(2027, 12, 2)
    assert found["OBL-AIA-REGISTRATION"].status == "interpretation"
    assert found["OBL-RGPD-INFORMATION"].status == "unverified"


def test_catalogue_ids_are_unique_and_families_known():
    entries = load_rules("obligations")["obligations"]
    assert len({e["id"] for e in entries}) == len(entries)
    assert {e["family"] for e in entries} == {"ai_act", "rgpd", "crpa", "governance"}


@pytest.mark.parametrize(
    ("status", "justification", "settled", "problem"),
    [
        (ObligationStatus.TODO, None, False, False),
        (ObligationStatus.IN_PROGRESS, None, False, False),
        (ObligationStatus.DONE, None, True, False),
        (ObligationStatus.NOT_APPLICABLE, "  ", False, True),
        ("not_applicable", "Aucun agent n'est concerné : usage par les usagers seulement.", True, False),
    ],
)
def test_statuses(status, justification, settled, problem):
    assert is_settled(status, justification) is settled
    assert (status_problem(status, justification) is not None) is problem


def test_status_labels_are_french():
    assert [s.label for s in ObligationStatus] == ["À faire", "En cours", "Fait", "Non applicable (justifié)"]
