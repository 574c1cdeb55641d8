"""Answers that contradict each other, across the AI Act, CRPA and RGPD questionnaires.

A pure function over the answers: :func:`contradictions` returns the checks of the ``consistency``
section of ``rules/ai_act.yaml`` that hold, each with a French message naming the questions
concerned. The Questionnaire page shows them before saving; the governance service records them
with the classification (it warns, it does not refuse: a contradiction may be the honest state of
a file still being investigated, and the engine already takes the stricter reading).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from policies import ai_act, crpa, rgpd
from policies.conditions import matches
from policies.questionnaire import effective_answers
from policies.rulebook import load_rules, rule

#: Labels of answers that are not questions (free-text fields of the CRPA tab).
_FIELD_LABELS = {"crpa.secret_justification": "Justification du secret (L311-5)"}
_PARTS = {"crpa": "CRPA", "rgpd": "RGPD"}


class Contradiction(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    rule_id: str
    article: str
    questions: tuple[str, ...]  # question ids, ``crpa.``/``rgpd.`` prefixed outside the AI Act
    message_fr: str


@cache
def _labels() -> dict[str, str]:
    labels = {q.id: f"« {q.text_fr} » (règlement IA)" for q in ai_act.questions()}
    labels |= {f"crpa.{q.id}": f"« {q.text_fr} » (CRPA)" for q in crpa.questions()}
    labels |= {f"rgpd.{q.id}": f"« {q.text_fr} » (RGPD)" for q in rgpd.dpia_questions() + rgpd.art22_questions()}
    labels |= {k: f"« {v} » ({_PARTS[k.split('.')[0]]})" for k, v in _FIELD_LABELS.items()}
    return labels


def _facts(ai: Mapping[str, Any], crpa_answers: Mapping[str, Any], rgpd_answers: Mapping[str, Any]) -> dict[str, Any]:
    kept = effective_answers(ai_act.questions(), ai, ai_act.derive_facts)
    facts = ai_act.derive_facts(kept)
    crpa_ids = {q.id for q in crpa.questions()}
    crpa_kept = effective_answers(crpa.questions(), crpa_answers)
    crpa_kept |= {k: v for k, v in crpa_answers.items() if k not in crpa_ids}  # size, sheet, justification
    facts |= {f"crpa.{k}": v for k, v in crpa_kept.items()}
    facts |= {f"rgpd.{k}": v for k, v in rgpd_answers.items()}
    return facts


def contradictions(
    ai_act_answers: Mapping[str, Any],
    crpa_answers: Mapping[str, Any] | None = None,
    rgpd_answers: Mapping[str, Any] | None = None,
) -> list[Contradiction]:
    """The contradictions among the answers, in the order of the rules file (empty when consistent)."""
    facts = _facts(ai_act_answers, crpa_answers or {}, rgpd_answers or {})
    labels = _labels()
    found = []
    for check in load_rules("ai_act")["consistency"]:
        if not matches(check["when"], facts):
            continue
        ref = rule(check["rule"])
        names = " ; ".join(labels.get(q, q) for q in check["questions"])
        found.append(
            Contradiction(
                id=check["id"],
                rule_id=ref.id,
                article=ref.article,
                questions=tuple(check["questions"]),
                message_fr=f"{check['message_fr']} Questions concernées : {names}.",
            )
        )
    return found
