"""What the governance service returns: plain, frozen views with French labels at hand."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from policies.obligations import FAMILY_FR, is_settled
from policies.vocabulary import (
    AiActClass,
    AiActRole,
    Authority,
    GateDecision,
    ImpactLevel,
    ObligationStatus,
    Stage,
)

#: Attestations a requester may give with a gate request (what no record of Vigie holds yet).
ATTESTATIONS: dict[str, str] = {
    "evaluation_report_started": "Le rapport d'évaluation de l'expérimentation est commencé",
    "evaluation_done": "L'évaluation de l'expérimentation est terminée",
    "agents_trained": "Les agents utilisateurs sont formés",
}

REVIEW_OUTCOMES: dict[str, str] = {
    "continue": "Poursuivre",
    "adjust": "Poursuivre avec ajustements",
    "suspend": "Proposer la suspension",
}

KIND_FR = {"forward": "passage", "resume": "reprise", "suspend": "suspension", "retire": "retrait",
           "rollback": "retour en arrière"}


class _View(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class ClassificationView(_View):
    id: int
    use_case_id: int
    number: int
    risk_class: AiActClass
    role: AiActRole | None
    impact_level: ImpactLevel | None
    dpia_required: bool
    fria_required: bool
    complete: bool
    ai_act_answers: dict[str, Any]
    rgpd_answers: dict[str, Any]
    crpa_answers: dict[str, Any]
    impact_answers: dict[str, Any]
    result: dict[str, Any]
    policy_version: str
    created_by_name: str
    created_at: dt.datetime
    validated_by_name: str | None
    validated_at: dt.datetime | None

    @property
    def validated(self) -> bool:
        return self.validated_at is not None

    def reasons(self) -> list[dict[str, str]]:
        """Every reason of every engine, each with its rule and article."""
        r = self.result
        out = list(r.get("ai_act", {}).get("reasons", []))
        rg = r.get("rgpd", {})
        for part in ("sources", "dpia", "art22"):
            out += rg.get(part, {}).get("reasons", [])
        out += r.get("crpa", {}).get("reasons", [])
        return out

    def impact_drivers(self) -> list[dict[str, Any]]:
        return list((self.result.get("impact") or {}).get("drivers", []))


class EvidenceView(_View):
    id: int
    obligation_record_id: int
    kind: str
    filename: str | None
    url: str | None
    sha256: str
    size: int | None
    note: str | None
    added_by_name: str
    added_at: dt.datetime


class ObligationView(_View):
    id: int
    use_case_id: int
    obligation_id: str
    family: str
    title_fr: str
    article: str
    applies_from: dt.date
    applicable: bool
    status: ObligationStatus
    justification: str | None
    owner_id: int | None
    due_date: dt.date | None
    version: int
    owner_name: str | None = None
    evidence: tuple[EvidenceView, ...] = ()

    @property
    def family_fr(self) -> str:
        return FAMILY_FR.get(self.family, self.family)

    @property
    def settled(self) -> bool:
        return is_settled(self.status, self.justification)

    def overdue(self, today: dt.date) -> bool:
        return self.applicable and not self.settled and self.due_date is not None and self.due_date < today


class GateDecisionView(_View):
    id: int
    request_id: int
    use_case_id: int
    decision: GateDecision
    reasons: str
    conditions: str | None
    authority: Authority
    decided_on: dt.date
    act_number: str | None
    act_date: dt.date | None
    stage_before: Stage
    stage_after: Stage
    policy_version: str
    decided_by_name: str
    decided_at: dt.datetime


class GateRequestView(_View):
    id: int
    use_case_id: int
    from_stage: Stage
    to_stage: Stage
    kind: str
    motive: str
    attestations: dict[str, Any]
    authority: Authority
    impact_level: ImpactLevel | None
    missing: list[str]
    policy_version: str
    requested_by_name: str
    requested_at: dt.datetime
    reference: str = ""
    title: str = ""
    decision: GateDecisionView | None = None

    @property
    def pending(self) -> bool:
        return self.decision is None

    @property
    def status_fr(self) -> str:
        if self.decision is None:
            return "En attente de décision"
        return {
            GateDecision.APPROVE: "Approuvée",
            GateDecision.APPROVE_WITH_CONDITIONS: "Approuvée sous conditions",
            GateDecision.REFUSE: "Refusée",
            GateDecision.SEND_BACK: "Renvoyée pour compléments",
        }[self.decision.decision]

    @property
    def kind_fr(self) -> str:
        return KIND_FR.get(self.kind, self.kind)


class ReviewStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    use_case_id: int
    reference: str
    title: str
    impact_level: ImpactLevel | None
    cadence_months: int
    last_review: dt.date | None  # last periodic review, or None (counted from the deployment decision)
    since: dt.date
    due_date: dt.date
    overdue: bool

    @property
    def label_fr(self) -> str:
        day = self.due_date.strftime("%d/%m/%Y")
        return f"En retard (due le {day})" if self.overdue else f"Prochaine le {day}"


class PeriodicReviewView(_View):
    id: int
    use_case_id: int
    reviewed_on: dt.date
    impact_level: ImpactLevel | None
    cadence_months: int
    next_due: dt.date
    outcome: str
    notes: str
    reviewed_by_name: str
    recorded_at: dt.datetime


class PortfolioRow(BaseModel):
    """One use case as the compliance page lists it by class and level."""

    model_config = ConfigDict(frozen=True)

    use_case_id: int
    reference: str
    title: str
    stage: Stage
    risk_class: AiActClass | None
    impact_level: ImpactLevel | None
    validated: bool
    pending_request: str | None
    review: str
    review_overdue: bool
    open_obligations: int
