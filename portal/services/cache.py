"""Read caches invalidated by writes, across every portal process sharing the database.

Every mutation appends to the audit chain in its own transaction (see :mod:`portal.services.audit`),
so the chain head's sequence number is a write stamp: a cached value computed at stamp N is still
true while the head is N. Reading the head is one primary-key lookup; whichever process wrote, the
next read in every process sees a new stamp and recomputes (docs/production.md, decision 0086).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from portal.repositories import audit as audit_repo

T = TypeVar("T")


class StampedCache(Generic[T]):
    """At most ``size`` values, each kept with the write stamp it was computed at."""

    def __init__(self, reader: sessionmaker[Session], size: int = 256) -> None:
        self._reader = reader
        self._size = size
        self._values: OrderedDict[Hashable, tuple[int, T]] = OrderedDict()
        self._lock = threading.Lock()

    def stamp(self) -> int:
        with self._reader() as s:
            return audit_repo.head_seq(s)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, recomputed when anything was written since it was cached."""
        stamp = self.stamp()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and hit[0] == stamp:
                self._values.move_to_end(key)
                return hit[1]
        value = compute()
        with self._lock:
            self._values[key] = (stamp, value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
