"""Read caches invalidated by writes, across every portal process sharing the database.

Every mutation appends to the audit chain in its own transaction (see :mod:`portal.services.audit`),
so the chain head's sequence number is a write stamp: a cached value computed at stamp N is still
true while the head is N. Reading the head is one primary-key lookup; whichever process wrote, the
next read in every process sees a new stamp and recomputes (docs/production.md, decision 0086).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
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
            # a value of an older stamp can never be read again (a hit needs the current stamp): let it go now,
            # not after ``size`` other keys, so a process keeps one generation of large values, not several
            for old in [k for k, (s, _) in self._values.items() if s < stamp]:
                del self._values[old]
            self._values[key] = (stamp, value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


class Followed(Generic[T]):
    """A value over many use cases, kept per process and brought up to date from the audit trail.

    Every mutation is audited with the use case it touches, so the events after the last head read name
    the use cases whose part of the value may have changed: ``update`` recomputes those only. An event
    without use case about one of ``everything`` (the organisation, a restore), a head that went back
    (a restore) or more than ``most`` use cases named, and ``full`` recomputes it all.
    """

    def __init__(self, reader: sessionmaker[Session], full: Callable[[Session], T],
                 update: Callable[[Session, T, set[int]], T], everything: Sequence[str] = (),
                 most: int = 2000) -> None:
        self._reader = reader
        self._full = full
        self._update = update
        self._everything = tuple(everything)
        self._most = most
        self._lock = threading.Lock()
        self._seen = -1
        self._value: T | None = None

    def get(self) -> T:
        with self._reader() as s:
            head = audit_repo.head_seq(s)
            with self._lock:
                seen, value = self._seen, self._value
            if value is not None and head == seen:
                return value
            if value is None or head < seen:
                value = self._full(s)
            else:
                changed, everything = audit_repo.changed_since(s, seen, self._everything)
                value = self._full(s) if everything or len(changed) > self._most else self._update(s, value, changed)
        with self._lock:
            if self._seen <= head:
                self._seen, self._value = head, value
        return value

    def clear(self) -> None:
        with self._lock:
            self._seen, self._value = -1, None
