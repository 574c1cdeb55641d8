"""Signing a person in from verified OIDC claims: who they are in Vigie, and whether they may enter.

The claims identify the person by (issuer, subject); their roles are those Vigie's database holds.
The only way a claim can lead to a role is the optional, administrator-configured group mapping
(``VIGIE_GROUP_ROLE_MAP``), applied when a session opens, recorded in the database and audited;
afterwards the role lives in the database like any other and the cookie is never read for roles.

The mapping keeps what it granted in step with the identity provider: a role it granted
(``source="groups"``) is revoked at the next sign-in whose token no longer lists a group mapped
to it, and the person's other sessions end. Roles granted in Vigie are never touched by it. A
token without the group claim at all says nothing about groups and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from policies.vocabulary import Principal, Role
from portal.db.base import utcnow
from portal.db.models import Person, RoleAssignment
from portal.repositories import people as people_repo
from portal.services import audit
from portal.services.errors import InvalidInput
from portal.services.sign_in_sessions import SignInSessionService, anonymous, revoke_all


def parse_group_role_map(text: str) -> dict[str, Role]:
    """``"grp-a=admin, grp-b=project_lead"`` -> {group: Role}; a French message names a bad entry."""
    out: dict[str, Role] = {}
    for raw in text.replace(";", ",").split(","):
        item = raw.strip()
        if not item:
            continue
        group, sep, role = item.rpartition("=")
        if not sep or not group.strip():
            raise InvalidInput([f"VIGIE_GROUP_ROLE_MAP : « {item} » n'est pas de la forme groupe=rôle."])
        try:
            out[group.strip()] = Role(role.strip())
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidInput([f"VIGIE_GROUP_ROLE_MAP : rôle « {role.strip()} » inconnu ({allowed})."]) from None
    return out


def display_name(claims: Mapping[str, Any]) -> str:
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("usual_name") or claims.get("family_name") or "").strip()
    name = " ".join(p for p in (given, family) if p) or str(claims.get("name") or "").strip()
    return (name or str(claims.get("email") or "") or str(claims.get("sub")))[:200]


def _groups(claims: Mapping[str, Any], claim: str) -> list[str] | None:
    """The groups the token lists, or None when it has no such claim (nothing known)."""
    if claim not in claims:
        return None
    value = claims.get(claim) or []
    if isinstance(value, str):
        return [value]
    return [str(g) for g in value] if isinstance(value, list | tuple) else []


@dataclass(frozen=True)
class SignIn:
    """The outcome of an OIDC sign-in: a principal with an open session, or a refusal and why."""

    principal: Principal | None
    person_id: int | None
    issuer: str
    subject: str
    refused: str | None = None  # no_role | inactive | missing_identity


class IdentityService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session],
                 sessions: SignInSessionService) -> None:
        self._reader = reader
        self._writer = writer
        self._sessions = sessions

    def sign_in_oidc(self, claims: Mapping[str, Any], key: str, *, max_age: dt.timedelta,
                     group_map: Mapping[str, Role] | None = None, group_claim: str = "groups",
                     provider: str = "") -> SignIn:
        """Resolve verified claims to a person (recording a newcomer without any role), apply the
        group mapping if configured, then open a session, or refuse (audited either way)."""
        issuer = str(claims.get("iss") or "")
        subject = str(claims.get("sub") or "")
        if not issuer or not subject:
            self._sessions.refuse("missing_identity", issuer=issuer or None, subject=subject or None)
            return SignIn(None, None, issuer, subject, "missing_identity")
        with self._writer.begin() as s:
            person = people_repo.by_identity(s, issuer, subject)
            if person is None:
                person = self._register(s, claims, issuer, subject)
            person_id = person.id
            if person.active and group_map:
                self._apply_groups(s, person, _groups(claims, group_claim), group_map, group_claim)
            active = person.active
            roles = people_repo.active_roles(person)
        if not active or not roles:
            reason = "inactive" if not active else "no_role"
            self._sessions.refuse(reason, issuer=issuer, subject=subject, person_id=person_id)
            return SignIn(None, person_id, issuer, subject, reason)
        principal = self._sessions.open(person_id, key, method="oidc", max_age=max_age,
                                        details={"issuer": issuer, "provider": provider})
        return SignIn(principal, person_id, issuer, subject)

    def _register(self, s: Session, claims: Mapping[str, Any], issuer: str, subject: str) -> Person:
        """A newcomer is recorded with no role, so an administrator can find them and grant one."""
        email = str(claims.get("email") or "").strip() or None
        if email and people_repo.by_email(s, email) is not None:
            email = None  # the address belongs to another record: never link accounts on an e-mail
        person = Person(display_name=display_name(claims), email=email, issuer=issuer, subject=subject,
                        active=True)
        s.add(person)
        s.flush()
        s.refresh(person)
        actor = anonymous(person.display_name)
        audit.append(s, actor, "register_on_sign_in", "person", person.id,
                     after={"display_name": person.display_name, "email": email, "issuer": issuer,
                            "subject": subject, "roles": []})
        return person

    def _apply_groups(self, s: Session, person: Person, groups: list[str] | None,
                      group_map: Mapping[str, Role], claim: str) -> None:
        if groups is None:
            return  # the token has no group claim: nothing to grant or revoke
        current = set(people_repo.active_roles(person))
        mapped = {group_map[g].value for g in groups if g in group_map}
        added = sorted(mapped - current)
        stale = [a for a in person.roles
                 if a.revoked_at is None and a.source == "groups" and a.role not in mapped]
        if not added and not stale:
            return
        now = utcnow()
        for assignment in stale:
            assignment.revoked_at = now
        for role in added:
            s.add(RoleAssignment(person_id=person.id, role=role, granted_by_id=None, source="groups"))
        s.flush()
        s.refresh(person)
        actor = Principal(person_id=0, display_name="Correspondance des groupes (VIGIE_GROUP_ROLE_MAP)",
                          roles=frozenset())
        removed = sorted({a.role for a in stale})
        audit.append(s, actor, "apply_group_roles", "person", person.id,
                     before={"roles": sorted(current)}, after={"roles": sorted(people_repo.active_roles(person))},
                     details={"claim": claim, "groups": sorted(g for g in groups if g in group_map),
                              "added": added, "removed": removed})
        if removed:  # as when an administrator changes roles: the person's open sessions end
            revoke_all(s, actor, person.id, "role_change")

    def ensure_admin(self, actor: Principal, *, name: str, email: str | None, issuer: str,
                     subject: str) -> tuple[int, bool]:
        """First administrator from the CLI: create the person, or grant admin to the one already
        recorded at their first sign-in. (person id, created?)"""
        with self._writer.begin() as s:
            person = people_repo.by_identity(s, issuer, subject)
            if person is None:
                return -1, False
            if Role.ADMIN.value not in people_repo.active_roles(person):
                before = sorted(people_repo.active_roles(person))
                s.add(RoleAssignment(person_id=person.id, role=Role.ADMIN.value, granted_by_id=None))
                s.flush()
                audit.append(s, actor, "set_roles", "person", person.id, before={"roles": before},
                             after={"roles": sorted({*before, Role.ADMIN.value})})
            if not person.active:
                person.active = True
                s.flush()
                audit.append(s, actor, "set_active", "person", person.id, before={"active": False},
                             after={"active": True})
            return person.id, True
