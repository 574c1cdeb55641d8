"""Golden answer paths for the AI Act classification: path -> class, role, reasons, duties."""

from __future__ import annotations

from datetime import date

import pytest

from policies.ai_act import classify, questions, visible_questions
from policies.rulebook import rule
from policies.vocabulary import AiActClass, AiActRole
from tests.policies.answers import BASE

BIOMETRIC = {
    **BASE,
    "biometric": True,
    "proh_face_scraping": False,
    "emotion_recognition": False,
    "biometric_categorisation": False,
    "remote_biometric_id": False,
}
GENERATIVE = {
    **BASE,
    "generates_content": True,
    "proh_intimate_images": False,
    "proh_csam": False,
    "deepfake": False,
    "public_interest_text": False,
}


def path(base: dict, **answers) -> dict:
    return {**base, **answers}


def rule_ids(result) -> set[str]:
    return {r.rule_id for r in result.reasons}


def test_a_complete_minimal_path_is_complete_and_minimal():
    result = classify(BASE)
    assert result.complete, result.unanswered
    assert result.risk_class is AiActClass.MINIMAL
    assert result.role is AiActRole.DEPLOYER
    assert [d.id for d in result.duties] == ["OBL-AIA-LITERACY"]
    assert result.duties[0].applies_from == date(2025, 2, 2)


def test_not_an_ai_system_is_out_of_scope_and_says_crpa_still_applies():
    result = classify({"is_ai_system": False})
    assert result.risk_class is AiActClass.OUT_OF_SCOPE
    assert result.role is None
    assert result.complete
    assert rule_ids(result) == {"AIA-DEF-01"}
    assert "CRPA" in result.reasons[0].text_fr
    assert result.duties == []


def test_unanswered_questions_are_listed():
    result = classify({"is_ai_system": True})
    assert not result.complete
    assert "proh_social_scoring" in result.unanswered
    assert "annex3" in result.unanswered


# --- prohibited practices: one per Art. 5 point ---------------------------------------------------

PROHIBITED = [
    ("AIA-PROH-A", path(BASE, proh_manipulation=True)),
    ("AIA-PROH-B", path(BASE, proh_vulnerabilities=True)),
    ("AIA-PROH-BA", path(GENERATIVE, proh_intimate_images=True)),
    ("AIA-PROH-BB", path(GENERATIVE, proh_csam=True)),
    ("AIA-PROH-C", path(BASE, proh_social_scoring=True)),
    ("AIA-PROH-D", path(BASE, proh_crime_prediction=True)),
    ("AIA-PROH-E", path(BIOMETRIC, proh_face_scraping=True)),
    (
        "AIA-PROH-F",
        path(
            BIOMETRIC,
            emotion_recognition=True,
            emotion_workplace_education=True,
            emotion_medical_safety=False,
        ),
    ),
    ("AIA-PROH-G", path(BIOMETRIC, biometric_categorisation=True, biometric_categorisation_sensitive=True)),
    ("AIA-PROH-H", path(BIOMETRIC, remote_biometric_id=True, rbi_realtime_law_enforcement=True)),
]


@pytest.mark.parametrize(("rule_id", "answers"), PROHIBITED, ids=[p[0] for p in PROHIBITED])
def test_each_prohibited_practice(rule_id, answers):
    result = classify(answers)
    assert result.risk_class is AiActClass.PROHIBITED
    assert result.prohibited_practices == [rule_id]
    assert rule_id in rule_ids(result)
    assert [d.id for d in result.duties] == ["OBL-AIA-PROHIBITED"]
    assert result.transparency_duties == []


def test_new_2026_prohibitions_apply_from_2_december_2026():
    assert rule("AIA-PROH-BA").applies_from == date(2026, 12, 2)
    assert rule("AIA-PROH-BB").applies_from == date(2026, 12, 2)
    assert rule("AIA-PROH-C").applies_from == date(2025, 2, 2)


