"""The ranked portfolio and its views are kept until the next write, whoever writes (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import event

from policies.prioritisation import load_weights
from portal.services import build_services
from tests.conftest import use_case_data
from tests.portal.governance_fixtures import HIGH_RISK

HIGH = {"service_to_residents": 5, "efficiency_gain": 5, "strategic_alignment": 5, "reuse": 5,
        "data_readiness": 5, "technical_maturity": 5, "internal_skills": 5, "vendor_dependency": 1,
        "effort_days": 20}
LOW = dict.fromkeys(HIGH, 1) | {"vendor_dependency": 5, "effort_days": 20}


def _selects(services, read):  # type: ignore[no-untyped-def]
    queries: list[str] = []

    def record(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
        queries.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        value = read()
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)
    return value, [q for q in queries if q.lstrip().upper().startswith("SELECT")]


def test_the_ranking_is_read_once_then_follows_every_write(services, people, db_url):
    a = services.register.create(people["lead"], use_case_data(title="Cas A"))
    b = services.register.create(people["lead"], use_case_data(title="Cas B"))
    services.portfolio.set_score(people["lead"], a.id, HIGH)
    services.portfolio.set_score(people["lead"], b.id, LOW)
    assert list(services.portfolio.ranked()["reference"]) == [a.reference, b.reference]

    again, selects = _selects(services, services.portfolio.ranked)
    assert list(again["reference"]) == [a.reference, b.reference]
    assert len(selects) == 1  # the chain head only: nothing scored again
    again["priority"] = 0.0  # a copy: the caller may change it
    assert services.portfolio.ranked()["priority"].iloc[0] > 0

    # a new score turns the ranking over at once
    services.portfolio.set_score(people["director"], b.id, HIGH, expected_version=1)
    services.portfolio.set_score(people["director"], a.id, LOW, expected_version=1)
    assert list(services.portfolio.ranked()["reference"]) == [b.reference, a.reference]

    # so does a write of another service (governance classifies b as high risk: a penalty)...
    before = float(services.portfolio.ranked().set_index("reference").loc[b.reference, "priority"])
    services.governance.classify(people["compliance"], b.id, **HIGH_RISK)
    after = services.portfolio.ranked().set_index("reference")
    assert after.loc[b.reference, "priority"] < before and after.loc[b.reference, "risk_class"] != "non classé"

    # ... and one from another process (its own services on the same database)
    other = build_services(db_url)
    try:
        other.portfolio.set_weights(people["admin"], load_weights().model_dump(mode="json") | {"version": "2026.9"},
                                    note="Essai")
    finally:
        other.db.dispose()
    assert set(services.portfolio.ranked()["weights_version"]) == {"2026.9"}
    assert services.portfolio.weights().version == "2026.9"


def test_the_budget_by_year_follows_a_write(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    assert services.portfolio.budget_by_year().empty
    services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": 1000.0,
                                                                    "committed": 500.0, "spent": 100.0})
    by_year = services.portfolio.budget_by_year()
    assert by_year.to_dict("records") == [{"year": 2026, "voted": 1000.0, "committed": 500.0, "spent": 100.0}]
    services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": 3000.0,
                                                                    "committed": 500.0, "spent": 100.0})
    assert services.portfolio.budget_by_year()["voted"].tolist() == [3000.0]


def test_the_ranking_of_some_stages_is_cut_from_the_whole_with_its_ranks_counted_again(services, people):
    from portal.db.models import UseCase

    a, b, c = (services.register.create(people["lead"], use_case_data(title=t)) for t in ("Cas A", "Cas B", "Cas C"))
    services.portfolio.set_score(people["lead"], a.id, HIGH)
    services.portfolio.set_score(people["lead"], b.id, LOW)
    services.portfolio.set_score(people["lead"], c.id, HIGH | {"reuse": 4})
    with services.db.writer.begin() as s:  # retired: out of the active portfolio
        s.get(UseCase, c.id).stage = "retired"
    whole = services.portfolio.ranked(("idea", "framing", "pilot", "evaluation", "deployed", "suspended", "retired"))
    assert list(whole["reference"]) == [a.reference, c.reference, b.reference]
    assert list(whole["rank"]) == [1, 2, 3]
    active = services.portfolio.ranked()
    assert list(active["reference"]) == [a.reference, b.reference]
    assert list(active["rank"]) == [1, 2] and str(active["rank"].dtype) == "Int64"
    assert services.portfolio.candidates(("idea",))["reference"].tolist() == [a.reference, b.reference]


def test_a_write_lets_go_of_every_value_cached_before_it(services, people):
    """Values of an older stamp can never be read again: the next value stored drops them all."""
    from portal.services.cache import StampedCache

    cache: StampedCache[list[int]] = StampedCache(services.db.reader)
    cache.get("ranking", lambda: [1])
    cache.get("matrix", lambda: [2])
    assert set(cache._values) == {"ranking", "matrix"}
    services.register.create(people["lead"], use_case_data(title="Cas écrit"))  # a write moves the stamp
    assert cache.get("ranking", lambda: [3]) == [3]
    assert set(cache._values) == {"ranking"}
