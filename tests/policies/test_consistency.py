"""Consistency checks among the answers: each check fires on its contradiction, names
the questions in French, and stays silent on consistent or hidden answers."""

from __future__ import annotations

import pytest

from policies.consistency import contradictions
from policies.rulebook import load_rules
from tests.policies.test_careful_readings import BASE

HIGH_5A = {**BASE, "annex3": ["5a"], "profiling": False, "derogation": "none", "decisions_about_persons": True,
           "workplace_use": False}
CRPA_OK = {"algorithmic_processing": True, "individual_decision": True, "main_processing": True,
           "secret_l311_5": False}

CASES = {
    "CONS-DEROGATION-PERSONS": ({**HIGH_5A, "derogation": "a"}, CRPA_OK, {}),
    "CONS-EMPLOYMENT-WORKPLACE": ({**HIGH_5A, "annex3": ["4a"]}, CRPA_OK, {}),
    "CONS-EMOTION-PURPOSE": ({**BASE, "biometric": True, "emotion_recognition": True,
                              "emotion_workplace_education": True, "emotion_medical_safety": True,
                              "emotion_exception_purpose": "wellbeing"}, {}, {}),
    "CONS-CRITICAL-INFRA": ({**BASE, "critical_infrastructure": True, "critical_infra_safety": False,
                             "annex3": ["2"]}, {}, {}),
    "CONS-AI-NOT-ALGORITHMIC": (BASE, {"algorithmic_processing": False}, {}),
    "CONS-DECISIONS-CRPA": (HIGH_5A, {**CRPA_OK, "individual_decision": False}, {}),
    "CONS-DECISIONS-RGPD-CRPA": (BASE, {**CRPA_OK, "individual_decision": False}, {"individual_decision": True}),
    "CONS-SECRET-UNJUSTIFIED": (BASE, {**CRPA_OK, "secret_l311_5": True}, {}),
}


def test_every_check_of_the_rules_file_has_a_case():
    assert {c["id"] for c in load_rules("ai_act")["consistency"]} == set(CASES)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_each_check_fires_and_names_its_questions(check_id):
    ai, crpa_answers, rgpd_answers = CASES[check_id]
    found = {c.id: c for c in contradictions(ai, crpa_answers, rgpd_answers)}
    assert check_id in found
    message = found[check_id].message_fr
    assert "Questions concernées : « " in message and message.count("« ") >= 2


def test_consistent_answers_give_no_contradiction():
    assert contradictions(HIGH_5A, CRPA_OK, {"individual_decision": True}) == []
    assert contradictions({**HIGH_5A, "derogation": "a", "derogation_confirmed": True}, CRPA_OK) == []


def test_a_flag_for_checks_reconciles_decisions_with_the_crpa():
    crpa_answers = {**CRPA_OK, "individual_decision": False, "flags_for_checks": True}
    assert contradictions(HIGH_5A, crpa_answers) == []


def test_answers_to_hidden_questions_raise_no_contradiction():
    # the derogation is hidden once profiling is yes: its stale answer contradicts nothing
    answers = {**HIGH_5A, "profiling": True, "derogation": "a"}
    assert [c.id for c in contradictions(answers, CRPA_OK)] == []
    # the secret question is hidden without decisions or flags
    assert contradictions(BASE, {"algorithmic_processing": True, "individual_decision": False,
                                 "secret_l311_5": True}) == []


def test_a_justified_secret_is_no_contradiction():
    crpa_answers = {**CRPA_OK, "secret_l311_5": True, "secret_justification": "Critères de ciblage."}
    assert contradictions(BASE, crpa_answers) == []
