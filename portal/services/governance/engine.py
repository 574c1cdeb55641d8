"""From the database to the pure engines of ``policies``: run the questionnaires, assemble gate facts.

Nothing here writes; the service calls it inside its transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from policies import ai_act, crpa, impact, prefill, rgpd
from policies.consistency import Contradiction, contradictions
from policies.gates import GateFacts, ObligationFact, RiskFact
from policies.obligations import Obligation, applicable_obligations, is_settled
from policies.profile import build_profile
from policies.vocabulary import LegalBasis, ObligationStatus, RiskStatus, Stage
from portal.db.models import Classification, ObligationRecord, UseCase
from portal.services.errors import InvalidInput
from portal.services.validation import french_problems

#: Keys of the CRPA part of the questionnaire that describe the organisation, not the engine's facts.
CRPA_SHEET_KEYS = ("administration", "contact", "rules_url")

CRPA_LABELS = {
    "algorithmic_processing": "Traitement algorithmique",
    "individual_decision": "Décisions individuelles",
    "main_processing": "Traitement principal",
    "flags_for_checks": "Signalement de dossiers à contrôler",
    "secret_l311_5": "Secret protégé (L311-5)",
    "secret_justification": "Justification du secret (L311-5)",
    "org_fte": "Effectif de la collectivité (ETP)",
    "org_population": "Population",
    "is_territorial_collectivity": "Collectivité territoriale",
}

# Free-text legal bases of the register, read as the RGPD engine's codes.
_BASIS_WORDS = (
    ("intérêt légitime", "legitimate_interest"),
    ("6-1-f", "legitimate_interest"),
    ("obligation légale", "legal_obligation"),
    ("6-1-c", "legal_obligation"),
    ("consentement", "consent"),
    ("6-1-a", "consent"),
    ("contrat", "contract"),
    ("6-1-b", "contract"),
    ("intérêts vitaux", "vital_interests"),
    ("6-1-d", "vital_interests"),
)


def legal_basis_code(text: str | None) -> str | None:
    """The RGPD engine's code for a register's legal basis: one of the six listed bases exactly, or,
    for a text written before the list, the basis its words name (public task by default)."""
    if not (text or "").strip():
        return None
    listed = LegalBasis.from_label(text)
    if listed is not None:
        return listed.value
    low = (text or "").lower()
    for word, code in _BASIS_WORDS:
        if word in low:
            return code
    return "public_task"


def _source_facts(uc: UseCase) -> list[rgpd.DataSourceFacts]:
    return [
        rgpd.DataSourceFacts(
            name=ds.name,
            personal_data=ds.personal_data,
            special_categories=ds.sensitive_data,
            legal_basis=legal_basis_code(ds.legal_basis),
            art9_exception=ds.art9_exception,
        )
        for ds in uc.data_sources
    ]


@dataclass(frozen=True)
class Assessment:
    ai_act: ai_act.AiActResult
    rgpd: rgpd.RgpdResult
    crpa: crpa.CrpaResult
    impact: impact.ImpactResult | None
    obligations: list[Obligation]
    contradictions: tuple[Contradiction, ...] = ()  # answers that contradict each other (warned, recorded)

    def result_json(self) -> dict[str, Any]:
        rg = self.rgpd
        return {
            "ai_act": self.ai_act.model_dump(mode="json"),
            "rgpd": {
                "sources": rg.sources.model_dump(mode="json"),
                "dpia": rg.dpia.model_dump(mode="json"),
                "art22": rg.art22.model_dump(mode="json"),
            },
            "crpa": self.crpa.model_dump(mode="json"),
            "impact": self.impact.model_dump(mode="json") if self.impact else None,
            "obligations": [o.id for o in self.obligations],
            "consistency": [c.model_dump(mode="json") for c in self.contradictions],
        }


def _check_ids(part: str, answers: Mapping[str, Any], known: set[str]) -> list[str]:
    return [f"Questionnaire {part} : question inconnue « {k} »." for k in answers if k not in known]


def assess(
    uc: UseCase,
    ai_answers: Mapping[str, Any],
    rgpd_answers: Mapping[str, Any],
    crpa_answers: Mapping[str, Any],
    impact_answers: Mapping[str, Any],
    organisation: Mapping[str, Any] | None = None,
) -> Assessment:
    """Run every engine on the answers and the use case's data sources; French errors on bad answers.

    ``organisation``: the collectivité's own CRPA facts (staff, population, kind), set once by an
    administrator; they replace what older questionnaires recorded on each use case."""
    problems = _check_ids("règlement IA", ai_answers, {q.id for q in ai_act.questions()})
    problems += _check_ids(
        "RGPD", rgpd_answers, {q.id for q in rgpd.dpia_questions()} | {q.id for q in rgpd.art22_questions()}
    )
    problems += _check_ids("CRPA", crpa_answers, set(CRPA_LABELS) | set(CRPA_SHEET_KEYS))
    problems += _check_ids("impact", impact_answers, {q.id for q in impact.questions()})
    crpa_facts = None
    try:
        crpa_facts = crpa.CrpaFacts.model_validate(
            {k: v for k, v in crpa_answers.items() if k not in CRPA_SHEET_KEYS} | dict(organisation or {})
        )
    except ValidationError as exc:
        problems += french_problems(exc, CRPA_LABELS)
    impact_result = None
    if impact_answers:
        try:
            impact_result = impact.assess(impact_answers)
        except ValueError as exc:
            problems.append(str(exc))
    if problems or crpa_facts is None:
        raise InvalidInput(problems)
    ai_result = ai_act.classify(ai_answers)
    rgpd_result = rgpd.assess(_source_facts(uc), rgpd_answers)
    crpa_result = crpa.assess(crpa_facts)
    profile = build_profile(
        ai_act_result=ai_result,
        rgpd_result=rgpd_result,
        crpa_result=crpa_result,
        impact_result=impact_result,
        stage=Stage(uc.stage),
    )
    return Assessment(ai_result, rgpd_result, crpa_result, impact_result, applicable_obligations(profile),
                      tuple(contradictions(ai_answers, crpa_answers, rgpd_answers)))


#: The obligation whose record replaces each attestation, once the use case has that obligation.
RECORDED_BY = {"evaluation_report_started": "OBL-GOV-EVALUATION", "evaluation_done": "OBL-GOV-EVALUATION",
               "agents_trained": "OBL-AIA-LITERACY"}


def _record(records: list[ObligationRecord], obligation_id: str) -> ObligationRecord | None:
    return next((r for r in records if r.obligation_id == obligation_id and r.applicable), None)


def settled(records: list[ObligationRecord], obligation_id: str) -> bool:
    rec = _record(records, obligation_id)
    return rec is not None and is_settled(rec.status, rec.justification)


def has(records: list[ObligationRecord], obligation_id: str) -> bool:
    return _record(records, obligation_id) is not None


def started(records: list[ObligationRecord], obligation_id: str) -> bool:
    """Work on the obligation has begun: in progress or done."""
    rec = _record(records, obligation_id)
    return rec is not None and rec.status in (ObligationStatus.IN_PROGRESS.value, ObligationStatus.DONE.value)


def _recorded_or_attested(records: list[ObligationRecord], att: Mapping[str, Any], key: str) -> bool:
    """The obligation settled where the use case has it (RECORDED_BY), the requester's word otherwise."""
    obligation_id = RECORDED_BY[key]
    return settled(records, obligation_id) if has(records, obligation_id) else bool(att.get(key))


