"""The Conformité and Suivi lists counted and paged by the services: on the demo portfolio, every count
equals the full computation, the pages put end to end give the whole list in its order, and the
filters keep exactly the rows they name. Caches follow the writes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from policies.vocabulary import ACTIVE_STAGES
from portal.services.governance.lists import NONE


def _pages(fetch, total: int, size: int) -> list:  # type: ignore[no-untyped-def]
    out: list = []
    for offset in range(0, total + size, size):
        out += fetch(offset, size)
    return out


# ---- Suivi --------------------------------------------------------------------------------------


def _health_by_hand(svc, today: dt.date) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Each active use case's health from its configuration, latest check and alerts, read one by one."""
    out = {}
    for uc in svc.register.list():
        if uc.stage not in ACTIVE_STAGES:
            continue
        cfg = svc.monitoring.config(uc.id)
        runs = svc.monitoring.runs(uc.id, limit=1)
        alerts = svc.monitoring.alerts(uc.id, statuses=("open",))
        if cfg is None or cfg.reference_id is None:
            status = "not_monitored"
        elif not runs:
            status = "awaiting"
        elif runs[0].dataset_drift or alerts:
            status = "drifting"
        elif runs[0].created_at.date() + dt.timedelta(days=cfg.cadence_days) <= today:
            status = "stale"
        else:
            status = "healthy"
        out[uc.reference] = status
    return out


def test_health_counts_and_pages_match_the_full_computation(demo_services):
    svc, today = demo_services, dt.date.today()
    by_hand = _health_by_hand(svc, today)
    health = svc.monitoring.portfolio_health(today)
    assert {h.reference: h.status for h in health} == by_hand
    counts = svc.monitoring.health_counts(today)
    assert {k: n for k, n in counts.items() if n} == dict(Counter(by_hand.values()))
    _, total = svc.monitoring.health_page(limit=0, today=today)
    assert total == len(health)
    paged = _pages(lambda o, n: svc.monitoring.health_page(offset=o, limit=n, today=today)[0], total, 4)
    assert paged == health  # same rows, same order, levels included
    assert any(h.level.source == "governance" for h in paged)


def test_health_filters_keep_what_they_name(demo_services):
    svc = demo_services
    health = svc.monitoring.portfolio_health()
    assert len({h.status for h in health}) >= 3
    for status in {h.status for h in health}:
        rows, total = svc.monitoring.health_page(statuses=[status])
        assert rows == [h for h in health if h.status == status] and total == len(rows) > 0
    rows, total = svc.monitoring.health_page(statuses=["drifting", "healthy"])
    assert rows == [h for h in health if h.status in ("drifting", "healthy")] and total == len(rows)
    rows, total = svc.monitoring.health_page(suspension_only=True)
    assert rows == [h for h in health if h.suspension_proposed] and total >= 1
    assert "UC-2026-005" in [r.reference for r in rows]
    word = health[0].title.split()[0].lower()
    rows, _ = svc.monitoring.health_page(text=word.upper())
    assert rows == [h for h in health if word in h.title.lower() or word in h.reference.lower()]
    rows, total = svc.monitoring.health_page(text="UC-2026-005")
    assert [r.reference for r in rows] == ["UC-2026-005"] and total == 1


def test_due_checks_page_by_page(demo_services):
    svc = demo_services
    due = svc.monitoring.due()
    by_hand = sorted(ref for ref, status in _health_by_hand(svc, dt.date.today()).items()
                     if status in ("awaiting", "stale"))
    assert [d.reference for d in due if d.reference in by_hand] == by_hand
    _, total = svc.monitoring.due_page(limit=0)
    assert total == len(due) > 0
    assert _pages(lambda o, n: svc.monitoring.due_page(offset=o, limit=n)[0], total, 2) == due


# ---- Conformité ---------------------------------------------------------------------------------


def test_gate_queue_and_history_pages_match_every_request(demo_services):
    gov = demo_services.governance
    pending = gov.pending_requests()
    assert gov.pending_count() == len(pending) > 0
    assert _pages(gov.pending_page, len(pending), 1) == pending
    decided = [r for r in gov.requests() if not r.pending]
    assert gov.decided_count() == len(decided) > 0
    assert _pages(gov.decided_page, len(decided), 7) == decided


def test_classifications_to_validate_and_class_counts_match_the_portfolio(demo_services):
    gov = demo_services.governance
    rows = gov.portfolio()
    to_validate = [r for r in rows if r.risk_class and not r.validated]
    assert gov.to_validate_count() == len(to_validate) > 0
    paged = _pages(gov.to_validate_page, len(to_validate), 1)
    assert [(ref, cl.use_case_id) for ref, _, cl in paged] == [(r.reference, r.use_case_id) for r in to_validate]
    assert all(cl == gov.classification(cl.use_case_id) for _, _, cl in paged)
    assert gov.class_level_counts() == dict(Counter((r.risk_class, r.impact_level) for r in rows))


def test_portfolio_pages_and_filters_match_the_portfolio(demo_services):
    gov = demo_services.governance
    rows = gov.portfolio()
    assert gov.portfolio_count() == len(rows)
    assert _pages(lambda o, n: gov.portfolio_page(offset=o, limit=n), len(rows), 5) == rows
    high = gov.portfolio_page(classes=["high"], limit=100)
    assert high == [r for r in rows if r.risk_class and r.risk_class.value == "high"] and high
    unclassified = gov.portfolio_page(classes=[NONE], limit=100)
    assert unclassified == [r for r in rows if r.risk_class is None]
    assert gov.portfolio_count(classes=[NONE, "high"]) == len(high) + len(unclassified)
    level = next(r.impact_level for r in rows if r.impact_level)
    assert gov.portfolio_page(levels=[level.value], limit=100) == [r for r in rows if r.impact_level is level]
    assert gov.portfolio_page(text="uc-2026-01", limit=100) == [r for r in rows if "UC-2026-01" in r.reference]
    assert any(r.review for r in rows) and any(r.pending_request for r in rows) and any(r.open_obligations for r in rows)


def test_late_items_match_the_full_computation_and_follow_writes(demo_services):
    svc = demo_services
    gov = svc.governance
    late = gov.overdue_obligations()
    assert gov.late_obligation_count() == len(late) > 0
    assert _pages(gov.late_obligation_page, len(late), 1) == late
    reviews = gov.overdue_reviews()
    assert gov.late_reviews() == reviews and reviews
    compliance = next(p for p in svc.people.list() if p.subject == "nadia.benali")
    gov.record_review(svc.people.principal(compliance.id), reviews[0].use_case_id, notes="Revue faite.")
    assert reviews[0].use_case_id not in [r.use_case_id for r in gov.late_reviews()]  # the write is seen
    assert gov.late_reviews() == gov.overdue_reviews()
