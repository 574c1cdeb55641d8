"""A director, in headless Chromium: sees the matrix, opens a sheet from a bubble, runs a scenario under a
budget and downloads the workbook and the PDF report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from portal.services import build_services
from tests.e2e.browser import signed_in

pytestmark = pytest.mark.browser


def test_director_matrix_scenario_and_downloads(demo_db, tmp_path):
    url_db = demo_db
    svc = build_services(url_db)
    top = {"reference": svc.portfolio.ranked().iloc[0].reference}
    svc.db.dispose()
    with signed_in(url_db, "Direction générale", viewport={"width": 1440, "height": 1000}, accept_downloads=True) as page:

        page.get_by_role("link", name="Priorisation").click()
        page.get_by_role("heading", name="Priorisation du portefeuille").wait_for(timeout=30_000)
        page.get_by_role("tab", name="Matrice valeur × faisabilité").click()
        # Vega's SVG marks carry an accessible label naming the fields, the reference included
        bubble = page.locator(f'.vega-embed svg path[aria-label*="Référence: {top["reference"]};"]').first
        bubble.wait_for(timeout=30_000)
        bubble.hover()
        page.get_by_text("Niveau d'impact").first.wait_for(timeout=5_000)
        bubble.click()
        page.get_by_role("heading", name=f"{top['reference']} —").wait_for(timeout=30_000)

        page.get_by_role("link", name="Scénarios").click()
        page.get_by_role("heading", name="Scénarios").first.wait_for(timeout=30_000)
        page.get_by_label("Budget annuel (€)").fill("100000")
        page.get_by_role("button", name="Calculer le scénario").click()
        page.get_by_text("Cas retenus").first.wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "scenario.png"), full_page=True)

        page.get_by_role("button", name="Préparer le classeur Excel").click()
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name="Télécharger portefeuille-ia").click()
        wb = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        assert "Scénario 1 - cas retenus" in wb.sheetnames

        page.get_by_role("button", name="Préparer le rapport PDF").click()
        with page.expect_download(timeout=90_000) as dl:
            page.get_by_role("button", name="Télécharger rapport-portefeuille-ia").click()
        assert Path(dl.value.path()).read_bytes().startswith(b"%PDF")
