"""AppTest fixtures: a copy of a demo-seeded SQLite database per test, and a signed-in app."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from portal.demo.data import DEMO_ISSUER
from portal.services import build_services
from portal.services.sign_in_sessions import new_demo_key
from portal.settings import get_settings
from portal.ui.auth import SESSION_KEY

# identity: app_as opens a real server-side session, as the demo sign-in does.


def open_session(url: str, person: int, max_age: dt.timedelta = dt.timedelta(hours=1)) -> str:
    svc = build_services(url)
    key = new_demo_key()
    svc.sign_in_sessions.open(person, key, method="demo", max_age=max_age)
    svc.db.dispose()
    return key


ENTRYPOINT = str(Path(__file__).resolve().parents[2] / "portal" / "streamlit_app.py")

ROLE_LOGIN = {"director": "claire.martin", "project_lead": "sophie.leroy", "compliance": "nadia.benali",
              "admin": "lucie.garnier", "reader": "jean.roux"}


@pytest.fixture
def demo_url(tmp_path: Path, demo_template: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    target = tmp_path / "vigie.db"
    shutil.copy(demo_template, target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("VIGIE_DATABASE_URL", url)
    monkeypatch.setenv("VIGIE_ENV", "test")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


@pytest.fixture
def person_id(demo_url: str) -> Callable[[str], int]:
    svc = build_services(demo_url)
    ids = {p.subject: p.id for p in svc.people.list() if p.issuer == DEMO_ISSUER}
    svc.db.dispose()
    return lambda role: ids[ROLE_LOGIN[role]]


@pytest.fixture
def app_as(person_id: Callable[[str], int], demo_url: str) -> Callable[[str | None], AppTest]:
    """An AppTest of the entrypoint, signed in as the demo person of ``role`` (None: signed out)."""

    def make(role: str | None) -> AppTest:
        at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
        if role is not None:
            at.session_state[SESSION_KEY] = open_session(demo_url, person_id(role))
        return at.run()

    return make


def open_tab(at: AppTest, ref: str, slug: str) -> AppTest:
    """The sheet of ``ref`` opened on tab ``slug`` as a link ``?ref=…&tab=…`` opens it: the sheet draws only
    its open tab, so a test reads each tab in a run of its own."""
    for key in ("sheet_tab", "sheet_tab_default"):
        if key in at.session_state:
            del at.session_state[key]
    at.query_params["ref"] = ref
    at.query_params["tab"] = slug
    return at.switch_page("app_pages/sheet.py").run()
