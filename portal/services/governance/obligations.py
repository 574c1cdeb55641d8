"""Obligations and their evidence: synchronised with the classification, updated and proven by people."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from sqlalchemy.orm import Session

from policies.access import require
from policies.obligations import status_problem
from policies.vocabulary import (
    Action,
    ObligationStatus,
    Principal,
)
from portal.db.models import (
    ObligationEvidence,
    ObligationRecord,
    UseCase,
)
from portal.repositories import governance as repo
from portal.repositories import people as people_repo
from portal.repositories import register as register_repo
from portal.services import audit, editing
from portal.services.errors import InvalidInput, NotFound
from portal.services.evidence_files import file_problems, read_stored, stored
from portal.services.governance import engine
from portal.services.governance.base import (
    GovernanceBase,
    audit_jsonable,
)
from portal.services.governance.views import (
    ATTESTATIONS,
    EvidenceView,
    ObligationView,
)
from portal.services.organisation import organisation_facts


class ObligationsMixin(GovernanceBase):
    def _sync(self, s: Session, use_case_id: int, result: engine.Assessment) -> dict[str, list[str]]:
        records = {r.obligation_id: r for r in repo.obligations(s, use_case_id)}
        wanted = {o.id: o for o in result.obligations}
        added, dropped, restored = [], [], []
        for oid, ob in wanted.items():
            rec = records.get(oid)
            if rec is None:
                s.add(ObligationRecord(
                    use_case_id=use_case_id, obligation_id=oid, family=ob.family, title_fr=ob.title_fr,
                    article=ob.article, applies_from=ob.applies_from, applicable=True,
                    status=ObligationStatus.TODO.value,
                ))
                added.append(oid)
            else:
                if not rec.applicable:
                    rec.applicable = True
                    restored.append(oid)
                rec.title_fr, rec.article, rec.applies_from = ob.title_fr, ob.article, ob.applies_from
        for oid, rec in records.items():
            if oid not in wanted and rec.applicable:
                rec.applicable = False
                dropped.append(oid)
        s.flush()
        return {"added": added, "dropped": dropped, "restored": restored}

    def sync_obligations(self, principal: Principal, use_case_id: int) -> dict[str, list[str]]:
        """Derive the obligations again from the latest answers and the current data sources."""
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.MANAGE_OBLIGATIONS, owner_ids=[uc.lead_id])
            cl = repo.latest_classification(s, uc.id)
            if cl is None:
                raise InvalidInput(["Classez d'abord le cas d'usage (questionnaire)."])
            result = engine.assess(uc, cl.ai_act_answers, cl.rgpd_answers, cl.crpa_answers, cl.impact_answers,
                                   organisation_facts(s))
            changes = self._sync(s, uc.id, result)
            audit.append(s, principal, "sync", "obligations", uc.id, use_case_id=uc.id, details=changes)
            return changes

    def _obligation_views(self, s: Session, records: list[ObligationRecord]) -> list[ObligationView]:
        names = register_repo.person_names(s)
        evidence: dict[int, list[EvidenceView]] = {}
        for ev in repo.evidence_for(s, [r.id for r in records]):
            evidence.setdefault(ev.obligation_record_id, []).append(EvidenceView.model_validate(ev))
        return [
            ObligationView.model_validate(r).model_copy(update={
                "owner_name": names.get(r.owner_id) if r.owner_id else None,
                "evidence": tuple(evidence.get(r.id, [])),
            })
            for r in records
        ]

    def obligations(self, use_case_id: int, *, include_dropped: bool = False) -> list[ObligationView]:
        with self._reader() as s:
            records = [r for r in self._records(s, use_case_id) if include_dropped or r.applicable]
            return self._obligation_views(s, records)

    def attestations_for(self, use_case_id: int) -> dict[str, str]:
        """The attestations a request for this use case may still carry: only what no obligation of
        the use case records (the evaluation report, AI literacy of the agents)."""
        with self._reader() as s:
            records = self._records(s, use_case_id)
        return {k: v for k, v in ATTESTATIONS.items() if not engine.has(records, engine.RECORDED_BY[k])}

    def overdue_obligations(self, today: dt.date | None = None,
                            lead_id: int | None = None) -> list[tuple[str, str, ObligationView]]:
        """(reference, title, obligation) of every applicable obligation past its due date and not settled
        (of the use cases ``lead_id`` leads, when given); only the late ones are read."""
        today = today or dt.date.today()
        with self._reader() as s:
            late = repo.late_obligations(s, today, lead_id)
            views = self._obligation_views(s, [rec for rec, _, _ in late])
            return [(ref, title, v) for (_, ref, title), v in zip(late, views, strict=True) if v.overdue(today)]

    def update_obligation(
        self,
        principal: Principal,
        record_id: int,
        expected_version: int,
        *,
        status: ObligationStatus | str,
        justification: str | None = None,
        owner_id: int | None = None,
        due_date: dt.date | None = None,
    ) -> ObligationView:
        with self._reader() as s:  # permission before validation: a refused caller learns nothing more
            self._evidence_target(s, principal, record_id)
        try:
            status = ObligationStatus(status)
        except ValueError:
            raise InvalidInput([f"Champ « Statut » : valeur non prévue « {status} »."]) from None
        justification = (justification or "").strip() or None
        problem = status_problem(status, justification)
        if problem:
            raise InvalidInput([f"Champ « Justification » : {problem}"])
        with editing.edit(self._writer, principal, Action.MANAGE_OBLIGATIONS,
                          load=lambda s: s.get(ObligationRecord, record_id),
                          not_found=f"Obligation n° {record_id} introuvable.",
                          use_case=lambda s, rec: self._use_case(s, rec.use_case_id),
                          stale="Cette obligation a été modifiée par quelqu'un d'autre : rechargez la fiche.") as e:
            s, rec = e.session, e.row
            e.check_version(expected_version)
            if owner_id is not None and people_repo.get(s, owner_id) is None:
                raise InvalidInput([f"Champ « Responsable » : personne n° {owner_id} inconnue."])
            before = {"status": rec.status, "justification": rec.justification, "owner_id": rec.owner_id,
                      "due_date": rec.due_date}
            after = {"status": status.value, "justification": justification, "owner_id": owner_id,
                     "due_date": due_date}
            rec.status, rec.justification, rec.owner_id, rec.due_date = status.value, justification, owner_id, due_date
            s.flush()
            e.record_change("update", "obligation", rec.id, audit_jsonable(before), audit_jsonable(after),
                            extra_after={"obligation_id": rec.obligation_id})
            return self._obligation_views(s, [rec])[0]

    def add_evidence_file(self, principal: Principal, record_id: int, filename: str, data: bytes,
                          note: str | None = None) -> EvidenceView:
        """Keep an uploaded file under the data folder, with its SHA-256, as evidence of an obligation."""
        with self._reader() as s:  # permission before validation
            _, uc = self._evidence_target(s, principal, record_id)
        problems = file_problems(filename, data)
        if problems:
            raise InvalidInput(problems)
        # the file is removed again if the row that points to it is not committed
        with stored(self.data_dir, uc.id, filename, data) as f, self._writer.begin() as s:
            rec, uc = self._evidence_target(s, principal, record_id)
            ev = ObligationEvidence(
                obligation_record_id=rec.id, kind="file", filename=f.filename, stored_path=f.stored_path,
                sha256=f.sha256, size=f.size, note=(note or "").strip() or None,
                added_by_id=principal.person_id, added_by_name=principal.display_name,
            )
            s.add(ev)
            s.flush()
            audit.append(s, principal, "add_evidence", "obligation", rec.id, use_case_id=uc.id,
                         after={"obligation_id": rec.obligation_id, "file": ev.filename, "sha256": f.sha256,
                                "size": f.size})
            return EvidenceView.model_validate(ev)

    def add_evidence_link(self, principal: Principal, record_id: int, url: str, note: str | None = None) -> EvidenceView:
        with self._reader() as s:  # permission before validation
            self._evidence_target(s, principal, record_id)
        url = (url or "").strip()
        if not re.fullmatch(r"https?://\S+", url) or len(url) > 1000:
            raise InvalidInput([f"Champ « Lien » : adresse web attendue (http:// ou https://) (reçu : « {url} »)."])
        digest = hashlib.sha256(url.encode("utf-8")).hexdigest()
        with self._writer.begin() as s:
            rec, uc = self._evidence_target(s, principal, record_id)
            ev = ObligationEvidence(
                obligation_record_id=rec.id, kind="link", url=url, sha256=digest, note=(note or "").strip() or None,
                added_by_id=principal.person_id, added_by_name=principal.display_name,
            )
            s.add(ev)
            s.flush()
            audit.append(s, principal, "add_evidence", "obligation", rec.id, use_case_id=uc.id,
                         after={"obligation_id": rec.obligation_id, "url": url, "sha256": digest})
            return EvidenceView.model_validate(ev)

    def _evidence_target(self, s: Session, principal: Principal, record_id: int) -> tuple[ObligationRecord, UseCase]:
        rec = s.get(ObligationRecord, record_id)
        if rec is None:
            raise NotFound(f"Obligation n° {record_id} introuvable.")
        uc = self._use_case(s, rec.use_case_id)
        require(principal, Action.MANAGE_OBLIGATIONS, owner_ids=[uc.lead_id])
        return rec, uc

    def evidence_file(self, evidence_id: int) -> tuple[str, bytes, bool]:
        """(file name, content, checksum still matches) of a file evidence."""
        with self._reader() as s:
            ev = s.get(ObligationEvidence, evidence_id)
            if ev is None or ev.kind != "file" or not ev.stored_path:
                raise NotFound(f"Pièce n° {evidence_id} introuvable.")
            data, intact = read_stored(self.data_dir, ev.stored_path, ev.sha256,
                                       f"Le fichier de la pièce n° {evidence_id} est absent du dossier de données.")
            return ev.filename or Path(ev.stored_path).name, data, intact

    def verify_evidence(self, evidence_id: int) -> bool:
        """Does the stored file (or link) still match its recorded SHA-256?"""
        with self._reader() as s:
            ev = s.get(ObligationEvidence, evidence_id)
            if ev is None:
                raise NotFound(f"Pièce n° {evidence_id} introuvable.")
            if ev.kind == "link":
                return hashlib.sha256((ev.url or "").encode("utf-8")).hexdigest() == ev.sha256
        try:
            return self.evidence_file(evidence_id)[2]
        except NotFound:
            return False
