"""RGPD golden cases: legal basis per source, DPIA with 1 vs 2 criteria, Art. 22 / LIL art. 47."""

from __future__ import annotations

import pytest

from policies.rgpd import (
    DataSourceFacts,
    art9_exceptions,
    art22_questions,
    assess,
    check_art22,
    check_sources,
    screen_dpia,
)

SOURCES = [
    DataSourceFacts(name="Fichier des allocataires", personal_data=True, legal_basis="public_task"),
    DataSourceFacts(name="Demandes en ligne", personal_data=True),
    DataSourceFacts(name="Carte des équipements", personal_data=False),
    {
        "name": "Dossiers médicaux APA",
        "personal_data": True,
        "special_categories": True,
        "legal_basis": "legal_obligation",
    },
]


def test_sources_missing_a_legal_basis_are_listed():
    check = check_sources(SOURCES)
    assert check.personal_data and check.special_categories
    assert check.missing_legal_basis == ["Demandes en ligne"]
    assert check.missing_art9_exception == ["Dossiers médicaux APA"]
    assert not check.ok
    assert {r.rule_id for r in check.reasons} == {"GDPR-06-01", "GDPR-09-01"}
    assert "Demandes en ligne" in check.reasons[0].text_fr


def test_legitimate_interest_is_flagged_for_a_public_body_only():
    src = [DataSourceFacts(name="Vidéos", personal_data=True, legal_basis="legitimate_interest")]
    assert check_sources(src).legitimate_interest == ["Vidéos"]
    assert check_sources(src, public_body=False).ok


def test_no_personal_data_needs_no_basis():
    check = check_sources([DataSourceFacts(name="Open data INSEE")])
    assert not check.personal_data and check.ok


@pytest.mark.parametrize(
    ("answers", "required", "recommended", "criteria"),
    [
        ({}, False, False, []),
        ({"dpia_c8": True}, False, True, ["C8"]),
        ({"dpia_c7": True, "dpia_c8": True}, True, False, ["C7", "C8"]),
        ({"dpia_c1": True, "dpia_c5": True, "dpia_c9": True}, True, False, ["C1", "C5", "C9"]),
    ],
)
def test_dpia_one_criterion_recommends_two_require(answers, required, recommended, criteria):
    result = screen_dpia(answers)
    assert (result.required, result.recommended, result.criteria) == (required, recommended, criteria)


def test_dpia_reasons_name_the_criteria():
    result = screen_dpia({"dpia_c7": True, "dpia_c8": True})
    text = " ".join(r.text_fr for r in result.reasons)
    assert "2 critère(s) sur 9" in text and "vulnérables" in text


def test_a_cnil_list_case_alone_requires_a_dpia():
    result = screen_dpia({"dpia_cnil_required": ["12"]})
    assert result.required and result.cnil_cases == ["12"]
    assert "logement social" in " ".join(r.text_fr for r in result.reasons)
    assert "GDPR-35-03" in {r.rule_id for r in result.reasons}


def test_an_art35_3_case_alone_requires_a_dpia():
    assert screen_dpia({"dpia_art35_3": ["c"]}).required


def test_cnil_exemption_holds_only_within_its_description():
    assert not screen_dpia({"dpia_cnil_exempt": ["10"], "dpia_c7": True}).recommended
    assert screen_dpia({"dpia_cnil_exempt": ["10"], "dpia_c7": True, "dpia_c8": True}).required
    assert screen_dpia({"dpia_cnil_exempt": ["1"], "dpia_c1": True}).recommended


def test_no_personal_data_no_dpia():
    assert not screen_dpia({"dpia_c1": True, "dpia_c2": True}, personal_data=False).required


# --- Art. 22 / LIL art. 47 ----------------------------------------------------------------------

AUTOMATED = {
    "individual_decision": True,
    "significant_effect": True,
    "solely_automated": True,
    "administrative_decision": True,
    "administrative_appeal": False,
    "explainable": True,
    "mention_on_decision": True,
}


def test_a_decision_support_tool_with_documented_human_action_is_outside_art22():
    result = check_art22({**AUTOMATED, "solely_automated": False, "human_action_documented": True})
    assert not result.applies and result.regime == "not_applicable" and result.allowed


