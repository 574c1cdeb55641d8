"""The hash-chained audit trail: append inside the business transaction, verify from the start."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Unpack

from sqlalchemy.orm import Session, sessionmaker

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import AuditEvent
from portal.repositories import audit as repo
from portal.services.schemas import AuditEventView

GENESIS = "0" * 64


def canonical(data: Any) -> str:
    """Stable JSON: sorted keys, no spaces, dates as ISO strings."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_jsonable)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value"):  # enums
        return value.value
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(
    prev_hash: str,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    entity: str,
    entity_id: str,
    use_case_id: int | None,
    payload: str,
) -> str:
    body = json.dumps(
        [prev_hash, _stamp(at), actor_id, actor_name, action, entity, entity_id, use_case_id, payload],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append(
    session: Session,
    actor: Principal,
    action: str,
    entity: str,
    entity_id: object,
    *,
    use_case_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (so both commit or neither)."""
    repo.lock_chain(session)
    prev = repo.last_hash(session) or GENESIS
    at = dt.datetime.now(dt.UTC)
    payload = canonical({"before": before, "after": after, "details": details})
    event = AuditEvent(
        at=at,
        actor_id=actor.person_id,
        actor_name=actor.display_name,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        use_case_id=use_case_id,
        payload=payload,
        prev_hash=prev,
        hash=event_hash(prev, at, actor.person_id, actor.display_name, action, entity, str(entity_id),
                        use_case_id, payload),
    )
    session.add(event)
    session.flush()
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in after if canonical(before.get(k)) != canonical(after.get(k))]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"Journal d'audit intègre : {self.checked} événements vérifiés."
        return (
            f"Journal d'audit altéré : premier événement en défaut n° {self.first_broken_seq} "
            f"({self.reason}) ; {self.checked} événements vérifiés avant lui."
        )


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash from the genesis; name the first event that does not match."""
    prev = GENESIS
    checked = 0
    for ev in repo.iter_chain(session):
        if ev.prev_hash != prev:
            return ChainReport(False, checked, ev.seq, "le chaînage avec l'événement précédent est rompu")
        expected = event_hash(
            ev.prev_hash, ev.at, ev.actor_id, ev.actor_name, ev.action, ev.entity, ev.entity_id,
            ev.use_case_id, ev.payload,
        )
        if expected != ev.hash:
            return ChainReport(False, checked, ev.seq, "son contenu ne correspond plus à son empreinte")
        prev = ev.hash
        checked += 1
    return ChainReport(True, checked)


class AuditService:
    """Reading the trail (compliance, administration, direction) and checking its integrity."""

    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    def verify(self) -> ChainReport:
        with self._reader() as s:
            return verify_chain(s)

    def events(self, principal: Principal, **filters: Unpack[repo.AuditFilters]) -> list[AuditEventView]:
        """The trail searched by use case, person, action and period (compliance, direction, administration)."""
        require(principal, Action.VIEW_AUDIT)
        with self._reader() as s:
            rows = repo.search(s, **filters)
            return [AuditEventView.model_validate(r) for r in rows]

    def count(self, principal: Principal, **filters: Unpack[repo.AuditFilters]) -> int:
        """How many events match the filters (the audit page's pager)."""
        require(principal, Action.VIEW_AUDIT)
        with self._reader() as s:
            return repo.count(s, **filters)

    def history_of(self, use_case_id: int, limit: int = 200) -> list[AuditEventView]:
        """The changes of one use case: part of its sheet, visible to whoever may see the sheet."""
        with self._reader() as s:
            return [AuditEventView.model_validate(r) for r in repo.search(s, use_case_id=use_case_id, limit=limit)]

    def recent(self, limit: int = 10) -> list[AuditEventView]:
        with self._reader() as s:
            return [AuditEventView.model_validate(r) for r in repo.search(s, limit=limit)]

    def record(self, principal: Principal, action: str, entity: str, entity_id: object,
               *, use_case_id: int | None = None, details: dict[str, Any] | None = None) -> None:
        """Record an event that changes nothing else (sign-in, export)."""
        with self._writer.begin() as s:
            append(s, principal, action, entity, entity_id, use_case_id=use_case_id, details=details)