def test_emotion_recognition_at_work_for_safety_is_high_risk_not_prohibited():
    result = classify(
        path(
            BIOMETRIC,
            emotion_recognition=True,
            emotion_workplace_education=True,
            emotion_medical_safety=True,
            emotion_exception_purpose="safety",
            profiling=False,
            derogation="none",
            decisions_about_persons=False,
            workplace_use=True,
        )
    )
    assert result.risk_class is AiActClass.HIGH
    assert "1c" in result.annex3_points
    assert "OBL-AIA-WORKERS" in {d.id for d in result.duties}


def test_emotion_exception_unanswered_is_presumed_prohibited():
    result = classify(path(BIOMETRIC, emotion_recognition=True, emotion_workplace_education=True))
    assert result.risk_class is AiActClass.PROHIBITED
    assert "emotion_medical_safety" in result.unanswered


# --- high risk: one per Annex III point used, and Annex I -------------------------------------------

HIGH = dict(profiling=True, decisions_about_persons=True, workplace_use=False)
ANNEX3 = [
    ("2", "AIA-ANX3-2"),
    ("3a", "AIA-ANX3-3A"),
    ("3b", "AIA-ANX3-3B"),
    ("3c", "AIA-ANX3-3C"),
    ("3d", "AIA-ANX3-3D"),
    ("4a", "AIA-ANX3-4A"),
    ("4b", "AIA-ANX3-4B"),
    ("5a", "AIA-ANX3-5A"),
    ("5b", "AIA-ANX3-5B"),
    ("5c", "AIA-ANX3-5C"),
    ("5d", "AIA-ANX3-5D"),
    ("6", "AIA-ANX3-6"),
    ("7", "AIA-ANX3-7"),
    ("8a", "AIA-ANX3-8A"),
    ("8b", "AIA-ANX3-8B"),
]


@pytest.mark.parametrize(("point", "rule_id"), ANNEX3, ids=[a[0] for a in ANNEX3])
def test_each_annex3_point_is_high_risk(point, rule_id):
    result = classify(path(BASE, annex3=[point], **HIGH))
    assert result.complete, result.unanswered
    assert result.risk_class is AiActClass.HIGH
    assert result.high_risk_basis == ["annex3"]
    assert {rule_id, "AIA-HR-04"} <= rule_ids(result)
    duties = {d.id for d in result.duties}
    assert {"OBL-AIA-OVERSIGHT", "OBL-AIA-LOGS", "OBL-AIA-LITERACY"} <= duties
    # Critical infrastructure (point 2): no FRIA, no EU registration by the deployer, no Art. 86.
    if point == "2":
        assert not result.fria_required and not result.eu_registration_required
        assert "OBL-AIA-REGISTRATION-NATIONAL" in duties
        assert "OBL-AIA-EXPLANATION" not in duties
    else:
        assert result.fria_required and result.eu_registration_required
        assert {"OBL-AIA-FRIA", "OBL-AIA-REGISTRATION", "OBL-AIA-EXPLANATION"} <= duties
    assert all(d.applies_from >= date(2025, 2, 2) for d in result.duties)


@pytest.mark.parametrize(
    ("answers", "point"),
    [
        (dict(remote_biometric_id=True, rbi_realtime_law_enforcement=False), "1a"),
        (dict(biometric_categorisation=True, biometric_categorisation_sensitive=False), "1b"),
        (dict(emotion_recognition=True, emotion_workplace_education=False), "1c"),
    ],
    ids=["1a", "1b", "1c"],
)
def test_biometric_points_come_from_the_biometric_questions(answers, point):
    result = classify(path(BIOMETRIC, **answers, **HIGH))
    assert result.risk_class is AiActClass.HIGH
    assert result.annex3_points == [point]
    assert rule(f"AIA-ANX3-{point.upper()}").id in rule_ids(result)


def test_high_risk_deployer_duties_carry_the_2027_date():
    result = classify(path(BASE, annex3=["5a"], **HIGH))
    dates = {d.id: d.applies_from for d in result.duties}
    assert dates["OBL-AIA-OVERSIGHT"] == date(2027, 12, 2)  # Art. 26, moved from 2 Aug 2026
    assert dates["OBL-AIA-FRIA"] == date(2027, 12, 2)
    assert dates["OBL-AIA-LITERACY"] == date(2025, 2, 2)
    assert not result.duties[0].in_force(date(2025, 1, 1))


