"""The portal keeps where the person is: use case and tab in the URL, the way back, the row that opens
its sheet, a French « Page introuvable »."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from portal.db.models import DataSource
from portal.services import build_services
from portal.ui.nav import WANTED_PAGE
from tests.rows import count_rows

SHEET = "app_pages/sheet.py"


def _open_tab(at: AppTest) -> str:
    """The label of the tab the sheet's tab container shows."""

    def walk(node):  # type: ignore[no-untyped-def]
        proto = getattr(node, "proto", None)
        if proto is not None and _is_tabs(proto):
            tabs = [c for c in node.children.values() if getattr(c, "type", "") == "tab"]
            return tabs[proto.tab_container.default_tab_index].label
        for child in getattr(node, "children", {}).values():
            found = walk(child)
            if found is not None:
                return found
        return None

    found = walk(at._tree)
    assert found is not None, "no tabs on the page"
    return found


def _is_tabs(proto) -> bool:  # type: ignore[no-untyped-def]
    try:
        return proto.WhichOneof("type") == "tab_container"
    except (TypeError, ValueError):
        return False


def _id_of(url: str, reference: str) -> int:
    svc = build_services(url)
    uc_id = svc.register.get_by_reference(reference).id
    svc.db.dispose()
    return uc_id


def test_a_link_with_ref_and_tab_opens_that_case_on_that_tab(app_as):
    at = app_as("project_lead")
    at.query_params["ref"] = "UC-2026-002"
    at.query_params["tab"] = "risques"
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert at.title[0].value.startswith("UC-2026-002")
    assert _open_tab(at).startswith("Risques")


def test_the_sources_tab_stays_open_after_adding_a_source(app_as, demo_url):
    at = app_as("project_lead")
    at.query_params["ref"] = "UC-2026-002"
    at.query_params["tab"] = "sources"
    at = at.switch_page(SHEET).run()
    before = count_rows(demo_url, DataSource)
    label_before = _open_tab(at)
    uc_id = _id_of(demo_url, "UC-2026-002")
    at.text_input(key=f"new_src_{uc_id}_name").set_value("Fichier des abonnés")
    origin = at.selectbox(key=f"new_src_{uc_id}_origin")
    origin.set_value(origin.options[1])
    at.button(key=f"new_src_{uc_id}_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == []
    assert count_rows(demo_url, DataSource) == before + 1
    # the label counts the sources, so it changed: the tab open is still « Sources de données »
    assert _open_tab(at) != label_before and _open_tab(at).startswith("Sources de données")
    assert at.query_params["tab"] == "sources" and at.query_params["ref"] == "UC-2026-002"


def test_the_sheet_writes_its_case_and_tab_into_the_url(app_as):
    at = app_as("reader").switch_page(SHEET).run()
    assert at.query_params["tab"] == "apercu"
    first = at.query_params["ref"]
    at.selectbox[0].set_value(at.selectbox[0].options[2].split(" — ")[0]).run()
    assert not at.exception
    assert at.query_params["ref"] != first
    assert at.title[0].value.startswith(at.query_params["ref"])


def test_the_questionnaire_opens_the_case_of_its_link_and_leads_back_to_its_sheet(app_as):
    at = app_as("compliance")
    at.query_params["ref"] = "UC-2026-003"
    at = at.switch_page("app_pages/questionnaire.py").run()
    assert not at.exception
    assert at.selectbox(key="q_ref").value == "UC-2026-003"
    back = [link for link in at.get("page_link") if "Retour à la fiche" in link.proto.label]
    assert [b.proto.label for b in back] == ["Retour à la fiche UC-2026-003"]
    assert "ref=UC-2026-003" in back[0].proto.query_string and "tab=gouvernance" in back[0].proto.query_string
    # opened again with another case, an earlier choice does not win over the link
    at.query_params["ref"] = "UC-2026-001"
    at = at.run()
    assert at.selectbox(key="q_ref").value == "UC-2026-001"


def test_the_sidebar_sheet_opens_the_case_last_opened(app_as):
    at = app_as("compliance")
    at.query_params["ref"] = "UC-2026-003"
    at = at.switch_page("app_pages/questionnaire.py").run()
    at.query_params.clear()  # the sidebar's « Fiche cas d'usage » carries no query
    at = at.switch_page(SHEET).run()
    assert at.title[0].value.startswith("UC-2026-003")


def test_a_row_of_the_monitoring_list_opens_its_sheet_on_the_suivi_tab(app_as):
    at = app_as("director").switch_page("app_pages/monitoring.py").run()
    table = at.dataframe[0].value
    wanted = table.iloc[1]["Référence"]
    at.session_state["health"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at = at.run()
    assert not at.exception
    assert at.title[0].value.startswith(wanted)
    assert _open_tab(at) == "Suivi"
    assert at.query_params["tab"] == "suivi"


def test_a_click_on_any_cell_of_a_row_opens_its_sheet(app_as):
    """Not only the row's checkbox: a cell of the row, as « cliquez sur une ligne » promises."""
    at = app_as("director").switch_page("app_pages/monitoring.py").run()
    wanted = at.dataframe[0].value.iloc[2]["Référence"]
    at.session_state["health"] = {"selection": {"rows": [], "columns": [], "cells": [[2, "Cas d'usage"]]}}
    at = at.run()
    assert not at.exception
    assert at.title[0].value.startswith(wanted)
    assert _open_tab(at) == "Suivi"


def test_a_row_of_the_register_opens_its_sheet(app_as):
    at = app_as("director").switch_page("app_pages/register.py").run()
    wanted = at.dataframe[0].value.iloc[3]["Référence"]
    at.session_state["register_table"] = {"selection": {"rows": [3], "columns": [], "cells": []}}
    at = at.run()
    assert at.title[0].value.startswith(wanted)
    assert _open_tab(at) == "Vue d'ensemble"


def _at_address(app_as, path: str, **query: str) -> AppTest:
    """A signed-out browser that opened ``/path?query`` (a bookmark, or a reload that lost the demo sign-in)."""
    at = app_as(None)
    at.session_state[WANTED_PAGE] = path  # what the address says; the browser sends it as the page name
    at._page_hash = calc_hash(path)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def _sign_in(at: AppTest, login: str = "nadia.benali") -> AppTest:
    at.radio[0].set_value(login)
    return at.button[0].click().run()


def test_a_bookmarked_sheet_opens_after_signing_in(app_as):
    at = _at_address(app_as, "sheet", ref="UC-2026-003", tab="suivi")
    assert at.radio[0].label == "Se connecter en tant que"  # signed out: the sign-in, at that address
    assert any("page demandée" in i.value for i in at.info)
    at = _sign_in(at)
    assert not at.exception
    assert at.title[0].value.startswith("UC-2026-003")
    assert _open_tab(at) == "Suivi"


def test_an_unknown_address_says_page_introuvable_in_french(app_as):
    at = _sign_in(_at_address(app_as, "nimporte-quoi"))
    assert not at.exception
    assert at.title[0].value == "Page introuvable"
    assert "/nimporte-quoi" in at.markdown[0].value
    assert any(link.proto.label == "Retour au portefeuille" for link in at.get("page_link"))
