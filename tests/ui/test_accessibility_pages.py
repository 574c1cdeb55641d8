"""What the pages say for accessibility: the statement on the public register, the collectivité's
name, a French-only interface, and each chart's values as a table."""

from __future__ import annotations

import pytest

from portal.services import build_services
from portal.services.people import SYSTEM
from portal.settings import get_settings
from portal.ui.accessibility import KNOWN_ISSUES, LEVEL


@pytest.fixture
def named(monkeypatch: pytest.MonkeyPatch, demo_url: str) -> str:
    """The demo with its collectivité renamed by the administrator, and an accessibility contact."""
    svc = build_services(demo_url)
    org = svc.organisation.get()
    assert org is not None
    svc.organisation.update(SYSTEM, org.version, org.model_dump(exclude={"version"}) | {"name": "Ville de Test"})
    svc.db.dispose()
    monkeypatch.setenv("VIGIE_ACCESSIBILITY_CONTACT", "accessibilite@ville.test")
    get_settings.cache_clear()
    return demo_url


def _text(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join([m.value for m in at.markdown] + [h.value for h in at.header] + [c.value for c in at.caption])


def test_the_public_register_carries_the_accessibility_statement(app_as, named):
    at = app_as(None).switch_page("app_pages/public_view.py").run()
    assert not at.exception and not at.error
    text = _text(at)
    assert "Ville de Test" in "\n".join(str(h.proto) for h in at.get("html"))
    assert f"**{LEVEL}**" in text and "RGAA" in text
    assert "Défenseur des droits" in text and "Libre réponse 71120" in text
    assert "accessibilite@ville.test" in text  # how to report a problem
    for issue in KNOWN_ISSUES.values():  # what is not yet compliant
        assert issue in text
    assert [e for e in at.expander if e.label == "Lire la déclaration d'accessibilité"]


def test_without_a_contact_the_statement_points_to_the_report_form(app_as, demo_url):
    at = app_as(None).switch_page("app_pages/public_view.py").run()
    assert "formulaire « Signaler une erreur »" in _text(at)


def test_the_interface_offers_no_language_choice(app_as):
    at = app_as("director")
    assert not at.exception
    assert not [s for s in at.sidebar.selectbox if s.label in ("Langue", "Language")]
    links = [link.proto.label or link.proto.page for link in at.sidebar.get("page_link")]
    assert len(links) >= 8  # the portal draws the navigation itself


def test_each_chart_of_the_portfolio_gives_its_values_in_a_table(app_as):
    at = app_as("director")
    tables = [t.value for t in at.table]
    stage = next(t for t in tables if "Étape" in t.columns)
    assert stage["Cas d'usage"].sum() == 18  # the demo's use cases, by stage
    assert any("Cas d'usage par étape :" in c.value for c in at.caption)


def test_a_chart_of_many_rows_lists_its_values_under_its_axis_titles():
    """Altair refuses to write a spec of more than 5,000 rows; the table beside the chart is named all the same."""
    import altair as alt
    import pandas as pd

    from portal.ui.charts import chart_data

    frame = pd.DataFrame({"year": range(6000), "forecast": range(6000), "prevision": range(6000)})
    chart = alt.Chart(frame).mark_point().encode(x=alt.X("year", title="Année"), y=alt.Y("forecast", title="Attendu"))
    assert list(chart_data(chart).columns) == ["Année", "Attendu", "prevision"]