def test_annex1_product_is_high_risk_from_august_2028():
    result = classify(path(BASE, annex1_product=True, decisions_about_persons=False, workplace_use=False))
    assert result.risk_class is AiActClass.HIGH
    assert result.high_risk_basis == ["annex1"]
    assert "AIA-HR-01" in rule_ids(result)
    assert not result.fria_required  # Art. 27 covers Annex III systems only
    dates = {d.id: d.applies_from for d in result.duties}
    assert dates["OBL-AIA-OVERSIGHT"] == date(2028, 8, 2)


def test_public_body_flag_drives_the_fria():
    answers = path(BASE, annex3=["4a"], **HIGH)
    assert classify(answers).fria_required
    assert not classify(answers, public_body=False).fria_required
    # ... except for creditworthiness (5b), where every deployer performs it.
    assert classify(path(BASE, annex3=["5b"], **HIGH), public_body=False).fria_required


# --- Art. 6(3) derogations and the profiling exception ----------------------------------------------


def _annex3_case(point: str, **answers: object) -> dict[str, object]:
    """An Annex III use about persons, outside the workplace, with the profiling and derogation answers."""
    return path(BASE, annex3=[point], decisions_about_persons=True, workplace_use=False, **answers)


@pytest.mark.parametrize("condition", ["a", "b", "c", "d"])
def test_each_derogation_takes_an_annex3_system_out_of_high_risk(condition):
    result = classify(_annex3_case("5a", profiling=False, derogation=condition, derogation_confirmed=True))
    assert result.complete, result.unanswered
    assert result.risk_class is AiActClass.MINIMAL
    assert result.derogation == condition
    assert {"AIA-HR-03", "AIA-HR-05"} <= rule_ids(result)
    assert not result.fria_required
    assert {d.id for d in result.duties} == {"OBL-AIA-LITERACY", "OBL-AIA-DEROGATION"}


@pytest.mark.parametrize("condition", ["a", "b", "c", "d"])
def test_profiling_cancels_every_derogation(condition):
    result = classify(_annex3_case("5a", profiling=True, derogation=condition))
    assert result.risk_class is AiActClass.HIGH
    assert result.derogation is None
    assert "AIA-HR-04" in rule_ids(result)
    assert "AIA-HR-03" not in rule_ids(result)


def test_derogation_question_is_hidden_when_the_system_profiles():
    shown = {q.id for q in visible_questions(path(BASE, annex3=["5a"], profiling=True))}
    assert "derogation" not in shown
    shown = {q.id for q in visible_questions(path(BASE, annex3=["5a"], profiling=False))}
    assert "derogation" in shown


def test_no_derogation_is_high_risk():
    result = classify(_annex3_case("4a", profiling=False, derogation="none"))
    assert result.risk_class is AiActClass.HIGH
    assert "AIA-HR-02" in rule_ids(result)


# --- transparency (Art. 50) ------------------------------------------------------------------

TRANSPARENCY = [
    ("AIA-TR-01", path(BASE, interacts_with_people=True), "provider", "OBL-AIA-CHATBOT"),
    ("AIA-TR-02", GENERATIVE, "provider", "OBL-AIA-MARKING"),
    (
        "AIA-TR-03",
        path(
            BIOMETRIC,
            emotion_recognition=True,
            emotion_workplace_education=False,
            profiling=False,
            derogation="a",
            decisions_about_persons=False,
            workplace_use=False,
        ),
        "deployer",
        "OBL-AIA-EMOTION-NOTICE",
    ),
    ("AIA-TR-04", path(GENERATIVE, deepfake=True), "deployer", "OBL-AIA-DEEPFAKE"),
    (
        "AIA-TR-05",
        path(GENERATIVE, public_interest_text=True, editorial_review=False),
        "deployer",
        "OBL-AIA-AI-TEXT",
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "answers", "bearer", "obligation"), TRANSPARENCY, ids=[t[0] for t in TRANSPARENCY]
)
def test_each_transparency_case(rule_id, answers, bearer, obligation):
    result = classify(answers)
    assert result.complete, result.unanswered
    assert result.risk_class is AiActClass.LIMITED
    duty = next(d for d in result.transparency_duties if d.rule_id == rule_id)
    assert duty.bearer == bearer
    assert duty.applies_from == date(2026, 8, 2)
    assert obligation in {d.id for d in result.duties}


