"""Stage gates: may a use case move from one stage to another, what is missing, who approves.

Forward moves follow :data:`~policies.vocabulary.FORWARD_PATH` one step at a time, and each target
stage has the conditions of ``rules/gates.yaml``. Suspension (from an active stage) and withdrawal
(from any stage but ``retired``) are always allowed with a reason; resuming from ``suspended``
goes back to the stage the use case left, after that stage's gate check. A prohibited practice never
leaves the idea stage.

The approving authority rises with the impact level (I head of service, II general director or AI
committee, III the executive, IV the council); :func:`can_decide` maps it to Vigie roles. The
conditions read :class:`GateFacts`, which the service fills from the database, plus these derived
facts: ``prohibited``, ``classified``, ``impact_assessed``, ``fria_needed``, ``risks_recorded``,
``unmitigated_high_risks``, ``source_gaps``, ``pilot_end_date_set``, ``pilot_ended``, ``pending_obligations``,
``decision_act_recorded``.

A rollback (:func:`check_rollback`) returns an active use case to the stage before it on the forward
path, with a reason, under the suspension authority (rule GATE-04).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.conditions import matches
from policies.obligations import is_settled
from policies.rulebook import load_rules
from policies.vocabulary import (
    ACTIVE_STAGES,
    FORWARD_PATH,
    AiActClass,
    Authority,
    GateDecision,
    ImpactLevel,
    ObligationStatus,
    Role,
    Stage,
    risk_level,
)


class RiskFact(BaseModel):
    """One entry of the use case's risk register (likelihood and severity on 1–5 scales)."""

    model_config = ConfigDict(frozen=True)

    title: str
    likelihood: int = Field(ge=1, le=5)
    severity: int = Field(ge=1, le=5)
    mitigation: str | None = None

    @property
    def level(self) -> str:
        return risk_level(self.likelihood, self.severity)


class ObligationFact(BaseModel):
    """The tracked state of one applicable obligation."""

    model_config = ConfigDict(frozen=True)

    id: str
    title_fr: str
    status: ObligationStatus = ObligationStatus.TODO
    justification: str | None = None


class GateFacts(BaseModel):
    """What the gates need to know about a use case; the service fills it from the database.

    ``obligations`` holds every obligation that applies to the use case
    (:func:`policies.obligations.applicable_obligations` on its profile) with its tracked status;
    ``dpia_required`` comes from :func:`policies.rgpd.screen_dpia` and ``fria_required`` from
    :attr:`policies.ai_act.AiActResult.fria_required`.
    """

    model_config = ConfigDict(frozen=True)

    today: date
    # classification and impact
    risk_class: AiActClass | None = None
    classification_validated: bool = False
    impact_level: ImpactLevel | None = None
    public_body: bool = True
    # impact assessments
    dpia_required: bool = False
    dpia_done: bool = False
    fria_required: bool | None = None  # None: high risk and public body (use AiActResult.fria_required)
    fria_done: bool = False
    # pilot
    risks: list[RiskFact] = Field(default_factory=list)
    pilot_end_date: date | None = None
    #: What the RGPD asks of the data sources and is missing, in French (policies.rgpd.source_gaps).
    source_gaps: list[str] = Field(default_factory=list)
    success_criteria_defined: bool = False
    kpi_baselines_set: bool = False
    # evaluation and deployment
    evaluation_report_started: bool = False
    evaluation_done: bool = False
    monitoring_plan: bool = False
    obligations: list[ObligationFact] = Field(default_factory=list)
    agents_trained: bool = False
    deliberation_number: str | None = None  # number of the council's deliberation or the executive's act
    deliberation_date: date | None = None
    # bought or delegated AI: the supplier's documents the deployer relies on (AI Act art. 13, 25, 47, 49)
    bought_high_risk: bool = False
    supplier_documents_missing: list[str] = Field(default_factory=list)  # French names of the documents
    # suspension, withdrawal, resumption
    suspended_from: Stage | None = None
    reason: str | None = None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Kind = Literal["forward", "suspend", "retire", "resume", "rollback", "invalid"]


class GateCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    allowed: bool
    missing: list[str]  # French, one line per unmet condition
    authority: Authority
    kind: Kind
    failed: list[str] = Field(default_factory=list)  # ids of the unmet conditions
    reference_required: bool = False  # the decision records the act's number and date


