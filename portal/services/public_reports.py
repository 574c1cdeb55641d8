"""What the public says about a published register entry, and the answer it gets.

From the public page, anyone may report an error in an entry, ask a question or contest the use
of the algorithm — without an account, so the one action in Vigie that needs no role. The report
is validated (French messages naming the field), stored with the entry's reference, audited with
an anonymous actor, and waits in the compliance officers' queue until one of them records the
answer given and closes it (``PUBLISH_REGISTER``, audited). An address left by the person serves
only to answer; it is never shown outside that queue.

A form anyone can post to needs a guard that keeps the queue readable without collecting who
posts: the same message on the same entry within a week is not stored twice (the person is told
it was received), beyond ``per_entry`` reports in the last hour on one entry
(``VIGIE_PUBLIC_REPORTS_PER_ENTRY``) that entry's form asks to come back later, and beyond
``per_hour`` reports in the last hour (all entries together, ``VIGIE_PUBLIC_REPORTS_PER_HOUR``) so
does every form. A flood on one entry thus leaves the others open; a flood spread over many entries
can still close the form for an hour: the documented trade-off of keeping no trace of who posts.
Refused posts are counted per hour, entry and reason (``public_report_refusal``) for the
administrators to see a flood; no address, IP or browser trace is kept for any of this.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from policies.access import can, require
from policies.vocabulary import Action, Principal
from portal.db.base import utcnow
from portal.db.models import PublicReport, PublicReportRefusal
from portal.repositories import public_register as repo
from portal.repositories import register as register_repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound
from portal.services.register import AttentionItem
from portal.services.sign_in_sessions import anonymous
from portal.services.validation import validate

KINDS_FR = {"error": "Signaler une erreur dans la fiche", "question": "Poser une question",
            "objection": "Contester l'utilisation de l'algorithme"}
LABELS = {"reference": "Fiche", "kind": "Objet", "message": "Message", "contact": "Adresse électronique",
          "response": "Réponse apportée"}
#: The anonymous actor of a report in the audit trail.
PUBLIC = anonymous("Public (formulaire du registre public)")


class ReportFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reference: str = Field(min_length=1, max_length=32)
    kind: Literal["error", "question", "objection"]
    message: str = Field(min_length=10, max_length=4000)
    contact: str | None = Field(default=None, max_length=320)

    @field_validator("contact", mode="before")
    @classmethod
    def _blank_is_none(cls, v: object) -> object:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("contact")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        # a plain shape check: the address only serves to answer, a typo is the person's to fix
        if v is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", v):
            raise ValueError("adresse électronique invalide (attendu : nom@domaine.fr)")
        return v


@dataclass(frozen=True)
class ReportView:
    id: int
    reference: str
    title: str
    kind: str
    message: str
    contact: str | None
    created_at: dt.datetime
    status: str
    response: str | None
    handled_at: dt.datetime | None


#: How long an identical message on the same entry counts as already received.
DUPLICATE_WINDOW = dt.timedelta(days=7)


def _normalised(message: str) -> str:
    return " ".join(message.casefold().split())


#: Why a post was refused, in French, for the administrators' count.
REFUSALS_FR = {"duplicate": "message déjà reçu", "entry_limit": "limite horaire de la fiche",
               "hourly_limit": "limite horaire du registre"}


class _Refused(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True)
class RefusalCount:
    hour: dt.datetime
    reference: str
    reason: str
    count: int


class PublicReportService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], *, per_hour: int = 30,
                 per_entry: int = 5) -> None:
        self._reader = reader
        self._writer = writer
        #: Reports accepted per rolling hour, all entries together; 0 means no limit.
        self.per_hour = per_hour
        #: Reports accepted per rolling hour on one entry; 0 means no limit.
        self.per_entry = per_entry

    def _guard(self, s: Session, use_case_id: int, message: str) -> None:
        now = utcnow()
        same = repo.reports_since(s, use_case_id, now - DUPLICATE_WINDOW)
        if any(_normalised(r.message) == _normalised(message) for r in same):
            raise _Refused("duplicate", "Champ « Message » : ce message a déjà été reçu pour cette fiche ; "
                                        "il sera traité, inutile de l'envoyer à nouveau.")
        hour_ago = now - dt.timedelta(hours=1)
        if self.per_entry and sum(r.created_at >= hour_ago for r in same) >= self.per_entry:
            raise _Refused("entry_limit", "Cette fiche a reçu beaucoup de signalements dans la dernière heure : "
                                          "rien n'a été enregistré. Merci de réessayer un peu plus tard.")
        if self.per_hour:
            recent = repo.report_count_since(s, hour_ago)
            if recent >= self.per_hour:
                raise _Refused("hourly_limit", "Le registre a reçu beaucoup de signalements dans la dernière heure : "
                                               "rien n'a été enregistré. Merci de réessayer un peu plus tard.")

    def _count_refusal(self, use_case_id: int, reason: str) -> None:
        """One more refused post this hour on this entry for this reason; nothing about who posted."""
        hour = utcnow().replace(minute=0, second=0, microsecond=0)
        for _attempt in range(3):  # two first refusals of the hour may race to insert the row
            try:
                with self._writer.begin() as s:
                    row = repo.refusal_for_update(s, hour, use_case_id, reason)
                    if row is None:
                        s.add(PublicReportRefusal(hour=hour, use_case_id=use_case_id, reason=reason, count=1))
                    else:
                        row.count += 1
                return
            except IntegrityError:
                continue

    def refusals(self, principal: Principal, *, days: int = 7) -> list[RefusalCount]:
        """Refused posts of the last ``days`` days per hour, entry and reason, newest first (who answers
        the public: compliance officers and administrators)."""
        require(principal, Action.PUBLISH_REGISTER)
        since = utcnow() - dt.timedelta(days=days)
        with self._reader() as s:
            rows = repo.refusals_since(s, since)
        return [RefusalCount(r.hour, ref, r.reason, r.count) for r, ref in rows]

    def submit(self, data: dict[str, object]) -> int:
        """A report from the public page (no account). Only a published entry can be reported on."""
        fields = validate(ReportFields, data, LABELS)
        try:
            with self._writer.begin() as s:
                uc = register_repo.by_reference(s, fields.reference)
                latest = None if uc is None else repo.latest_entry_of(s, uc.id)
                if uc is None or latest is None or latest.action != "publish":
                    raise InvalidInput([f"Champ « Fiche » : « {fields.reference} » n'est pas une fiche publiée."])
                uc_id = uc.id
                self._guard(s, uc.id, fields.message)
                row = PublicReport(use_case_id=uc.id, kind=fields.kind, message=fields.message,
                                   contact=str(fields.contact) if fields.contact else None, status="open")
                s.add(row)
                s.flush()
                # the address stays out of the audit payload, which auditors export
                audit.append(s, PUBLIC, "report", "public_report", row.id, use_case_id=uc.id,
                             after={"kind": fields.kind, "message": fields.message,
                                    "contact_given": fields.contact is not None})
                return row.id
        except _Refused as refused:
            self._count_refusal(uc_id, refused.reason)
            raise InvalidInput([refused.message]) from None

    def close(self, principal: Principal, report_id: int, response: str) -> ReportView:
        """A compliance officer records the answer given and closes the report; audited."""
        require(principal, Action.PUBLISH_REGISTER)
        response = (response or "").strip()
        if len(response) < 3:
            raise InvalidInput(["Champ « Réponse apportée » : obligatoire (ce qui a été répondu ou corrigé)."])
        with self._writer.begin() as s:
            row = repo.report(s, report_id)
            if row is None:
                raise NotFound(f"Signalement n° {report_id} introuvable.")
            if row.status == "closed":
                raise InvalidInput([f"Le signalement n° {report_id} est déjà clos."])
            row.status, row.response = "closed", response[:4000]
            row.handled_by_id, row.handled_at = principal.person_id or None, utcnow()
            s.flush()
            audit.append(s, principal, "close_report", "public_report", row.id, use_case_id=row.use_case_id,
                         before={"status": "open"}, after={"status": "closed", "response": row.response})
        return next(r for r in self.reports(principal) if r.id == report_id)

    def reports(self, principal: Principal, *, open_only: bool = False) -> list[ReportView]:
        """The queue, newest first (compliance officers and administrators)."""
        require(principal, Action.PUBLISH_REGISTER)
        with self._reader() as s:
            rows = repo.reports_with_use_case(s, open_only=open_only)
        return [ReportView(r.id, ref, title, r.kind, r.message, r.contact, r.created_at, r.status, r.response,
                           r.handled_at) for r, ref, title in rows]

    def attention(self, principal: Principal) -> list[AttentionItem]:
        """For the home page of those who answer (compliance, administrators): one line per entry
        with open reports; a contestation makes it urgent."""
        if not can(principal, Action.PUBLISH_REGISTER):
            return []
        by_case: dict[int, list[PublicReport]] = {}
        with self._reader() as s:
            for r in repo.open_reports(s):
                by_case.setdefault(r.use_case_id, []).append(r)
            cases = register_repo.by_ids(s, list(by_case))
        items = []
        for uc_id, reports in by_case.items():
            uc = cases[uc_id]
            objections = sum(r.kind == "objection" for r in reports)
            text = (f"Registre public : {len(reports)} signalement(s) du public à traiter"
                    + (f", dont {objections} contestation(s)" if objections else "")
                    + " — à clore depuis la page Registre public.")
            items.append(AttentionItem(uc.id, uc.reference, uc.title, text, "error" if objections else "warning"))
        return items
