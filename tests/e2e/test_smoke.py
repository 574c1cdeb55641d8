"""The portal started as ``make run`` starts it, driven by headless Chromium to the portfolio page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from portal.services import build_services
from portal.services.demo import seed_demo
from portal.services.people import SYSTEM
from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, launch, running_portal

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_db(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "vigie.db"
    shutil.copy(sqlite_template, path)
    svc = build_services(f"sqlite:///{path}")
    seed_demo(svc, SYSTEM)
    svc.db.dispose()
    return f"sqlite:///{path}"


def test_demo_sign_in_reaches_the_portfolio(demo_db, tmp_path):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="networkidle")
        page.get_by_text("Mode démonstration").first.wait_for(timeout=30_000)
        page.get_by_text("Direction générale").first.click()
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("heading", name="Portefeuille").wait_for(timeout=30_000)
        page.get_by_text("Ce qui demande votre attention").wait_for(timeout=30_000)
        page.get_by_text("Répartition par étape").wait_for()
        page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)
        browser.close()
    assert (tmp_path / "portfolio.png").stat().st_size > 10_000
