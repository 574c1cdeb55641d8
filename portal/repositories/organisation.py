"""The collectivité's single row."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.db.models import Organisation

ROW_ID = 1


def get(session: Session) -> Organisation | None:
    return session.get(Organisation, ROW_ID)