def gate_facts(
    uc: UseCase,
    classification: Classification | None,
    records: list[ObligationRecord],
    today: dt.date,
    *,
    attestations: Mapping[str, Any] | None = None,
    act_number: str | None = None,
    act_date: dt.date | None = None,
    suspended_from: str | None = None,
    reason: str | None = None,
) -> GateFacts:
    """What :func:`policies.gates.check_gate` needs, read from the use case and its records."""
    att = attestations or {}
    applicable = [r for r in records if r.applicable]
    cl = classification
    return GateFacts(
        today=today,
        risk_class=cl.risk_class if cl else None,
        classification_validated=bool(cl and cl.validated_at is not None),
        impact_level=cl.impact_level if cl else None,
        public_body=True,
        dpia_required=bool(cl and cl.dpia_required),
        dpia_done=settled(records, "OBL-RGPD-DPIA"),
        fria_required=bool(cl and cl.fria_required),
        fria_done=settled(records, "OBL-AIA-FRIA"),
        risks=[
            # a closed risk stays in the register and needs no further mitigation
            RiskFact(title=r.description[:120], likelihood=r.likelihood, severity=r.severity,
                     mitigation=r.mitigation or ("Risque clos" if r.status == RiskStatus.CLOSED.value else None))
            for r in uc.risks
        ],
        pilot_end_date=uc.end_date,
        source_gaps=rgpd.source_gaps(rgpd.check_sources(_source_facts(uc))),
        success_criteria_defined=bool(uc.kpi_name and uc.kpi_target is not None),
        kpi_baselines_set=uc.kpi_baseline is not None,
        # the evaluation report is a record (an obligation settled with its evidence) where the use case
        # has one; a use case classified before that obligation existed falls back on the attestation
        evaluation_report_started=bool(att.get("evaluation_report_started") or att.get("evaluation_done")
                                       or started(records, RECORDED_BY["evaluation_report_started"])),
        evaluation_done=_recorded_or_attested(records, att, "evaluation_done"),
        monitoring_plan=settled(records, "OBL-GOV-MONITORING-PLAN"),
        obligations=[
            ObligationFact(
                id=r.obligation_id,
                title_fr=r.title_fr,
                status=ObligationStatus(r.status),
                justification=r.justification,
            )
            for r in applicable
        ],
        # AI literacy too: the obligation's record where there is one, the requester's word otherwise
        agents_trained=_recorded_or_attested(records, att, "agents_trained"),
        deliberation_number=act_number,
        deliberation_date=act_date,
        suspended_from=Stage(suspended_from) if suspended_from else None,
        reason=reason,
    )


#: The CRPA facts asked as questions (booleans, rules/crpa.yaml); the organisation's size is asked as numbers.
CRPA_QUESTIONS = crpa.questions()


def sheet_proposals(uc: Any) -> prefill.Proposals:
    """The questionnaire answers a use case's sheet (a row or a view, with its data sources) proposes."""
    return prefill.proposals(prefill.SheetFacts(
        automation=_code(uc.automation),
        provider_type=_code(uc.provider_type),
        decisions_per_year=uc.decisions_per_year,
        public_concerned=uc.public_concerned,
        sources=tuple(prefill.SourceFacts(personal_data=ds.personal_data, sensitive_data=ds.sensitive_data,
                                          producer=ds.producer, origin=_code(ds.origin))
                      for ds in uc.data_sources),
    ))


def _code(value: Any) -> str | None:
    return None if value is None else str(getattr(value, "value", value))
