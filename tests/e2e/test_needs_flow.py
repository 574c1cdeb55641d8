"""In headless Chromium: a reader (an elected official) submits a need of a service; a project lead, in
another browser, turns it into a use-case idea, whose sheet opens; the need now reads as answered."""

from __future__ import annotations

import pytest

from policies.vocabulary import NeedStatus, Stage
from portal.services import build_services
from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, demo_sign_in, launch, running_portal, settle

pytestmark = pytest.mark.browser

TITLE = "Prévoir l'affluence aux guichets de l'état civil"


def test_a_reader_submits_a_need_and_a_project_lead_turns_it_into_an_idea(demo_db, tmp_path):
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with running_portal({"VIGIE_DATABASE_URL": demo_db, "VIGIE_ENV": "demo"}) as url, \
            sync_api.sync_playwright() as p:
        browser = launch(p)
        reader = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        demo_sign_in(reader, url, "Lecteur")
        reader.get_by_role("link", name="Besoins des services").click()
        reader.get_by_role("heading", name="Besoins des services").wait_for(timeout=30_000)
        settle(reader)
        reader.get_by_text("Exprimer un besoin").click()
        reader.get_by_label("Intitulé du besoin *").fill(TITLE)
        reader.get_by_label("Ce qui est difficile aujourd'hui *").fill(
            "Les files d'attente du lundi matin dépassent une heure ; les agents ne peuvent pas s'organiser.")
        reader.get_by_label("Pour qui *").fill("Les habitants qui viennent au guichet")
        reader.get_by_label("Service *").fill("État civil")
        reader.get_by_role("button", name="Envoyer le besoin").click()
        settle(reader)
        reader.get_by_text("Besoin enregistré").first.wait_for(timeout=30_000)
        reader.screenshot(path=str(tmp_path / "need_submitted.png"), full_page=True)

        lead = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        demo_sign_in(lead, url, "Chef de projet")
        lead.get_by_role("link", name="Besoins des services").click()
        lead.get_by_role("heading", name="Traiter un besoin").wait_for(timeout=30_000)
        settle(lead)
        svc = build_services(demo_db)
        need = next(n for n in svc.needs.list(statuses=[NeedStatus.OPEN]) if n.title == TITLE)
        svc.db.dispose()
        _pick(lead, "Besoin", f"n° {need.id} — {TITLE}")
        settle(lead)
        _pick(lead, "Famille *", "Relation usagers")
        lead.get_by_label("Direction *").fill("Direction de la population")
        lead.get_by_role("button", name="Créer l'idée").click()
        lead.get_by_role("heading", name=TITLE, exact=False).wait_for(timeout=60_000)
        settle(lead)
        lead.screenshot(path=str(tmp_path / "idea_sheet.png"), full_page=True)
        browser.close()
    svc = build_services(demo_db)
    try:
        after = svc.needs.get(need.id)
        assert after.status is NeedStatus.ANSWERED and after.use_case_reference
        assert svc.register.get(after.use_case_id).stage is Stage.IDEA
    finally:
        svc.db.dispose()


def _pick(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Choose ``option`` in a select box as a person does with the keyboard: type, then Enter."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
