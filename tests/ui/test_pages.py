"""Every page runs without exception for every role, and the register flows work through the UI."""

from __future__ import annotations

import pytest

from portal.db.models import Risk, UseCase
from portal.services import build_services
from tests.rows import count_rows

ROLES = ["director", "project_lead", "compliance", "admin", "reader"]
PAGES = {
    "home": "app_pages/home.py",
    "register": "app_pages/register.py",
    "sheet": "app_pages/sheet.py",
    "new_use_case": "app_pages/new_use_case.py",
    "audit": "app_pages/audit.py",
    "admin": "app_pages/admin.py",
    "public_register": "app_pages/public_register.py",
    # portfolio
    "prioritisation": "app_pages/prioritisation.py",
    "scenarios": "app_pages/scenarios.py",
    "weights": "app_pages/weights.py",
    "monitoring": "app_pages/monitoring.py",
    "analysis": "app_pages/analysis.py",
}
ALLOWED = {
    "new_use_case": {"director", "project_lead", "admin"},
    "audit": {"director", "compliance", "admin"},
    "admin": {"admin"},
    "scenarios": {"director", "admin"},
    "weights": {"admin"},
}


def _errors(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.value for e in at.error]


def test_signed_out_visitor_sees_the_demo_sign_in(app_as):
    at = app_as(None)
    assert not at.exception
    assert any("Mode démonstration" in w.value for w in at.warning)
    assert at.radio[0].label == "Se connecter en tant que"


def test_demo_sign_in_opens_the_portfolio(app_as):
    at = app_as(None)
    at.radio[0].set_value("nadia.benali")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[0].value == "Portefeuille"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_for_every_role(app_as, role, page):
    at = app_as(role)
    assert not at.exception
    if role not in ALLOWED.get(page, set(ROLES)):
        with pytest.raises(Exception):  # noqa: B017 - the page is not in this role's navigation
            at.switch_page(PAGES[page]).run()
        return
    at.switch_page(PAGES[page]).run()
    assert not at.exception, at.exception
    assert _errors(at) == []


def test_portfolio_counts_the_demo(app_as):
    at = app_as("director")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cas d'usage"] == "18"


def test_creating_a_use_case_through_the_form_shows_it_in_the_register(app_as, demo_url):
    at = app_as("project_lead").switch_page(PAGES["new_use_case"]).run()
    at.text_input(key="new_title").set_value("Tri des courriers entrants")
    at.selectbox(key="new_family").set_value(at.selectbox(key="new_family").options[2])
    at.text_input(key="new_direction").set_value("Direction de la relation usagers")
    at.button[0].click().run()
    assert not at.exception
    assert _errors(at) == []
    at = at.switch_page(PAGES["register"]).run()
    titles = list(at.dataframe[0].value["Titre"])
    assert "Tri des courriers entrants" in titles


def test_empty_title_shows_a_french_message_and_writes_nothing(app_as, demo_url):
    before = count_rows(demo_url, UseCase)
    at = app_as("project_lead").switch_page(PAGES["new_use_case"]).run()
    at.text_input(key="new_direction").set_value("Direction des sports")
    at.button[0].click().run()
    assert not at.exception
    message = " ".join(_errors(at))
    assert "Rien n'a été enregistré" in message
    assert "Champ « Titre » : obligatoire" in message
    assert "Champ « Famille » : obligatoire" in message
    assert count_rows(demo_url, UseCase) == before


def test_likelihood_nine_shows_a_french_message_and_writes_nothing(app_as, demo_url):
    before = count_rows(demo_url, Risk)
    at = app_as("project_lead")
    at.query_params["ref"] = "UC-2026-002"
    at.query_params["tab"] = "risques"  # only the open tab of the sheet is drawn
    at = at.switch_page(PAGES["sheet"]).run()
    uc_id = _id_of(demo_url, "UC-2026-002")
    at.text_input(key=f"new_risk_{uc_id}_description").set_value("Compteur arraché")
    at.selectbox(key=f"new_risk_{uc_id}_category").set_value(at.selectbox(key=f"new_risk_{uc_id}_category").options[4])
    at.number_input(key=f"new_risk_{uc_id}_likelihood").set_value(9)
    at.number_input(key=f"new_risk_{uc_id}_severity").set_value(2)
    at.button(key=f"new_risk_{uc_id}_submit").click().run()
    assert not at.exception
    assert "Champ « Vraisemblance (1–5) » : doit être inférieur ou égal à 5 (reçu : « 9 »)." in " ".join(_errors(at))
    assert count_rows(demo_url, Risk) == before


def test_reader_sees_no_edit_form_on_a_sheet(app_as):
    at = app_as("reader").switch_page(PAGES["sheet"]).run()
    assert not at.exception
    assert [e.label for e in at.expander if "Modifier" in e.label or "Ajouter" in e.label] == []


def _id_of(url: str, reference: str) -> int:
    svc = build_services(url)
    uc_id = svc.register.get_by_reference(reference).id
    svc.db.dispose()
    return uc_id
