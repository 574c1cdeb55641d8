"""The register's services on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from policies.vocabulary import Stage
from portal.db.models import AuditEvent, Risk, UseCase
from portal.services.errors import InvalidInput, PermissionDenied, StaleEdit
from portal.services.schemas import DataSourceFields
from tests.conftest import use_case_data
from tests.rows import count_rows

DATA_SOURCE_FIELDS = list(DataSourceFields.model_fields)




def test_create_gives_a_reference_starts_at_idea_and_is_audited(services, people):
    uc = services.register.create(people["lead"], use_case_data(), today=__import__("datetime").date(2026, 3, 1))
    assert uc.reference == "UC-2026-001"
    assert uc.stage is Stage.IDEA
    assert uc.lead_id == people["lead"].person_id  # a project lead leads what they register
    second = services.register.create(people["director"], use_case_data(title="Autre"),
                                      today=__import__("datetime").date(2026, 5, 1))
    assert second.reference == "UC-2026-002"
    assert second.lead_id is None
    events = services.audit.history_of(uc.id)
    assert [e.action for e in events] == ["create"]
    assert '"title":"Prévision de fréquentation des piscines"' in events[0].payload


def test_invalid_input_names_the_field_in_french_and_writes_nothing(services, people):
    before = (count_rows(services, UseCase), count_rows(services, AuditEvent))
    with pytest.raises(InvalidInput) as exc:
        services.register.create(people["lead"], use_case_data(title="  ", family="cuisine", build_cost=-5))
    text = "\n".join(exc.value.problems)
    assert "Champ « Titre » : obligatoire" in text
    assert "Champ « Famille » : valeur non prévue" in text
    assert "Champ « Coût de construction (€) » : doit être supérieur ou égal à 0" in text
    assert (count_rows(services, UseCase), count_rows(services, AuditEvent)) == before


def test_risk_likelihood_out_of_range_is_refused(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    with pytest.raises(InvalidInput) as exc:
        services.register.add_risk(people["lead"], uc.id, {"category": "bias", "description": "Biais territorial",
                                                           "likelihood": 9, "severity": 3})
    assert exc.value.problems == [
        "Champ « Vraisemblance (1–5) » : doit être inférieur ou égal à 5 (reçu : « 9 »)."
    ]
    assert count_rows(services, Risk) == 0


def test_end_before_start_is_refused(services, people):
    with pytest.raises(InvalidInput) as exc:
        services.register.create(people["lead"], use_case_data(start_date="2026-06-01", end_date="2026-01-01"))
    assert "la date de fin précède la date de début" in exc.value.problems[0]


def test_update_records_only_what_changed(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    data = uc.editable_fields() | {"title": "Prévision de fréquentation des piscines et patinoires"}
    updated = services.register.update(people["lead"], uc.id, uc.version, data)
    assert updated.version == uc.version + 1
    last = services.audit.history_of(uc.id)[0]
    assert last.action == "update"
    assert '"after":{"title":"Prévision de fréquentation des piscines et patinoires"}' in last.payload


def test_second_editor_with_a_stale_version_is_refused_and_nothing_is_lost(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    first = uc.editable_fields() | {"title": "Version de la cheffe de projet"}
    second = uc.editable_fields() | {"problem": "Version de la direction"}
    services.register.update(people["lead"], uc.id, uc.version, first)
    with pytest.raises(StaleEdit, match="modifié"):
        services.register.update(people["director"], uc.id, uc.version, second)
    now = services.register.get(uc.id)
    assert now.title == "Version de la cheffe de projet"
    assert now.problem == use_case_data()["problem"]
    assert now.version == uc.version + 1


def test_project_lead_edits_only_their_own_use_cases(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    with pytest.raises(PermissionDenied, match="chef de projet"):
        services.register.update(people["lead2"], uc.id, uc.version, uc.editable_fields() | {"title": "x"})


def test_data_sources_and_risks_round_trip(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    src = services.register.add_data_source(people["lead"], uc.id, {
        "name": "Passages en caisse", "origin": "internal", "personal_data": True,
        "legal_basis": "public_task"})
    risk = services.register.add_risk(people["compliance"], uc.id, {
        "category": "privacy", "description": "Réidentification", "likelihood": 2, "severity": 4})
    services.register.update_risk(people["lead"], risk.id, risk.version,
                                  risk.model_dump(include={"category", "description", "likelihood", "severity"})
                                  | {"mitigation": "Agrégation par heure", "status": "mitigating"})
    with pytest.raises(StaleEdit):
        services.register.update_risk(people["lead"], risk.id, risk.version,
                                      {"category": "privacy", "description": "x", "likelihood": 1, "severity": 1})
    services.register.delete_data_source(people["lead"], src.id, src.version)
    sheet = services.register.get(uc.id)
    assert sheet.data_sources == ()
    assert sheet.risks[0].mitigation == "Agrégation par heure"
    assert [e.action for e in services.audit.history_of(uc.id)] == ["delete", "update", "create", "create", "create"]


def test_sensitive_data_must_be_personal(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    with pytest.raises(InvalidInput, match="cochez aussi"):
        services.register.add_data_source(people["lead"], uc.id, {"name": "Santé", "origin": "internal",
                                                                   "sensitive_data": True})


def test_a_sensitive_source_names_a_known_art9_exception_and_only_a_sensitive_one(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    base = {"name": "Situation de handicap", "origin": "internal", "personal_data": True, "sensitive_data": True}
    with pytest.raises(InvalidInput, match=r"Exception de l'art. 9\(2\) RGPD.*inconnue « 9\(2\)\(z\) »"):
        services.register.add_data_source(people["lead"], uc.id, base | {"art9_exception": "9(2)(z)"})
    with pytest.raises(InvalidInput, match="ne concerne que des données sensibles"):
        services.register.add_data_source(people["lead"], uc.id, base | {"sensitive_data": False,
                                                                        "art9_exception": "9(2)(g)"})
    assert services.register.get(uc.id).data_sources == ()  # nothing half-written
    messages = lambda: [i.message for i in services.register.attention(people["compliance"])]  # noqa: E731
    ds = services.register.add_data_source(people["lead"], uc.id, base | {"art9_exception": ""})
    assert ds.art9_exception is None
    assert any("données sensibles sans exception de l'art. 9(2)" in m for m in messages())
    fixed = services.register.update_data_source(people["lead"], ds.id, ds.version,
                                                 {**ds.model_dump(include=set(DATA_SOURCE_FIELDS)),
                                                  "art9_exception": "9(2)(g)"})
    assert fixed.art9_exception == "9(2)(g)"
    assert not any("art. 9(2)" in m for m in messages())
    event = services.audit.history_of(uc.id)[0]
    assert event.action == "update" and '"art9_exception":"9(2)(g)"' in event.payload.replace(" ", "")


def test_attention_lists_unmitigated_high_risks_and_missing_legal_basis(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    services.register.add_risk(people["lead"], uc.id, {"category": "bias", "description": "Biais",
                                                       "likelihood": 4, "severity": 4})
    services.register.add_data_source(people["lead"], uc.id, {"name": "Fichier usagers", "origin": "internal",
                                                              "personal_data": True})
    messages = [i.message for i in services.register.attention(people["compliance"])]
    assert any("Risque critique sans mesure" in m for m in messages)
    assert any("sans base légale" in m for m in messages)
    assert services.register.attention(people["lead2"]) == []  # not theirs


def test_roles_come_from_the_database_and_changes_apply_at_once(services, people):
    admin, reader = people["admin"], people["reader"]
    person = services.people.get(reader.person_id)
    services.people.set_roles(admin, reader.person_id, ["project_lead"], person.version)
    assert services.people.principal(reader.person_id).roles == {__import__("policies.vocabulary").vocabulary.Role.PROJECT_LEAD}
    with pytest.raises(StaleEdit):
        services.people.set_roles(admin, reader.person_id, ["reader"], person.version)
    services.people.set_active(admin, reader.person_id, False)
    assert services.people.principal(reader.person_id) is None


def test_selector_queries_search_every_word_and_keep_to_a_short_list(services, people):
    """The selectors' queries: a search needs every word (case ignored, ``%`` and ``_`` taken literally),
    the short list puts the recent then the own cases first and stops at its limit."""
    lead, director = people["lead"], people["director"]
    ids = services.register.create_many(director, [(use_case_data(title=f"Tri des courriers n° {i}"), None)
                                                   for i in range(1, 8)])
    mine = services.register.create(lead, use_case_data(title="Accueil 100%_numérique"))
    refs = [c.reference for c in services.register.choices_of(ids)]
    assert [c.title for c in services.register.find_choices("COURRIERS 7")] == ["Tri des courriers n° 7"]
    assert len(services.register.find_choices("courriers", limit=3)) == 3
    assert [c.id for c in services.register.find_choices(refs[2])] == [ids[2]]
    assert [c.id for c in services.register.find_choices("100%_")] == [mine.id]
    assert services.register.find_choices("1_0") == []  # « _ » and « % » are not wildcards
    assert services.register.find_choices("0%n") == []
    assert services.register.find_choices("courriers", lead_id=lead.person_id) == []
    short = services.register.short_choices(recent=[refs[5], "UC-1999-999"], own_id=lead.person_id, limit=4)
    assert [c.id for c in short] == [ids[5], mine.id, ids[0], ids[1]]
    assert [c.id for c in services.register.short_choices(prefer_ids=[ids[6]], limit=2)] == [ids[6], ids[0]]
    assert [c.id for c in services.register.short_choices(lead_id=lead.person_id)] == [mine.id]
    assert [c.reference for c in services.register.choices_named([refs[3], "UC-1999-999", refs[1]])] == \
        [refs[3], refs[1]]
    assert services.register.choices_named([refs[3]], lead_id=lead.person_id) == []
