"""The worked examples of policies/README.md, each one a test, and the README table kept in step.

The data is tests/policies/worked_examples.yaml: the answers a careful compliance officer gives for a
typical use of a commune, the AI Act class and the key duties.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from policies import crpa
from policies.ai_act import classify
from policies.obligations import applicable_obligations
from policies.profile import build_profile
from policies.rulebook import all_rules
from policies.vocabulary import AiActClass

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("worked_examples.yaml")
README = ROOT / "policies" / "README.md"
START, END = "<!-- worked-examples:start -->", "<!-- worked-examples:end -->"


def examples() -> list[dict[str, Any]]:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))["examples"]


def render_table(items: list[dict[str, Any]]) -> str:
    """The README table, rendered from the data file (run this module to print it)."""
    lines = ["| Usage | Réponses d'un agent attentif | Classe | Obligations clés |", "| --- | --- | --- | --- |"]
    for ex in items:
        duties = ", ".join(f"`{d}`" for d in ex["duties"])
        lines.append(f"| {ex['use_fr']} | {ex['answers_fr']} | {AiActClass(ex['risk_class']).label} | {duties} |")
    return "\n".join(lines)


def _assess(ex: dict[str, Any]):  # type: ignore[no-untyped-def]
    result = classify(ex["ai_act"])
    crpa_result = crpa.assess(crpa.CrpaFacts(**ex["crpa"])) if "crpa" in ex else None
    obligations = {o.id for o in applicable_obligations(build_profile(ai_act_result=result, crpa_result=crpa_result))}
    return result, obligations


@pytest.mark.parametrize("ex", examples(), ids=lambda ex: ex["id"])
def test_worked_example(ex):
    result, obligations = _assess(ex)
    assert result.complete, f"{ex['id']}: questions sans réponse {result.unanswered}"
    assert result.risk_class is AiActClass(ex["risk_class"]), [r.text_fr for r in result.reasons]
    missing = set(ex["duties"]) - obligations
    assert not missing, f"{ex['id']}: obligations manquantes {sorted(missing)}"
    extra = set(ex.get("absent", [])) & obligations
    assert not extra, f"{ex['id']}: obligations en trop {sorted(extra)}"
    if "reason" in ex:
        assert ex["reason"] in {r.rule_id for r in result.reasons}


def test_worked_examples_cover_every_class_and_name_known_rules():
    items = examples()
    assert len(items) >= 12
    assert {ex["risk_class"] for ex in items} == {c.value for c in AiActClass}
    assert len({ex["id"] for ex in items}) == len(items)
    known = set(all_rules())
    assert all(ex["reason"] in known for ex in items if "reason" in ex)


def test_readme_table_is_rendered_from_the_data_file():
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    table = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert table == render_table(examples()), "Regenerate: python tests/policies/test_worked_examples.py"


if __name__ == "__main__":
    print(render_table(examples()))
