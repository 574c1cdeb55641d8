"""The demo portfolio covers what a collectivité would recognise."""

from __future__ import annotations

import pytest

from policies.vocabulary import Family, Stage
from portal.services.demo import AlreadySeeded, seed_demo
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