def derived_facts(facts: GateFacts) -> dict[str, Any]:
    data = facts.model_dump(mode="json")
    unmitigated = [
        r.title for r in facts.risks if r.level in ("high", "critical") and not (r.mitigation or "").strip()
    ]
    fria_needed = facts.fria_required
    if fria_needed is None:
        fria_needed = facts.risk_class is AiActClass.HIGH and facts.public_body
    data.update(
        prohibited=facts.risk_class is AiActClass.PROHIBITED,
        classified=facts.risk_class is not None,
        impact_assessed=facts.impact_level is not None,
        fria_needed=fria_needed,
        risks_recorded=bool(facts.risks),
        unmitigated_high_risks=unmitigated,
        pilot_end_date_set=facts.pilot_end_date is not None,
        pilot_ended=facts.pilot_end_date is not None and facts.pilot_end_date <= facts.today,
        pending_obligations=[
            o.title_fr for o in facts.obligations if not is_settled(o.status, o.justification)
        ],
        decision_act_recorded=bool((facts.deliberation_number or "").strip())
        and facts.deliberation_date is not None,
    )
    return data


def _fr(value: Any) -> Any:
    if isinstance(value, list):
        return " ; ".join(map(str, value))  # French typography: a space before the semicolon
    if value is None:
        return "non fixée"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


def _format(template: str, facts: Mapping[str, Any]) -> str:
    return template.format_map({k: _fr(v) for k, v in facts.items()})


def authority_for(
    to_stage: Stage | str, level: ImpactLevel | str | None, rules: Mapping[str, Any] | None = None
) -> Authority:
    rules = rules or load_rules("gates")
    to_stage = Stage(to_stage)
    if level is None:
        unassessed = rules["authority_when_unassessed"]
        authority = Authority(unassessed.get(to_stage.value, unassessed["default"]))
    else:
        authority = Authority(rules["authority_by_level"][ImpactLevel(level).value])
    cap = rules["gates"].get(to_stage.value, {}).get("authority_at_most")
    if cap and Authority(cap).rank < authority.rank:
        authority = Authority(cap)
    return authority


