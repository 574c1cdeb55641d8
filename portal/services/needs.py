"""Needs first: what the services find hard today, submitted by any signed-in agent and triaged by
the direction and the project leads (merged into another need, answered by a use case, or declined
with the reason). The portfolio reads which needs each use case serves and how many remain open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from policies.access import require
from policies.vocabulary import Action, NeedFrequency, NeedStatus, Principal
from portal.db.models import ServiceNeed
from portal.repositories import people_use as repo
from portal.services import audit
from portal.services.editing import use_case_or_not_found
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.field_types import LongText, Text200
from portal.services.register import RegisterService
from portal.services.validation import validate

NEED_LABELS = {
    "title": "Intitulé du besoin",
    "difficulty": "Ce qui est difficile aujourd'hui",
    "frequency": "Fréquence",
    "beneficiaries": "Pour qui",
    "service": "Service",
    "answer": "Réponse motivée",
}
STALE = ("Ce besoin a été traité ou modifié par quelqu'un d'autre depuis son affichage : "
         "rechargez la page, rien n'a été enregistré.")


class NeedFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Text200
    difficulty: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
    frequency: NeedFrequency
    beneficiaries: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    service: Text200


class AnswerFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class NoteFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    answer: LongText = ""


@dataclass(frozen=True)
class NeedView:
    id: int
    title: str
    difficulty: str
    frequency: NeedFrequency
    beneficiaries: str
    service: str
    status: NeedStatus
    submitted_at: dt.datetime
    submitted_by: str | None
    merged_into_id: int | None
    use_case_id: int | None
    use_case_reference: str | None
    use_case_title: str | None
    answer: str | None
    version: int

    @property
    def open(self) -> bool:
        return self.status is NeedStatus.OPEN


def _view(row: ServiceNeed, submitter: str | None, ref: str | None, title: str | None) -> NeedView:
    return NeedView(
        id=row.id, title=row.title, difficulty=row.difficulty, frequency=NeedFrequency(row.frequency),
        beneficiaries=row.beneficiaries, service=row.service, status=NeedStatus(row.status),
        submitted_at=row.submitted_at, submitted_by=submitter, merged_into_id=row.merged_into_id,
        use_case_id=row.use_case_id, use_case_reference=ref, use_case_title=title, answer=row.answer,
        version=row.version,
    )


class NeedsService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], register: RegisterService) -> None:
        self._reader = reader
        self._writer = writer
        self._register = register

    # --- reads -----------------------------------------------------------------------------------

    def list(self, *, statuses: Sequence[NeedStatus | str] = (), use_case_ids: Sequence[int] | None = None,
             search: str | None = None, limit: int | None = None, offset: int = 0) -> list[NeedView]:
        """Needs, newest first (one query: the submitter and the use case answering come joined)."""
        with self._reader() as s:
            rows = repo.needs(s, statuses=[str(x) for x in statuses], use_case_ids=use_case_ids, search=search,
                              limit=limit, offset=offset)
            return [_view(*r) for r in rows]

    def get(self, need_id: int) -> NeedView:
        with self._reader() as s:
            rows = repo.needs(s, ids=[need_id])
        if not rows:
            raise NotFound(f"Besoin n° {need_id} introuvable.")
        return _view(*rows[0])

    def counts(self) -> dict[NeedStatus, int]:
        """Number of needs by status (every status present, zero when none)."""
        with self._reader() as s:
            raw = repo.need_counts(s)
        return {st: raw.get(st.value, 0) for st in NeedStatus}

    def served_counts(self, use_case_ids: Sequence[int] | None = None) -> dict[int, int]:
        """use case id -> number of needs it answers (one grouped query, for the portfolio)."""
        with self._reader() as s:
            return repo.needs_served(s, use_case_ids)

    # --- writes ----------------------------------------------------------------------------------

    def submit(self, principal: Principal, data: dict[str, Any]) -> NeedView:
        """Record a need of a service (any signed-in agent, readers included); audited."""
        require(principal, Action.SUBMIT_NEED)
        fields = validate(NeedFields, data, NEED_LABELS)
        with self._writer.begin() as s:
            row = ServiceNeed(status=NeedStatus.OPEN.value, submitted_by_id=principal.person_id or None,
                              **fields.model_dump(mode="json"))
            s.add(row)
            s.flush()
            audit.append(s, principal, "submit", "service_need", row.id, after=fields.model_dump(mode="json"))
            need_id = row.id
        return self.get(need_id)

    def merge(self, principal: Principal, need_id: int, into_id: int, expected_version: int) -> None:
        """Mark a need as a duplicate of another need that still stands; audited."""
        require(principal, Action.TRIAGE_NEED)
        if need_id == into_id:
            raise InvalidInput(["Champ « Besoin de destination » : un besoin ne peut pas être fusionné avec lui-même."])
        with self._triage(need_id, expected_version) as (s, row):
            target = repo.need(s, into_id)
            if target is None:
                raise InvalidInput([f"Champ « Besoin de destination » : besoin n° {into_id} introuvable."])
            if target.status == NeedStatus.MERGED.value:
                raise InvalidInput([f"Champ « Besoin de destination » : le besoin n° {into_id} est lui-même "
                                    "fusionné ; choisissez le besoin qui reste."])
            self._settle(s, principal, row, NeedStatus.MERGED, merged_into_id=into_id,
                         answer=f"Doublon du besoin n° {into_id}.")

    def decline(self, principal: Principal, need_id: int, expected_version: int, answer: str) -> None:
        """Answer why a need is not taken up (the reason is required and shown to whoever submitted it)."""
        require(principal, Action.TRIAGE_NEED)
        fields = validate(AnswerFields, {"answer": answer}, NEED_LABELS)
        with self._triage(need_id, expected_version) as (s, row):
            self._settle(s, principal, row, NeedStatus.DECLINED, answer=fields.answer)

    def link_to_use_case(self, principal: Principal, need_id: int, use_case_id: int, expected_version: int,
                         answer: str = "") -> None:
        """Record that an existing use case answers the need."""
        require(principal, Action.TRIAGE_NEED)
        note = validate(NoteFields, {"answer": answer}, NEED_LABELS).answer or None
        with self._triage(need_id, expected_version) as (s, row):
            uc = use_case_or_not_found(s, use_case_id)
            self._settle(s, principal, row, NeedStatus.ANSWERED, use_case_id=uc.id,
                         answer=note or f"Pris en charge par le cas d'usage {uc.reference}.")

    def turn_into_idea(self, principal: Principal, need_id: int, expected_version: int,
                       use_case: dict[str, Any], *, today: dt.date | None = None) -> int:
        """Create a use case at the idea stage from the need (through the register, so its checks and
        audit apply) and link the need to it, in one transaction. Returns the new use case's id."""
        require(principal, Action.TRIAGE_NEED)
        with self._reader() as s:
            row = self._open_need(s, need_id, expected_version)
            defaults = {"title": row.title, "problem": row.difficulty, "service": row.service,
                        "public_concerned": row.beneficiaries}

        def link(s: Session, ids: list[int]) -> None:
            need = self._open_need(s, need_id, expected_version)
            uc = use_case_or_not_found(s, ids[0])
            self._settle(s, principal, need, NeedStatus.ANSWERED, use_case_id=uc.id,
                         answer=f"Transformé en idée : cas d'usage {uc.reference}.")

        data = defaults | {k: v for k, v in use_case.items() if v not in (None, "")}
        try:
            return self._register.create_many(principal, [(data, {"from_need": need_id})], today=today,
                                              then=link)[0]
        except StaleDataError:
            raise StaleEdit(STALE) from None

    # --- helpers ---------------------------------------------------------------------------------

    @staticmethod
    def _open_need(s: Session, need_id: int, expected_version: int) -> ServiceNeed:
        row = repo.need(s, need_id)
        if row is None:
            raise NotFound(f"Besoin n° {need_id} introuvable.")
        if row.version != expected_version or row.status != NeedStatus.OPEN.value:
            raise StaleEdit(STALE)
        return row

    @contextmanager
    def _triage(self, need_id: int, expected_version: int) -> Iterator[tuple[Session, ServiceNeed]]:
        """A write transaction on an open need at the version shown; a concurrent triage is refused."""
        try:
            with self._writer.begin() as s:
                yield s, self._open_need(s, need_id, expected_version)
        except StaleDataError:
            raise StaleEdit(STALE) from None

    @staticmethod
    def _settle(s: Session, principal: Principal, row: ServiceNeed, status: NeedStatus, *,
                merged_into_id: int | None = None, use_case_id: int | None = None, answer: str | None = None) -> None:
        before = {"status": row.status}
        row.status = status.value
        row.merged_into_id = merged_into_id
        row.use_case_id = use_case_id
        row.answer = answer
        row.triaged_by_id = principal.person_id or None
        row.triaged_at = dt.datetime.now(dt.UTC)
        s.flush()
        audit.append(s, principal, status.value, "service_need", row.id, use_case_id=use_case_id, before=before,
                     after={"status": status.value, "merged_into_id": merged_into_id, "use_case_id": use_case_id,
                            "answer": answer})