def test_human_editorial_review_lifts_the_ai_text_disclosure():
    result = classify(path(GENERATIVE, public_interest_text=True, editorial_review=True))
    assert "AIA-TR-05" not in {d.rule_id for d in result.transparency_duties}
    assert {d.rule_id for d in result.transparency_duties} == {"AIA-TR-02"}


# --- role and general-purpose models --------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "role"),
    [
        (path(BASE), AiActRole.DEPLOYER),
        (path(BASE, supply="in_house"), AiActRole.BOTH),
        (path(BASE, supply="for_others"), AiActRole.PROVIDER),
        (path(BASE, annex3=["5a"], own_name_or_brand=True, **HIGH), AiActRole.BOTH),
        (path(BASE, annex3=["5a"], substantial_modification=True, **HIGH), AiActRole.BOTH),
        (path(BASE, annex3=["5a"], purpose_changed=True, **HIGH), AiActRole.BOTH),
        # Art. 25 turns a deployer into a provider only for a high-risk system.
        (path(BASE, own_name_or_brand=True), AiActRole.DEPLOYER),
    ],
)
def test_role(answers, role):
    assert classify(answers).role is role


def test_deployer_turned_provider_gets_the_provider_review():
    result = classify(path(BASE, annex3=["5a"], purpose_changed=True, uses_gpai=True, **HIGH))
    assert "AIA-ROLE-01" in rule_ids(result)
    assert result.gpai
    duties = {d.id for d in result.duties}
    assert {"OBL-AIA-PROVIDER", "OBL-AIA-GPAI", "OBL-AIA-OVERSIGHT"} <= duties


def test_gpai_use_alone_stays_minimal_with_documentation_duty():
    result = classify(path(BASE, uses_gpai=True))
    assert result.gpai and result.risk_class is AiActClass.MINIMAL
    assert "OBL-AIA-GPAI" in {d.id for d in result.duties}


# --- questionnaire format -------------------------------------------------------------------


def test_every_question_has_french_text_and_an_article():
    for q in questions():
        assert q.text_fr.strip() and q.article.strip(), q.id
        if q.kind in ("single", "multi"):
            assert q.options, q.id


def test_only_the_first_question_shows_before_any_answer():
    assert [q.id for q in visible_questions({})] == ["is_ai_system"]


def test_biometric_follow_ups_show_only_after_yes():
    shown = {q.id for q in visible_questions(path(BASE, biometric=True, emotion_recognition=True))}
    assert {"proh_face_scraping", "emotion_workplace_education", "remote_biometric_id"} <= shown
    assert "emotion_medical_safety" not in shown
    assert "rbi_realtime_law_enforcement" not in shown


def test_visibility_depends_only_on_earlier_questions():
    seen = {"annex3_points"}  # derived from earlier questions (annex3 and the biometric ones)
    for q in questions():
        referenced = _facts_in(q.visible_if or {})
        assert referenced <= seen, (q.id, referenced - seen)
        seen.add(q.id)


def _facts_in(condition: dict) -> set[str]:
    found = set()
    for key, value in condition.items():
        if key in ("any", "all"):
            for c in value:
                found |= _facts_in(c)
        elif key == "not":
            found |= _facts_in(value)
        else:
            found.add(key)
    return found


def test_a_stale_answer_to_a_hidden_question_is_ignored():
    # The user first said the system is biometric and scrapes faces, then corrected "biometric".
    stale = path(BIOMETRIC, proh_face_scraping=True, biometric=False)
    result = classify(stale)
    assert result.risk_class is AiActClass.MINIMAL
    assert result.complete
    # Likewise a derogation chosen before the profiling answer turned to "yes".
    result = classify(
        path(
            BASE,
            annex3=["5a"],
            profiling=True,
            derogation="a",
            decisions_about_persons=True,
            workplace_use=False,
        )
    )
    assert result.risk_class is AiActClass.HIGH
