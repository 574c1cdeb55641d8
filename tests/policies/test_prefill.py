"""The answers a use-case sheet proposes to the questionnaire: each proposal is a valid answer to an
existing question of its questionnaire, and follows from the sheet's facts."""

from __future__ import annotations

import pytest

from policies import ai_act, crpa, impact, rgpd
from policies.prefill import SheetFacts, SourceFacts, proposals

QUESTIONS = {"ai_act": ai_act.questions(), "rgpd": rgpd.dpia_questions() + rgpd.art22_questions(),
             "crpa": crpa.questions(), "impact": impact.questions()}
FULL = SheetFacts(automation="automated", provider_type="vendor", decisions_per_year=4200,
                  public_concerned="Demandeurs d'asile et familles",
                  sources=(SourceFacts(personal_data=True, sensitive_data=True, producer="CAF", origin="partner"),
                           SourceFacts(personal_data=True, producer="Ville", origin="internal")))


@pytest.mark.parametrize("sheet", [SheetFacts(), FULL, SheetFacts(automation="information", provider_type="in_house",
                                                                  sources=(SourceFacts(),))])
def test_every_proposal_answers_an_existing_question_with_one_of_its_options(sheet):
    for part, proposed in proposals(sheet).items():
        by_id = {q.id: q for q in QUESTIONS[part]}
        for qid, p in proposed.items():
            assert qid in by_id, (part, qid)
            assert by_id[qid].option(p.value) is not None, (part, qid, p.value)
            assert p.reason_fr


def test_an_empty_sheet_proposes_only_that_it_is_an_algorithm():
    assert {k: set(v) for k, v in proposals(SheetFacts()).items()} == {
        "ai_act": set(), "rgpd": set(), "crpa": {"algorithmic_processing"}, "impact": set()}


def test_a_full_sheet_gives_automation_provider_data_and_public():
    got = {part: {k: p.value for k, p in v.items()} for part, v in proposals(FULL).items()}
    assert got["ai_act"] == {"supply": "third_party", "decisions_about_persons": True}
    assert got["crpa"] == {"algorithmic_processing": True, "individual_decision": True}
    assert got["rgpd"] == {"dpia_c2": True, "dpia_c4": True, "dpia_c6": True, "dpia_c7": True}
    assert got["impact"] == {"decision_role": "automated", "human_review": False, "people_affected": "lt_10k",
                             "data_sensitivity": "sensitive", "data_matching": True, "vulnerable_people": True}
    assert proposals(FULL)["rgpd"]["dpia_c7"].reason_fr == "public concerné : « Demandeurs d'asile »"


def test_what_the_sheet_does_not_say_is_not_proposed():
    sheet = SheetFacts(automation="information", provider_type="in_house", decisions_per_year=0,
                       public_concerned="Élus et services", sources=(SourceFacts(producer="INSEE"),))
    got = {part: {k: p.value for k, p in v.items()} for part, v in proposals(sheet).items()}
    assert got["ai_act"] == {"supply": "in_house"}  # information only: no decision about persons proposed
    assert got["crpa"] == {"algorithmic_processing": True}
    assert got["rgpd"] == {"dpia_c2": False}
    assert got["impact"] == {"decision_role": "information", "human_review": True, "data_sensitivity": "none",
                             "data_matching": False}


@pytest.mark.parametrize(("n", "band"), [(1, "lt_100"), (99, "lt_100"), (100, "lt_10k"), (9_999, "lt_10k"),
                                         (10_000, "lt_100k"), (100_000, "ge_100k")])
def test_decisions_a_year_give_the_band_of_people_affected(n, band):
    assert proposals(SheetFacts(decisions_per_year=n))["impact"]["people_affected"].value == band


def test_a_single_personal_source_is_no_crossing_of_data():
    one = SheetFacts(sources=(SourceFacts(personal_data=True, producer="Ville"),))
    assert proposals(one)["impact"]["data_matching"].value is False
    assert "dpia_c6" not in proposals(one)["rgpd"]
