"""Issue 18: one test per question a careful compliance officer could misread.

Each test answers as the misleading reading would (the officer reading the wording and the help in
good faith) and checks that the engine still reaches the right class and keeps the key duties.
"""

from __future__ import annotations

from policies import crpa
from policies.ai_act import classify, questions
from policies.crpa import CrpaFacts
from policies.obligations import applicable_obligations
from policies.profile import build_profile
from policies.vocabulary import AiActClass, ImpactLevel
from tests.policies.answers import BASE


def q(question_id: str):  # type: ignore[no-untyped-def]
    return next(x for x in questions() if x.id == question_id)


def duty_ids(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {d.id for d in result.duties}


def rule_ids(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.rule_id for r in result.reasons}


def test_recruiting_external_candidates_keeps_the_art_26_7_duty_when_the_officer_answers_no_agents():
    # the workplace question speaks of agents; for applicants the officer answers "no"
    result = classify({**BASE, "annex3": ["4a"], "profiling": True, "decisions_about_persons": True,
                       "workplace_use": False})
    assert result.risk_class is AiActClass.HIGH
    assert result.workplace_use
    assert "OBL-AIA-WORKERS" in duty_ids(result)
    assert any(r.rule_id == "AIA-DEP-07" and "26(7)" in r.text_fr for r in result.reasons)
    assert "candidats" in q("workplace_use").text_fr


def test_evaluating_the_stress_of_call_centre_agents_stays_prohibited_when_read_as_a_medical_reason():
    emotion = {**BASE, "biometric": True, "proh_face_scraping": False, "emotion_recognition": True,
               "emotion_workplace_education": True, "biometric_categorisation": False, "remote_biometric_id": False}
    # stress is health, the officer reasons, so "medical reasons": yes; the purpose says what it is
    result = classify({**emotion, "emotion_medical_safety": True, "emotion_exception_purpose": "wellbeing"})
    assert result.risk_class is AiActClass.PROHIBITED
    assert result.prohibited_practices == ["AIA-PROH-F"]
    assert duty_ids(result) == {"OBL-AIA-PROHIBITED"}
    # the purpose left unanswered: the worst is presumed
    assert classify({**emotion, "emotion_medical_safety": True}).risk_class is AiActClass.PROHIBITED
    help_text = q("emotion_medical_safety").help_fr
    assert "centre d'appels" in help_text and "stress" in help_text and "considérant 44" in help_text
    # a true safety purpose is the exception: high risk (Annex III 1(c)), not prohibited
    safe = classify({**emotion, "emotion_medical_safety": True, "emotion_exception_purpose": "safety",
                     "profiling": False, "derogation": "none", "decisions_about_persons": False,
                     "workplace_use": True})
    assert safe.risk_class is AiActClass.HIGH and "1c" in safe.annex3_points


def test_fraud_risk_scoring_of_benefit_recipients_is_annex_iii_5a_not_a_prohibition_by_misreading():
    # the officer would read the generic social-scoring and crime-prediction questions as covering it:
    # once the fraud question is answered they are not asked, and their stale answers are ignored
    answers = {**BASE, "fraud_risk_scoring": True, "proh_social_scoring": True, "proh_crime_prediction": True,
               "fraud_scoring_social": False, "fraud_scoring_crime": False, "annex3": [], "profiling": True,
               "decisions_about_persons": True, "workplace_use": False}
    result = classify(answers)
    assert result.risk_class is AiActClass.HIGH
    assert result.annex3_points == ["5a"]
    assert result.fria_required and result.eu_registration_required
    assert {"OBL-AIA-FRIA", "OBL-AIA-INFORM-PERSONS", "OBL-AIA-EXPLANATION"} <= duty_ids(result)
    assert "annexe III, point 5(a)" in q("fraud_risk_scoring").help_fr
    assert "5(a)" in q("proh_crime_prediction").help_fr and "5(a)" in q("proh_social_scoring").help_fr
    # the Art. 5 limits still bite, asked for this very system
    assert classify({**answers, "fraud_scoring_social": True}).prohibited_practices == ["AIA-PROH-C"]
    assert classify({**answers, "fraud_scoring_crime": True}).prohibited_practices == ["AIA-PROH-D"]


def test_crpa_secret_is_listed_justified_case_by_case_and_never_silently_drops_the_mention():
    questions_by_id = {x.id: x for x in crpa.questions()}
    help_text = questions_by_id["secret_l311_5"].help_fr
    for secret in ("sécurité publique", "sécurité des systèmes d'information", "défense nationale",
                   "recherche et prévention des infractions"):
        assert secret in help_text
    assert "au cas par cas" in help_text
    # "yes" without a written justification: the secret is not retained, the mention stays
    claimed = crpa.assess(CrpaFacts(individual_decision=True, secret_l311_5=True, org_fte=200))
    assert claimed.mention_required and claimed.publication_required and not claimed.secret_applies
    assert any(r.rule_id == "CRPA-08" and "sans justification" in r.text_fr for r in claimed.reasons)
    # justified: the mention AND the publication are set aside together, said in a reason, and the
    # justification becomes a tracked duty
    justified = crpa.assess(CrpaFacts(individual_decision=True, secret_l311_5=True, org_fte=200,
                                      secret_justification="Révélerait les critères de ciblage des contrôles."))
    assert not justified.mention_required and not justified.publication_required
    ids = {o.id for o in applicable_obligations(build_profile(crpa_result=justified))}
    assert "OBL-CRPA-SECRET" in ids and "OBL-CRPA-MENTION" not in ids and "OBL-CRPA-PUBLICATION" not in ids


def test_a_flag_that_triggers_a_check_counts_as_the_basis_of_individual_decisions():
    # the officer answers "no individual decision" since the flag only triggers a check
    result = crpa.assess(CrpaFacts(individual_decision=False, flags_for_checks=True, org_fte=200))
    assert result.mention_required and result.publication_required
    assert "CRPA-09" in {r.rule_id for r in result.reasons}
    ids = {o.id for o in applicable_obligations(build_profile(crpa_result=result))}
    assert {"OBL-CRPA-MENTION", "OBL-CRPA-EXPLANATION", "OBL-CRPA-PUBLICATION"} <= ids
    assert "contrôle" in {x.id: x for x in crpa.questions()}["individual_decision"].help_fr


def test_road_traffic_control_left_unticked_in_annex_iii_is_still_point_2():
    # the officer read "optimisation or automation is not a safety component" and left point 2 unticked
    result = classify({**BASE, "critical_infrastructure": True, "critical_infra_safety": True, "annex3": [],
                       "profiling": False, "derogation": "none", "decisions_about_persons": False,
                       "workplace_use": False})
    assert result.risk_class is AiActClass.HIGH
    assert result.annex3_points == ["2"]
    assert "OBL-AIA-REGISTRATION-NATIONAL" in duty_ids(result)
    assert not result.fria_required and not result.eu_registration_required
    help_text = q("critical_infra_safety").help_fr
    assert "art. 3(14)" in help_text and "feux de circulation" in help_text
    assert "art. 3(14)" in q("annex3").help_fr


def test_a_procedural_derogation_for_a_system_deciding_about_persons_is_not_taken_unconfirmed():
    answers = {**BASE, "annex3": ["5a"], "profiling": False, "derogation": "a", "decisions_about_persons": True,
               "workplace_use": False}
    result = classify(answers)
    assert result.risk_class is AiActClass.HIGH and result.derogation is None
    assert "derogation_confirmed" in result.unanswered
    assert {"OBL-AIA-INFORM-PERSONS", "OBL-AIA-FRIA"} <= duty_ids(result)
    assert classify({**answers, "derogation_confirmed": False}).risk_class is AiActClass.HIGH
    confirmed = classify({**answers, "derogation_confirmed": True})
    assert confirmed.derogation == "a" and confirmed.risk_class is AiActClass.MINIMAL
    assert any("Attention" in r.text_fr for r in confirmed.reasons)


def test_an_unanswered_prohibition_question_presumes_the_practice():
    answers = {k: v for k, v in BASE.items() if k != "proh_manipulation"}
    result = classify({**answers, "annex3": ["5a"], "profiling": True, "decisions_about_persons": True,
                       "workplace_use": False})
    assert result.risk_class is AiActClass.PROHIBITED
    assert result.presumed_practices == ["AIA-PROH-A"]
    assert "proh_manipulation" in result.unanswered
    assert any("présumée" in r.text_fr for r in result.reasons)
    assert classify({**BASE, "annex3": ["5a"], "profiling": True, "decisions_about_persons": True,
                     "workplace_use": False}).risk_class is AiActClass.HIGH


def test_profiling_reason_gives_the_annex_iii_dates():
    result = classify({**BASE, "annex3": ["5a"], "profiling": True, "decisions_about_persons": True,
                       "workplace_use": False})
    text = next(r.text_fr for r in result.reasons if r.rule_id == "AIA-HR-04")
    assert "2 décembre 2027" in text and "2 août 2030" in text and "autorité publique" in text


def test_a_prohibited_practice_gets_only_the_duty_to_stop():
    result = classify({**BASE, "proh_social_scoring": True})
    profile = build_profile(ai_act_result=result, impact_level=ImpactLevel.IV, personal_data=True,
                            dpia_required=True, individual_decisions=True, crpa_publication_required=True,
                            art22=True, gpai=True)
    assert [o.id for o in applicable_obligations(profile)] == ["OBL-AIA-PROHIBITED"]


def test_minimal_risk_is_told_about_voluntary_codes_of_conduct():
    result = classify(BASE)
    assert result.risk_class is AiActClass.MINIMAL
    text = next(r.text_fr for r in result.reasons if r.rule_id == "AIA-COC-01")
    assert "art. 95" in text and "volontaire" in text
    assert duty_ids(result) == {"OBL-AIA-LITERACY"}  # voluntary: told, not a tracked duty
    assert "AIA-COC-01" not in rule_ids(classify({**BASE, "annex3": ["5a"], "profiling": True,
                                                  "decisions_about_persons": True, "workplace_use": False}))
