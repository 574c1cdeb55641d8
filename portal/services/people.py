"""People and roles: who Vigie knows, and what each may do (roles live here, never in a cookie)."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from policies.access import require
from policies.vocabulary import Action, Principal, Role
from portal.db.base import utcnow
from portal.db.models import Person, RoleAssignment
from portal.repositories import people as repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.schemas import PERSON_LABELS, PersonFields, PersonView
from portal.services.sign_in_sessions import revoke_all
from portal.services.validation import validate

#: The acting principal of maintenance commands run from a terminal (``vigie init``, ``seed-demo``).
SYSTEM = Principal(person_id=0, display_name="Système (ligne de commande)", roles=frozenset({Role.ADMIN}))


def view(person: Person) -> PersonView:
    data = {name: getattr(person, name) for name in PersonView.model_fields if name not in ("roles", "group_roles")}
    group_roles = sorted({a.role for a in person.roles if a.revoked_at is None and a.source == "groups"})
    return PersonView(**data, roles=tuple(Role(r) for r in sorted(repo.active_roles(person))),
                      group_roles=tuple(Role(r) for r in group_roles))


class PeopleService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    def principal(self, person_id: int) -> Principal | None:
        """The principal for an active person, with their roles as the database has them now."""
        with self._reader() as s:
            person = repo.get(s, person_id)
            if person is None or not person.active:
                return None
            roles = frozenset(Role(r) for r in repo.active_roles(person))
            return Principal(person_id=person.id, display_name=person.display_name, roles=roles)

    def list(self, *, active_only: bool = False) -> list[PersonView]:
        with self._reader() as s:
            return [view(p) for p in repo.all_people(s, active_only=active_only)]

    def get(self, person_id: int) -> PersonView:
        with self._reader() as s:
            person = repo.get(s, person_id)
            if person is None:
                raise NotFound(f"Personne n° {person_id} introuvable.")
            return view(person)

    def find_by_identity(self, issuer: str, subject: str) -> PersonView | None:
        with self._reader() as s:
            person = repo.by_identity(s, issuer, subject)
            return view(person) if person else None

    def create(self, principal: Principal, data: dict[str, Any]) -> PersonView:
        require(principal, Action.MANAGE_PEOPLE)
        fields = validate(PersonFields, data, PERSON_LABELS)
        try:
            with self._writer.begin() as s:
                self._check_unique(s, fields)
                person = Person(**fields.model_dump(exclude={"roles"}), active=True)
                s.add(person)
                s.flush()
                for role in fields.roles:
                    s.add(RoleAssignment(person_id=person.id, role=role.value,
                                         granted_by_id=principal.person_id or None))
                s.flush()
                s.refresh(person)
                audit.append(s, principal, "create", "person", person.id, after=fields.model_dump(mode="json"))
                return view(person)
        except IntegrityError:
            raise InvalidInput(["Cette personne existe déjà (même courriel ou même identifiant de connexion)."]) \
                from None

    def _check_unique(self, s: Session, fields: PersonFields) -> None:
        problems = []
        if fields.email and repo.by_email(s, fields.email):
            problems.append(f"Champ « {PERSON_LABELS['email']} » : {fields.email} est déjà utilisé.")
        if fields.issuer and fields.subject and repo.by_identity(s, fields.issuer, fields.subject):
            problems.append("Cet identifiant de connexion (issuer, sub) est déjà attribué.")
        if bool(fields.issuer) != bool(fields.subject):
            problems.append("L'issuer et le sub se renseignent ensemble.")
        if problems:
            raise InvalidInput(problems)

    def set_roles(self, principal: Principal, person_id: int, roles: builtins.list[Role] | builtins.list[str],
                  expected_version: int) -> PersonView:
        """Grant and revoke so that the person holds exactly ``roles``; both audited."""
        require(principal, Action.MANAGE_PEOPLE)
        try:
            wanted = {Role(r) for r in roles}
        except ValueError:
            raise InvalidInput([f"Champ « {PERSON_LABELS['roles']} » : rôle inconnu dans {list(roles)}."]) from None
        with self._writer.begin() as s:
            person = repo.get(s, person_id)
            if person is None:
                raise NotFound(f"Personne n° {person_id} introuvable.")
            if person.version != expected_version:
                raise StaleEdit("Cette personne a été modifiée entre-temps ; rechargez la page.")
            current = {Role(r) for r in repo.active_roles(person)}
            if person.id == principal.person_id and Role.ADMIN in current and Role.ADMIN not in wanted:
                raise InvalidInput(["Vous ne pouvez pas retirer votre propre rôle d'administrateur."])
            now = utcnow()
            for role in current - wanted:
                assignment = repo.open_assignment(person, role.value)
                if assignment is not None:
                    assignment.revoked_at = now
            for role in wanted - current:
                s.add(RoleAssignment(person_id=person.id, role=role.value, granted_by_id=principal.person_id or None))
            # Roles are part of the person: bump its version so a form opened before is refused.
            flag_modified(person, "display_name")
            s.flush()
            audit.append(s, principal, "set_roles", "person", person.id,
                         before={"roles": sorted(r.value for r in current)},
                         after={"roles": sorted(r.value for r in wanted)})
            if current != wanted:  # identity: a role change ends the person's sessions
                revoke_all(s, principal, person.id, "role_change")
        return self.get(person_id)

    def set_active(self, principal: Principal, person_id: int, active: bool) -> PersonView:
        require(principal, Action.MANAGE_PEOPLE)
        with self._writer.begin() as s:
            person = repo.get(s, person_id)
            if person is None:
                raise NotFound(f"Personne n° {person_id} introuvable.")
            if person.id == principal.person_id and not active:
                raise InvalidInput(["Vous ne pouvez pas désactiver votre propre compte."])
            if person.active != active:
                person.active = active
                s.flush()
                audit.append(s, principal, "set_active", "person", person.id,
                             before={"active": not active}, after={"active": active})
                if not active:
                    revoke_all(s, principal, person.id, "deactivated")
        return self.get(person_id)
