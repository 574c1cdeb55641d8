"""The collectivité's logo and accessibility contact, from the environment (its name is set on the
Administration page)."""

from __future__ import annotations

import pytest

from portal.settings import SettingsError, load_settings


def test_unset_they_are_empty():
    s = load_settings({})
    assert (s.organization_logo, s.accessibility_contact) == (None, "")


def test_the_logo_must_be_an_existing_image(tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    assert load_settings({"VIGIE_ORGANIZATION_LOGO": str(logo)}).organization_logo == logo.resolve()
    with pytest.raises(SettingsError, match="introuvable"):
        load_settings({"VIGIE_ORGANIZATION_LOGO": str(tmp_path / "absent.png")})
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    with pytest.raises(SettingsError, match="PNG, JPEG ou SVG"):
        load_settings({"VIGIE_ORGANIZATION_LOGO": str(tmp_path / "logo.gif")})
