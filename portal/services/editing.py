"""Editing one row: load it or say it is not found, check the caller may act on its use case,
check the version the form showed, apply, audit; one way for every service.

    with editing.edit(self._writer, principal, Action.MANAGE_RISKS,
                      load=lambda s: repo.risk(s, risk_id), not_found=f"Risque n° {risk_id} introuvable.",
                      use_case=lambda s, risk: self._use_case(s, risk.use_case_id), stale=STALE) as e:
        e.check_version(expected_version)
        ...  # apply to e.row
        e.record_change("update", "risk", e.row.id, before_all, after_all)

A concurrent writer caught at flush or commit (SQLAlchemy's ``StaleDataError`` on a versioned row)
reads as the same French ``StaleEdit`` as a version that no longer matches when checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import UseCase
from portal.services import audit
from portal.services.errors import NotFound, StaleEdit

T = TypeVar("T")


def use_case_or_not_found(s: Session, use_case_id: int) -> UseCase:
    """The use case, or the French ``NotFound`` every service raises for an unknown number."""
    uc = s.get(UseCase, use_case_id)
    if uc is None:
        raise NotFound(use_case_not_found(use_case_id))
    return uc


def use_case_not_found(use_case_id: int) -> str:
    return f"Cas d'usage n° {use_case_id} introuvable."


def owned_use_case(s: Session, principal: Principal, use_case_id: int, action: Action) -> UseCase:
    """The use case, once the caller may take ``action`` on it (its lead counts as its owner)."""
    uc = use_case_or_not_found(s, use_case_id)
    require(principal, action, owner_ids=[uc.lead_id])
    return uc


class UseCaseLookup:
    """What every service base shares: its use case by number, and one the caller may act on."""

    @staticmethod
    def _use_case(s: Session, use_case_id: int) -> UseCase:
        return use_case_or_not_found(s, use_case_id)

    @staticmethod
    def _owned_use_case(s: Session, principal: Principal, use_case_id: int, action: Action) -> UseCase:
        return owned_use_case(s, principal, use_case_id, action)


@dataclass
class Edit(Generic[T]):
    """The row being edited, its use case (the caller may act on it) and the open write session."""

    session: Session
    principal: Principal
    row: T
    use_case: UseCase
    stale: str

    def check_version(self, expected_version: int | None, row: Any = None) -> None:
        """Refuse the edit when the version shown (``None``: no check) is not the row's (``row`` when
        the versioned row is another than the loaded one)."""
        current = cast(Any, self.row if row is None else row).version
        if expected_version is not None and current != expected_version:
            raise StaleEdit(self.stale)

    def record(self, verb: str, kind: str, entity_id: int, *, before: dict[str, Any] | None = None,
               after: dict[str, Any] | None = None, details: dict[str, Any] | None = None) -> None:
        """Append the audit event of this edit (in the same transaction), payloads as given."""
        audit.append(self.session, self.principal, verb, kind, entity_id, use_case_id=self.use_case.id,
                     before=before, after=after, details=details)

    def record_change(self, verb: str, kind: str, entity_id: int, before_all: dict[str, Any],
                      after_all: dict[str, Any], *, extra_after: dict[str, Any] | None = None) -> bool:
        """Audit only the fields that changed (none changed: no event); ``extra_after`` is added to the
        event's ``after`` (e.g. which obligation). True when something changed."""
        before, after = audit.diff(before_all, after_all)
        if after:
            self.record(verb, kind, entity_id, before=before, after=after | (extra_after or {}))
        return bool(after)


@contextmanager
def edit(writer: sessionmaker[Session], principal: Principal, action: Action, *,
         load: Callable[[Session], T | None], not_found: str,
         use_case: Callable[[Session, T], UseCase], stale: str) -> Iterator[Edit[T]]:
    """Open a write transaction on the row ``load`` returns (``NotFound(not_found)`` when none),
    check ``action`` on its use case with its project lead as owner, and give the :class:`Edit`.
    Commits when the block ends; a stale version anywhere raises ``StaleEdit(stale)``."""
    try:
        with writer.begin() as s:
            row = load(s)
            if row is None:
                raise NotFound(not_found)
            uc = use_case(s, row)
            require(principal, action, owner_ids=[uc.lead_id])
            yield Edit(s, principal, row, uc, stale)
    except StaleDataError:
        raise StaleEdit(stale) from None
