"""A project lead runs the request-routing module on a file in headless Chromium and reads what goes to an agent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.demo.analysis import DEMO_BINDINGS
from portal.services import build_services
from tests.e2e.browser import settle, signed_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("VIGIE_SCREENSHOTS")
SAMPLE = Path(__file__).parents[2] / "usecases" / "request_routing" / "sample.csv"
ROUTING = next(t for t, (k, _) in DEMO_BINDINGS.items() if k == "request_routing")


def test_lead_routes_requests_from_a_file_and_reads_those_left_to_an_agent(demo_db, tmp_path):
    svc = build_services(demo_db)
    uc = next(u for u in svc.register.list() if u.title == ROUTING)
    # its demo lead (Karim Haddad) has no demo sign-in: the administrator hands the case to the demo's
    # project lead, Sophie Leroy, as a reorganisation would
    people = {p.subject: p for p in svc.people.list()}
    lead = people["sophie.leroy"]
    view = svc.register.get(uc.id)
    svc.register.update(svc.people.principal(people["lucie.garnier"].id), uc.id, view.version,
                        view.editable_fields() | {"lead_id": lead.id})
    before = len(svc.analysis.list_runs(uc.id))
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    upload = tmp_path / "demandes.csv"
    upload.write_bytes(SAMPLE.read_bytes())
    with signed_in(demo_db, lead.display_name, viewport={"width": 1400, "height": 1000}, locale="fr-FR") as page:
        page.get_by_role("link", name="Analyses").click()
        page.get_by_role("heading", name="Analyses").wait_for(timeout=30_000)
        settle(page)
        picker = page.get_by_role("combobox", name="Cas d'usage")
        picker.click()
        page.keyboard.type(uc.reference)
        page.keyboard.press("Enter")
        page.get_by_role("heading", name="Routage des demandes des habitants").wait_for(timeout=60_000)
        settle(page)
        page.get_by_text("Précision visée", exact=True).first.wait_for(timeout=30_000)
        page.get_by_text("Mes fichiers (CSV ou Excel)").click()
        page.locator("input[type=file]").first.set_input_files(str(upload))
        page.get_by_text("demandes.csv").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Lancer l'analyse").click()
        page.get_by_role("heading", name="Résultat").wait_for(timeout=60_000)
        page.get_by_text("Laissées à un agent").first.wait_for(timeout=30_000)
        page.get_by_text("Une demande sous le seuil est laissée à un agent", exact=False).first.wait_for()
        page.wait_for_timeout(1500)
        page.set_viewport_size({"width": 1400, "height": 4200})
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "routing_result.png"))
    runs = svc.analysis.list_runs(uc.id)
    svc.db.dispose()
    assert len(runs) == before + 1 and runs[0].status == "done" and runs[0].created_by_name == lead.display_name
    assert runs[0].metrics["demandes"] == 62
    assert 0 < runs[0].metrics["laissees_a_un_agent"] < 62
