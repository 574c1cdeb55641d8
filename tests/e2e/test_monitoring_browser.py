"""Suivi in a real browser: a compliance officer sees the drifting deployment and its suspension proposal,
opens its sheet's Suivi tab and downloads the Evidently report of the latest check."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, demo_sign_in, launch, running_portal

pytestmark = pytest.mark.browser


def test_compliance_follows_a_drifting_deployment_to_its_evidently_report(tmp_path: Path, demo_db: str):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 3000}, accept_downloads=True)
        demo_sign_in(page, url, "Conformité")
        page.get_by_role("link", name="Suivi").click()
        page.get_by_role("heading", name="Suivi").wait_for(timeout=30_000)
        page.get_by_text("Suspension proposée après des alertes répétées").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "suivi.png"))
        page.get_by_role("link", name="Fiche cas d'usage").click()
        page.get_by_label("Cas d'usage").first.click()
        page.keyboard.type("UC-2026-005")
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="UC-2026-005", exact=False).wait_for(timeout=30_000)
        page.get_by_role("tab", name="Suivi").click()
        page.get_by_text("Dérive des données", exact=True).wait_for(timeout=30_000)
        button = page.get_by_role("button", name="Télécharger le rapport Evidently (HTML)")
        button.wait_for(timeout=60_000)
        # the report (over 1 MB) is produced on click: give a loaded machine time to send it
        with page.expect_download(timeout=120_000) as info:
            button.click()
        target = tmp_path / "rapport.html"
        info.value.save_as(target)
        page.screenshot(path=str(tmp_path / "sheet.png"))
        browser.close()
    html = target.read_text(encoding="utf-8")
    assert target.stat().st_size > 1_000_000 and "<html" in html[:2000].lower()
