"""What the public says about a published register entry, and the answer it gets.

From the public page, anyone may report an error in an entry, ask a question or contest the use
of the algorithm — without an account, so the one action in Vigie that needs no role. The report
is validated (French messages naming the field), stored with the entry's reference, audited with
an anonymous actor, and waits in the compliance officers' queue until one of them records the
answer given and closes it (``PUBLISH_REGISTER``, audited). An address left by the person serves
only to answer; it is never shown outside that queue.

A form anyone can post to needs a guard that keeps the queue readable without collecting who
posts: the same message on the same entry within a week is not stored twice (the person is told
it was received), and beyond ``per_hour`` reports in the last hour (all entries together,
``VIGIE_PUBLIC_REPORTS_PER_HOUR``) the form asks to come back later. No address, IP or browser
trace is kept for this.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from policies.access import can, require
from policies.vocabulary import Action, Principal
from portal.db.base import utcnow
from portal.db.models import PublicRegisterEntry, PublicReport, UseCase
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound
from portal.services.register import AttentionItem
from portal.services.sessions import anonymous
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


class PublicReportService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], *, per_hour: int = 30) -> None:
        self._reader = reader
        self._writer = writer
        #: Reports accepted per rolling hour, all entries together; 0 means no limit.
        self.per_hour = per_hour

    def _guard(self, s: Session, use_case_id: int, message: str) -> None:
        now = utcnow()
        same = s.scalars(select(PublicReport).where(
            PublicReport.use_case_id == use_case_id, PublicReport.created_at >= now - DUPLICATE_WINDOW)).all()
        if any(_normalised(r.message) == _normalised(message) for r in same):
            raise InvalidInput(["Champ « Message » : ce message a déjà été reçu pour cette fiche ; "
                                "il sera traité, inutile de l'envoyer à nouveau."])
        if self.per_hour:
            recent = s.scalar(select(func.count()).select_from(PublicReport)
                              .where(PublicReport.created_at >= now - dt.timedelta(hours=1)))
            if recent >= self.per_hour:
                raise InvalidInput(["Le registre a reçu beaucoup de signalements dans la dernière heure : "
                                    "rien n'a été enregistré. Merci de réessayer un peu plus tard."])

    def submit(self, data: dict[str, object]) -> int:
        """A report from the public page (no account). Only a published entry can be reported on."""
        fields = validate(ReportFields, data, LABELS)
        with self._writer.begin() as s:
            uc = s.scalar(select(UseCase).where(UseCase.reference == fields.reference))
            latest = None if uc is None else s.scalars(
                select(PublicRegisterEntry).where(PublicRegisterEntry.use_case_id == uc.id)
                .order_by(PublicRegisterEntry.id.desc())).first()
            if uc is None or latest is None or latest.action != "publish":
                raise InvalidInput([f"Champ « Fiche » : « {fields.reference} » n'est pas une fiche publiée."])
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

    def close(self, principal: Principal, report_id: int, response: str) -> ReportView:
        """A compliance officer records the answer given and closes the report; audited."""
        require(principal, Action.PUBLISH_REGISTER)
        response = (response or "").strip()
        if len(response) < 3:
            raise InvalidInput(["Champ « Réponse apportée » : obligatoire (ce qui a été répondu ou corrigé)."])
        with self._writer.begin() as s:
            row = s.get(PublicReport, report_id)
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
        q = (select(PublicReport, UseCase.reference, UseCase.title).join(UseCase, UseCase.id == PublicReport.use_case_id)
             .order_by(PublicReport.id.desc()))
        if open_only:
            q = q.where(PublicReport.status == "open")
        with self._reader() as s:
            rows = s.execute(q).all()
        return [ReportView(r.id, ref, title, r.kind, r.message, r.contact, r.created_at, r.status, r.response,
                           r.handled_at) for r, ref, title in rows]

    def attention(self, principal: Principal) -> list[AttentionItem]:
        """For the home page of those who answer (compliance, administrators): one line per entry
        with open reports; a contestation makes it urgent."""
        if not can(principal, Action.PUBLISH_REGISTER):
            return []
        by_case: dict[int, list[PublicReport]] = {}
        with self._reader() as s:
            for r in s.scalars(select(PublicReport).where(PublicReport.status == "open").order_by(PublicReport.id)):
                by_case.setdefault(r.use_case_id, []).append(r)
            cases = {uc.id: uc for uc in s.scalars(select(UseCase).where(UseCase.id.in_(list(by_case))))}
        items = []
        for uc_id, reports in by_case.items():
            uc = cases[uc_id]
            objections = sum(r.kind == "objection" for r in reports)
            text = (f"Registre public : {len(reports)} signalement(s) du public à traiter"
                    + (f", dont {objections} contestation(s)" if objections else "")
                    + " — à clore depuis la page Registre public.")
            items.append(AttentionItem(uc.id, uc.reference, uc.title, text, "error" if objections else "warning"))
        return items
