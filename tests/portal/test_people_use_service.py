"""Needs, agents, residents and the elected officials' view, on SQLite and PostgreSQL: who may do what,
French validation naming the field, audit events, stale edits refused, nothing half-written."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from policies.access import PermissionDenied
from policies.vocabulary import NeedStatus, Stage
from portal.db.models import AuditEvent, MonitoringAlert, ObligationEvidence, ServiceNeed, UseCase
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from tests.conftest import use_case_data
from tests.portal.gates import walk_to
from tests.portal.governance_fixtures import HIGH_RISK
from tests.rows import count_rows

NEED = {"title": "Trier les courriels de l'accueil", "difficulty": "Deux agents trient 300 courriels par jour à la main.",
        "frequency": "daily", "beneficiaries": "Les usagers qui écrivent à la mairie", "service": "Accueil"}
FEEDBACK = {"period": "2026-03", "service": "Accueil", "n_suggestions": 200, "n_useful": 150, "n_wrong": 20,
            "n_overridden": 40, "override_reasons": {"suggestion_wrong": 20, "agent_judgement": 20}}
MEASURE = {"kind": "response_time", "indicator": "Délai de réponse aux courriels", "unit": "jours",
           "period": "2026-03", "baseline": 6.0, "value": 2.5, "higher_is_better": False}


def _events(services, entity: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.seq)))


@pytest.fixture
def uc(services, people):  # type: ignore[no-untyped-def]
    return services.register.create(people["lead"], use_case_data())


# --- needs ---------------------------------------------------------------------------------------


def test_a_reader_submits_a_need_audited(services, people):
    need = services.needs.submit(people["reader"], NEED)
    assert need.status is NeedStatus.OPEN and need.submitted_by == "Test reader" and need.version == 1
    ev = _events(services, "service_need")
    assert [e.action for e in ev] == ["submit"] and json.loads(ev[0].payload)["after"]["service"] == "Accueil"
    assert services.needs.counts()[NeedStatus.OPEN] == 1


def test_a_need_with_missing_fields_is_refused_in_french_and_nothing_is_written(services, people):
    with pytest.raises(InvalidInput) as exc:
        services.needs.submit(people["reader"], NEED | {"difficulty": " ", "frequency": "hourly"})
    text = " ".join(exc.value.problems)
    assert "« Ce qui est difficile aujourd'hui » : obligatoire" in text and "« Fréquence »" in text
    assert count_rows(services, ServiceNeed) == 0


def test_only_the_direction_and_project_leads_triage(services, people):
    need = services.needs.submit(people["reader"], NEED)
    for key in ("reader", "compliance", "admin"):
        with pytest.raises(PermissionDenied):
            services.needs.decline(people[key], need.id, need.version, "Hors champ.")
    services.needs.decline(people["director"], need.id, need.version, "Le logiciel de courrier le fait déjà.")
    after = services.needs.get(need.id)
    assert after.status is NeedStatus.DECLINED and after.answer.startswith("Le logiciel")


def test_declining_needs_a_reason(services, people):
    need = services.needs.submit(people["reader"], NEED)
    with pytest.raises(InvalidInput, match="Réponse motivée"):
        services.needs.decline(people["lead"], need.id, need.version, "  ")
    assert services.needs.get(need.id).status is NeedStatus.OPEN


def test_a_lead_turns_a_need_into_an_idea_linked_to_it(services, people):
    need = services.needs.submit(people["reader"], NEED)
    uc_id = services.needs.turn_into_idea(people["lead"], need.id, need.version,
                                          {"family": "resident_relations", "direction": "Direction de la relation usagers"})
    uc = services.register.get(uc_id)
    assert uc.stage is Stage.IDEA and uc.title == NEED["title"] and uc.problem == NEED["difficulty"]
    after = services.needs.get(need.id)
    assert after.status is NeedStatus.ANSWERED and after.use_case_reference == uc.reference
    assert services.needs.served_counts([uc_id]) == {uc_id: 1}
    creation = [e for e in _events(services, "use_case") if e.action == "create"][-1]
    assert json.loads(creation.payload)["details"] == {"from_need": need.id}
    assert _events(services, "service_need")[-1].action == "answered"


def test_turning_a_stale_need_into_an_idea_creates_nothing(services, people):
    need = services.needs.submit(people["reader"], NEED)
    services.needs.decline(people["director"], need.id, need.version, "Non prioritaire cette année.")
    before = count_rows(services, UseCase)
    with pytest.raises(StaleEdit):
        services.needs.turn_into_idea(people["lead"], need.id, need.version,
                                      {"family": "operations", "direction": "Direction générale"})
    assert count_rows(services, UseCase) == before


def test_an_idea_with_bad_use_case_fields_leaves_the_need_open(services, people):
    need = services.needs.submit(people["reader"], NEED)
    with pytest.raises(InvalidInput, match="Direction"):
        services.needs.turn_into_idea(people["lead"], need.id, need.version, {"family": "operations"})
    assert services.needs.get(need.id).status is NeedStatus.OPEN


def test_merging_duplicates_and_linking_an_existing_use_case(services, people, uc):
    first = services.needs.submit(people["reader"], NEED)
    dup = services.needs.submit(people["lead2"], NEED | {"service": "État civil"})
    with pytest.raises(InvalidInput, match="lui-même"):
        services.needs.merge(people["lead"], dup.id, dup.id, dup.version)
    services.needs.merge(people["lead"], dup.id, first.id, dup.version)
    assert services.needs.get(dup.id).merged_into_id == first.id
    with pytest.raises(StaleEdit):  # already triaged: a second triage from the old page is refused
        services.needs.link_to_use_case(people["lead"], dup.id, uc.id, dup.version)
    services.needs.link_to_use_case(people["director"], first.id, uc.id, first.version)
    counts = services.needs.counts()
    assert counts[NeedStatus.MERGED] == 1 and counts[NeedStatus.ANSWERED] == 1 and counts[NeedStatus.OPEN] == 0
    assert [n.id for n in services.needs.list(use_case_ids=[uc.id])] == [first.id]
    with pytest.raises(NotFound):
        services.needs.get(99999)


# --- agents --------------------------------------------------------------------------------------


def test_user_groups_by_role_audited_and_stale_refused(services, people, uc):
    for key in ("reader", "compliance", "lead2"):
        with pytest.raises(PermissionDenied):
            services.adoption.set_user_group(people[key], uc.id, {"service": "Accueil", "agents": 4})
    g = services.adoption.set_user_group(people["lead"], uc.id, {"service": "Accueil", "agents": 4})
    services.adoption.set_user_group(people["director"], uc.id, {"service": "Accueil", "agents": 6}, g.version)
    with pytest.raises(StaleEdit):
        services.adoption.set_user_group(people["lead"], uc.id, {"service": "Accueil", "agents": 9}, g.version)
    with pytest.raises(InvalidInput, match="Nombre d'agents"):
        services.adoption.set_user_group(people["lead"], uc.id, {"service": "Accueil", "agents": -1})
    view = services.adoption.of(uc.id)
    assert view.agents == 6 and [e.action for e in _events(services, "user_group")] == ["create", "update"]
    assert services.adoption.totals([uc.id])[uc.id]["agents"] == 6


def test_a_training_session_is_evidence_of_the_ai_literacy_obligation(services, people, uc):
    services.governance.classify(people["compliance"], uc.id, **HIGH_RISK)
    literacy = [o for o in services.governance.obligations(uc.id) if o.obligation_id == "OBL-AIA-LITERACY"]
    assert literacy, "the high-risk profile derives the AI-literacy obligation"
    sid = services.adoption.record_training(people["lead"], uc.id, {
        "held_on": dt.date(2026, 3, 2), "title": "Utiliser les suggestions de tri", "trainer": "DSI",
        "attendees": ["Awa Diallo", "Marc Petit"], "hours": 3})
    evidence = next(o for o in services.governance.obligations(uc.id) if o.obligation_id == "OBL-AIA-LITERACY").evidence
    assert len(evidence) == 1 and evidence[0].kind == "training" and "2 participant(s)" in evidence[0].note
    assert services.adoption.of(uc.id).trained == 2
    assert [e.action for e in _events(services, "training_session")] == ["create"]
    assert _events(services, "obligation")[-1].action == "add_evidence" and sid > 0
    with pytest.raises(InvalidInput, match="Participants"):
        services.adoption.record_training(people["lead"], uc.id, {"held_on": "2026-03-02", "title": "X",
                                                                  "attendees": []})
    with pytest.raises(PermissionDenied):
        services.adoption.record_training(people["reader"], uc.id, {"held_on": "2026-03-02", "title": "X",
                                                                    "attendees": ["A"]})
    assert count_rows(services, ObligationEvidence) == 1


def test_feedback_must_give_a_reason_for_each_override(services, people, uc):
    with pytest.raises(InvalidInput) as exc:
        services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK | {"override_reasons": {"suggestion_wrong": 5}})
    assert "raisons des écarts totalisent 5 pour 40" in " ".join(exc.value.problems)
    with pytest.raises(InvalidInput, match="aaaa-mm"):
        services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK | {"period": "mars 2026"})
    with pytest.raises(InvalidInput, match="dépassent"):
        services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK | {"n_useful": 190})
    assert services.adoption.of(uc.id).feedback == []


def test_feedback_feeds_the_override_rate_of_outcome_monitoring(services, people, uc):
    walk_to(services, people, uc.id, Stage.PILOT)
    fb = services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK)
    services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK | {
        "service": "État civil", "n_suggestions": 200, "n_useful": 190, "n_wrong": 0, "n_overridden": 0,
        "override_reasons": {}})
    outcomes = [o for o in services.monitoring.outcomes(uc.id) if o.period == "2026-03"]
    assert len(outcomes) == 1 and outcomes[0].metrics["override_rate"] == pytest.approx(40 / 400)
    table = services.adoption.of(uc.id).overrides
    row = table[table["period"] == "2026-03"].iloc[0]
    assert row["wrong_rate"] == pytest.approx(20 / 400) and row["reasons"] == {"suggestion_wrong": 20,
                                                                                "agent_judgement": 20}
    # a correction from a stale page is refused; a fresh one raises the rate above the threshold: alert
    services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK | {"n_overridden": 180, "n_useful": 20,
                                      "override_reasons": {"suggestion_wrong": 180}}, expected_version=fb.version)
    with pytest.raises(StaleEdit):
        services.adoption.record_feedback(people["lead"], uc.id, FEEDBACK, expected_version=fb.version)
    with services.db.reader() as s:
        kinds = [a.kind for a in s.scalars(select(MonitoringAlert).where(MonitoringAlert.use_case_id == uc.id))]
    assert "override_rate_above" in kinds
    ev = _events(services, "agent_feedback")
    assert [e.action for e in ev] == ["create", "create", "update"]
    assert json.loads(ev[-1].payload)["details"]["override_rate"] == pytest.approx(180 / 400)


# --- residents -----------------------------------------------------------------------------------


def test_residents_measures_against_their_baseline(services, people, uc):
    with pytest.raises(PermissionDenied):
        services.residents.record(people["reader"], uc.id, MEASURE)
    m = services.residents.record(people["lead"], uc.id, MEASURE)
    assert m.improved is True and m.change == pytest.approx(-3.5)
    services.residents.record(people["lead"], uc.id, MEASURE | {"period": "2026-04", "value": 2.0})
    latest = services.residents.latest([uc.id])
    assert [(x.period, x.value, x.reference) for x in latest] == [("2026-04", 2.0, uc.reference)]
    again = services.residents.record(people["director"], uc.id, MEASURE | {"value": 3.0}, expected_version=m.version)
    assert again.value == 3.0
    with pytest.raises(StaleEdit):
        services.residents.record(people["lead"], uc.id, MEASURE | {"value": 4.0}, expected_version=m.version)
    with pytest.raises(InvalidInput) as exc:
        services.residents.record(people["lead"], uc.id, MEASURE | {"kind": "mood", "baseline": "beaucoup"})
    text = " ".join(exc.value.problems)
    assert "« Nature de la mesure »" in text and "« Valeur de référence (avant) » : doit être un nombre" in text
    with pytest.raises(StaleEdit):
        services.residents.delete(people["lead"], m.id, m.version)
    services.residents.delete(people["lead"], m.id, again.version)
    assert [e.action for e in _events(services, "resident_measure")] == ["create", "create", "update", "delete"]
    assert len(services.residents.measures(uc.id)) == 1


# --- elected officials ---------------------------------------------------------------------------


def test_the_elected_view_shows_deployed_costs_benefits_and_residents(services, people, uc):
    walk_to(services, people, uc.id, Stage.DEPLOYED)
    services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": 10000, "committed": 8000,
                                                                    "spent": 6000})
    services.residents.record(people["lead"], uc.id, MEASURE)
    need = services.needs.submit(people["reader"], NEED)
    services.needs.link_to_use_case(people["lead"], need.id, uc.id, need.version)
    view = services.elected.view()
    case = next(d for d in view.deployed if d.use_case_id == uc.id)
    assert case.spent == 6000 and case.needs_served == 1 and case.build_cost == 10000
    assert [m.indicator for m in case.residents] == [MEASURE["indicator"]]
    assert view.awaiting == []  # nothing awaits the executive or the council here


def test_the_demo_carries_each_part(demo_services):
    svc = demo_services
    counts = svc.needs.counts()
    assert counts[NeedStatus.OPEN] >= 2 and counts[NeedStatus.ANSWERED] >= 2 and counts[NeedStatus.DECLINED] >= 1
    deployed = [u for u in svc.register.list() if u.stage is Stage.DEPLOYED]
    totals = svc.adoption.totals([u.id for u in deployed])
    assert any(t["sessions"] for t in totals.values()) and any(t["agents"] for t in totals.values())
    assert svc.residents.latest([u.id for u in deployed])
    assert any(svc.adoption.of(u.id).feedback for u in deployed)
    view = svc.elected.view()
    assert view.deployed and view.awaiting  # the housing pilot awaits the executive
    content = svc.portfolio_exports.report_content([], dt.date.today())
    captions = [b["caption"] for b in content["blocks"]]
    assert "Ce que les usagers constatent (dernière mesure de chaque indicateur)" in captions
    assert any(c.startswith("Pour les élus — décisions attendues") for c in captions)
    assert any("besoin(s) des services en attente de réponse" in line for line in content["summary"])


def test_upgrading_a_0018_database_keeps_its_use_cases_and_starts_with_no_need(db_url, services, people, uc):
    """From the previous head (0018) with a use case: after 0019 the sheet reads as before, the new tables
    start empty and a need can be turned into an idea at once."""
    from portal.db.migrate import downgrade, upgrade
    from portal.services import build_services

    services.db.dispose()
    downgrade(db_url, "0018_transparency_fields")
    upgrade(db_url)
    svc = build_services(db_url)
    try:
        assert svc.register.get(uc.id).title == uc.title
        assert sum(svc.needs.counts().values()) == 0 and svc.residents.latest() == []
        need = svc.needs.submit(people["reader"], NEED)
        assert svc.needs.turn_into_idea(people["director"], need.id, need.version,
                                        {"family": "operations", "direction": "Direction générale"})
    finally:
        svc.db.dispose()
