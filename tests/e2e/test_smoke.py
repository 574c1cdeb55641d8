"""The portal started as ``make run`` starts it, driven by headless Chromium to the portfolio page."""

from __future__ import annotations

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, demo_sign_in, launch, running_portal

pytestmark = pytest.mark.browser


def test_demo_sign_in_reaches_the_portfolio(demo_db, tmp_path):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        demo_sign_in(page, url, "Direction générale")
        page.get_by_text("Ce qui demande votre attention").wait_for(timeout=30_000)
        page.get_by_text("Répartition par étape").wait_for()
        page.screenshot(path=str(tmp_path / "portfolio.png"), full_page=True)
        browser.close()
    assert (tmp_path / "portfolio.png").stat().st_size > 10_000
