"""The collectivité itself: the facts every use case shares, set once by an administrator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class Organisation(Base):
    """One row (id 1): the collectivité's name, size and contacts, read by the CRPA questionnaire,
    the CRPA notice and letter, the public register and the board report."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    population: Mapped[int | None] = mapped_column(Integer)
    staff_fte: Mapped[int | None] = mapped_column(Integer)
    #: where residents ask for explanations (an address, a form or an e-mail)
    contact: Mapped[str] = mapped_column(String(300), default="")
    dpo_name: Mapped[str] = mapped_column(String(200), default="")
    dpo_contact: Mapped[str] = mapped_column(String(300), default="")
    is_territorial_collectivity: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012
