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
        "a modifié le cas d'usage n° 7 (titre)")


def test_an_update_names_its_fields_in_french_and_counts_the_rest():
    assert describe_event(_event("update", "benefit_measure", "4", '{"after": {"measured": 7, "note": "x"}}')) == (
        "a modifié une mesure de bénéfice n° 4 (commentaire, valeur mesurée)")
    scores = '{"after": {"reuse": 5, "efficiency_gain": 4, "data_readiness": 3, "internal_skills": 2, ' \
             '"technical_maturity": 2, "effort_days": 40, "rationale": "r"}}'
    text = describe_event(_event("update", "use_case_score", "2", scores))
    assert text.startswith("a modifié les notes n° 2 (charge, compétences internes,") and text.endswith(" et 2 autres)")
    # a field with no French name keeps its code rather than vanish
    assert describe_event(_event("update", "risk", "1", '{"after": {"new_field": 1}}')) == (
        "a modifié un risque n° 1 (new_field)")


def test_a_transparency_edit_names_its_fields_in_french():
    payload = '{"after": {"rollback": "r", "parameters": [{"name": "Âge"}], "aia_url": "https://x.test/aia"}}'
    assert describe_event(_event("update", "use_case", "7", payload)) == (
        "a modifié le cas d'usage n° 7 (analyse d'impact algorithmique, paramètres traités et pondération, "
        "retour arrière)")
