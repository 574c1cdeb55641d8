"""The inbox in the navigation: its entry shows the signed-in person's unread count."""

from __future__ import annotations

from urllib.parse import parse_qsl

import streamlit as st

from policies.vocabulary import Principal
from portal.ui.deps import services


def title(unread: int) -> str:
    return f"Notifications ({unread})" if unread else "Notifications"


def inbox_page(principal: Principal, make_page) -> st.Page:  # type: ignore[no-untyped-def]
    """Every sign-in role has an inbox; ``make_page`` is the navigation's page factory."""
    unread = services().notifications.unread_count(principal)
    return make_page("inbox", title(unread), ":material/notifications:")


def target(link: str) -> tuple[str, dict[str, str]]:
    """A notification's link ("sheet?ref=UC-…") as the page file and query parameters to switch to."""
    page, _, query = link.partition("?")
    name = page.strip("/") or "inbox"
    return f"app_pages/{name}.py", dict(parse_qsl(query))
