"""Queries on server-side sign-in sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.db.models import IdentitySession


def by_key_hash(session: Session, key_hash: str) -> IdentitySession | None:
    return session.scalars(select(IdentitySession).where(IdentitySession.key_hash == key_hash)).first()


def open_for_person(session: Session, person_id: int, now: dt.datetime) -> Sequence[IdentitySession]:
    return session.scalars(
        select(IdentitySession)
        .where(IdentitySession.person_id == person_id, IdentitySession.revoked_at.is_(None),
               IdentitySession.expires_at > now)
        .order_by(IdentitySession.id)
    ).all()


def revoke_for_person(session: Session, person_id: int, reason: str, now: dt.datetime) -> int:
    """Revoke every session of a person still open; the number revoked."""
    result = session.execute(
        update(IdentitySession)
        .where(IdentitySession.person_id == person_id, IdentitySession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
