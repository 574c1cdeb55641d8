"""AppTest: « Besoins des services », « Vue des élus », the sheet's « Agents et usagers » tab and the
portfolio's people tab, on the demo portfolio."""

from __future__ import annotations

import pytest

from policies.vocabulary import NeedStatus, Stage
from portal.db.models import AgentFeedback, ServiceNeed
from portal.services import build_services
from tests.rows import count_rows

ROLES = ["director", "project_lead", "compliance", "admin", "reader"]
NEEDS = "app_pages/needs.py"
ELECTED = "app_pages/elected.py"
SHEET = "app_pages/sheet.py"
ROUTING = "Routage automatique des demandes des usagers vers le bon service"


def _errors(at) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.value for e in at.error]


def _button(at, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _ref(url: str, title: str) -> str:
    svc = build_services(url)
    try:
        return next(u.reference for u in svc.register.list() if u.title == title)
    finally:
        svc.db.dispose()


@pytest.mark.parametrize("role", ROLES)
def test_the_needs_and_elected_pages_run_for_every_role(app_as, role):
    at = app_as(role)
    for page in (NEEDS, ELECTED):
        at = at.switch_page(page).run()
        assert not at.exception, at.exception
        assert _errors(at) == []
    assert at.title[0].value == "Vue des élus"
    assert any("déployés" in h.value for h in at.header)


def test_a_reader_submits_a_need_and_cannot_triage(app_as, demo_url):
    before = count_rows(demo_url, ServiceNeed)
    at = app_as("reader").switch_page(NEEDS).run()
    assert not [h for h in at.header if h.value == "Traiter un besoin"]
    _button(at, "Envoyer le besoin").click().run()
    assert "Champ « Intitulé du besoin » : obligatoire" in " ".join(_errors(at))
    assert count_rows(demo_url, ServiceNeed) == before
    at.text_input(key="need_title").set_value("Planifier les salles de réunion")
    at.text_area(key="need_difficulty").set_value("Les réservations se font par courriel et se chevauchent.")
    at.text_input(key="need_beneficiaries").set_value("Les agents")
    at.text_input(key="need_service").set_value("Moyens généraux")
    _button(at, "Envoyer le besoin").click().run()
    assert not at.exception and _errors(at) == []
    assert count_rows(demo_url, ServiceNeed) == before + 1
    assert "Planifier les salles de réunion" in list(at.dataframe[0].value["Besoin"])


def test_a_project_lead_turns_an_open_need_into_an_idea(app_as, demo_url):
    at = app_as("project_lead").switch_page(NEEDS).run()
    need_id = at.selectbox(key="triage_need").value
    at.selectbox(key=f"idea_family_{need_id}").set_value(at.selectbox(key=f"idea_family_{need_id}").options[1])
    _button(at, "Créer l'idée").click().run()
    assert "Champ « Direction » : obligatoire" in " ".join(_errors(at))
    at.text_input(key=f"idea_direction_{need_id}").set_value("Direction de l'éducation")
    _button(at, "Créer l'idée").click().run()
    assert not at.exception
    svc = build_services(demo_url)
    try:
        need = svc.needs.get(need_id)
        assert need.status is NeedStatus.ANSWERED and need.use_case_reference
        assert svc.register.get(need.use_case_id).stage is Stage.IDEA
    finally:
        svc.db.dispose()


def test_the_usages_tab_shows_agents_training_feedback_and_residents(app_as, demo_url):
    at = app_as("reader")
    at.query_params["ref"] = _ref(demo_url, ROUTING)
    at.query_params["tab"] = "usages"
    at = at.switch_page(SHEET).run()
    assert not at.exception and _errors(at) == []
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Agents utilisateurs"] == "20" and metrics["Agents formés"] == "10"
    assert any(h.value == "Ce que constatent les usagers" for h in at.header)
    assert not [e for e in at.expander if e.label.startswith("Enregistrer")]  # a reader records nothing


def test_the_lead_records_feedback_and_bad_reasons_are_refused_in_french(app_as, demo_url):
    ref = _ref(demo_url, ROUTING)
    before = count_rows(demo_url, AgentFeedback)
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference(ref)
    lead_role = "project_lead" if svc.people.get(uc.lead_id).subject == "sophie.leroy" else None
    svc.db.dispose()
    at = app_as(lead_role or "director")
    at.query_params["ref"] = ref
    at.query_params["tab"] = "usages"
    at = at.switch_page(SHEET).run()
    at.text_input(key=f"fb_service_{uc.id}").set_value("Accueil")
    at.number_input(key=f"fb_n_suggestions_{uc.id}").set_value(100)
    at.number_input(key=f"fb_n_overridden_{uc.id}").set_value(10)
    _button(at, "Enregistrer les retours").click().run()
    assert "raisons des écarts totalisent 0 pour 10" in " ".join(_errors(at))
    assert count_rows(demo_url, AgentFeedback) == before
    at.number_input(key=f"fb_r_suggestion_wrong_{uc.id}").set_value(10)
    _button(at, "Enregistrer les retours").click().run()
    assert not at.exception and _errors(at) == []
    assert count_rows(demo_url, AgentFeedback) == before + 1


def test_the_portfolio_shows_needs_served_and_residents(app_as):
    at = app_as("director")
    at.session_state["prioritisation_tabs"] = "Besoins, agents et usagers"  # only the open tab is drawn
    at = at.switch_page("app_pages/prioritisation.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Besoins des services en attente de réponse"]) >= 2
    table = next(d.value for d in at.dataframe if "Besoins servis" in d.value.columns)
    assert table["Besoins servis"].sum() >= 3
