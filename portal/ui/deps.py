"""Services for the pages: one set per database URL and process, shared by every session."""

from __future__ import annotations

import streamlit as st

from portal.services import Services, build_services
from portal.settings import get_settings, load_settings


@st.cache_resource(show_spinner=False)
def _services(url: str) -> Services:
    return build_services(url)


def services() -> Services:
    # Read the environment at each run rather than the process cache, so tests can point AppTest
    # runs at their own databases.
    return _services(load_settings().database_url)


def settings():  # type: ignore[no-untyped-def]
    return get_settings()
