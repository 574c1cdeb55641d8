"""The director, in headless Chromium, opens the routing's « Déploiement et achat » tab, decides the go/no-go of
the wave still planned, and sees the decision shown on the sheet with the wave's monitoring results."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import settle, signed_in

pytestmark = pytest.mark.browser

REASONS = "Attendre le réapprentissage de la grille sur les demandes de 2024."


def test_a_wave_go_no_go_is_decided_and_shown_on_the_sheet(tmp_path: Path, demo_db: str):
    with signed_in(demo_db, "Direction générale", at="/sheet?ref=UC-2026-005&tab=deploiement",
                   viewport={"width": 1400, "height": 1800}) as page:
        page.get_by_role("tab", name="Déploiement et achat", selected=True).wait_for(timeout=30_000)
        page.get_by_role("heading", name="Déploiement par vagues").wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "1-waves.png"), full_page=True)

        wave = page.get_by_text("Vague n° 4 — Toutes les demandes en ligne : prévue")
        wave.click()
        form = page.locator('[data-testid="stForm"]').filter(has_text="Ne pas lancer la vague")
        form.get_by_text("Ne pas lancer la vague").click()
        form.get_by_label("Motifs").fill(REASONS)
        form.get_by_role("button", name="Enregistrer la décision").click()
        settle(page)
        page.get_by_text("Décision enregistrée.").first.wait_for(timeout=30_000)
        page.get_by_text("Vague n° 4 — Toutes les demandes en ligne : non lancée").wait_for(timeout=30_000)
        page.get_by_text("Vague n° 4 — Toutes les demandes en ligne : non lancée").click()
        page.get_by_text(REASONS).first.wait_for(timeout=30_000)
        page.screenshot(path=str(tmp_path / "2-decided.png"), full_page=True)
