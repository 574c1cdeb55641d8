"""Stage gates: missing conditions in French, authorities by level, suspension and resumption."""

from __future__ import annotations

from datetime import date

import pytest

from policies.gates import GateFacts, ObligationFact, RiskFact, can_decide, check_gate, decision_problem
from policies.rgpd import DataSourceFacts, check_sources, source_gaps
from policies.vocabulary import (
    AiActClass,
    Authority,
    GateDecision,
    ImpactLevel,
    ObligationStatus,
    Role,
    Stage,
)

TODAY = date(2027, 3, 1)

READY_FOR_PILOT = dict(
    today=TODAY,
    risk_class=AiActClass.MINIMAL,
    classification_validated=True,
    impact_level=ImpactLevel.I,
    risks=[RiskFact(title="Erreur d'orientation", likelihood=2, severity=2)],
    pilot_end_date=date(2027, 9, 30),
    success_criteria_defined=True,
    kpi_baselines_set=True,
)
HIGH_RISK = dict(
    READY_FOR_PILOT,
    risk_class=AiActClass.HIGH,
    impact_level=ImpactLevel.III,
    dpia_required=True,
    risks=[RiskFact(title="Exclusion à tort d'un allocataire", likelihood=4, severity=5)],
)
READY_TO_DEPLOY = dict(
    READY_FOR_PILOT,
    evaluation_done=True,
    monitoring_plan=True,
    agents_trained=True,
    obligations=[
        ObligationFact(id="OBL-CRPA-MENTION", title_fr="Mention explicite", status=ObligationStatus.DONE)
    ],
)


def test_prohibited_case_is_stuck_at_idea():
    facts = GateFacts(**{**READY_FOR_PILOT, "risk_class": AiActClass.PROHIBITED})
    check = check_gate(Stage.IDEA, Stage.FRAMING, facts)
    assert not check.allowed
    assert check.missing == [
        "Pratique interdite par l'article 5 du règlement IA : le cas d'usage ne peut pas "
        "quitter l'étape idée."
    ]


def test_framing_needs_a_classification():
    check = check_gate("idea", "framing", GateFacts(today=TODAY))
    assert not check.allowed and check.failed == ["GATE-FRM-02"]
    assert "classification" in check.missing[0]
    assert check.authority is Authority.HEAD_OF_SERVICE
    assert check_gate("idea", "framing", GateFacts(today=TODAY, risk_class=AiActClass.MINIMAL)).allowed


def test_high_risk_case_is_blocked_at_pilot_until_dpia_and_fria_are_done():
    check = check_gate(Stage.FRAMING, Stage.PILOT, GateFacts(**HIGH_RISK))
    assert not check.allowed
    assert check.failed == ["GATE-PIL-03", "GATE-PIL-04", "GATE-PIL-06"]
    assert check.missing == [
        "L'analyse d'impact relative à la protection des données (AIPD) requise n'est pas réalisée.",
        "L'analyse d'impact sur les droits fondamentaux (AIDF) requise pour un système à haut risque d'un "
        "organisme public n'est pas réalisée.",
        "Risques élevés ou critiques sans mesure d'atténuation : Exclusion à tort d'un allocataire.",
    ]
    assert check.authority is Authority.EXECUTIVE and check.reference_required

    mitigated = [
        RiskFact(
            title="Exclusion à tort d'un allocataire",
            likelihood=4,
            severity=5,
            mitigation="Revue par un travailleur social de chaque refus",
        )
    ]
    done = GateFacts(**{**HIGH_RISK, "dpia_done": True, "fria_done": True, "risks": mitigated})
    assert check_gate(Stage.FRAMING, Stage.PILOT, done).allowed


def test_fria_not_required_for_a_private_deployer_or_when_the_classification_says_so():
    facts = {**HIGH_RISK, "dpia_done": True, "risks": READY_FOR_PILOT["risks"]}
    assert check_gate("framing", "pilot", GateFacts(**facts, public_body=False)).allowed
    assert check_gate(
        "framing", "pilot", GateFacts(**facts, fria_required=False)
    ).allowed  # e.g. Annex III point 2


def test_pilot_lists_every_missing_condition():
    check = check_gate("framing", "pilot", GateFacts(today=TODAY, risk_class=AiActClass.LIMITED))
    assert check.failed == [
        "GATE-PIL-01",
        "GATE-PIL-02",
        "GATE-PIL-05",
        "GATE-PIL-07",
        "GATE-PIL-08",
        "GATE-PIL-09",
    ]
    assert "Le registre des risques est vide." in check.missing
    assert check.authority is Authority.COUNCIL  # level unknown: the highest authority