def test_undocumented_human_review_counts_as_solely_automated():
    result = check_art22({**AUTOMATED, "solely_automated": False, "human_action_documented": False})
    assert result.applies
    assert "GUIDE-DDD-01" in {r.rule_id for r in result.reasons}


def test_solely_automated_administrative_decision_meeting_lil47_is_allowed_with_conditions():
    result = check_art22(AUTOMATED)
    assert result.applies and result.regime == "lil47_administrative" and result.allowed
    assert any("nullité" in c for c in result.conditions)
    assert {"GDPR-22-01", "LIL-47-02"} <= {r.rule_id for r in result.reasons}


@pytest.mark.parametrize(
    ("change", "special", "needle"),
    [
        ({}, True, "données sensibles"),
        ({"explainable": False}, False, "aide à la décision"),
        ({"mention_on_decision": False}, False, "nulles"),
        ({"administrative_appeal": True}, False, "recours administratif"),
    ],
)
def test_lil47_blocking_conditions(change, special, needle):
    result = check_art22({**AUTOMATED, **change}, special_categories=special)
    assert result.applies and not result.allowed
    assert any(needle in b for b in result.blocking), result.blocking


def test_non_administrative_decision_needs_an_art22_2_exception():
    answers = {**AUTOMATED, "administrative_decision": False}
    assert not check_art22({**answers, "art22_exception": "none"}).allowed
    result = check_art22({**answers, "art22_exception": "contract"})
    assert result.regime == "gdpr22_exception" and result.allowed
    assert any("intervention humaine" in c for c in result.conditions)


def test_no_significant_effect_no_art22():
    assert not check_art22({**AUTOMATED, "significant_effect": False}).applies


def test_art22_questions_show_follow_ups_only_when_relevant():
    assert [q.id for q in art22_questions({})] == ["individual_decision"]
    shown = [q.id for q in art22_questions({"individual_decision": True, "solely_automated": False})]
    assert "human_action_documented" in shown


def test_assess_runs_all_checks():
    result = assess(SOURCES, {**AUTOMATED, "dpia_c1": True, "dpia_c2": True})
    assert result.dpia.required
    assert result.art22.applies and not result.art22.allowed  # special categories in a source
    assert result.sources.missing_legal_basis == ["Demandes en ligne"]
    assert len(result.reasons) >= 4


def _sensitive(exception: str | None) -> DataSourceFacts:
    return DataSourceFacts(name="Dossiers APA", personal_data=True, special_categories=True,
                           legal_basis="legal_obligation", art9_exception=exception)


def test_a_sensitive_source_resting_on_an_art9_exception_open_to_a_collectivite_passes():
    check = check_sources([_sensitive("9(2)(h)")])
    assert check.ok and check.art9_exceptions == ["9(2)(h)"] and not check.missing_art9_exception
    # what the compliance officer must still check is said, without failing the check
    assert any("secret professionnel" in r.text_fr for r in check.reasons)


@pytest.mark.parametrize(("exception", "needle"), [
    ("9(2)(d)", "qu'une collectivité ne peut pas invoquer"),
    ("9(2)(z)", "inconnue « 9(2)(z) »"),
])
def test_an_art9_exception_a_collectivite_cannot_rest_on_fails(exception, needle):
    check = check_sources([_sensitive(exception)])
    assert not check.ok and check.invalid_art9_exception == ["Dossiers APA"]
    assert any(needle in r.text_fr for r in check.reasons), [r.text_fr for r in check.reasons]
    # an association may rest on (d)
    assert check_sources([_sensitive("9(2)(d)")], public_body=False).ok


def test_every_art9_exception_has_a_french_label_naming_its_point():
    exceptions = art9_exceptions()
    assert list(exceptions) == [f"9(2)({p})" for p in "abcdefghij"]
    assert all(e.code[-3:] in e.label_fr for e in exceptions.values())


def test_a_solely_automated_decision_on_sensitive_data_needs_the_a_or_g_exception():
    answers = {**AUTOMATED, "administrative_decision": False, "art22_exception": "contract"}
    blocked = assess([_sensitive("9(2)(h)")], answers).art22
    assert not blocked.allowed and any("9(2)(h)" in b and "art. 22(4)" in b for b in blocked.blocking)
    allowed = assess([_sensitive("9(2)(g)")], answers).art22
    assert allowed.allowed and any("art. 22(4)" in c for c in allowed.conditions)
