"""Where the person is, in a real browser: a bookmarked sheet address (``?ref=…&tab=…``) opens that
sheet at that tab once signed in, a reload that loses the demo sign-in comes back to the same place, a
row of the Suivi list opens its sheet's Suivi tab, and an unknown address says « Page introuvable »."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, launch, running_portal, settle

pytestmark = pytest.mark.browser


def _sign_in_here(page, who: str = "Conformité") -> None:  # type: ignore[no-untyped-def]
    """The demo sign-in on the page the address opened (not the portal's root)."""
    page.get_by_text("Mode démonstration").first.wait_for(timeout=30_000)
    page.get_by_text(who).first.click()
    page.get_by_role("button", name="Se connecter").click()
    settle(page)


def _no_english_dialog(page) -> None:  # type: ignore[no-untyped-def]
    assert page.get_by_text("Page not found").count() == 0


def test_a_bookmark_and_a_reload_come_back_to_the_same_sheet_and_tab(tmp_path: Path, demo_db: str):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1600})
        page.goto(f"{url}/sheet?ref=UC-2026-003&tab=risques", wait_until="networkidle")
        page.get_by_text("Se connecter en tant que").wait_for(timeout=30_000)
        _no_english_dialog(page)
        page.screenshot(path=str(tmp_path / "1-bookmark-signed-out.png"))
        _sign_in_here(page)
        page.get_by_role("heading", name="UC-2026-003", exact=False).wait_for(timeout=30_000)
        page.get_by_role("tab", name="Risques", exact=False, selected=True).wait_for(timeout=30_000)
        assert "ref=UC-2026-003" in page.url and "tab=risques" in page.url
        page.screenshot(path=str(tmp_path / "2-bookmark-signed-in.png"))

        page.get_by_role("tab", name="Sources de données", exact=False).click()
        settle(page)
        page.wait_for_url("**tab=sources**", timeout=30_000)
        page.reload(wait_until="networkidle")  # the demo sign-in lives in the Streamlit session: lost
        _sign_in_here(page)
        page.get_by_role("heading", name="UC-2026-003", exact=False).wait_for(timeout=30_000)
        page.get_by_role("tab", name="Sources de données", exact=False, selected=True).wait_for(timeout=30_000)
        _no_english_dialog(page)
        page.screenshot(path=str(tmp_path / "3-after-reload.png"))

        # a row of the Suivi list, clicked on one of its cells, opens its sheet at the Suivi tab
        page.get_by_role("link", name="Suivi").first.click()
        page.get_by_role("heading", name="Suivi").wait_for(timeout=30_000)
        settle(page)
        grid = page.locator('[data-testid="stDataFrame"]').first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 300, box["y"] + 35 + 35 // 2)  # the first row's « Référence » cell
        page.wait_for_url("**/sheet?**", timeout=30_000)
        page.get_by_role("tab", name="Suivi", exact=True, selected=True).wait_for(timeout=30_000)
        assert "tab=suivi" in page.url
        page.screenshot(path=str(tmp_path / "4-row-to-suivi.png"))
        browser.close()


def test_an_unknown_address_says_page_introuvable(tmp_path: Path, demo_db: str):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/nimporte-quoi", wait_until="networkidle")
        _sign_in_here(page)
        page.get_by_role("heading", name="Page introuvable").wait_for(timeout=30_000)
        _no_english_dialog(page)
        page.screenshot(path=str(tmp_path / "5-introuvable.png"))
        page.get_by_role("link", name="Retour au portefeuille").click()
        page.get_by_role("heading", name="Portefeuille").wait_for(timeout=30_000)
        # signed in, a mistyped address too
        page.goto(f"{url}/fiche-inexistante", wait_until="networkidle")
        _sign_in_here(page)  # a new address is a new Streamlit session: the demo sign-in again
        page.get_by_role("heading", name="Page introuvable").wait_for(timeout=30_000)
        _no_english_dialog(page)
        browser.close()
