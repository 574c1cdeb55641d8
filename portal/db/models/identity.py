"""People of the collectivité and the roles Vigie gives them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.base import Base, UTCDateTime, utcnow


class Person(Base):
    """An agent or elected official known to Vigie; identified at sign-in by (issuer, subject)."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    direction: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str | None] = mapped_column(String(500))
    subject: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="person",
        foreign_keys="RoleAssignment.person_id",
        order_by="RoleAssignment.id",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RoleAssignment(Base):
    """One role held by one person; revoking keeps the row (revoked_at) for the record."""

    __tablename__ = "role_assignment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    #: "vigie": granted in Vigie (an administrator, the CLI); "groups": by VIGIE_GROUP_ROLE_MAP, which
    #: also revokes it when the person's identity provider no longer lists the group.
    source: Mapped[str] = mapped_column(String(16), default="vigie", server_default="vigie")

    person: Mapped[Person] = relationship(back_populates="roles", foreign_keys=[person_id])
