"""Server-side sign-in sessions: what the browser's cookie is checked against on every page run."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.base import Base, UTCDateTime, utcnow


class IdentitySession(Base):
    """One sign-in of one person. The browser holds a key; only its SHA-256 is stored here.

    For the OIDC sign-in the key is derived from the ID token in Streamlit's cookie (issuer, subject,
    issue time, nonce), so every browser tab sharing that cookie shares the session; for the demo
    sign-in it is a random token kept in the Streamlit session. A session is valid until
    ``expires_at`` unless ``revoked_at`` is set (sign-out, role change, deactivation, administrator,
    inactivity longer than the configured idle time since ``last_seen_at``).
    """

    __tablename__ = "identity_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    #: Last page run seen, to at most a minute (see SignInSessionService.touch); None until the first.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
