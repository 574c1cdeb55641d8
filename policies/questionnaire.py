"""Questionnaire format shared by the AI Act, RGPD and impact questionnaires.

A question is shown when its ``visible_if`` condition (see :mod:`policies.conditions`) holds over
the answers given so far (plus the facts the engine derives from them). Answers are plain values:
``True``/``False`` for ``yes_no``, an option value for ``single``, a list of values for ``multi``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from policies.conditions import matches
from policies.rulebook import rule


class Option(BaseModel):
    model_config = ConfigDict(frozen=True)

    value: str | bool
    label_fr: str
    help_fr: str = ""
    rule: str | None = None  # the rule the option stands for (e.g. an Annex III point)
    points: int = 0  # weight, for scored questionnaires (impact)


class Question(BaseModel):
    """One question; ``article`` is filled from ``rule`` when the file does not give it."""

    model_config = ConfigDict(frozen=True)

    id: str
    section: str
    kind: Literal["yes_no", "single", "multi"]
    text_fr: str
    help_fr: str = ""
    rule: str | None = None
    article: str = ""
    options: tuple[Option, ...] = ()
    visible_if: dict[str, Any] | None = None
    group: str | None = None  # scored questionnaires: "impact" or "mitigation"

    def option(self, value: Any) -> Option | None:
        return next((o for o in self.options if o.value == value), None)

    def answer_label(self, answer: Any) -> str:
        if self.kind == "multi":
            return ", ".join(self.answer_label_one(a) for a in answer or []) or "aucune"
        return self.answer_label_one(answer)

    def answer_label_one(self, answer: Any) -> str:
        opt = self.option(answer)
        if opt is not None:
            return opt.label_fr
        if self.kind == "yes_no" and isinstance(answer, bool):
            return "Oui" if answer else "Non"
        return "sans réponse" if answer is None else str(answer)


YES_NO = (Option(value=True, label_fr="Oui"), Option(value=False, label_fr="Non"))


def parse_questions(raw: Iterable[Mapping[str, Any]]) -> tuple[Question, ...]:
    """Build questions from a rules file's ``questions`` list, citing each question's rule."""
    out = []
    for item in raw:
        data = dict(item)
        if data.get("rule") and not data.get("article"):
            data["article"] = rule(data["rule"]).article
        if data["kind"] == "yes_no" and not data.get("options"):
            data["options"] = YES_NO
        out.append(Question.model_validate(data))
    ids = [q.id for q in out]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"Questions en double : {sorted(dupes)}")
    return tuple(out)


def visible(questions: Iterable[Question], facts: Mapping[str, Any]) -> list[Question]:
    return [q for q in questions if matches(q.visible_if, facts)]


def effective_answers(
    questions: Iterable[Question],
    answers: Mapping[str, Any],
    derive: Callable[[Mapping[str, Any]], Mapping[str, Any]] = dict,
) -> dict[str, Any]:
    """The answers to questions that are visible, walking the questions in order.

    An answer left over from a question that an earlier answer has since hidden is dropped, so it
    cannot switch a rule on (a known trap of scored questionnaires, e.g. canada-ca/aia-eia-js#1143).
    A question's ``visible_if`` may only depend on earlier questions (checked by the tests).
    """
    kept: dict[str, Any] = {}
    for q in questions:
        if q.id in answers and matches(q.visible_if, derive(kept)):
            kept[q.id] = answers[q.id]
    return kept


def unanswered(questions: Iterable[Question], answers: Mapping[str, Any]) -> list[str]:
    return [q.id for q in questions if answers.get(q.id) is None]
