"""Reads that stay fast on a large portfolio: paging and filters in SQL, the attention list cached
until the next write, the audit trail paged and verified batch by batch (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from portal.repositories import audit as audit_repo
from portal.services.register import RegisterFilter
from tests.conftest import use_case_data


def _make(services, people, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    refs = []
    for i in range(n):
        data = use_case_data(title=f"Cas {i:02d}", direction="Direction des sports" if i % 2 else "Direction de l'eau")
        refs.append(services.register.create(people["lead"], data).reference)
    return refs


def test_the_register_pages_in_sql_and_counts_what_the_filters_let_through(services, people):
    refs = _make(services, people, 7)
    first, total = services.register.page(RegisterFilter(), 0, 3)
    assert total == 7 and [v.reference for v in first] == sorted(refs)[:3]
    last, _ = services.register.page(RegisterFilter(), 6, 3)
    assert [v.reference for v in last] == sorted(refs)[6:]
    sports = RegisterFilter(directions=("Direction des sports",))
    assert services.register.count_matching(sports) == 3
    views, total = services.register.page(RegisterFilter(text="cas 0"), 0, 50)
    assert total == 7 and len(views) == 7
    views, total = services.register.page(RegisterFilter(text="CAS 04", stages=("idea",)), 0, 50)
    assert total == 1 and views[0].title == "Cas 04"
    assert services.register.page(RegisterFilter(stages=("deployed",)), 0, 50) == ([], 0)


def test_choices_give_every_use_case_for_a_selector_without_the_full_sheet(services, people):
    refs = _make(services, people, 3)
    choices = services.register.choices()
    assert [c.reference for c in choices] == sorted(refs)
    assert {c.lead_id for c in choices} == {people["lead"].person_id}
    assert choices[0].title == "Cas 00"


def test_the_summary_is_counted_in_the_database(services, people):
    _make(services, people, 4)
    summary = services.register.summary()
    assert summary.total == 4 and summary.by_stage == {"idea": 4}
    assert summary.build_cost == 4 * 10000 and summary.run_cost_per_year == 4 * 2000


def test_the_attention_list_is_cached_until_the_next_write_from_anyone(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    assert services.attention.for_person(people["compliance"]) == []
    queries: list[str] = []

    def record(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
        queries.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        assert services.attention.for_person(people["compliance"]) == []
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)
    assert len([q for q in queries if q.lstrip().upper().startswith("SELECT")]) == 1  # the chain head only
    # a write (by anyone, from any process) appends to the audit chain: the next read recomputes
    services.register.add_risk(people["lead"], uc.id, {"category": "bias", "description": "Biais",
                                                       "likelihood": 4, "severity": 4})
    messages = [i.message for i in services.attention.for_person(people["compliance"])]
    assert any("Risque critique sans mesure" in m for m in messages)
    assert services.attention.for_person(people["lead2"]) == []  # per person: not theirs


def test_the_audit_trail_pages_and_counts_with_its_filters(services, people):
    _make(services, people, 5)
    director = people["director"]
    total = services.audit.count(director)
    assert total >= 5
    newest = services.audit.events(director, offset=0, limit=2)
    older = services.audit.events(director, offset=2, limit=2)
    assert [e.seq for e in newest + older] == sorted((e.seq for e in newest + older), reverse=True)
    assert len({e.seq for e in newest + older}) == 4
    assert services.audit.count(director, action="create") == len(services.audit.events(director, action="create")) >= 5
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert services.audit.count(director, since=tomorrow) == 0


def test_verify_reads_the_chain_batch_by_batch_and_keeps_no_objects(services, people):
    _make(services, people, 9)
    with services.db.reader() as s:
        selects: list[str] = []

        def count(conn, cursor, statement, *_):  # type: ignore[no-untyped-def]
            selects.append(statement)

        event.listen(services.db.engine, "before_cursor_execute", count)
        try:
            rows = list(audit_repo.iter_chain(s, batch=4))
        finally:
            event.remove(services.db.engine, "before_cursor_execute", count)
        assert [r.seq for r in rows] == sorted(r.seq for r in rows) and len(rows) == 15  # people + use cases
        assert len([q for q in selects if "audit_event" in q]) == 5  # 4 + 4 + 4 + 3, then an empty batch
        assert len(s.identity_map) == 0  # plain rows: nothing accumulates in the session
    assert services.audit.verify().checked == 15
