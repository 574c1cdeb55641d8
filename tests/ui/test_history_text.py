"""The activity feed's French sentences: contractions and export formats read naturally."""

from __future__ import annotations

import datetime as dt

from portal.services.schemas import AuditEventView
from portal.ui.history import describe_event


def _event(action: str, entity: str, entity_id: str, payload: str = "{}") -> AuditEventView:
    return AuditEventView(seq=1, at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC), actor_id=1, actor_name="X",
                          action=action, entity=entity, entity_id=entity_id, use_case_id=None, payload=payload,
                          hash="h")


def test_sentences_contract_de_une_and_name_the_export_format():
    assert describe_event(_event("set_roles", "person", "3")) == "a changé les rôles d'une personne n° 3"
    assert describe_event(_event("apply_group_roles", "person", "10")) == (
        "a mis à jour d'après les groupes les rôles d'une personne n° 10")
    assert describe_event(_event("export", "public_register", "eurocities_json")) == (
        "a exporté le registre public (format eurocities_json)")
    assert describe_event(_event("update", "use_case", "7", '{"after": {"title": "x"}}')) == (
        "a modifié le cas d'usage n° 7 (title)")
