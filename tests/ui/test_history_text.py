"""The activity feed's French sentences: contractions and export formats read naturally."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

from portal.services.public_register import EXPORT_FORMATS
from portal.services.schemas import AuditEventView
from portal.ui.history import describe_event

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def _event(action: str, entity: str, entity_id: str, payload: str = "{}") -> AuditEventView:
    return AuditEventView(seq=1, at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC), actor_id=1, actor_name="X",
                          action=action, entity=entity, entity_id=entity_id, use_case_id=None, payload=payload,
                          hash="h")


def test_sentences_contract_de_une_and_name_the_export_format():
    assert describe_event(_event("set_roles", "person", "3")) == "a changé les rôles d'une personne n° 3"
    assert describe_event(_event("apply_group_roles", "person", "10")) == (
        "a mis à jour d'après les groupes les rôles d'une personne n° 10")
    assert describe_event(_event("export", "public_register", "eurocities_json")) == (
        "a exporté le registre public (format JSON Eurocities)")
    assert describe_event(_event("update", "use_case", "7", '{"after": {"title": "x"}}')) == (
        "a modifié le cas d'usage n° 7 (titre)")


def test_an_update_names_its_fields_in_french_and_counts_the_rest():
    assert describe_event(_event("update", "benefit_measure", "4", '{"after": {"measured": 7, "note": "x"}}')) == (
        "a modifié une mesure de bénéfice n° 4 (commentaire, valeur mesurée)")
    scores = '{"after": {"reuse": 5, "efficiency_gain": 4, "data_readiness": 3, "internal_skills": 2, ' \
             '"technical_maturity": 2, "effort_days": 40, "rationale": "r"}}'
    text = describe_event(_event("update", "use_case_score", "2", scores))
    assert text.startswith("a modifié les notes n° 2 (charge, compétences internes,") and text.endswith(" et 2 autres)")
    # a field with no French name keeps its words rather than vanish (never its snake_case key)
    assert describe_event(_event("update", "risk", "1", '{"after": {"new_field": 1}}')) == (
        "a modifié un risque n° 1 (new field)")


def test_a_transparency_edit_names_its_fields_in_french():
    payload = '{"after": {"rollback": "r", "parameters": [{"name": "Âge"}], "aia_url": "https://x.test/aia"}}'
    assert describe_event(_event("update", "use_case", "7", payload)) == (
        "a modifié le cas d'usage n° 7 (analyse d'impact algorithmique, paramètres traités et pondération, "
        "retour arrière)")


def _strings(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def emitted_pairs() -> set[tuple[str, str]]:
    """Every (action, entity) the portal writes to the audit chain, read from its source: ``audit.append(s,
    principal, action, entity, …)``, ``….record(principal, action, entity, …)`` and the edit helper's
    ``e.record(action, entity, …)`` / ``e.record_change(action, entity, …)``."""
    pairs: set[tuple[str, str]] = set()
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
            if name == "append" and len(node.args) >= 5 and (
                    isinstance(fn, ast.Name) or getattr(getattr(fn, "value", None), "id", None) == "audit"):
                spots = [(2, 3)]
            elif name in ("record", "record_change") and node.args:
                spots = [(0, 1), (1, 2)]
            else:
                continue
            for i, j in spots:
                if len(node.args) > j:
                    actions, entities = _strings(node.args[i]), _strings(node.args[j])
                    if actions and entities:
                        pairs |= {(a, e) for a in actions for e in entities}
                        break
    return pairs


PAIRS = sorted(emitted_pairs())


def test_the_walk_finds_the_events_of_every_part_of_the_portal():
    assert len(PAIRS) > 50
    for pair in [("request", "gate_request"), ("decide", "gate_request"), ("update", "use_case"),
                 ("raise_alert", "monitoring_alert"), ("export", "public_register"), ("backup", "database")]:
        assert pair in PAIRS


def _doubled(text: str) -> str | None:
    """A verb whose noun follows it (« a demandé la demande »): the participle's stem starts a later word."""
    words = re.findall(r"[\wàâçéèêëîïôûùüÿœ']+", text.lower())
    for k, word in enumerate(words[:-1]):
        if word in ("a", "s'est") and k + 1 < len(words):
            stem = re.sub(r"(ée|és|ées|é|is|i|u|t)$", "", words[k + 1])
            later = [w.split("'")[-1] for w in words[k + 2:] if w not in _NOT_A_NOUN_OF]
            if len(stem) >= 4 and any(w.startswith(stem) for w in later):
                return words[k + 1]
    return None


# « a publié la fiche du registre public » doubles nothing
_NOT_A_NOUN_OF = {"public", "publique"}
# codes that are also the French word for what they name
_FRENCH_CODES = {"classification", "notification", "obligation", "obligations", "organisation"}


@pytest.mark.parametrize(("action", "entity"), PAIRS)
def test_every_event_reads_as_french(action, entity):
    entity_id = "csv" if action == "export" else "12"
    text = describe_event(_event(action, entity, entity_id, '{"after": {"title": "x"}}'))
    assert text and text[0].islower()
    assert _doubled(text) is None, text
    raw = re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", text)  # snake_case codes
    assert not raw, text
    for code in {action, entity} - _FRENCH_CODES:
        assert not re.search(rf"(?<![\w']){re.escape(code)}(?![\w])", text), text
    assert " de le " not in text and " de les " not in text and " à le " not in text and " de une " not in text


@pytest.mark.parametrize("fmt", [*EXPORT_FORMATS, "xlsx", "pdf", "html"])
def test_an_export_names_its_format_for_a_reader(fmt):
    text = describe_event(_event("export", "public_register", fmt))
    assert "_" not in text and fmt not in text, text


def test_the_gate_sentences_no_longer_double_their_verb():
    assert describe_event(_event("request", "gate_request", "4")) == "a déposé la demande de passage n° 4"
    assert describe_event(_event("decide", "gate_request", "4")) == (
        "a enregistré la décision sur la demande de passage n° 4")
    assert _doubled("a demandé la demande de passage n° 4") == "demandé"
    assert _doubled("a classé (questionnaire) la classification n° 4") == "classé"
