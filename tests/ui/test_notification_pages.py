"""AppTest of the inbox on the demo portfolio: every sign-in role has one, the navigation shows the
unread count, the items are the person's own, and marking one as done lowers the count."""

from __future__ import annotations

import pytest

from portal.services import build_services

ROLES = ["director", "project_lead", "compliance", "admin", "reader"]


def _nav_titles(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(info.get("page_name", "")) for info in at._registered_pages.values()]


def _expected(demo_url, person_id):  # type: ignore[no-untyped-def]
    """The person's open items, after deriving what the demo's audit trail and due dates call for."""
    svc = build_services(demo_url)
    try:
        svc.notifications.sync()
        principal = svc.people.principal(person_id)
        return svc.notifications.inbox(principal), svc.notifications.unread_count(principal)
    finally:
        svc.db.dispose()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_has_an_inbox_with_its_own_items_and_count(app_as, demo_url, person_id, role):
    items, unread = _expected(demo_url, person_id(role))
    at = app_as(role)
    assert not at.exception, at.exception
    nav = _nav_titles(at)
    assert (f"Notifications ({unread})" if unread else "Notifications") in nav, nav
    at.switch_page("app_pages/inbox.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Non lues"] == str(unread)
    shown = "\n".join(str(m.value) for m in at.markdown)
    for item in items:
        assert item.title.split(" — ")[0] in shown
    done_buttons = [b for b in at.button if b.key and b.key.startswith("inbox_done_")]
    assert len(done_buttons) == len(items)
    assert ("Envois (administration)" in [e.label for e in at.expander]) == (role == "admin")


def test_demo_inboxes_are_not_empty_and_differ_by_role(demo_url, person_id):
    counts = {role: _expected(demo_url, person_id(role))[1] for role in ROLES}
    assert counts["compliance"] > 0 and counts["director"] > 0
    kinds = {role: {i.kind for i in _expected(demo_url, person_id(role))[0]} for role in ROLES}
    assert "gate_requested" in kinds["compliance"] and "gate_requested" not in kinds["reader"]


def test_marking_an_item_done_lowers_the_count_in_the_navigation(app_as, demo_url, person_id):
    items, unread = _expected(demo_url, person_id("compliance"))
    assert unread > 0
    at = app_as("compliance").switch_page("app_pages/inbox.py").run()
    at.button(key=f"inbox_done_{items[0].id}").click().run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Non lues"] == str(unread - 1)
    assert f"Notifications ({unread - 1})" in _nav_titles(at) or unread - 1 == 0
    at.button(key="inbox_read_all").click().run()
    assert {m.label: m.value for m in at.metric}["Non lues"] == "0"
    assert "Notifications" in _nav_titles(at)


def test_opening_an_item_goes_to_the_sheet_of_its_use_case(app_as, demo_url, person_id):
    items, _ = _expected(demo_url, person_id("compliance"))
    item = next(i for i in items if i.link.startswith("sheet?ref="))
    at = app_as("compliance").switch_page("app_pages/inbox.py").run()
    at.button(key=f"inbox_open_{item.id}").click().run()
    assert not at.exception, at.exception
    assert at.query_params.get("ref") == [item.link.split("=", 1)[1]] or \
        at.query_params.get("ref") == item.link.split("=", 1)[1]
    assert any(item.link.split("=", 1)[1] in str(t.value) for t in at.title)