def test_no_pilot_on_personal_data_a_source_has_no_lawful_ground_for():
    sources = check_sources([
        DataSourceFacts(name="Fichier des demandeurs", personal_data=True),
        DataSourceFacts(name="Handicap déclaré", personal_data=True, special_categories=True,
                        legal_basis="public_task"),
        DataSourceFacts(name="Adhérents", personal_data=True, special_categories=True,
                        legal_basis="public_task", art9_exception="9(2)(d)"),
    ])
    check = check_gate(Stage.FRAMING, Stage.PILOT, GateFacts(**{**READY_FOR_PILOT, "source_gaps": source_gaps(sources)}))
    assert check.failed == ["GATE-PIL-10"]
    assert check.missing == [
        "Sources de données incomplètes au regard du RGPD : « Fichier des demandeurs » sans base légale ; "
        "« Handicap déclaré » (données sensibles) sans exception de l'art. 9(2) ; "
        "« Adhérents » sur une exception de l'art. 9(2) qui ne s'applique pas."
    ]
    assert check_gate(Stage.FRAMING, Stage.PILOT, GateFacts(**READY_FOR_PILOT)).allowed


def test_evaluation_needs_the_pilot_ended_or_a_report_started():
    running = GateFacts(**READY_FOR_PILOT)
    check = check_gate("pilot", "evaluation", running)
    assert check.missing == [
        "L'expérimentation n'est pas terminée (fin prévue le 30/09/2027) et aucun rapport "
        "d'évaluation n'est commencé."
    ]
    assert check_gate(
        "pilot", "evaluation", GateFacts(**{**READY_FOR_PILOT, "evaluation_report_started": True})
    ).allowed
    assert check_gate(
        "pilot", "evaluation", GateFacts(**{**READY_FOR_PILOT, "today": date(2027, 10, 1)})
    ).allowed


def test_evaluation_authority_is_capped_at_general_director():
    facts = GateFacts(
        **{**READY_FOR_PILOT, "impact_level": ImpactLevel.IV, "evaluation_report_started": True}
    )
    assert check_gate("pilot", "evaluation", facts).authority is Authority.GENERAL_DIRECTOR


def test_deployment_needs_evaluation_monitoring_obligations_and_training():
    check = check_gate(
        "evaluation",
        "deployed",
        GateFacts(
            **{
                **READY_FOR_PILOT,
                "obligations": [
                    ObligationFact(id="A", title_fr="Mention explicite", status=ObligationStatus.IN_PROGRESS),
                    ObligationFact(id="B", title_fr="AIPD", status=ObligationStatus.NOT_APPLICABLE),
                    ObligationFact(
                        id="C",
                        title_fr="Registre",
                        status=ObligationStatus.NOT_APPLICABLE,
                        justification="Aucune donnée personnelle",
                    ),
                ],
            }
        ),
    )
    assert check.missing == [
        "L'évaluation de l'expérimentation n'est pas terminée : son rapport se joint à l'obligation "
        "« Rédiger le rapport d'évaluation de l'expérimentation ».",
        "Le plan de suivi n'est pas établi.",
        "Obligations ni faites ni justifiées non applicables : Mention explicite ; AIPD.",
        "Les agents utilisateurs ne sont pas formés.",
    ]
    assert check_gate("evaluation", "deployed", GateFacts(**READY_TO_DEPLOY)).allowed


@pytest.mark.parametrize(
    ("level", "authority", "needs_act"),
    [
        (ImpactLevel.I, Authority.HEAD_OF_SERVICE, False),
        (ImpactLevel.II, Authority.GENERAL_DIRECTOR, False),
        (ImpactLevel.III, Authority.EXECUTIVE, True),
        (ImpactLevel.IV, Authority.COUNCIL, True),
    ],
)
def test_deployment_authority_rises_with_the_level(level, authority, needs_act):
    facts = GateFacts(**{**READY_TO_DEPLOY, "impact_level": level})
    check = check_gate("evaluation", "deployed", facts)
    assert check.authority is authority
    assert check.reference_required is needs_act
    assert check.allowed is not needs_act


def test_deployment_at_level_iv_needs_the_council_deliberation():
    facts = GateFacts(**{**READY_TO_DEPLOY, "impact_level": ImpactLevel.IV})
    check = check_gate("evaluation", "deployed", facts)
    assert check.missing == [
        "Niveau IV : le numéro et la date de la délibération du conseil ne sont pas renseignés."
    ]
    voted = GateFacts(
        **{
            **READY_TO_DEPLOY,
            "impact_level": ImpactLevel.IV,
            "deliberation_number": "2027-045",
            "deliberation_date": date(2027, 2, 14),
        }
    )
    assert check_gate("evaluation", "deployed", voted).allowed


