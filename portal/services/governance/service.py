"""GovernanceService: classify, track obligations and evidence, request and decide stage gates,
suspend, withdraw, review. The stage of a use case changes here and nowhere else."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from policies import crpa
from policies.access import PermissionDenied, can, require
from policies.gates import GateCheck, authority_for, can_decide, check_gate, decision_problem
from policies.obligations import status_problem
from policies.review import add_months, months_between_reviews, review_due
from policies.rulebook import POLICY_VERSION
from policies.vocabulary import (
    Action,
    Authority,
    GateDecision,
    ImpactLevel,
    ObligationStatus,
    Principal,
    Role,
    Stage,
)
from portal.db.base import utcnow
from portal.db.models import (
    Classification,
    ObligationEvidence,
    ObligationRecord,
    PeriodicReview,
    UseCase,
)
from portal.db.models import GateDecision as GateDecisionRow
from portal.db.models import GateRequest as GateRequestRow
from portal.repositories import governance as repo
from portal.repositories import people as people_repo
from portal.repositories import register as register_repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.evidence_types import RefusedEvidence, check_evidence
from portal.services.governance import engine
from portal.services.governance.views import (
    ATTESTATIONS,
    REVIEW_OUTCOMES,
    ClassificationView,
    EvidenceView,
    GateDecisionView,
    GateRequestView,
    ObligationView,
    PeriodicReviewView,
    PortfolioRow,
    ReviewStatus,
)
from portal.services.register import AttentionItem

#: Gate conditions the decision itself fulfils (the act's number and date), not the request.
ACT_CONDITIONS = frozenset({"GATE-DEP-05", "GATE-DEP-06"})
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
#: Level assumed for the review cadence of a deployed use case whose impact is not assessed.
UNASSESSED_REVIEW_LEVEL = ImpactLevel.IV


def _stage(value: Stage | str, field: str = "Étape visée") -> Stage:
    try:
        return Stage(value)
    except ValueError:
        for s in Stage:
            if str(value).strip().lower() == s.label.lower():
                return s
        choices = ", ".join(s.value for s in Stage)
        raise InvalidInput([f"Champ « {field} » : valeur non prévue « {value} » ; valeurs possibles : {choices}."]) \
            from None


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._") or "piece"
    return stem[-120:]


class GovernanceService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], data_dir: Path) -> None:
        self._reader = reader
        self._writer = writer
        self.data_dir = Path(data_dir)

    # ---- helpers --------------------------------------------------------------------------

    @staticmethod
    def _use_case(s: Session, use_case_id: int) -> UseCase:
        uc = register_repo.get(s, use_case_id)
        if uc is None:
            raise NotFound(f"Cas d'usage n° {use_case_id} introuvable.")
        return uc

    def use_case_id(self, reference: str) -> int:
        with self._reader() as s:
            uc = register_repo.by_reference(s, reference.strip())
            if uc is None:
                raise NotFound(f"Cas d'usage « {reference} » introuvable.")
            return uc.id

    @staticmethod
    def _records(s: Session, use_case_id: int) -> list[ObligationRecord]:
        return list(repo.obligations(s, use_case_id))

    def _facts(self, s: Session, uc: UseCase, today: dt.date, **kwargs: Any):  # type: ignore[no-untyped-def]
        cl = repo.latest_classification(s, uc.id)
        if uc.stage == Stage.SUSPENDED.value and "suspended_from" not in kwargs:
            last = repo.last_suspension(s, uc.id)
            kwargs["suspended_from"] = last.from_stage if last else None
        return engine.gate_facts(uc, cl, self._records(s, uc.id), today, **kwargs)

    # ---- classification ---------------------------------------------------------------------

    def preview(
        self,
        use_case_id: int,
        *,
        ai_act: Mapping[str, Any],
        rgpd: Mapping[str, Any],
        crpa: Mapping[str, Any],
        impact: Mapping[str, Any],
    ) -> engine.Assessment:
        """What the engines conclude from these answers, without recording anything."""
        with self._reader() as s:
            return engine.assess(self._use_case(s, use_case_id), ai_act, rgpd, crpa, impact)

    def classify(
        self,
        principal: Principal,
        use_case_id: int,
        *,
        ai_act: Mapping[str, Any],
        rgpd: Mapping[str, Any] | None = None,
        crpa: Mapping[str, Any] | None = None,
        impact: Mapping[str, Any] | None = None,
    ) -> ClassificationView:
        """Record a new classification (history is kept) and derive the obligations from it.

        A compliance officer's classification is validated at once; a project lead's waits for one.
        Contradictory answers (:mod:`policies.consistency`) are warned, not refused: they are kept in
        the result and named in the audit event (the page shows them before saving).
        """
        rgpd, crpa, impact = dict(rgpd or {}), dict(crpa or {}), dict(impact or {})
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.ANSWER_QUESTIONNAIRE, owner_ids=[uc.lead_id])
            result = engine.assess(uc, ai_act, rgpd, crpa, impact)
            previous = repo.latest_classification(s, uc.id)
            validates = can(principal, Action.VALIDATE_CLASSIFICATION)
            now = utcnow()
            row = Classification(
                use_case_id=uc.id,
                number=(previous.number + 1) if previous else 1,
                ai_act_answers=dict(ai_act),
                rgpd_answers=rgpd,
                crpa_answers=crpa,
                impact_answers=impact,
                risk_class=result.ai_act.risk_class.value,
                role=result.ai_act.role.value if result.ai_act.role else None,
                impact_level=result.impact.level.value if result.impact else None,
                dpia_required=result.rgpd.dpia.required,
                fria_required=result.ai_act.fria_required,
                complete=result.ai_act.complete,
                result=result.result_json(),
                policy_version=POLICY_VERSION,
                created_by_id=principal.person_id,
                created_by_name=principal.display_name,
                created_at=now,
                validated_by_id=principal.person_id if validates else None,
                validated_by_name=principal.display_name if validates else None,
                validated_at=now if validates else None,
            )
            s.add(row)
            s.flush()
            changes = self._sync(s, uc.id, result)
            audit.append(
                s, principal, "classify", "classification", row.id, use_case_id=uc.id,
                before={"risk_class": previous.risk_class, "impact_level": previous.impact_level} if previous else None,
                after={"risk_class": row.risk_class, "impact_level": row.impact_level, "role": row.role,
                       "dpia_required": row.dpia_required, "fria_required": row.fria_required,
                       "validated": validates},
                details={"number": row.number, "policy_version": POLICY_VERSION, "obligations": changes,
                         "contradictions": [c.id for c in result.contradictions]},
            )
            return ClassificationView.model_validate(row)

    def validate_classification(self, principal: Principal, use_case_id: int) -> ClassificationView:
        require(principal, Action.VALIDATE_CLASSIFICATION)
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            row = repo.latest_classification(s, uc.id)
            if row is None:
                raise InvalidInput(["Ce cas d'usage n'a pas encore de classification à valider."])
            if row.validated_at is None:
                row.validated_at = utcnow()
                row.validated_by_id = principal.person_id
                row.validated_by_name = principal.display_name
                s.flush()
                audit.append(s, principal, "validate", "classification", row.id, use_case_id=uc.id,
                             after={"number": row.number, "risk_class": row.risk_class})
            return ClassificationView.model_validate(row)

    def classification(self, use_case_id: int) -> ClassificationView | None:
        with self._reader() as s:
            row = repo.latest_classification(s, use_case_id)
            return ClassificationView.model_validate(row) if row else None

    def classification_history(self, use_case_id: int) -> list[ClassificationView]:
        with self._reader() as s:
            return [ClassificationView.model_validate(r) for r in repo.classifications(s, use_case_id)]

    def classification_of(self, use_case_id: int) -> tuple[str | None, int | None]:
        """(AI Act class value, impact level 1–4) of the latest classification, (None, None) if none."""
        with self._reader() as s:
            row = repo.latest_classification(s, use_case_id)
            if row is None:
                return None, None
            return row.risk_class, ImpactLevel(row.impact_level).rank if row.impact_level else None

    # ---- obligations ------------------------------------------------------------------------

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
            result = engine.assess(uc, cl.ai_act_answers, cl.rgpd_answers, cl.crpa_answers, cl.impact_answers)
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

    def overdue_obligations(self, today: dt.date | None = None) -> list[tuple[str, str, ObligationView]]:
        """(reference, title, obligation) of every applicable obligation past its due date and not settled."""
        today = today or dt.date.today()
        with self._reader() as s:
            cases = {uc.id: uc for uc in register_repo.search(s)}
            views = self._obligation_views(s, list(repo.obligations(s)))
            return [
                (cases[v.use_case_id].reference, cases[v.use_case_id].title, v)
                for v in views
                if v.overdue(today) and cases[v.use_case_id].stage != Stage.RETIRED.value
            ]

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
        try:
            with self._writer.begin() as s:
                rec = s.get(ObligationRecord, record_id)
                if rec is None:
                    raise NotFound(f"Obligation n° {record_id} introuvable.")
                uc = self._use_case(s, rec.use_case_id)
                require(principal, Action.MANAGE_OBLIGATIONS, owner_ids=[uc.lead_id])
                if rec.version != expected_version:
                    raise StaleEdit("Cette obligation a été modifiée par quelqu'un d'autre : rechargez la fiche.")
                if owner_id is not None and people_repo.get(s, owner_id) is None:
                    raise InvalidInput([f"Champ « Responsable » : personne n° {owner_id} inconnue."])
                before = {"status": rec.status, "justification": rec.justification, "owner_id": rec.owner_id,
                          "due_date": rec.due_date}
                after = {"status": status.value, "justification": justification, "owner_id": owner_id,
                         "due_date": due_date}
                b, a = audit.diff(audit_jsonable(before), audit_jsonable(after))
                rec.status, rec.justification, rec.owner_id, rec.due_date = status.value, justification, owner_id, \
                    due_date
                s.flush()
                if a:
                    audit.append(s, principal, "update", "obligation", rec.id, use_case_id=uc.id, before=b,
                                 after=a | {"obligation_id": rec.obligation_id})
                return self._obligation_views(s, [rec])[0]
        except StaleDataError:
            raise StaleEdit("Cette obligation a été modifiée par quelqu'un d'autre : rechargez la fiche.") from None

    def add_evidence_file(self, principal: Principal, record_id: int, filename: str, data: bytes,
                          note: str | None = None) -> EvidenceView:
        """Keep an uploaded file under the data folder, with its SHA-256, as evidence of an obligation."""
        with self._reader() as s:  # permission before validation
            self._evidence_target(s, principal, record_id)
        problems = []
        if not (filename or "").strip():
            problems.append("Champ « Fichier » : obligatoire.")
        if not data:
            problems.append("Champ « Fichier » : le fichier est vide.")
        if len(data) > MAX_EVIDENCE_BYTES:
            problems.append("Champ « Fichier » : trop volumineux (20 Mo au plus).")
        if not problems:
            try:
                check_evidence(filename, data)  # an allow-list of document types, by content and extension
            except RefusedEvidence as exc:
                problems.append(f"Champ « Fichier » : {exc}")
        if problems:
            raise InvalidInput(problems)
        digest = hashlib.sha256(data).hexdigest()
        written: Path | None = None
        try:
            with self._writer.begin() as s:
                rec, uc = self._evidence_target(s, principal, record_id)
                relative = Path("evidence") / f"uc{uc.id}" / f"{digest[:16]}-{_safe_name(filename)}"
                target = self.data_dir / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    target.write_bytes(data)
                    written = target
                ev = ObligationEvidence(
                    obligation_record_id=rec.id, kind="file", filename=Path(filename).name[:255],
                    stored_path=relative.as_posix(), sha256=digest, size=len(data), note=(note or "").strip() or None,
                    added_by_id=principal.person_id, added_by_name=principal.display_name,
                )
                s.add(ev)
                s.flush()
                audit.append(s, principal, "add_evidence", "obligation", rec.id, use_case_id=uc.id,
                             after={"obligation_id": rec.obligation_id, "file": ev.filename, "sha256": digest,
                                    "size": len(data)})
                return EvidenceView.model_validate(ev)
        except Exception:
            if written is not None:
                written.unlink(missing_ok=True)
            raise

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
            path = self.data_dir / ev.stored_path
            if not path.exists():
                raise NotFound(f"Le fichier de la pièce n° {evidence_id} est absent du dossier de données.")
            data = path.read_bytes()
            return ev.filename or path.name, data, hashlib.sha256(data).hexdigest() == ev.sha256

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

    # ---- gates ------------------------------------------------------------------------------

    def check(self, use_case_id: int, to_stage: Stage | str, *, attestations: Mapping[str, Any] | None = None,
              today: dt.date | None = None, act_number: str | None = None,
              act_date: dt.date | None = None) -> GateCheck:
        """The gate check for moving the use case to ``to_stage`` now (reads only)."""
        dst = _stage(to_stage)
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            facts = self._facts(s, uc, today or dt.date.today(), attestations=attestations, act_number=act_number,
                                act_date=act_date)
            return check_gate(uc.stage, dst, facts)

    @staticmethod
    def request_missing(check: GateCheck) -> list[str]:
        """The unmet conditions a request must fulfil (the act's reference comes with the decision)."""
        return [m for m, fid in zip(check.missing, _padded(check), strict=True) if fid not in ACT_CONDITIONS]

    def request_gate(
        self,
        principal: Principal,
        use_case_id: int,
        to_stage: Stage | str,
        *,
        motive: str = "",
        attestations: Mapping[str, Any] | None = None,
        today: dt.date | None = None,
    ) -> GateRequestView:
        """Ask to move the use case forward (or back from suspension); the request goes to review.

        The request records the conditions still missing; the stage moves only when a decision
        approves it, which checks the conditions again.
        """
        with self._reader() as s:  # permission before validation
            require(principal, Action.REQUEST_GATE, owner_ids=[self._use_case(s, use_case_id).lead_id])
        dst = _stage(to_stage)
        att = {k: bool(v) for k, v in (attestations or {}).items() if v}
        unknown = [k for k in att if k not in ATTESTATIONS]
        if unknown:
            raise InvalidInput([f"Attestation inconnue « {k} »." for k in unknown])
        if dst in (Stage.SUSPENDED, Stage.RETIRED):
            raise InvalidInput(["La suspension et le retrait se décident directement (boutons Suspendre / Retirer)."])
        today = today or dt.date.today()
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)  # one gate writer at a time: no two pending requests, no two decisions
            uc = self._use_case(s, use_case_id)
            require(principal, Action.REQUEST_GATE, owner_ids=[uc.lead_id])
            pending = repo.pending_request(s, uc.id)
            if pending is not None:
                raise InvalidInput([
                    f"Une demande de passage vers l'étape « {Stage(pending.to_stage).label} » est déjà en attente "
                    f"(demande n° {pending.id})."
                ])
            facts = self._facts(s, uc, today, attestations=att, reason=motive)
            check = check_gate(uc.stage, dst, facts)
            if check.kind == "invalid":
                raise InvalidInput(check.missing)
            row = GateRequestRow(
                use_case_id=uc.id, from_stage=uc.stage, to_stage=dst.value, kind=check.kind,
                motive=(motive or "").strip(), attestations=att, authority=check.authority.value,
                impact_level=facts.impact_level.value if facts.impact_level else None,
                missing=self.request_missing(check), policy_version=POLICY_VERSION,
                requested_by_id=principal.person_id, requested_by_name=principal.display_name,
            )
            s.add(row)
            s.flush()
            audit.append(s, principal, "request", "gate_request", row.id, use_case_id=uc.id,
                         after={"from": row.from_stage, "to": row.to_stage, "authority": row.authority,
                                "missing": row.missing, "attestations": att})
            return self._request_view(row, uc, None)

    def decide(
        self,
        principal: Principal,
        request_id: int,
        decision: GateDecision | str,
        *,
        reasons: str = "",
        conditions: str | None = None,
        act_number: str | None = None,
        act_date: dt.date | None = None,
        decided_on: dt.date | None = None,
        today: dt.date | None = None,
    ) -> GateRequestView:
        """Record the decision on a pending request; approving moves the use case to the requested stage.

        Approval checks the gate again and fails with the missing conditions listed in French.
        """
        require(principal, Action.DECIDE_GATE)  # permission before validation
        try:
            decision = GateDecision(decision)
        except ValueError:
            choices = ", ".join(d.value for d in GateDecision)
            raise InvalidInput([f"Champ « Décision » : valeur non prévue « {decision} » ; valeurs possibles : "
                                f"{choices}."]) from None
        today = today or dt.date.today()
        decided_on = decided_on or today
        reasons = (reasons or "").strip()
        act_number = (act_number or "").strip() or None
        require(principal, Action.DECIDE_GATE)
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)  # serialise deciders: a request gets one decision
            req = s.get(GateRequestRow, request_id)
            if req is None:
                raise NotFound(f"Demande de passage n° {request_id} introuvable.")
            if repo.decisions(s, req.use_case_id).get(req.id) is not None:
                raise InvalidInput([f"La demande n° {req.id} a déjà été décidée ; une décision ne se modifie pas."])
            uc = self._use_case(s, req.use_case_id)
            problems = []
            if decided_on > today:
                problems.append("Champ « Date de la décision » : ne peut pas être dans le futur.")
            if decision in (GateDecision.REFUSE, GateDecision.SEND_BACK) and not reasons:
                problems.append("Champ « Motifs » : obligatoire pour un refus ou un renvoi.")
            if uc.stage != req.from_stage:
                problems.append(f"Le cas d'usage n'est plus à l'étape « {Stage(req.from_stage).label} » : "
                                "la demande est caduque, renvoyez-la.")
            facts = self._facts(s, uc, today, attestations=req.attestations, act_number=act_number,
                                act_date=act_date, reason=req.motive)
            check = check_gate(req.from_stage, req.to_stage, facts)
            if not can_decide(principal.roles, check.authority):
                raise PermissionDenied(
                    f"Action refusée : ce passage relève de l'autorité « {check.authority.label} » ; le rôle "
                    f"{', '.join(sorted(r.label for r in principal.roles))} ne permet pas d'enregistrer sa décision."
                )
            if decision in (GateDecision.APPROVE, GateDecision.APPROVE_WITH_CONDITIONS) and uc.stage == req.from_stage:
                if not check.allowed:
                    problems.append(
                        f"Passage à l'étape « {Stage(req.to_stage).label} » impossible : conditions manquantes."
                    )
                    problems += check.missing
                else:
                    problem = decision_problem(decision, check, conditions_fr=conditions, reference=act_number,
                                               reference_date=act_date)
                    if problem:
                        problems.append(problem)
            if problems:
                raise InvalidInput(problems)
            approve = decision in (GateDecision.APPROVE, GateDecision.APPROVE_WITH_CONDITIONS)
            row = GateDecisionRow(
                request_id=req.id, use_case_id=uc.id, decision=decision.value, reasons=reasons,
                conditions=(conditions or "").strip() or None, authority=check.authority.value,
                decided_on=decided_on, act_number=act_number, act_date=act_date, stage_before=uc.stage,
                stage_after=req.to_stage if approve else uc.stage, policy_version=POLICY_VERSION,
                decided_by_id=principal.person_id, decided_by_name=principal.display_name,
            )
            s.add(row)
            self._move(s, uc, row.stage_after)
            s.flush()
            audit.append(s, principal, "decide", "gate_request", req.id, use_case_id=uc.id,
                         before={"stage": row.stage_before}, after={"stage": row.stage_after},
                         details={"decision": decision.value, "reasons": reasons, "conditions": row.conditions,
                                  "authority": row.authority, "act_number": act_number, "act_date": act_date,
                                  "decided_on": decided_on, "policy_version": POLICY_VERSION})
            return self._request_view(req, uc, row)

    @staticmethod
    def _move(s: Session, uc: UseCase, stage: str) -> None:
        """The one place where a use case changes stage (called after a recorded decision)."""
        if uc.stage != stage:
            uc.stage = stage

    def suspend(self, principal: Principal, use_case_id: int, reason: str, *,
                today: dt.date | None = None) -> GateRequestView:
        return self._stop(principal, use_case_id, Stage.SUSPENDED, reason, today or dt.date.today())

    def withdraw(self, principal: Principal, use_case_id: int, reason: str, *,
                 today: dt.date | None = None) -> GateRequestView:
        return self._stop(principal, use_case_id, Stage.RETIRED, reason, today or dt.date.today())

    def _stop(self, principal: Principal, use_case_id: int, dst: Stage, reason: str, today: dt.date) -> GateRequestView:
        require(principal, Action.SUSPEND_USE_CASE)
        reason = (reason or "").strip()
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)
            uc = self._use_case(s, use_case_id)
            facts = self._facts(s, uc, today, reason=reason)
            check = check_gate(uc.stage, dst, facts)
            if not check.allowed:
                raise InvalidInput(check.missing)
            req = GateRequestRow(
                use_case_id=uc.id, from_stage=uc.stage, to_stage=dst.value, kind=check.kind, motive=reason,
                attestations={}, authority=check.authority.value,
                impact_level=facts.impact_level.value if facts.impact_level else None, missing=[],
                policy_version=POLICY_VERSION, requested_by_id=principal.person_id,
                requested_by_name=principal.display_name,
            )
            s.add(req)
            s.flush()
            row = GateDecisionRow(
                request_id=req.id, use_case_id=uc.id, decision=GateDecision.APPROVE.value, reasons=reason,
                authority=check.authority.value, decided_on=today, stage_before=uc.stage, stage_after=dst.value,
                policy_version=POLICY_VERSION, decided_by_id=principal.person_id,
                decided_by_name=principal.display_name,
            )
            s.add(row)
            # the pending request of a use case that stops is answered: sent back
            pending = [r for r in repo.requests(s, uc.id) if r.id != req.id
                       and repo.decisions(s, uc.id).get(r.id) is None]
            for p in pending:
                s.add(GateDecisionRow(
                    request_id=p.id, use_case_id=uc.id, decision=GateDecision.SEND_BACK.value,
                    reasons=f"Demande close par la {'suspension' if dst is Stage.SUSPENDED else 'décision de retrait'}"
                            f" du cas d'usage : {reason}",
                    authority=check.authority.value, decided_on=today, stage_before=uc.stage,
                    stage_after=uc.stage, policy_version=POLICY_VERSION, decided_by_id=principal.person_id,
                    decided_by_name=principal.display_name,
                ))
            before = uc.stage
            self._move(s, uc, dst.value)
            s.flush()
            audit.append(s, principal, "suspend" if dst is Stage.SUSPENDED else "withdraw", "use_case", uc.id,
                         use_case_id=uc.id, before={"stage": before}, after={"stage": dst.value},
                         details={"reason": reason, "authority": check.authority.value})
            return self._request_view(req, uc, row)

    def _request_view(self, req: GateRequestRow, uc: UseCase, decision: GateDecisionRow | None) -> GateRequestView:
        return GateRequestView.model_validate(req).model_copy(update={
            "reference": uc.reference, "title": uc.title,
            "decision": GateDecisionView.model_validate(decision) if decision is not None else None,
        })

    def requests(self, use_case_id: int | None = None, *, pending_only: bool = False) -> list[GateRequestView]:
        """Gate requests, newest first, each with its decision if any."""
        with self._reader() as s:
            cases = {uc.id: uc for uc in register_repo.search(s)}
            decisions = repo.decisions(s, use_case_id)
            out = []
            for req in repo.requests(s, use_case_id):
                dec = decisions.get(req.id)
                if pending_only and dec is not None:
                    continue
                out.append(self._request_view(req, cases[req.use_case_id], dec))
            return out

    def pending_requests(self) -> list[GateRequestView]:
        return self.requests(pending_only=True)

    def authority_for(self, use_case_id: int, to_stage: Stage | str) -> Authority:
        with self._reader() as s:
            cl = repo.latest_classification(s, use_case_id)
            return authority_for(_stage(to_stage), cl.impact_level if cl else None)

    def can_decide(self, principal: Principal, request: GateRequestView) -> bool:
        return can(principal, Action.DECIDE_GATE) and can_decide(principal.roles, request.authority)

    # ---- periodic reviews -----------------------------------------------------------------

    def record_review(self, principal: Principal, use_case_id: int, *, reviewed_on: dt.date | None = None,
                      outcome: str = "continue", notes: str = "", today: dt.date | None = None) -> PeriodicReviewView:
        require(principal, Action.RECORD_REVIEW)
        today = today or dt.date.today()
        reviewed_on = reviewed_on or today
        problems = []
        if reviewed_on > today:
            problems.append("Champ « Date de la revue » : ne peut pas être dans le futur.")
        if outcome not in REVIEW_OUTCOMES:
            problems.append(f"Champ « Conclusion » : valeur non prévue « {outcome} » ; valeurs possibles : "
                            f"{', '.join(REVIEW_OUTCOMES)}.")
        if problems:
            raise InvalidInput(problems)
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            if uc.stage not in (Stage.PILOT.value, Stage.EVALUATION.value, Stage.DEPLOYED.value):
                raise InvalidInput([f"Revue périodique sans objet à l'étape « {Stage(uc.stage).label} »."])
            cl = repo.latest_classification(s, uc.id)
            level = ImpactLevel(cl.impact_level) if cl and cl.impact_level else None
            months = months_between_reviews(level or UNASSESSED_REVIEW_LEVEL)
            row = PeriodicReview(
                use_case_id=uc.id, reviewed_on=reviewed_on, impact_level=level.value if level else None,
                cadence_months=months, next_due=add_months(reviewed_on, months), outcome=outcome,
                notes=(notes or "").strip(), reviewed_by_id=principal.person_id,
                reviewed_by_name=principal.display_name,
            )
            s.add(row)
            s.flush()
            audit.append(s, principal, "review", "use_case", uc.id, use_case_id=uc.id,
                         after={"reviewed_on": reviewed_on, "outcome": outcome, "next_due": row.next_due})
            return PeriodicReviewView.model_validate(row)

    def reviews(self, use_case_id: int) -> list[PeriodicReviewView]:
        with self._reader() as s:
            return [PeriodicReviewView.model_validate(r) for r in repo.reviews(s, use_case_id)]

    def review_statuses(self, today: dt.date | None = None) -> dict[int, ReviewStatus]:
        """The review status of every deployed use case, keyed by use case id."""
        today = today or dt.date.today()
        with self._reader() as s:
            deployed = [uc for uc in register_repo.search(s, stages=[Stage.DEPLOYED.value])]
            if not deployed:
                return {}
            classes = repo.latest_classifications(s)
            last_reviews: dict[int, PeriodicReview] = {}
            for r in repo.reviews(s):
                last_reviews.setdefault(r.use_case_id, r)
            decisions = repo.decisions(s)
            deployed_on: dict[int, dt.date] = {}
            for d in decisions.values():
                if d.stage_after == Stage.DEPLOYED.value and d.stage_before != Stage.DEPLOYED.value:
                    deployed_on[d.use_case_id] = max(d.decided_on, deployed_on.get(d.use_case_id, d.decided_on))
            out = {}
            for uc in deployed:
                cl = classes.get(uc.id)
                level = ImpactLevel(cl.impact_level) if cl and cl.impact_level else None
                last = last_reviews.get(uc.id)
                since = last.reviewed_on if last else deployed_on.get(uc.id, uc.updated_at.date())
                due = review_due(level or UNASSESSED_REVIEW_LEVEL, since, today)
                out[uc.id] = ReviewStatus(
                    use_case_id=uc.id, reference=uc.reference, title=uc.title, impact_level=level,
                    cadence_months=months_between_reviews(level or UNASSESSED_REVIEW_LEVEL),
                    last_review=last.reviewed_on if last else None, since=since, due_date=due.due_date,
                    overdue=due.overdue,
                )
            return out

    def review_status(self, use_case_id: int, today: dt.date | None = None) -> ReviewStatus | None:
        return self.review_statuses(today).get(use_case_id)

    def overdue_reviews(self, today: dt.date | None = None) -> list[ReviewStatus]:
        return sorted((r for r in self.review_statuses(today).values() if r.overdue), key=lambda r: r.due_date)

    def review_labels(self, today: dt.date | None = None) -> dict[str, str]:
        """Reference -> the register's "Revue périodique" cell: overdue or up to date, and the due date."""
        return {r.reference: ("En retard · " if r.overdue else "À jour · ") + r.due_date.strftime("%d/%m/%Y")
                for r in self.review_statuses(today).values()}

    # ---- portfolio, attention, CRPA ---------------------------------------------------------

    def portfolio(self, today: dt.date | None = None) -> list[PortfolioRow]:
        today = today or dt.date.today()
        reviews = self.review_statuses(today)
        with self._reader() as s:
            classes = repo.latest_classifications(s)
            decided = repo.decisions(s)
            pending = {}
            for r in repo.requests(s):
                if r.id not in decided and r.use_case_id not in pending:
                    pending[r.use_case_id] = Stage(r.to_stage).label
            open_obl: dict[int, int] = {}
            for rec in repo.obligations(s):
                if rec.applicable and rec.status not in (ObligationStatus.DONE.value,
                                                         ObligationStatus.NOT_APPLICABLE.value):
                    open_obl[rec.use_case_id] = open_obl.get(rec.use_case_id, 0) + 1
            rows = []
            for uc in register_repo.search(s):
                cl = classes.get(uc.id)
                rv = reviews.get(uc.id)
                rows.append(PortfolioRow(
                    use_case_id=uc.id, reference=uc.reference, title=uc.title, stage=Stage(uc.stage),
                    risk_class=cl.risk_class if cl else None, impact_level=cl.impact_level if cl else None,
                    validated=bool(cl and cl.validated_at), pending_request=pending.get(uc.id),
                    review=rv.label_fr if rv else "", review_overdue=bool(rv and rv.overdue),
                    open_obligations=open_obl.get(uc.id, 0),
                ))
            return sorted(rows, key=lambda r: r.reference)

    def attention(self, principal: Principal, today: dt.date | None = None) -> list[AttentionItem]:
        """Governance items for the home page: held or refused gates, overdue reviews and obligations."""
        today = today or dt.date.today()
        mine_only = principal.roles == frozenset({Role.PROJECT_LEAD})
        items: list[AttentionItem] = []
        with self._reader() as s:
            cases = {uc.id: uc for uc in register_repo.search(s)}
        visible = {i for i, uc in cases.items() if not mine_only or uc.lead_id == principal.person_id}
        latest: dict[int, GateRequestView] = {}
        for req in self.requests():
            if req.use_case_id in visible and req.use_case_id not in latest:
                latest[req.use_case_id] = req
        for req in latest.values():
            to = req.to_stage.label
            if req.pending:
                if req.missing:
                    msg = f"Passage à l'étape « {to} » en attente ; conditions manquantes : " + " ".join(req.missing)
                    items.append(AttentionItem(req.use_case_id, req.reference, req.title, msg, "warning"))
                else:
                    items.append(AttentionItem(req.use_case_id, req.reference, req.title,
                                               f"Passage à l'étape « {to} » à décider ({req.authority.label}).",
                                               "info"))
            elif req.decision and req.decision.decision is GateDecision.REFUSE:
                items.append(AttentionItem(req.use_case_id, req.reference, req.title,
                                           f"Passage à l'étape « {to} » refusé le "
                                           f"{req.decision.decided_on.strftime('%d/%m/%Y')} : {req.decision.reasons}",
                                           "error"))
        for rv in self.overdue_reviews(today):
            if rv.use_case_id in visible:
                items.append(AttentionItem(rv.use_case_id, rv.reference, rv.title,
                                           f"Revue périodique en retard : due le {rv.due_date.strftime('%d/%m/%Y')}.",
                                           "error"))
        if principal.has(Role.COMPLIANCE, Role.PROJECT_LEAD, Role.DIRECTOR):
            for ref, title, ob in self.overdue_obligations(today):
                if ob.use_case_id in visible:
                    items.append(AttentionItem(ob.use_case_id, ref, title,
                                               f"Obligation en retard (échéance {ob.due_date:%d/%m/%Y}) : "
                                               f"{ob.title_fr}", "warning"))
        order = {"error": 0, "warning": 1, "info": 2}
        return sorted(items, key=lambda i: (order[i.severity], i.reference))

    def crpa_sheet(self, use_case_id: int) -> dict[str, Any]:
        """The sheet :mod:`policies.crpa` reads, from the use case and its questionnaire answers."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            cl = repo.latest_classification(s, uc.id)
            answers = cl.crpa_answers if cl else {}
            return {
                "title": uc.title,
                "purpose": uc.problem,
                "administration": answers.get("administration") or "",
                "service": uc.service or uc.direction,
                "contact": answers.get("contact") or "",
                "rules_url": answers.get("rules_url") or None,
                "automation": uc.automation,
                "contribution": uc.human_role or "",
                "data_sources": [{"name": d.name, "origin": d.producer} for d in uc.data_sources],
            }

    def crpa_mention(self, use_case_id: int) -> str:
        """The explicit mention (CRPA L311-3-1) for decisions taken with this use case."""
        try:
            return crpa.mention_text(self.crpa_sheet(use_case_id))
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None

    def crpa_explanation(self, use_case_id: int) -> str:
        """The answer template to a person's request for an explanation (R311-3-1-2), in Markdown."""
        try:
            return crpa.explanation_template(self.crpa_sheet(use_case_id))
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None


def _padded(check: GateCheck) -> list[str]:
    """The failed condition ids aligned with ``missing`` (invalid moves have messages and no ids)."""
    return list(check.failed) + [""] * (len(check.missing) - len(check.failed))


def audit_jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}
