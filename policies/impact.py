"""Impact level I–IV, scored like Canada's Algorithmic Impact Assessment.

Every question of ``rules/impact.yaml`` belongs to the ``impact`` or the ``mitigation`` group and
gives points per option (a ``multi`` answer adds its options' points). With ``raw`` the impact
points and ``mitigation`` the mitigation points:

* ``max_raw`` and ``max_mitigation`` are computed from the file (best option per question, or the
  sum of positive options for ``multi``), never hard-coded;
* when ``mitigation / max_mitigation >= mitigation_threshold``, ``score = raw × (1 − reduction)``,
  else ``score = raw``;
* the level is the first whose ``max_share`` the share ``score / max_raw`` does not exceed.

Unanswered questions score nothing. :func:`assess` takes ``rules`` to score under other weights.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from policies.questionnaire import Question, parse_questions
from policies.rulebook import load_rules
from policies.vocabulary import ImpactLevel

Answers = Mapping[str, Any]


class Driver(BaseModel):
    """One answer that raised the impact score."""

    model_config = ConfigDict(frozen=True)

    question_id: str
    question_fr: str
    answer_fr: str
    points: int


class ImpactResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    raw: int
    max_raw: int
    mitigation: int
    max_mitigation: int
    mitigation_applied: bool
    score: float
    share: float  # score / max_raw
    level: ImpactLevel
    drivers: list[Driver] = Field(default_factory=list)  # by decreasing points
    unanswered: list[str] = Field(default_factory=list)


def questions(rules: Mapping[str, Any] | None = None) -> list[Question]:
    return list(parse_questions((rules or load_rules("impact"))["questions"]))


def max_points(question: Question) -> int:
    if question.kind == "multi":
        return sum(o.points for o in question.options if o.points > 0)
    return max((o.points for o in question.options), default=0)


def points(question: Question, answer: Any) -> int:
    if answer is None:
        return 0
    values = answer if question.kind == "multi" else [answer]
    total = 0
    for value in values:
        opt = question.option(value)
        if opt is None:
            raise ValueError(f"Réponse inconnue « {value} » à la question « {question.text_fr} ».")
        total += opt.points
    return total


def assess(answers: Answers, rules: Mapping[str, Any] | None = None) -> ImpactResult:
    rules = rules or load_rules("impact")
    scoring = rules["scoring"]
    qs = questions(rules)
    impact_qs = [q for q in qs if q.group == "impact"]
    mitig_qs = [q for q in qs if q.group == "mitigation"]
    raw = sum(points(q, answers.get(q.id)) for q in impact_qs)
    mitigation = sum(points(q, answers.get(q.id)) for q in mitig_qs)
    max_raw = sum(max_points(q) for q in impact_qs)
    max_mitigation = sum(max_points(q) for q in mitig_qs)
    applied = max_mitigation > 0 and mitigation / max_mitigation >= scoring["mitigation_threshold"]
    score = raw * (1 - scoring["mitigation_reduction"]) if applied else float(raw)
    share = score / max_raw if max_raw else 0.0
    levels = sorted(scoring["levels"], key=lambda lv: lv["max_share"])
    level = next((lv["level"] for lv in levels if share <= lv["max_share"]), levels[-1]["level"])
    drivers = [
        Driver(
            question_id=q.id,
            question_fr=q.text_fr,
            answer_fr=q.answer_label(answers.get(q.id)),
            points=points(q, answers.get(q.id)),
        )
        for q in impact_qs
        if points(q, answers.get(q.id)) > 0
    ]
    drivers.sort(key=lambda d: -d.points)
    return ImpactResult(
        raw=raw,
        max_raw=max_raw,
        mitigation=mitigation,
        max_mitigation=max_mitigation,
        mitigation_applied=applied,
        score=round(score, 4),
        share=round(share, 4),
        level=ImpactLevel(level),
        drivers=drivers,
        unanswered=[q.id for q in qs if answers.get(q.id) is None],
    )
