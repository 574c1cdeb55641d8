"""The portal started as ``make run`` starts it, driven by headless Chromium to the portfolio page."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from portal.db.models import IdentitySession
from portal.services import build_services
from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, demo_sign_in, launch, running_portal, signed_in

pytestmark = pytest.mark.browser


def test_demo_sign_in_reaches_the_portfolio(demo_db, tmp_path):
    with signed_in(demo_db, "Direction générale", viewport={"width": 1400, "height": 1000}) as page:
        page.get_by_text("Ce qui demande votre attention").wait_for(timeout=30_000)
        page.get_by_text("Répartition par étape").wait_for()
        page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)
    assert (tmp_path / "portfolio.png").stat().st_size > 10_000


def test_an_idle_session_signs_the_browser_out(demo_db):
    """With a 3-second idle limit, a click after 5 seconds of nothing lands on the sign-in page,
    which says why; the session row is closed with reason « idle »."""
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    env = {"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo", "VIGIE_SESSION_IDLE_MINUTES": "0.05"}
    with running_portal(env) as url, sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        demo_sign_in(page, url, "Direction générale")
        time.sleep(5)
        page.get_by_role("link", name="Registre").first.click()
        page.get_by_text("sans activité : reconnectez-vous").wait_for()
        page.get_by_role("button", name="Se connecter").wait_for()
        browser.close()
    services = build_services(demo_db)
    with services.db.reader() as s:
        reasons = list(s.scalars(select(IdentitySession.revoked_reason)))
    services.db.dispose()
    assert "idle" in reasons


def test_the_public_reads_the_register_without_signing_in_unless_it_is_closed(demo_db):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = launch(p)
        with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.set_default_timeout(60_000)
            page.goto(url, wait_until="networkidle")
            page.get_by_text("Consulter le registre public des algorithmes").click()
            page.get_by_role("heading", name="Registre public des algorithmes").wait_for()
            page.get_by_text("fiche(s) publiée(s)").wait_for()
            page.get_by_role("button", name="Eurocities (JSON)").wait_for()
            assert page.get_by_role("button", name="Se connecter").count() == 0  # nobody signed in, nothing else
        with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo",
                             "VIGIE_PUBLIC_REGISTER": "off"}) as url:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.set_default_timeout(60_000)
            page.goto(f"{url}/registre-public", wait_until="networkidle")
            page.get_by_text("Se connecter en démonstration").wait_for()
            assert page.get_by_text("fiche(s) publiée(s)").count() == 0
            assert page.get_by_text("Consulter le registre public").count() == 0
        browser.close()
