"""The rule files under ``policies/rules/``: a cached loader, the combined policy version, citations.

Every rule file is YAML with a ``version`` and a ``rules`` list. Each rule keeps the identifier,
article, start date and verification status of the register ``policies/SOURCES.md``, so a
decision can cite what it rests on. Engines read the other sections of their file (questions,
weights, conditions) through :func:`load_rules`.
"""

from __future__ import annotations

import copy
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

RULES_DIR = Path(__file__).parent / "rules"

#: The rule files, in the order their versions appear in :data:`POLICY_VERSION`.
RULE_FILES: tuple[str, ...] = ("ai_act", "rgpd", "crpa", "impact", "obligations", "gates", "review")

#: Verification statuses (policies/SOURCES.md), plus ``internal`` for Vigie's own governance policy.
STATUSES: dict[str, str] = {
    "verified": "Vérifié dans le texte source",
    "verified-secondary": "Vérifié dans des sources secondaires concordantes",
    "interpretation": "Interprétation à valider par un juriste",
    "unverified": "Non vérifié",
    "internal": "Règle interne de gouvernance (Vigie)",
}


class Reason(BaseModel):
    """Why the engine concluded something: the rule, its article, and a French sentence."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    article: str
    text_fr: str


class RuleRef(BaseModel):
    """A rule block as stored in a rules file (the fields every rule must carry)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    id: str
    title_fr: str
    article: str
    source: str
    applies_from: date
    status: str


@cache
def _read(name: str) -> dict[str, Any]:
    path = RULES_DIR / f"{name}.yaml"
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if not isinstance(data, dict) or "version" not in data:
        raise ValueError(f"Fichier de règles {path.name} : champ « version » manquant.")
    return data


def load_rules(name: str) -> dict[str, Any]:
    """The parsed content of ``policies/rules/<name>.yaml`` (a fresh copy: callers may modify it)."""
    return copy.deepcopy(_read(name))


def rules_version(name: str) -> str:
    return str(_read(name)["version"])


def _policy_version() -> str:
    return "+".join(f"{name}@{rules_version(name)}" for name in RULE_FILES)


#: The version a decision records: every rule file's version, e.g. ``ai_act@2026.11.1+rgpd@…``.
POLICY_VERSION: str = _policy_version()


@cache
def _index() -> dict[str, RuleRef]:
    index: dict[str, RuleRef] = {}
    for name in RULE_FILES:
        for raw in _read(name).get("rules", []):
            rule = RuleRef.model_validate(raw)
            if rule.id in index:
                raise ValueError(f"Règle {rule.id} définie deux fois (dans {name}.yaml).")
            index[rule.id] = rule
    return index


def rule(rule_id: str) -> RuleRef:
    """The rule block with that identifier, from whichever rules file holds it."""
    try:
        return _index()[rule_id]
    except KeyError:
        raise KeyError(f"Règle inconnue : {rule_id}") from None


def all_rules() -> dict[str, RuleRef]:
    return dict(_index())


def reason(rule_id: str, text_fr: str | None = None) -> Reason:
    """A :class:`Reason` citing ``rule_id``; the text defaults to the rule's French title."""
    ref = rule(rule_id)
    return Reason(rule_id=ref.id, article=ref.article, text_fr=text_fr or ref.title_fr)
