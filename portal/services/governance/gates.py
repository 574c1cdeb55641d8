"""Stage gates: requested, checked against their conditions, decided by the authority; suspension and withdrawal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from policies.access import PermissionDenied, can, require
from policies.gates import (
    GateCheck,
    authority_for,
    can_decide,
    check_gate,
    check_rollback,
    decision_problem,
    holds_authority,
    on_behalf_problem,
    previous_stage,
)
from policies.rulebook import POLICY_VERSION, load_rules
from policies.vocabulary import (
    Action,
    Authority,
    GateDecision,
    Principal,
    Stage,
)
from portal.db.models import GateDecision as GateDecisionRow
from portal.db.models import GateRequest as GateRequestRow
from portal.db.models import (
    UseCase,
)
from portal.repositories import governance as repo
from portal.repositories import register as register_repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound
from portal.services.governance.base import (
    ACT_CONDITIONS,
    _stage,
)
from portal.services.governance.classification import ClassificationMixin
from portal.services.governance.views import (
    ATTESTATIONS,
    GateDecisionView,
    GateRequestView,
)


class GatesMixin(ClassificationMixin):
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
        decision: GateDecision | str | None,
        *,
        reasons: str = "",
        conditions: str | None = None,
        act_number: str | None = None,
        act_date: dt.date | None = None,
        decided_on: dt.date | None = None,
        session_date: dt.date | None = None,
        today: dt.date | None = None,
    ) -> GateRequestView:
        """Record the decision on a pending request; approving moves the use case to the requested stage.

        Approval checks the gate again and fails with the missing conditions listed in French. A person
        who is not the authority itself (see :func:`policies.gates.holds_authority`) records the decision
        on its behalf and says where it was taken: the act's number and date, or ``session_date``, the
        date of the meeting (which is then the decision's date unless ``decided_on`` is given).
        """
        require(principal, Action.DECIDE_GATE)  # permission before validation
        decision = _gate_decision(decision)
        today = today or dt.date.today()
        decided_on = decided_on or session_date or today
        reasons = (reasons or "").strip()
        act_number = (act_number or "").strip() or None
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)  # serialise deciders: a request gets one decision
            req = s.get(GateRequestRow, request_id)
            if req is None:
                raise NotFound(f"Demande de passage n° {request_id} introuvable.")
            if repo.decisions(s, req.use_case_id).get(req.id) is not None:
                raise InvalidInput([f"La demande n° {req.id} a déjà été décidée ; une décision ne se modifie pas."])
            uc = self._use_case(s, req.use_case_id)
            problems = _decision_input_problems(decision, reasons, decided_on, session_date, today,
                                                stale=uc.stage != req.from_stage, from_stage=req.from_stage)
            facts = self._facts(s, uc, today, attestations=req.attestations, act_number=act_number,
                                act_date=act_date, reason=req.motive)
            check = check_gate(req.from_stage, req.to_stage, facts)
            if not can_decide(principal.roles, check.authority):
                raise PermissionDenied(
                    f"Action refusée : ce passage relève de l'autorité « {check.authority.label} » ; le rôle "
                    f"{', '.join(sorted(r.label for r in principal.roles))} ne permet pas d'enregistrer sa décision."
                )
            on_behalf = not holds_authority(principal.roles, check.authority)
            approving = decision in (GateDecision.APPROVE, GateDecision.APPROVE_WITH_CONDITIONS)
            if on_behalf and not (approving and check.reference_required):  # else the act itself is required
                problem = on_behalf_problem(check.authority, reference=act_number, reference_date=act_date,
                                            session_date=session_date)
                if problem:
                    problems.append(problem)
            if decision in (GateDecision.APPROVE, GateDecision.APPROVE_WITH_CONDITIONS) and uc.stage == req.from_stage:
                problems += _approval_problems(decision, check, req.to_stage, conditions, act_number, act_date)
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
                                  "decided_on": decided_on, "policy_version": POLICY_VERSION,
                                  "on_behalf_of": check.authority.value if on_behalf else None,
                                  "session_date": session_date})
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

    def roll_back(self, principal: Principal, use_case_id: int, reason: str, *,
                  today: dt.date | None = None) -> GateRequestView:
        """« Revenir en arrière »: return the use case to the stage before its current one, with the reason
        (rule GATE-04); recorded as a request and its decision, like a suspension."""
        require(principal, Action.ROLL_BACK)
        reason = (reason or "").strip()
        today = today or dt.date.today()
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)
            uc = self._use_case(s, use_case_id)
            check = check_rollback(uc.stage, reason)
            if not check.allowed:
                raise InvalidInput(check.missing)
            if repo.pending_request(s, uc.id) is not None:
                raise InvalidInput(["Une demande de passage est en attente : décidez-la ou renvoyez-la avant de "
                                    "revenir en arrière."])
            dst = previous_stage(uc.stage)
            assert dst is not None
            cl = repo.latest_classification(s, uc.id)
            req = GateRequestRow(
                use_case_id=uc.id, from_stage=uc.stage, to_stage=dst.value, kind=check.kind, motive=reason,
                attestations={}, authority=check.authority.value, impact_level=cl.impact_level if cl else None,
                missing=[], policy_version=POLICY_VERSION, requested_by_id=principal.person_id,
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
            before = uc.stage
            self._move(s, uc, dst.value)
            s.flush()
            audit.append(s, principal, "roll_back", "use_case", uc.id, use_case_id=uc.id,
                         before={"stage": before}, after={"stage": dst.value},
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
            ids = None if use_case_id is None else [use_case_id]
            cases = {uc.id: uc for uc in register_repo.search(s, ids=ids, children=False)}
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
        return can(principal, Action.DECIDE_GATE) and can_decide(principal.roles, request.authority, _gate_rules())

    @staticmethod
    def on_behalf(principal: Principal, request: GateRequestView) -> bool:
        """Would ``principal`` record the decision on the authority's behalf (so with its act or meeting)?"""
        return not holds_authority(principal.roles, request.authority, _gate_rules())


@cache
def _gate_rules() -> dict[str, Any]:
    """The gate rules, read once for the queue's many « may this person decide? » questions (read only)."""
    return load_rules("gates")


def _padded(check: GateCheck) -> list[str]:
    """The failed condition ids aligned with ``missing`` (invalid moves have messages and no ids)."""
    return list(check.failed) + [""] * (len(check.missing) - len(check.failed))


def _gate_decision(decision: GateDecision | str | None) -> GateDecision:
    if decision is None or decision == "":
        choices = ", ".join(f"« {d.label} »" for d in GateDecision)
        raise InvalidInput([f"Champ « Décision » : choisissez une décision ({choices})."])
    try:
        return GateDecision(decision)
    except ValueError:
        choices = ", ".join(d.value for d in GateDecision)
        raise InvalidInput([f"Champ « Décision » : valeur non prévue « {decision} » ; valeurs possibles : "
                            f"{choices}."]) from None


def _approval_problems(decision: GateDecision, check: GateCheck, to_stage: str, conditions: str | None,
                       act_number: str | None, act_date: dt.date | None) -> list[str]:
    """Why an approval cannot be recorded: the gate's missing conditions, or what the decision lacks."""
    if not check.allowed:
        return [f"Passage à l'étape « {Stage(to_stage).label} » impossible : conditions manquantes.",
                *check.missing]
    problem = decision_problem(decision, check, conditions_fr=conditions, reference=act_number,
                               reference_date=act_date)
    return [problem] if problem else []


def _decision_input_problems(decision: GateDecision, reasons: str, decided_on: dt.date, session_date: dt.date | None,
                             today: dt.date, *, stale: bool, from_stage: str) -> list[str]:
    """What is wrong with a decision's own fields, before the gate is checked again (French, by field)."""
    problems = []
    if decided_on > today:
        problems.append("Champ « Date de la décision » : ne peut pas être dans le futur.")
    if session_date is not None and session_date > today:
        problems.append("Champ « Décision prise en séance le » : ne peut pas être dans le futur.")
    if decision in (GateDecision.REFUSE, GateDecision.SEND_BACK) and not reasons:
        problems.append("Champ « Motifs » : obligatoire pour un refus ou un renvoi.")
    if stale:
        problems.append(f"Le cas d'usage n'est plus à l'étape « {Stage(from_stage).label} » : "
                        "la demande est caduque, renvoyez-la.")
    return problems
