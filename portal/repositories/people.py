"""Queries on people and their roles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.db.models import Person, RoleAssignment


def get(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id, options=[selectinload(Person.roles)])


def by_identity(session: Session, issuer: str, subject: str) -> Person | None:
    return session.scalars(
        select(Person).where(Person.issuer == issuer, Person.subject == subject).options(selectinload(Person.roles))
    ).first()


def by_email(session: Session, email: str) -> Person | None:
    return session.scalars(select(Person).where(Person.email == email)).first()


def all_people(session: Session, *, active_only: bool = False) -> Sequence[Person]:
    stmt = select(Person).options(selectinload(Person.roles)).order_by(Person.display_name)
    if active_only:
        stmt = stmt.where(Person.active.is_(True))
    return session.scalars(stmt).all()


def active_roles(person: Person) -> list[str]:
    return [a.role for a in person.roles if a.revoked_at is None]


def open_assignment(person: Person, role: str) -> RoleAssignment | None:
    return next((a for a in person.roles if a.role == role and a.revoked_at is None), None)