@pytest.mark.parametrize(
    ("src", "dst", "needle"),
    [
        ("idea", "pilot", "une à une : l'étape suivante est Cadrage"),
        ("framing", "deployed", "une à une"),
        ("deployed", "pilot", "non prévu"),
        ("retired", "idea", "retiré"),
    ],
)
def test_one_step_at_a_time(src, dst, needle):
    check = check_gate(src, dst, GateFacts(**READY_TO_DEPLOY))
    assert not check.allowed and check.kind == "invalid"
    assert needle in check.missing[0]


@pytest.mark.parametrize("stage", ["pilot", "evaluation", "deployed"])
def test_suspension_is_allowed_from_any_active_stage_with_a_reason(stage):
    facts = GateFacts(**{**READY_FOR_PILOT, "risk_class": AiActClass.PROHIBITED, "reason": "Dérive détectée"})
    check = check_gate(stage, "suspended", facts)
    assert check.allowed and check.kind == "suspend"
    no_reason = check_gate(stage, "suspended", GateFacts(today=TODAY))
    assert no_reason.missing == ["Le motif de la suspension est obligatoire."]


def test_suspension_needs_an_active_stage():
    assert not check_gate("idea", "suspended", GateFacts(today=TODAY, reason="x")).allowed


@pytest.mark.parametrize("stage", ["idea", "framing", "pilot", "evaluation", "deployed", "suspended"])
def test_withdrawal_is_allowed_from_any_stage_with_a_reason(stage):
    assert check_gate(stage, "retired", GateFacts(today=TODAY, reason="Abandon du projet")).allowed
    assert not check_gate(stage, "retired", GateFacts(today=TODAY)).allowed


def test_resuming_goes_back_to_the_stage_left_after_its_gate_check():
    facts = GateFacts(**{**READY_TO_DEPLOY, "suspended_from": Stage.DEPLOYED, "monitoring_plan": False})
    wrong = check_gate("suspended", "pilot", facts)
    assert not wrong.allowed and "Déployé" in wrong.missing[0]
    check = check_gate("suspended", "deployed", facts)
    assert check.kind == "resume" and check.missing == ["Le plan de suivi n'est pas établi."]
    assert check_gate(
        "suspended", "deployed", GateFacts(**{**READY_TO_DEPLOY, "suspended_from": "deployed"})
    ).allowed


@pytest.mark.parametrize(
    ("roles", "authority", "allowed"),
    [
        ({Role.COMPLIANCE}, Authority.HEAD_OF_SERVICE, True),
        ({Role.COMPLIANCE}, Authority.GENERAL_DIRECTOR, True),
        ({Role.COMPLIANCE}, Authority.EXECUTIVE, False),
        ({Role.DIRECTOR}, Authority.EXECUTIVE, True),
        ({Role.DIRECTOR}, Authority.COUNCIL, True),
        ({Role.PROJECT_LEAD}, Authority.HEAD_OF_SERVICE, False),
        ({Role.ADMIN, Role.READER}, Authority.GENERAL_DIRECTOR, False),
        ({"reader", "director"}, "council", True),
    ],
)
def test_can_decide(roles, authority, allowed):
    assert can_decide(roles, authority) is allowed


def test_decision_rules():
    blocked = check_gate("evaluation", "deployed", GateFacts(**{**READY_TO_DEPLOY, "agents_trained": False}))
    assert "formés" in decision_problem(GateDecision.APPROVE, blocked)
    assert decision_problem(GateDecision.SEND_BACK, blocked) is None
    assert decision_problem(GateDecision.REFUSE, blocked) is None
    ok = check_gate("evaluation", "deployed", GateFacts(**READY_TO_DEPLOY))
    assert decision_problem(GateDecision.APPROVE, ok) is None
    assert "conditions" in decision_problem(GateDecision.APPROVE_WITH_CONDITIONS, ok)
    council = check_gate(
        "evaluation",
        "deployed",
        GateFacts(
            **{
                **READY_TO_DEPLOY,
                "impact_level": "IV",
                "deliberation_number": "45",
                "deliberation_date": date(2027, 2, 1),
            }
        ),
    )
    assert "numéro" in decision_problem(GateDecision.APPROVE, council)
    assert (
        decision_problem(
            GateDecision.APPROVE, council, reference="DEL-2027-45", reference_date=date(2027, 2, 1)
        )
        is None
    )


def test_decision_labels_are_french():
    assert [d.label for d in GateDecision] == [
        "Approuver",
        "Approuver sous conditions",
        "Refuser",
        "Renvoyer pour compléments",
    ]
