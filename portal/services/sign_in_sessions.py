"""Server-side session guard: a sign-in opens a session row; every page run checks it.

Streamlit's identity cookie is signed but stateless (30 days, not revocable, ``exp`` not checked),
so Vigie keeps its own record: a session has a maximum age, ends after a period without any page
run (``VIGIE_SESSION_IDLE_MINUTES``), and is revoked on sign-out, on a change of the person's roles
or activity, or by an administrator. A revoked, expired or idle session signs the browser out,
whatever its cookie says. Roles are always re-read from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from policies.access import require
from policies.vocabulary import Action, Principal, Role
from portal.db.base import utcnow
from portal.db.models import IdentitySession
from portal.repositories import people as people_repo
from portal.repositories import sign_in_sessions as repo
from portal.services import audit
from portal.services.errors import NotFound

#: Why a session ended, as stored in ``identity_session.revoked_reason`` and shown in the audit trail.
REASONS = {
    "logout": "déconnexion",
    "expired": "durée maximale atteinte",
    "idle": "inactivité prolongée",
    "role_change": "rôles modifiés",
    "deactivated": "compte désactivé",
    "admin": "révoquée par un administrateur",
}


#: A page run updates ``last_seen_at`` only when the stored one is older than this (or than a
#: tenth of the idle limit, if shorter), so a click costs no write most of the time.
TOUCH_EVERY = dt.timedelta(minutes=1)


def touch_interval(idle_after: dt.timedelta | None) -> dt.timedelta:
    return TOUCH_EVERY if idle_after is None else min(TOUCH_EVERY, idle_after / 10)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_demo_key() -> str:
    return secrets.token_urlsafe(32)


def anonymous(label: str) -> Principal:
    """The actor of an event nobody signed in has caused (a refused sign-in)."""
    return Principal(person_id=0, display_name=label[:200], roles=frozenset())


@dataclass(frozen=True)
class SessionCheck:
    """The verdict on a browser's key: ``ok`` with the principal, or why not."""

    status: str  # ok | unknown | expired | idle | revoked | inactive
    principal: Principal | None = None
    session_id: int | None = None
    person_id: int | None = None
    opened_at: dt.datetime | None = None
    last_seen_at: dt.datetime | None = None
    #: How stale ``last_seen_at`` may be before a page run records itself again.
    touch_every: dt.timedelta = dt.timedelta(minutes=1)

    def needs_touch(self, now: dt.datetime | None = None) -> bool:
        """Whether this page run should record itself (see :meth:`SignInSessionService.touch`)."""
        seen = self.last_seen_at
        return self.status == "ok" and (seen is None or (now or utcnow()) - seen >= self.touch_every)


@dataclass(frozen=True)
class SessionView:
    id: int
    person_id: int
    method: str
    opened_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_reason: str | None


def revoke_all(s: Session, actor: Principal, person_id: int, reason: str) -> int:
    """Inside the caller's transaction: end every open session of a person, audited when any was open."""
    n = repo.revoke_for_person(s, person_id, reason, utcnow())
    if n:
        audit.append(s, actor, "revoke_sessions", "person", person_id,
                     details={"sessions": n, "reason": reason})
    return n


def _principal(s: Session, person_id: int) -> Principal | None:
    person = people_repo.get(s, person_id)
    if person is None or not person.active:
        return None
    roles = frozenset(Role(r) for r in people_repo.active_roles(person))
    return Principal(person_id=person.id, display_name=person.display_name, roles=roles)


