"""Streamlit's own widget texts, which AppTest cannot see, in a real browser: the file drop zone of
« Importer un inventaire » and the register's multiselects, open, show no English or internal word
(:func:`tests.words.unwanted_words` on ``document.body.innerText``) and the drop zone speaks French."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.browser import settle, signed_in
from tests.words import unwanted_words

pytestmark = pytest.mark.browser

#: The drop zone's French words, drawn by CSS in place of Streamlit's (portal.ui.look).
GENERATED = """() => {
  const zone = document.querySelector('[data-testid="stFileUploaderDropzone"]');
  const button = zone.querySelector('[data-testid="stBaseButton-secondary"] span[data-has-shortcut]');
  const hint = zone.querySelector('[data-testid="stFileUploaderDropzoneInstructions"] > div');
  return [getComputedStyle(button, '::after').content, getComputedStyle(hint, '::after').content];
}"""

#: The page's text as read: Material icons are ligatures (« upload », « table_view ») drawn as pictures and
#: hidden from assistive technologies, so they are left out.
READ_TEXT = """() => {
  const style = document.createElement('style');
  style.textContent = '[data-testid="stIconMaterial"] { display: none !important; }';
  document.head.appendChild(style);
  const text = document.body.innerText;
  style.remove();
  return text;
}"""


def test_the_drop_zone_and_the_multiselects_speak_french(tmp_path: Path, demo_db: str):
    with signed_in(demo_db, "Sophie Leroy", viewport={"width": 1400, "height": 1200}) as page:
        page.get_by_role("link", name="Importer un inventaire").click()
        settle(page)
        page.locator('[data-testid="stFileUploaderDropzone"]').first.wait_for(timeout=60_000)
        page.screenshot(path=str(tmp_path / "1-import.png"))
        assert unwanted_words(page.evaluate(READ_TEXT)) == []
        button, hint = page.evaluate(GENERATED)
        assert button == '"Choisir un fichier"' and "Mo au plus" in hint

        page.get_by_role("link", name="Registre", exact=True).click()
        settle(page)
        for name in ("Famille", "Étape"):
            page.get_by_role("combobox", name=name).click()
            page.get_by_role("listbox").first.wait_for(timeout=30_000)
            page.screenshot(path=str(tmp_path / f"2-registre-{name}.png"))
            text = page.evaluate(READ_TEXT)
            assert "Select all" not in text
            assert unwanted_words(text) == [], name
            page.keyboard.press("Escape")
