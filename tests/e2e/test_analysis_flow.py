"""A project lead runs the bound module on its sample from the « Analyses » page, in headless Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from portal.demo.analysis import DEMO_BINDINGS
from portal.services import build_services
from tests.e2e.browser import signed_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("VIGIE_SCREENSHOTS")  # a folder to keep the screenshots in, for a look


def _shot(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    """Streamlit scrolls inside its own container: grow the viewport to catch the whole page."""
    page.set_viewport_size({"width": 1400, "height": 4200})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 1400, "height": 1000})


def test_lead_runs_a_module_on_its_sample_from_the_page(demo_db, tmp_path):
    svc = build_services(demo_db)
    bound = svc.analysis.bindings()
    # the page opens on the first bound use case (by reference): the demography one, led by Sophie Leroy
    uc = min((u for u in svc.register.list() if u.id in bound), key=lambda u: u.reference)
    assert bound[uc.id].module_key == "demography" and uc.title in DEMO_BINDINGS
    before = len(svc.analysis.list_runs(uc.id))
    shots = Path(SHOTS) if SHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with signed_in(demo_db, "Sophie Leroy", viewport={"width": 1400, "height": 1000}, locale="fr-FR") as page:
        # a reload would start a new, signed-out session: navigate inside the app
        page.get_by_role("link", name="Analyses").click()
        page.get_by_role("heading", name="Analyses").wait_for(timeout=30_000)
        page.get_by_text("Horizon (années)").wait_for(timeout=30_000)
        _shot(page, shots / "analysis_form.png")
        # an uploaded file with the wrong separator is refused in French and stores nothing
        bad = tmp_path / "populations.csv"
        bad.write_text("code|year|population\n23001|2011|100\n", encoding="utf-8")
        page.get_by_text("Mes fichiers (CSV ou Excel)").click()
        page.locator("input[type=file]").first.set_input_files(str(bad))
        page.get_by_text("populations.csv").first.wait_for(timeout=30_000)
        page.get_by_role("button", name="Lancer l'analyse").click()
        page.get_by_text("Rien n'a été enregistré").wait_for(timeout=30_000)
        page.get_by_text("Le séparateur semble incorrect").wait_for()
        _shot(page, shots / "analysis_bad_file.png")
        assert len(svc.analysis.list_runs(uc.id)) == before
        # then the module's sample
        page.get_by_text("Échantillon fourni avec le module").click()
        page.wait_for_timeout(500)
        page.get_by_role("button", name="Lancer l'analyse").click()
        page.get_by_role("heading", name="Résultat").wait_for(timeout=60_000)
        page.get_by_text("Télécharger les résultats").wait_for(timeout=30_000)
        page.wait_for_timeout(1500)  # let the charts draw
        _shot(page, shots / "analysis_result.png")
        page.get_by_role("link", name="Historique, comparaison et référence de suivi sur la fiche").click()
        page.get_by_role("heading", name=uc.title, exact=False).wait_for(timeout=30_000)
        page.get_by_role("tab", name="Analyses").click()
        page.get_by_text("Comparer deux exécutions").wait_for(timeout=30_000)
        page.wait_for_timeout(1000)
        _shot(page, shots / "sheet_analyses.png")
    runs = svc.analysis.list_runs(uc.id)
    svc.db.dispose()
    assert len(runs) == before + 1 and runs[0].status == "done" and runs[0].created_by_name == "Sophie Leroy"
    assert (shots / "analysis_result.png").stat().st_size > 20_000