class SignInSessionService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    def open(self, person_id: int, key: str, *, method: str, max_age: dt.timedelta,
             details: dict[str, Any] | None = None) -> Principal:
        """Open a session for an active person and audit the sign-in, in one transaction."""
        now = utcnow()
        with self._writer.begin() as s:
            principal = _principal(s, person_id)
            if principal is None:
                raise NotFound(f"Personne n° {person_id} introuvable ou désactivée.")
            row = IdentitySession(key_hash=key_hash(key), person_id=person_id, method=method, opened_at=now,
                                  expires_at=now + max_age)
            s.add(row)
            s.flush()
            audit.append(s, principal, "login", "identity_session", row.id,
                         details={"method": method, "roles": sorted(r.value for r in principal.roles),
                                  **(details or {})})
            return principal

    def check(self, key: str, now: dt.datetime | None = None, *,
              idle_after: dt.timedelta | None = None) -> SessionCheck:
        """Read-only: is the session behind ``key`` open, and who is it (roles as the database has them now)?

        With ``idle_after``, a session whose last page run (or opening) is older than that is ``idle``.
        """
        now = now or utcnow()
        with self._reader() as s:
            row = repo.by_key_hash(s, key_hash(key))
            if row is None:
                return SessionCheck("unknown")
            base: dict[str, Any] = {"session_id": row.id, "person_id": row.person_id, "opened_at": row.opened_at,
                    "last_seen_at": row.last_seen_at, "touch_every": touch_interval(idle_after)}
            if row.revoked_at is not None:
                return SessionCheck("revoked", **base)
            if row.expires_at <= now:
                return SessionCheck("expired", **base)
            if idle_after is not None and (row.last_seen_at or row.opened_at) + idle_after <= now:
                return SessionCheck("idle", **base)
            principal = _principal(s, row.person_id)
            if principal is None:
                return SessionCheck("inactive", **base)
            return SessionCheck("ok", principal=principal, **base)

    def touch(self, key: str, now: dt.datetime | None = None, every: dt.timedelta = TOUCH_EVERY) -> bool:
        """Record a page run on the open session behind ``key``, at most once per ``every`` (a write
        per click would be wasted); not audited, like any read. True if it wrote."""
        now = now or utcnow()
        with self._writer.begin() as s:
            row = repo.by_key_hash(s, key_hash(key))
            if row is None or row.revoked_at is not None:
                return False
            if row.last_seen_at is not None and now - row.last_seen_at < every:
                return False
            row.last_seen_at = now
            return True

    def close(self, key: str, reason: str = "logout") -> bool:
        """End the session behind ``key`` (sign-out, expiry); audited. False if it was not open."""
        with self._writer.begin() as s:
            row = repo.by_key_hash(s, key_hash(key))
            if row is None or row.revoked_at is not None:
                return False
            row.revoked_at = utcnow()
            row.revoked_reason = reason
            principal = _principal(s, row.person_id) or anonymous(f"Personne n° {row.person_id}")
            s.flush()
            audit.append(s, principal, "logout", "identity_session", row.id,
                         details={"reason": reason, "method": row.method})
            return True

    def revoke_person(self, principal: Principal, person_id: int) -> int:
        """An administrator ends every open session of a person (e.g. a stolen laptop)."""
        require(principal, Action.REVOKE_SESSION)
        with self._writer.begin() as s:
            if people_repo.get(s, person_id) is None:
                raise NotFound(f"Personne n° {person_id} introuvable.")
            n = repo.revoke_for_person(s, person_id, "admin", utcnow())
            audit.append(s, principal, "revoke_sessions", "person", person_id,
                         details={"sessions": n, "reason": "admin"})
            return n

    def open_sessions(self, person_id: int) -> list[SessionView]:
        with self._reader() as s:
            return [SessionView(r.id, r.person_id, r.method, r.opened_at, r.expires_at, r.revoked_at,
                                r.revoked_reason) for r in repo.open_for_person(s, person_id, utcnow())]

    def refuse(self, reason: str, *, issuer: str | None = None, subject: str | None = None,
               person_id: int | None = None, details: dict[str, Any] | None = None) -> None:
        """Audit a refused sign-in (unknown person without role, deactivated account, bad token)."""
        with self._writer.begin() as s:
            actor = (_principal(s, person_id) if person_id else None) or anonymous(
                f"Connexion refusée ({subject or 'inconnu'})")
            audit.append(s, actor, "login_refused", "person", str(person_id or subject or "")[:64],
                         details={"reason": reason, "issuer": issuer, "subject": subject, **(details or {})})
