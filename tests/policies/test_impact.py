"""Impact level: maxima recomputed from the YAML, mitigation rule, drivers, weights that move the level."""

from __future__ import annotations

import copy

import pytest

from policies.impact import assess
from policies.rulebook import load_rules
from policies.vocabulary import ImpactLevel

RULES = load_rules("impact")


def expected_max(group: str) -> int:
    total = 0
    for q in RULES["questions"]:
        if q["group"] == group:
            pts = [o["points"] for o in q["options"]]
            total += sum(p for p in pts if p > 0) if q["kind"] == "multi" else max(pts)
    return total


def best_answers(group: str) -> dict:
    return {
        q["id"]: max(q["options"], key=lambda o: o["points"])["value"]
        for q in RULES["questions"]
        if q["group"] == group
    }


def level_for_share(share: float) -> str:
    for lv in sorted(RULES["scoring"]["levels"], key=lambda lv: lv["max_share"]):
        if share <= lv["max_share"]:
            return lv["level"]
    raise AssertionError


def test_maxima_are_computed_from_the_rules_file():
    result = assess({})
    assert result.max_raw == expected_max("impact")
    assert result.max_mitigation == expected_max("mitigation")
    assert (result.raw, result.score, result.level) == (0, 0, ImpactLevel.I)


def test_worst_case_is_level_iv():
    result = assess(best_answers("impact"))
    assert result.raw == result.max_raw and result.share == 1.0
    assert result.level is ImpactLevel.IV


@pytest.mark.parametrize(
    "answers",
    [
        {"people_affected": "ge_100k", "decision_role": "automated"},
        {
            "people_affected": "lt_10k",
            "decision_role": "recommendation",
            "rights_effect": "moderate",
            "data_sensitivity": "personal",
            "opacity": "interpretable",
        },
        {
            "decision_role": "automated",
            "rights_effect": "high",
            "reversibility": "appeal",
            "vulnerable_people": True,
            "data_matching": True,
            "opacity": "opaque",
        },
        {**best_answers("impact"), "staff_effect": "none", "public_facing": False},
    ],
)
def test_score_and_level_recomputed_from_the_yaml(answers):
    result = assess(answers)
    points = {q["id"]: {o["value"]: o["points"] for o in q["options"]} for q in RULES["questions"]}
    raw = sum(points[k][v] for k, v in answers.items())
    assert result.raw == raw
    assert result.level.value == level_for_share(raw / expected_max("impact"))


def test_strong_mitigation_reduces_the_score_by_the_configured_share():
    impact = {
        "people_affected": "ge_100k",
        "decision_role": "automated",
        "rights_effect": "high",
        "reversibility": "easy",
        "vulnerable_people": True,
        "data_sensitivity": "sensitive",
    }  # 17 of 32
    plain = assess(impact)
    mitigated = assess({**impact, **best_answers("mitigation")})
    reduction = RULES["scoring"]["mitigation_reduction"]
    assert mitigated.mitigation_applied and not plain.mitigation_applied
    assert mitigated.score == pytest.approx(plain.raw * (1 - reduction))
    assert (plain.level, mitigated.level) == (ImpactLevel.III, ImpactLevel.II)


def test_mitigation_below_the_threshold_does_not_count():
    weak = {"human_review": True, "recourse": True}  # 5 of 15 points
    result = assess({"decision_role": "automated", **weak})
    assert result.mitigation == 5 and not result.mitigation_applied and result.score == result.raw


def test_drivers_are_sorted_by_points_and_name_the_answer():
    result = assess(
        {
            "decision_role": "automated",
            "people_affected": "lt_10k",
            "vulnerable_people": True,
            "opacity": "rules",
        }
    )
    assert [(d.question_id, d.points) for d in result.drivers] == [
        ("decision_role", 4),
        ("vulnerable_people", 3),
        ("people_affected", 1),
    ]
    assert result.drivers[0].answer_fr == "Décision automatisée"


def test_editing_a_weight_changes_the_level():
    answers = {"decision_role": "automated", "rights_effect": "high"}  # 8 points
    assert assess(answers).level is ImpactLevel.I
    heavier = copy.deepcopy(RULES)
    question = next(q for q in heavier["questions"] if q["id"] == "decision_role")
    next(o for o in question["options"] if o["value"] == "automated")["points"] = 20
    result = assess(answers, rules=heavier)
    assert result.max_raw == expected_max("impact") + 16
    assert result.level is ImpactLevel.II


def test_editing_a_level_share_changes_the_level():
    answers = {"decision_role": "automated", "rights_effect": "high"}
    stricter = copy.deepcopy(RULES)
    stricter["scoring"]["levels"][0]["max_share"] = 0.10
    assert assess(answers, rules=stricter).level is ImpactLevel.II


def test_unknown_answer_is_refused_in_french():
    with pytest.raises(ValueError, match="Réponse inconnue"):
        assess({"decision_role": "oracle"})
