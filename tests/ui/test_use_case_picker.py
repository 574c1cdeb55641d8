"""The use-case selector lists a short list, not the whole register: a search finds the others, and a link
(``?ref=``) to a case outside the list still opens it, on the sheet, the analyses and the questionnaire; the
audit page's use-case filter searches the same way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from portal.services import build_services
from portal.ui.picker import SHORT
from tests.conftest import use_case_data

SHEET = "app_pages/sheet.py"
EXTRA = SHORT + 10


@pytest.fixture
def far_case(demo_url: str, person_id: Callable[[str], int]) -> tuple[int, str]:
    """(id, reference) of the last of :data:`EXTRA` cases added to the demo register, each titled « Dossier
    témoin n° … » and led by the administrator: past the first :data:`SHORT` by reference."""
    svc = build_services(demo_url)
    admin = svc.people.principal(person_id("admin"))
    assert admin is not None
    ids = svc.register.create_many(admin, [(use_case_data(title=f"Dossier témoin n° {i}", lead_id=admin.person_id),
                                            None) for i in range(1, EXTRA + 1)])
    far = svc.register.get(ids[-1])
    svc.db.dispose()
    return far.id, far.reference


def _refs(box) -> list[str]:  # type: ignore[no-untyped-def]
    return [o.split(" — ")[0] for o in box.options]


def test_the_sheet_lists_a_short_list_and_its_search_finds_a_case_beyond_it(app_as, far_case):  # type: ignore[no-untyped-def]
    _, far = far_case
    at: AppTest = app_as("director").switch_page(SHEET).run()
    assert not at.exception
    box = at.selectbox(key="sheet_ref")
    assert len(box.options) <= SHORT and far not in _refs(box)
    at.text_input(key="sheet_ref_search").set_value(f"témoin n° {EXTRA}").run()
    assert not at.exception
    assert far in _refs(at.selectbox(key="sheet_ref"))
    at.selectbox(key="sheet_ref").set_value(far).run()
    assert not at.exception
    assert at.title[0].value.startswith(far) and at.query_params["ref"] == far
    # a search matching more than the list holds says so
    at.text_input(key="sheet_ref_search").set_value("témoin").run()
    assert len(at.selectbox(key="sheet_ref").options) <= SHORT + 1
    assert any(f"Plus de {SHORT}" in c.value for c in at.caption)
    assert at.selectbox(key="sheet_ref").value == far  # the open case stays chosen while searching


def test_a_link_to_a_case_outside_the_short_list_opens_it(app_as, far_case):  # type: ignore[no-untyped-def]
    _, far = far_case
    at = app_as("director")
    at.query_params["ref"] = far
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert at.selectbox(key="sheet_ref").value == far and at.title[0].value.startswith(far)
    # the analyses and the questionnaire open it from their links as well
    at.query_params["ref"] = far
    at = at.switch_page("app_pages/analysis.py").run()
    assert not at.exception
    assert at.selectbox(key="analysis_ref").value == far
    assert "sans module" in at.selectbox(key="analysis_ref").options[0]
    compliance = app_as("compliance")
    compliance.query_params["ref"] = far
    compliance = compliance.switch_page("app_pages/questionnaire.py").run()
    assert not compliance.exception
    assert compliance.selectbox(key="q_ref").value == far


def test_the_questionnaire_lists_only_the_cases_a_lead_may_classify(app_as, far_case):  # type: ignore[no-untyped-def]
    _, far = far_case
    at = app_as("project_lead").switch_page("app_pages/questionnaire.py").run()
    assert not at.exception
    at.text_input(key="q_ref_search").set_value("témoin").run()
    assert far not in _refs(at.selectbox(key="q_ref"))  # the administrator's case: not hers to classify
    assert any("Aucun cas d'usage ne correspond" in c.value for c in at.caption)


def test_the_audit_filter_searches_the_use_cases(app_as, far_case):  # type: ignore[no-untyped-def]
    far_id, far = far_case
    at = app_as("compliance").switch_page("app_pages/audit.py").run()
    assert not at.exception
    assert far not in _refs(at.selectbox(key="audit_uc"))
    at.text_input(key="audit_uc_search").set_value(far).run()
    at.selectbox(key="audit_uc").set_value(far_id).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert len(shown) >= 1 and set(shown["Cas d'usage"]) == {f"{far} — Dossier témoin n° {EXTRA}"}
