"""AppTest of the Questionnaire page: contradictory answers are shown before saving."""

from __future__ import annotations

from portal.services import build_services


def _warnings(at) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(str(w.value) for w in at.warning)


def test_questionnaire_warns_of_a_procedural_derogation_for_a_system_deciding_about_persons(app_as, demo_url):
    svc = build_services(demo_url)
    uc_id = svc.register.get_by_reference("UC-2026-009").id
    assert svc.governance.classification(uc_id) is None
    at = app_as("compliance")
    at.query_params["ref"] = "UC-2026-009"
    at = at.switch_page("app_pages/questionnaire.py").run()
    key = f"q{uc_id}_0_ai"
    at.radio(key=f"{key}_is_ai_system").set_value(True)
    at.button(key=f"{key}_submit").click().run()  # the section's answers go at once; then its follow-ups show
    assert "Réponses contradictoires" not in _warnings(at)
    at.multiselect(key=f"{key}_annex3").set_value(["5a"])
    at.button(key=f"{key}_submit").click().run()
    at.radio(key=f"{key}_profiling").set_value(False)
    at.button(key=f"{key}_submit").click().run()
    at.selectbox(key=f"{key}_derogation").set_value("a")
    at.radio(key=f"{key}_decisions_about_persons").set_value(True)
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, at.exception
    warnings = _warnings(at)
    assert "Réponses contradictoires" in warnings
    assert "Une dérogation de l'art. 6(3)" in warnings
    assert "Le système prend-il des décisions concernant des personnes physiques" in warnings
    # the confirmation question is now asked; the system stays high risk meanwhile (no prohibition
    # question answered: presumed prohibited, which the page says too)
    assert any(r.key == f"{key}_derogation_confirmed" for r in at.radio)
    assert "présumée(s) faute de réponse" in warnings
    at.button(key="q_save").click().run()
    assert not at.exception, at.exception
    saved = svc.governance.classification(uc_id)
    assert saved is not None
    assert [c["id"] for c in saved.result["consistency"]] == ["CONS-DEROGATION-PERSONS"]
    # answering the confirmation "yes" lifts the contradiction
    at.radio(key=f"q{uc_id}_{saved.number}_ai_derogation_confirmed").set_value(True)
    at.button(key=f"q{uc_id}_{saved.number}_ai_submit").click().run()
    assert "Une dérogation de l'art. 6(3)" not in _warnings(at)
    svc.db.dispose()
