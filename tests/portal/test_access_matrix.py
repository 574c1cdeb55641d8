"""Every role tries every mutation of the register; only what the matrix allows succeeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from policies.access import MATRIX, Scope
from policies.vocabulary import Action, Role
from portal.services import Services
from portal.services.errors import PermissionDenied
from tests.conftest import use_case_data

ROLE_KEYS = {"director": Role.DIRECTOR, "lead": Role.PROJECT_LEAD, "compliance": Role.COMPLIANCE,
             "admin": Role.ADMIN, "reader": Role.READER, "lead2": Role.PROJECT_LEAD}


def _setup(services: Services, people: dict[str, Any]) -> dict[str, Any]:
    uc = services.register.create(people["lead"], use_case_data())
    src = services.register.add_data_source(people["lead"], uc.id, {"name": "S", "origin": "internal"})
    risk = services.register.add_risk(people["lead"], uc.id, {"category": "bias", "description": "R",
                                                              "likelihood": 2, "severity": 2})
    return {"uc": uc, "src": src, "risk": risk}


# mutation name -> (action it needs, whether it targets the use case led by "lead", the call)
MUTATIONS: dict[str, tuple[Action, bool, Callable[..., Any]]] = {
    "create_use_case": (Action.CREATE_USE_CASE, False,
                        lambda s, p, o: s.register.create(p, use_case_data(title="Nouveau"))),
    "edit_use_case": (Action.EDIT_USE_CASE, True,
                      lambda s, p, o: s.register.update(p, o["uc"].id, s.register.get(o["uc"].id).version,
                                                        o["uc"].editable_fields() | {"title": f"Par {p.display_name}"})),
    "add_data_source": (Action.MANAGE_DATA_SOURCES, True,
                        lambda s, p, o: s.register.add_data_source(p, o["uc"].id, {"name": "N", "origin": "open_data"})),
    "update_data_source": (Action.MANAGE_DATA_SOURCES, True,
                           lambda s, p, o: s.register.update_data_source(p, o["src"].id, o["src"].version,
                                                                         {"name": "S2", "origin": "internal"})),
    "delete_data_source": (Action.MANAGE_DATA_SOURCES, True,
                           lambda s, p, o: s.register.delete_data_source(p, o["src"].id, o["src"].version)),
    "add_risk": (Action.MANAGE_RISKS, True,
                 lambda s, p, o: s.register.add_risk(p, o["uc"].id, {"category": "legal", "description": "N",
                                                                      "likelihood": 1, "severity": 1})),
    "update_risk": (Action.MANAGE_RISKS, True,
                    lambda s, p, o: s.register.update_risk(p, o["risk"].id, o["risk"].version,
                                                           {"category": "bias", "description": "R2",
                                                            "likelihood": 3, "severity": 3})),
    "delete_risk": (Action.MANAGE_RISKS, True,
                    lambda s, p, o: s.register.delete_risk(p, o["risk"].id, o["risk"].version)),
    "create_person": (Action.MANAGE_PEOPLE, False,
                      lambda s, p, o: s.people.create(p, {"display_name": "Nouvelle personne"})),
    "set_roles": (Action.MANAGE_PEOPLE, False,
                  lambda s, p, o: s.people.set_roles(p, o["people"]["reader"].person_id, ["reader", "director"],
                                                     s.people.get(o["people"]["reader"].person_id).version)),
    "update_organisation": (Action.MANAGE_ORGANISATION, False,
                            lambda s, p, o: s.organisation.update(p, s.organisation.get().version if s.organisation.get()
                                                                  else 0, {"name": f"Ville de {p.display_name}"})),
    "export_register": (Action.EXPORT_REGISTER, False, lambda s, p, o: s.exports.register(p, "csv")),
}


def expected(action: Action, role_key: str, targets_own: bool) -> bool:
    scope = MATRIX[action].get(ROLE_KEYS[role_key])
    if scope is Scope.ANY:
        return True
    if scope is Scope.OWN:
        return not targets_own or role_key == "lead"  # "lead" leads the target, "lead2" does not
    return False


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_every_role_on_every_mutation(services, people, mutation):
    action, targets_own, call = MUTATIONS[mutation]
    outcomes = {}
    for role_key in ROLE_KEYS:
        objects = _setup(services, people) | {"people": people}
        try:
            call(services, people[role_key], objects)
            outcomes[role_key] = True
        except PermissionDenied as exc:
            assert str(exc).startswith("Action refusée")
            outcomes[role_key] = False
    assert outcomes == {k: expected(action, k, targets_own) for k in ROLE_KEYS}


def test_refused_mutations_leave_no_audit_event(services, people):
    objects = _setup(services, people)
    before = len(services.audit.history_of(objects["uc"].id))
    with pytest.raises(PermissionDenied):
        services.register.add_risk(people["reader"], objects["uc"].id, {"category": "legal", "description": "N",
                                                                        "likelihood": 1, "severity": 1})
    assert len(services.audit.history_of(objects["uc"].id)) == before


def test_every_action_is_in_the_matrix():
    assert set(MATRIX) == set(Action)
