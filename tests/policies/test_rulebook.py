"""Every rule file is versioned and every rule cites its basis, start date and verification status."""

from __future__ import annotations

from datetime import date

import pytest

from policies import obligations
from policies.conditions import matches
from policies.rulebook import POLICY_VERSION, RULE_FILES, STATUSES, all_rules, load_rules, reason, rule


@pytest.mark.parametrize("name", RULE_FILES)
def test_every_rule_has_id_article_source_date_and_status(name):
    data = load_rules(name)
    assert str(data["version"]).strip()
    assert data["rules"], f"{name}.yaml has no rules"
    for raw in data["rules"]:
        assert raw.get("id"), raw
        assert (raw.get("article") or "").strip() or (raw.get("source") or "").strip(), raw["id"]
        assert (raw.get("source") or "").strip(), raw["id"]
        assert isinstance(raw.get("applies_from"), date), raw["id"]
        assert raw.get("status") in STATUSES, raw["id"]
        assert (raw.get("title_fr") or "").strip(), raw["id"]


def test_rule_ids_are_unique_across_files():
    ids = [r["id"] for name in RULE_FILES for r in load_rules(name)["rules"]]
    assert len(ids) == len(set(ids))
    assert len(all_rules()) == len(ids)


def test_every_reference_to_a_rule_resolves():
    refs: list[str] = []
    for name in RULE_FILES:
        data = load_rules(name)
        for key in ("questions", "art22_questions"):
            for q in data.get(key, []):
                refs += [q["rule"]] if q.get("rule") else []
                refs += [o["rule"] for o in q.get("options", []) if o.get("rule")]
    ai = load_rules("ai_act")
    refs += [e["rule"] for e in ai["prohibited"]] + [e["rule"] for e in ai["transparency"]]
    refs += list(ai["point_rules"].values())
    refs += [r for e in load_rules("obligations")["obligations"] for r in e["basis"]]
    refs += [c["rule"] for g in load_rules("gates")["gates"].values() for c in g["conditions"]]
    for ref in refs:
        assert rule(ref).id == ref


def test_ai_act_dates_are_the_2026_amended_ones():
    assert rule("AIA-HR-02").applies_from == date(2027, 12, 2)  # Annex III, was 2 Aug 2026
    assert rule("AIA-HR-01").applies_from == date(2028, 8, 2)  # Annex I, was 2 Aug 2027
    assert rule("AIA-TR-01").applies_from == date(2026, 8, 2)  # Art. 50 unchanged
    assert rule("AIA-LIT-01").applies_from == date(2025, 2, 2)


def test_policy_version_combines_every_file_version():
    for name in RULE_FILES:
        assert f"{name}@{load_rules(name)['version']}" in POLICY_VERSION


def test_load_rules_returns_a_copy():
    data = load_rules("review")
    data["months_between_reviews"]["IV"] = 1
    assert load_rules("review")["months_between_reviews"]["IV"] == 6


def test_reason_cites_the_article():
    r = reason("CRPA-01")
    assert r.article == "CRPA L311-3-1, 1re phrase" and r.text_fr


def test_every_obligation_resolves_its_article_date_and_status():
    profile = obligations.GovernanceProfile()
    for entry in load_rules("obligations")["obligations"]:
        ob = obligations._resolve(entry, profile)
        assert ob.article and ob.applies_from and ob.status in STATUSES and ob.title_fr


@pytest.mark.parametrize(
    ("condition", "facts", "expected"),
    [
        (None, {}, True),
        ({"a": True}, {"a": True}, True),
        ({"a": True}, {}, False),
        ({"a": [1, 2]}, {"a": 2}, True),
        ({"a": "x"}, {"a": ["x", "y"]}, True),
        ({"a": ["z"]}, {"a": ["x", "y"]}, False),
        ({"a": {"nonempty": True}}, {"a": []}, False),
        ({"a": {"nonempty": False}}, {}, True),
        ({"a": {"other_than": ["2"]}}, {"a": ["2"]}, False),
        ({"a": {"other_than": ["2"]}}, {"a": ["2", "5a"]}, True),
        ({"any": [{"a": 1}, {"b": 1}]}, {"b": 1}, True),
        ({"not": {"a": True}}, {}, True),
        ({"all": [{"a": 1}, {"not": {"b": 1}}]}, {"a": 1, "b": 1}, False),
    ],
)
def test_condition_language(condition, facts, expected):
    assert matches(condition, facts) is expected


def test_unknown_operator_is_an_error():
    with pytest.raises(ValueError, match="Opérateur"):
        matches({"a": {"bigger": 1}}, {"a": 2})
