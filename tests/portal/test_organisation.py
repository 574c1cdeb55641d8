"""The collectivité's own facts: set once by an administrator, audited, read by the CRPA engine and
the CRPA notice of every use case."""

from __future__ import annotations

import json

import pytest

from portal.db.models import AuditEvent
from portal.services.errors import InvalidInput, PermissionDenied, StaleEdit
from tests.conftest import use_case_data
from tests.rows import count_rows

FACTS = {"name": "Ville de Test", "population": 42_000, "staff_fte": 600, "contact": "explications@ville.test",
         "dpo_name": "Délégué de la ville", "dpo_contact": "dpo@ville.test"}


def test_an_administrator_sets_the_facts_once_and_each_change_is_audited(services, people):
    assert services.organisation.get() is None
    created = services.organisation.update(people["admin"], 0, FACTS)
    assert created.version == 1 and created.complete and created.name == "Ville de Test"
    changed = services.organisation.update(people["admin"], 1, FACTS | {"population": 43_000})
    assert changed.version == 2 and services.organisation.get().population == 43_000
    events = [e for e in services.audit.events(people["admin"], action="update") if e.entity == "organisation"]
    assert len(events) == 1
    payload = json.loads(events[0].payload)
    assert payload["after"] == {"population": 43_000} and payload["before"] == {"population": 42_000}
    assert [e for e in services.audit.events(people["admin"], action="create") if e.entity == "organisation"]


def test_only_an_administrator_may_set_them_and_a_refusal_writes_nothing(services, people):
    before = count_rows(services, AuditEvent)
    for role in ("director", "lead", "compliance", "reader"):
        with pytest.raises(PermissionDenied):
            services.organisation.update(people[role], 0, FACTS)
    assert services.organisation.get() is None and count_rows(services, AuditEvent) == before


def test_bad_facts_are_refused_in_french_by_field(services, people):
    with pytest.raises(InvalidInput) as exc:
        services.organisation.update(people["admin"], 0, FACTS | {"name": "", "population": -5})
    text = " ".join(exc.value.problems)
    assert "Nom de la collectivité" in text and "Population" in text
    assert services.organisation.get() is None


def test_a_stale_form_is_refused(services, people):
    services.organisation.update(people["admin"], 0, FACTS)
    services.organisation.update(people["admin"], 1, FACTS | {"contact": "accueil@ville.test"})
    with pytest.raises(StaleEdit):
        services.organisation.update(people["admin"], 1, FACTS | {"contact": "autre@ville.test"})
    assert services.organisation.get().contact == "accueil@ville.test"


def test_the_crpa_engine_and_notice_read_the_organisation_not_each_questionnaire(services, people):
    uc = services.register.create(people["lead"], use_case_data(title="Attribution des places en crèche"))
    services.register.add_data_source(people["lead"], uc.id, {"name": "Demandes de places", "origin": "internal"})
    crpa = {"algorithmic_processing": True, "individual_decision": True, "main_processing": True,
            # an older questionnaire's own figures and name, with a typo: the organisation's win
            "org_fte": 20, "administration": "Ville de Tset"}
    small = services.governance.preview(uc.id, ai_act={}, rgpd={}, crpa=crpa, impact={})
    assert not small.crpa.publication_required  # 20 agents: under the 50 of L312-1-3
    services.organisation.update(people["admin"], 0, FACTS)
    large = services.governance.preview(uc.id, ai_act={}, rgpd={}, crpa=crpa, impact={})
    assert large.crpa.publication_required  # 600 agents
    services.governance.classify(people["compliance"], uc.id, ai_act={"is_ai_system": False}, crpa=crpa)
    sheet = services.governance.crpa_sheet(uc.id)
    assert sheet["administration"] == "Ville de Test" and sheet["contact"] == "explications@ville.test"
    assert "Ville de Test" in services.governance.crpa_mention(uc.id)
