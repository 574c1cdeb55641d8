"""Suivi in a real browser: a compliance officer sees the drifting deployment and its suspension proposal,
opens its sheet's Suivi tab and downloads the Evidently report of the latest check; a project lead
records outcomes from the sheet. (The lead's monthly batch check is task 4 of test_tasks.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from portal.services import build_services
from tests.e2e.browser import open_sheet, settle, signed_in

pytestmark = pytest.mark.browser


def test_compliance_follows_a_drifting_deployment_to_its_evidently_report(tmp_path: Path, demo_db: str):
    with signed_in(demo_db, "Conformité", viewport={"width": 1400, "height": 3000}, accept_downloads=True) as page:
        page.get_by_role("link", name="Suivi").click()
        page.get_by_role("heading", name="Suivi").wait_for(timeout=60_000)
        page.get_by_text("Suspension proposée après des alertes répétées").wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "suivi.png"))
        open_sheet(page, "UC-2026-005")
        page.get_by_role("tab", name="Suivi").click()
        settle(page)  # only the open tab is drawn: the Suivi tab's content comes with this rerun
        page.get_by_text("Dérive des données", exact=True).wait_for(timeout=60_000)
        # the tab's rerun gives the download button a new file id: click it only once the run is over
        settle(page)
        button = page.get_by_role("button", name="Télécharger le rapport Evidently (HTML)")
        button.wait_for(timeout=60_000)
        # the report (over 1 MB) is produced on click. A click that lands while a rerun is replacing
        # the button is lost (its file id is revoked), as it would be for a person, who clicks again
        for attempt in range(3):
            try:
                with page.expect_download(timeout=60_000) as info:
                    button.click()
                break
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
                settle(page)
        target = tmp_path / "rapport.html"
        info.value.save_as(target)
        page.screenshot(path=str(tmp_path / "sheet.png"))
    html = target.read_text(encoding="utf-8")
    assert target.stat().st_size > 1_000_000 and "<html" in html[:2000].lower()


def test_the_project_lead_records_outcomes_from_the_sheet(tmp_path: Path, demo_db: str):
    """The lead of UC-2026-002 uploads a file of forecasts against actuals in the Suivi tab; the
    page confirms, and the periods are stored with their error."""
    results = tmp_path / "resultats.csv"
    results.write_text("period;actual;prediction\n2026-09;12;10\n2026-09;8;8\n2026-10;20;17\n", encoding="utf-8")
    with signed_in(demo_db, "Chef de projet", viewport={"width": 1400, "height": 3000}, timeout=60_000) as page:
        open_sheet(page, "UC-2026-002")
        page.get_by_role("tab", name="Suivi").click()
        settle(page)
        form = page.get_by_test_id("stExpander").filter(has_text="Enregistrer des résultats constatés")
        form.get_by_text("Enregistrer des résultats constatés").click()
        form.locator("input[type=file]").set_input_files(str(results))
        form.get_by_text("Valeurs numériques (prévision, estimation)").click()
        save = form.get_by_role("button", name="Enregistrer les résultats")
        page.wait_for_function("b => !b.disabled", arg=save.element_handle())
        save.click()
        page.get_by_text("Résultats enregistrés").wait_for()
        # the save's rerun keeps the lead on the Suivi tab, where the new periods show
        assert page.get_by_role("tab", name="Suivi").get_attribute("aria-selected") == "true"
        page.screenshot(path=str(tmp_path / "outcomes.png"))
    services = build_services(demo_db)
    uc = next(u for u in services.register.list() if u.reference == "UC-2026-002")
    stored = {o.period: o for o in services.monitoring.outcomes(uc.id)}
    services.db.dispose()
    assert stored["2026-09"].metrics["mae"] == pytest.approx(1.0)
    assert stored["2026-10"].metrics["mae"] == pytest.approx(3.0)

