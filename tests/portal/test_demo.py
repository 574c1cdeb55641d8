"""The demo portfolio covers what a collectivité would recognise."""

from __future__ import annotations

import pytest

from policies.vocabulary import Family, Stage
from portal.demo import AlreadySeeded, seed_demo
from portal.services.people import SYSTEM

APPLICATIONS = [
    "démographi", "fréquentation", "énergétique", "questions simples", "routage", "accessible",
    "interventions techniques", "maintenance prédictive", "flux d'usagers", "clauses sensibles",
    "performance des délégataires", "équilibre économique",
]


def test_demo_covers_families_stages_and_the_applications(services):
    counts = seed_demo(services, SYSTEM)
    views = services.register.list()
    assert counts["use_cases"] == len(views) >= 15
    assert {v.family for v in views} == set(Family)
    assert {v.stage for v in views} == set(Stage)
    titles = " | ".join(v.title.lower() for v in views)
    for word in APPLICATIONS:
        assert word in titles, word
    assert all(v.data_sources and v.lead_id and v.sponsor_id for v in views)
    assert sum(1 for v in views if v.risks) >= 15
    assert services.audit.verify().ok


def test_demo_is_not_loaded_twice(services):
    seed_demo(services, SYSTEM)
    with pytest.raises(AlreadySeeded):
        seed_demo(services, SYSTEM)


def test_demo_monitoring_shows_the_alert_path_on_real_batches(services):
    """monitoring: a pilot checked healthy after a handled alert, a deployed case drifting
    with new categories, outcomes below the minimum and a suspension proposed to a human."""
    seed_demo(services, SYSTEM)
    health = {h.reference: h for h in services.monitoring.portfolio_health()}
    pilot = next(h for h in health.values() if h.title.startswith("Fréquentation des pistes"))
    deployed = next(h for h in health.values() if h.title.startswith("Routage automatique"))
    assert pilot.stage is Stage.PILOT and pilot.status == "healthy"
    assert deployed.stage is Stage.DEPLOYED and deployed.status == "drifting" and deployed.suspension_proposed
    runs = services.monitoring.runs(deployed.use_case_id)
    assert len(runs) == 3 and all(r.n_alerts for r in runs) and all(r.has_report for r in runs)
    assert any(c.new_categories for r in runs for c in r.columns)
    kinds = {a.kind for a in services.monitoring.alerts(deployed.use_case_id)}
    assert {"dataset_drift", "new_categories", "critical_column_drift", "outcome_below"} <= kinds
    closed = [a for a in services.monitoring.alerts(pilot.use_case_id) if a.status == "closed"]
    assert closed and closed[0].note
    assert services.audit.verify().ok