def _conditions(to_stage: Stage, facts: GateFacts, rules: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    data = derived_facts(facts)
    missing, failed = [], []
    for cond in rules["gates"].get(to_stage.value, {}).get("conditions", []):
        if matches(cond.get("when"), data) and not matches(cond["check"], data):
            missing.append(_format(cond["missing_fr"], data))
            failed.append(cond["id"])
    return missing, failed


def _result(
    missing: list[str],
    authority: Authority,
    kind: Kind,
    failed: list[str] | None = None,
    rules: Mapping[str, Any] | None = None,
) -> GateCheck:
    rules = rules or load_rules("gates")
    return GateCheck(
        allowed=not missing,
        missing=missing,
        authority=authority,
        kind=kind,
        failed=failed or [],
        reference_required=authority.value in rules["reference_required"],
    )


def check_gate(
    from_stage: Stage | str, to_stage: Stage | str, facts: GateFacts, rules: Mapping[str, Any] | None = None
) -> GateCheck:
    """May the use case move from ``from_stage`` to ``to_stage``? See the module docstring."""
    rules = rules or load_rules("gates")
    src, dst = Stage(from_stage), Stage(to_stage)
    level = facts.impact_level
    if src is Stage.RETIRED:
        return _result(
            ["Un cas d'usage retiré ne change plus d'étape."],
            authority_for(Stage.FRAMING, level, rules),
            "invalid",
            rules=rules,
        )
    if dst in (Stage.SUSPENDED, Stage.RETIRED):
        kind: Kind = "suspend" if dst is Stage.SUSPENDED else "retire"
        missing = []
        if kind == "suspend" and src not in ACTIVE_STAGES:
            missing.append(
                f"Seul un cas d'usage en expérimentation, en évaluation ou déployé peut être suspendu "
                f"(étape actuelle : {src.label})."
            )
        if not (facts.reason or "").strip():
            missing.append(
                "Le motif de la "
                + ("suspension" if kind == "suspend" else "décision de retrait")
                + " est obligatoire."
            )
        return _result(missing, Authority(rules["suspension_authority"]), kind, rules=rules)
    if src is Stage.SUSPENDED:
        if facts.suspended_from is None:
            return _result(
                ["L'étape quittée lors de la suspension n'est pas connue."],
                authority_for(dst, level, rules),
                "invalid",
                rules=rules,
            )
        if dst is not facts.suspended_from:
            return _result(
                [
                    f"La reprise ramène le cas d'usage à l'étape qu'il a quittée : "
                    f"{facts.suspended_from.label}."
                ],
                authority_for(dst, level, rules),
                "invalid",
                rules=rules,
            )
        missing, failed = _conditions(dst, facts, rules)
        return _result(missing, authority_for(dst, level, rules), "resume", failed, rules)
    if src not in FORWARD_PATH or dst not in FORWARD_PATH:
        return _result(
            [f"Passage de l'étape {src.label} à l'étape {dst.label} non prévu."],
            authority_for(dst, level, rules),
            "invalid",
            rules=rules,
        )
    step = FORWARD_PATH.index(dst) - FORWARD_PATH.index(src)
    if step != 1:
        msg = (
            "Les étapes se franchissent une à une : l'étape suivante est "
            f"{FORWARD_PATH[FORWARD_PATH.index(src) + 1].label}."
            if step > 1 and src is not Stage.DEPLOYED
            else f"Retour de l'étape {src.label} à l'étape {dst.label} non prévu : suspendre le cas d'usage, "
            "ou le retirer."
        )
        return _result([msg], authority_for(dst, level, rules), "invalid", rules=rules)
    missing, failed = _conditions(dst, facts, rules)
    return _result(missing, authority_for(dst, level, rules), "forward", failed, rules)


def previous_stage(stage: Stage | str) -> Stage | None:
    """The stage before ``stage`` on the forward path (None for the idea stage and off-path stages)."""
    stage = Stage(stage)
    if stage not in FORWARD_PATH or FORWARD_PATH.index(stage) == 0:
        return None
    return FORWARD_PATH[FORWARD_PATH.index(stage) - 1]


def check_rollback(from_stage: Stage | str, reason: str | None, rules: Mapping[str, Any] | None = None) -> GateCheck:
    """May the use case return from ``from_stage`` to the stage before it (« Revenir en arrière »)?

    Only an active stage (pilot, evaluation, deployed) goes back, always with a reason; the suspension
    authority decides, as for any stop (rule GATE-04).
    """
    rules = rules or load_rules("gates")
    src = Stage(from_stage)
    missing = []
    if src not in ACTIVE_STAGES or previous_stage(src) is None:
        missing.append(f"Seul un cas d'usage en expérimentation, en évaluation ou déployé peut revenir à l'étape "
                       f"précédente (étape actuelle : {src.label}).")
    if not (reason or "").strip():
        missing.append("Le motif du retour en arrière est obligatoire.")
    return _result(missing, Authority(rules["suspension_authority"]), "rollback", rules=rules)


def can_decide(
    principal_roles: Iterable[Role | str], authority: Authority | str, rules: Mapping[str, Any] | None = None
) -> bool:
    """May a holder of these Vigie roles record a decision for this authority?

    Director or compliance for the head of service and the general director (levels I–II); the
    director alone for the executive and the council (levels III–IV), who records the decision they
    took with its reference (number and date).
    """
    rules = rules or load_rules("gates")
    allowed = {Role(r) for r in rules["deciders"][Authority(authority).value]}
    return any(Role(r) in allowed for r in principal_roles)


def holds_authority(
    principal_roles: Iterable[Role | str], authority: Authority | str, rules: Mapping[str, Any] | None = None
) -> bool:
    """Is a holder of these Vigie roles the authority itself (or above it), rather than recording for it?

    The director (general director) holds the head of service's and the general director's authority;
    the compliance officer holds none and the executive and the council are outside Vigie: their
    decisions are recorded on their behalf.
    """
    rules = rules or load_rules("gates")
    held = {Role(r) for r in rules.get("held_by", {}).get(Authority(authority).value, [])}
    return any(Role(r) in held for r in principal_roles)


def on_behalf_problem(
    authority: Authority | str,
    *,
    reference: str | None = None,
    reference_date: date | None = None,
    session_date: date | None = None,
) -> str | None:
    """French message when a decision recorded on ``authority``'s behalf does not say where it was taken."""
    if ((reference or "").strip() and reference_date) or session_date:
        return None
    return (
        f"Champ « Acte ou séance » : vous enregistrez cette décision pour le compte de : "
        f"{Authority(authority).label} ; indiquez le numéro et la date de l'acte (délibération, arrêté), "
        "ou la date de la séance où la décision a été prise."
    )


def decision_problem(
    decision: GateDecision | str,
    check: GateCheck,
    *,
    conditions_fr: str | None = None,
    reference: str | None = None,
    reference_date: date | None = None,
) -> str | None:
    """French message when ``decision`` cannot be recorded on ``check``, else ``None``.

    Approving needs an allowed check; approving with conditions needs the conditions written;
    refusing or sending back is always possible. Executive and council decisions carry their act's
    number and date.
    """
    decision = GateDecision(decision)
    if decision in (GateDecision.APPROVE, GateDecision.APPROVE_WITH_CONDITIONS):
        if not check.allowed:
            return "Approbation impossible : conditions manquantes — " + " ; ".join(check.missing)
        if decision is GateDecision.APPROVE_WITH_CONDITIONS and not (conditions_fr or "").strip():
            return "Une approbation sous conditions doit énoncer ses conditions."
        if check.reference_required and not ((reference or "").strip() and reference_date):
            return (
                f"La décision de l'autorité « {check.authority.label} » doit être enregistrée avec son numéro "
                "et sa date."
            )
    return None
