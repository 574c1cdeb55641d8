"""Security: a use case without a project lead is nobody's own.

Before the fix an empty owner set passed every ``OWN`` grant: any project lead could open a case
created without a lead, edit it and name themself lead; a lead could also clear their own case's lead
and open it to every other lead.
"""

from __future__ import annotations

import pytest

from policies.access import can
from policies.vocabulary import Action
from portal.services.errors import PermissionDenied
from tests.conftest import use_case_data


def test_an_empty_owner_set_is_nobodys_own(people):
    lead = people["lead"]
    assert can(lead, Action.EDIT_USE_CASE)  # no target (creating, listing)
    assert not can(lead, Action.EDIT_USE_CASE, owner_ids=[None])
    assert not can(lead, Action.EDIT_USE_CASE, owner_ids=[])
    assert can(lead, Action.EDIT_USE_CASE, owner_ids=[lead.person_id])
    assert can(people["director"], Action.EDIT_USE_CASE, owner_ids=[None])


def test_a_lead_cannot_take_over_a_case_without_lead(services, people):
    uc = services.register.create(people["director"], use_case_data(lead_id=None))
    assert uc.lead_id is None
    for action in (Action.EDIT_USE_CASE, Action.MANAGE_RISKS, Action.MANAGE_DATA_SOURCES,
                   Action.ANSWER_QUESTIONNAIRE, Action.REQUEST_GATE):
        assert not can(people["lead2"], action, owner_ids=[uc.lead_id])
    with pytest.raises(PermissionDenied):
        services.register.update(people["lead2"], uc.id, uc.version,
                                 uc.editable_fields() | {"lead_id": people["lead2"].person_id})
    with pytest.raises(PermissionDenied):
        services.register.add_risk(people["lead2"], uc.id, {"category": "legal", "description": "N",
                                                            "likelihood": 1, "severity": 1})
    assert services.register.get(uc.id).lead_id is None
    # the direction names a lead: the case is theirs from then on
    named = services.register.update(people["director"], uc.id, uc.version,
                                     uc.editable_fields() | {"lead_id": people["lead2"].person_id})
    assert named.lead_id == people["lead2"].person_id


def test_clearing_the_lead_is_a_direction_decision_audited_as_such(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    assert uc.lead_id == people["lead"].person_id
    with pytest.raises(PermissionDenied, match="sans chef de projet"):
        services.register.update(people["lead"], uc.id, uc.version, uc.editable_fields() | {"lead_id": None})
    assert services.register.get(uc.id).lead_id == people["lead"].person_id
    # handing the case to another lead keeps it owned: allowed
    handed = services.register.update(people["lead"], uc.id, uc.version,
                                      uc.editable_fields() | {"lead_id": people["lead2"].person_id})
    cleared = services.register.update(people["director"], uc.id, handed.version,
                                       handed.editable_fields() | {"lead_id": None})
    assert cleared.lead_id is None
    events = services.audit.history_of(uc.id)
    cleared_events = [e for e in events if e.action == "clear_lead"]
    assert len(cleared_events) == 1 and cleared_events[0].actor_id == people["director"].person_id
