"""Deployment in waves: rollback plan, waves read from monitoring, go/no-go decisions, rollback."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from policies.vocabulary import Stage
from portal.services.errors import InvalidInput, PermissionDenied, StaleEdit
from tests.conftest import use_case_data
from tests.portal.gates import walk_to

TODAY = dt.date.today()
PLAN = {"procedure": "Les agents reprennent le tri manuel des demandes avec la grille papier.",
        "decider": "Directrice générale des services, sur proposition du chef de projet", "delay_days": 2}


def _wave(**overrides):
    data = {"label": "Vague 1 — Blois", "scope_kind": "territory", "scope": "Blois",
            "start_date": TODAY - dt.timedelta(days=60), "periods": ["2026-01"],
            "criteria": [{"metric": "override_rate", "bound": "max", "threshold": "20"},
                         {"metric": "accuracy", "bound": "min", "threshold": 80}]}
    return data | overrides


@pytest.fixture
def deployed(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    walk_to(services, people, uc.id, Stage.DEPLOYED)
    return uc


def _outcomes(services, people, uc_id, period, overridden_share):
    n = 20
    k = int(n * overridden_share)
    frame = pd.DataFrame({"period": [period] * n, "actual": ["a"] * n, "prediction": ["a"] * (n - k) + ["b"] * k,
                          "overridden": [False] * (n - k) + [True] * k})
    services.monitoring.record_outcomes(people["lead"], uc_id, frame, label=f"Résultats {period}")


def test_a_wave_is_planned_decided_and_read_from_monitoring(services, people, deployed):
    dep, lead, compliance = services.deployment, people["lead"], people["compliance"]
    wave = dep.add_wave(lead, deployed.id, _wave())
    assert wave.number == 1 and wave.status == "planned" and wave.scope_fr == "Territoire : Blois"
    # no rollback plan yet: the first go is refused, naming what is missing
    with pytest.raises(InvalidInput) as exc:
        dep.decide_wave(compliance, wave.id, wave.version, "go")
    assert "Plan de retour arrière manquant" in str(exc.value)
    dep.save_rollback_plan(lead, deployed.id, None, PLAN)
    with pytest.raises(InvalidInput) as exc:  # compliance records for the head of service: where was it decided?
        dep.decide_wave(compliance, wave.id, wave.version, "go")
    assert "Champ « Acte ou séance »" in str(exc.value)
    wave = dep.decide_wave(compliance, wave.id, wave.version, "go", reasons="Plan prêt.", session_date=TODAY)
    assert wave.status == "go" and wave.status_fr == "Lancée"
    (decision,) = wave.decisions
    assert decision.authority.value == "head_of_service" and decision.on_behalf is True
    # monitoring results of the wave's period: 30 % overridden fails the 20 % criterion
    _outcomes(services, people, deployed.id, "2026-01", 0.3)
    wave = services.deployment.plan(deployed.id).waves[0]
    by_metric = {r.metric: r for r in wave.readings}
    assert by_metric["override_rate"].value == pytest.approx(30.0) and by_metric["override_rate"].met is False
    assert by_metric["accuracy"].value == pytest.approx(70.0) and by_metric["accuracy"].met is False
    assert wave.criteria_met is False
    # the next wave's go reads the previous wave's criteria: unmet, so the go must be motivated
    second = dep.add_wave(lead, deployed.id, _wave(label="Vague 2", scope="Vendôme", periods=["2026-02"]))
    with pytest.raises(InvalidInput) as exc:
        dep.decide_wave(people["director"], second.id, second.version, "go")
    assert "critères de la vague n° 1 non atteints" in str(exc.value)
    assert "Taux de reprise par les agents" in str(exc.value)
    second = dep.decide_wave(people["director"], second.id, second.version, "no_go",
                             reasons="Taux de reprise trop élevé sur la vague 1.")
    assert second.status == "no_go"
    assert {r["metric"]: r["value"] for r in second.decisions[0].readings}["override_rate"] == pytest.approx(30.0)
    events = [e for e in services.audit.history_of(deployed.id) if e.entity == "deployment_wave"]
    assert [e.action for e in events].count("decide") == 2


def test_a_decision_is_immutable_and_a_launched_wave_rolls_back(services, people, deployed):
    dep, lead, director = services.deployment, people["lead"], people["director"]
    dep.save_rollback_plan(lead, deployed.id, None, PLAN)
    wave = dep.add_wave(lead, deployed.id, _wave())
    wave = dep.decide_wave(director, wave.id, wave.version, "go")
    with pytest.raises(InvalidInput) as exc:
        dep.decide_wave(director, wave.id, wave.version, "no_go", reasons="Changement d'avis")
    assert "une décision ne se modifie pas" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        dep.update_wave(lead, wave.id, wave.version, _wave(label="Renommée"))
    assert "déjà décidée" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        dep.decide_wave(director, wave.id, wave.version, "roll_back")
    assert "Champ « Motifs » : obligatoire pour un retour en arrière." in str(exc.value)
    wave = dep.decide_wave(director, wave.id, wave.version, "roll_back", reasons="Réclamations d'usagers.")
    assert wave.status == "rolled_back" and [d.decision for d in wave.decisions] == ["go", "roll_back"]
    # the database refuses to change or erase a decision (triggers)
    with services.db.writer.begin() as s, pytest.raises(DBAPIError):
        s.execute(text("UPDATE wave_decision SET reasons = 'effacé'"))
    with services.db.writer.begin() as s, pytest.raises(DBAPIError):
        s.execute(text("DELETE FROM wave_decision"))


def test_roles_and_authority(services, people, deployed):
    dep = services.deployment
    wave = dep.add_wave(people["lead"], deployed.id, _wave())
    for key in ("reader", "lead2", "compliance", "admin"):  # plan: the lead (own) and the direction only
        with pytest.raises(PermissionDenied):
            dep.add_wave(people[key], deployed.id, _wave())
    dep.add_wave(people["director"], deployed.id, _wave(label="Vague 2"))
    for key in ("reader", "lead", "admin"):
        with pytest.raises(PermissionDenied):
            dep.decide_wave(people[key], wave.id, wave.version, "go")
    with pytest.raises(PermissionDenied):
        dep.save_rollback_plan(people["reader"], deployed.id, None, PLAN)


def test_high_impact_goes_need_the_act_of_the_executive_or_the_council(services, people):
    from tests.portal.governance_fixtures import HIGH_RISK

    uc = services.register.create(people["lead"], use_case_data(title="Tri des demandes sensibles"))
    services.governance.classify(people["compliance"], uc.id, **HIGH_RISK)
    plan = services.deployment.plan(uc.id)
    assert plan.authority.value in ("executive", "council")
    assert not services.deployment.can_decide(people["compliance"], plan)
    assert services.deployment.can_decide(people["director"], plan)


def test_french_validation_names_the_fields_and_writes_nothing(services, people, deployed):
    dep, lead = services.deployment, people["lead"]
    with pytest.raises(InvalidInput) as exc:
        dep.add_wave(lead, deployed.id, {"label": "", "scope_kind": "share_cases", "share": "140",
                                         "criteria": [{"metric": "override_rate", "bound": "max", "threshold": "abc"},
                                                      {"metric": "bonheur", "threshold": 1}]})
    text_ = str(exc.value)
    assert "Champ « Nom de la vague » : obligatoire." in text_
    assert "Champ « Part (%) » : nombre entre 0 et 100 attendu (reçu : « 140 »)." in text_
    assert "Champ « Début de la vague » : date obligatoire." in text_
    assert "Critère « Taux de reprise par les agents », champ « Seuil »" in text_
    assert "Critère 2, champ « Mesure » : valeur non prévue « bonheur »." in text_
    with pytest.raises(InvalidInput) as exc:
        dep.save_rollback_plan(lead, deployed.id, None, {"procedure": " ", "decider": "", "delay_days": "-1",
                                                         "tested_on": TODAY + dt.timedelta(days=3)})
    text_ = str(exc.value)
    assert "Champ « Comment revenir à l'ancienne façon de travailler » : obligatoire." in text_
    assert "Champ « Délai de retour (jours) » : nombre entier de jours attendu" in text_
    assert "Champ « Retour en arrière essayé le » : ne peut pas être dans le futur." in text_
    plan = dep.plan(deployed.id)
    assert plan.waves == [] and plan.rollback_plan is None
    assert not [e for e in services.audit.history_of(deployed.id) if e.entity in ("deployment_wave", "rollback_plan")]


def test_stale_edits_are_refused(services, people, deployed):
    dep, lead = services.deployment, people["lead"]
    plan = dep.save_rollback_plan(lead, deployed.id, None, PLAN)
    dep.save_rollback_plan(lead, deployed.id, plan.version, PLAN | {"delay_days": 5})
    with pytest.raises(StaleEdit):
        dep.save_rollback_plan(lead, deployed.id, plan.version, PLAN | {"delay_days": 9})
    assert dep.plan(deployed.id).rollback_plan.delay_days == 5
    wave = dep.add_wave(lead, deployed.id, _wave())
    dep.update_wave(lead, wave.id, wave.version, _wave(label="Vague 1 — Blois centre"))
    with pytest.raises(StaleEdit):
        dep.update_wave(lead, wave.id, wave.version, _wave(label="Autre"))
    with pytest.raises(StaleEdit):
        dep.decide_wave(people["director"], wave.id, wave.version, "go")
    events = [e for e in services.audit.history_of(deployed.id) if e.entity in ("deployment_wave", "rollback_plan")]
    assert [e.action for e in events].count("update") == 2


def test_revenir_en_arriere_returns_the_use_case_to_its_previous_stage_through_the_gate(services, people, deployed):
    gov = services.governance
    with pytest.raises(PermissionDenied):
        gov.roll_back(people["lead"], deployed.id, "Erreurs de routage")
    with pytest.raises(InvalidInput) as exc:
        gov.roll_back(people["director"], deployed.id, "  ")
    assert "Le motif du retour en arrière est obligatoire." in str(exc.value)
    req = gov.roll_back(people["director"], deployed.id, "Erreurs de routage signalées par les agents.")
    assert req.kind == "rollback" and req.kind_fr == "retour en arrière"
    assert req.from_stage is Stage.DEPLOYED and req.to_stage is Stage.EVALUATION
    assert req.decision is not None and req.decision.reasons == "Erreurs de routage signalées par les agents."
    assert services.register.get(deployed.id).stage is Stage.EVALUATION
    (event,) = [e for e in services.audit.history_of(deployed.id) if e.action == "roll_back"]
    assert "Erreurs de routage signalées par les agents." in event.payload
    # the wave plan stays, but a go needs the use case deployed again
    dep = services.deployment
    dep.save_rollback_plan(people["lead"], deployed.id, None, PLAN)
    wave = dep.add_wave(people["lead"], deployed.id, _wave())
    with pytest.raises(InvalidInput) as exc:
        dep.decide_wave(people["director"], wave.id, wave.version, "go")
    assert "Le cas d'usage n'est pas déployé (étape actuelle : Évaluation)" in str(exc.value)
