"""The home page's « Ce qui demande votre attention »: every service's items, merged by urgency and
cached per person until the next write (:mod:`portal.services.cache`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from policies.vocabulary import Principal
from portal.services.cache import StampedCache
from portal.services.register import AttentionItem

Source = Callable[[Principal], list[AttentionItem]]
ORDER = {"error": 0, "warning": 1}


class AttentionService:
    def __init__(self, reader: sessionmaker[Session], sources: list[Source]) -> None:
        self._sources = sources
        self._cache: StampedCache[list[AttentionItem]] = StampedCache(reader)

    def for_person(self, principal: Principal, today: dt.date | None = None) -> list[AttentionItem]:
        """Every item for ``principal``, most urgent first then by reference. Computed once per person,
        day and write: a page load after no write reads one row (the chain head)."""
        today = today or dt.date.today()
        key = (principal.person_id, principal.roles, today)
        return self._cache.get(key, lambda: self._compute(principal))

    def _compute(self, principal: Principal) -> list[AttentionItem]:
        items = [item for source in self._sources for item in source(principal)]
        return sorted(items, key=lambda i: (ORDER.get(i.severity, 2), i.reference))
