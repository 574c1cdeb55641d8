"""Paging for long lists: the page asks the service for one page of rows, never for them all."""

from __future__ import annotations

import streamlit as st

from portal.ui.formats import fmt_int

PAGE_SIZE = 50


def page_number(total: int, key: str, size: int = PAGE_SIZE) -> int:
    """The page the person chose (0-based), from a number input shown only when there is more than one;
    a page past the end (the filters narrowed the list) falls back to the last one."""
    pages = max(1, -(-total // size))
    if pages == 1:
        return 0
    wanted = st.session_state.get(key, 1)
    if not isinstance(wanted, int) or wanted > pages:
        st.session_state[key] = pages
    chosen = st.number_input(f"Page (sur {fmt_int(pages)})", min_value=1, max_value=pages, step=1, key=key)
    return int(chosen) - 1


def shown(offset: int, count: int, total: int, what: str) -> str:
    """« 50 cas d'usage sur 10 018 (51 à 100) » — what the caption says of the rows on screen."""
    if total <= count:
        return f"{fmt_int(total)} {what}"
    return f"{fmt_int(total)} {what}, {fmt_int(offset + 1)} à {fmt_int(offset + count)} affichés"
