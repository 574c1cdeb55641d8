"""AppTest of the Questionnaire page on the demo: answers the sheet gives are proposed « d'après la
fiche », a section goes at once and updates the result; the data-source form offers the six bases of
RGPD art. 6(1)."""

from __future__ import annotations

from sqlalchemy import update

from policies.vocabulary import LegalBasis
from portal.db.models import DataSource
from portal.services import build_services
from tests.ui.conftest import ROLE_LOGIN


def _open(app_as, ref):  # type: ignore[no-untyped-def]
    at = app_as("compliance")
    at.query_params["ref"] = ref
    return at.switch_page("app_pages/questionnaire.py").run()


def test_the_questionnaire_proposes_what_the_sheet_says(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-009")  # not classified yet
    assert svc.governance.classification(uc.id) is None
    admin = svc.people.principal(next(p.id for p in svc.people.list() if p.subject == ROLE_LOGIN["admin"]))
    assert admin is not None
    svc.register.update(admin, uc.id, uc.version, uc.editable_fields() | {
        "automation": "recommendation", "provider_type": "vendor", "public_concerned": "Familles et enfants"})
    svc.register.add_data_source(admin, uc.id, {
        "name": "Dossiers d'aide", "origin": "internal", "personal_data": True, "sensitive_data": True,
        "legal_basis": LegalBasis.PUBLIC_TASK.label, "art9_exception": "9(2)(g)"})
    at = _open(app_as, "UC-2026-009")
    assert not at.exception, at.exception
    key = f"q{uc.id}_0"
    proposed = [c.value for c in at.caption if "d'après la fiche" in c.value]
    assert any("« Recommandation" in c and "niveau d'automatisation « " in c for c in proposed), proposed
    assert any("1 source(s) de données sensibles" in c for c in proposed), proposed
    assert any("public concerné : « enfants »" in c for c in proposed), proposed
    assert at.selectbox(key=f"{key}_impact_decision_role").value == "recommendation"
    assert at.selectbox(key=f"{key}_impact_data_sensitivity").value == "sensitive"
    assert at.radio(key=f"{key}_crpa_individual_decision").value is True
    assert at.radio(key=f"{key}_rgpd_dpia_c4").value is True
    # the AI Act follow-ups of the sheet (how the system is supplied) show once the section says it is AI
    assert not [w for w in at.selectbox if w.key == f"{key}_ai_supply"]
    at.radio(key=f"{key}_ai_is_ai_system").set_value(True)
    at.button(key=f"{key}_ai_submit").click().run()
    assert at.selectbox(key=f"{key}_ai_supply").value == "third_party"
    # the officer changes a proposal: it is kept, and the page says the sheet said otherwise
    at.selectbox(key=f"{key}_impact_decision_role").set_value("automated")
    at.button(key=f"{key}_impact_submit").click().run()
    assert at.selectbox(key=f"{key}_impact_decision_role").value == "automated"
    assert any("vous l'avez modifiée" in c.value for c in at.caption)
    svc.db.dispose()


def test_submitting_one_section_updates_the_result(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-009")
    at = _open(app_as, "UC-2026-009")
    key = f"q{uc.id}_0_impact"
    level = lambda: next(m.value for m in at.metric if m.label == "Niveau d'impact")  # noqa: E731
    before = level()
    for qid, value in {"people_affected": "ge_100k", "decision_role": "automated", "rights_effect": "high",
                       "reversibility": "irreversible", "effect_duration": "permanent",
                       "data_sensitivity": "sensitive"}.items():
        at.selectbox(key=f"{key}_{qid}").set_value(value)
    for qid in ("vulnerable_people", "data_matching", "public_facing"):
        at.radio(key=f"{key}_{qid}").set_value(True)
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception, at.exception
    assert level() != before and level() in ("III", "IV")
    svc.db.dispose()


def test_the_data_source_form_offers_the_six_bases_of_article_6(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-013")
    ds = uc.data_sources[0]  # a basis written before the list: shown as « autre : … », kept until changed
    with svc.db.writer.begin() as s:
        s.execute(update(DataSource).where(DataSource.id == ds.id).values(legal_basis="Délibération du 3 mars"))
    at = app_as("compliance")
    at.query_params["ref"] = "UC-2026-013"
    at.query_params["tab"] = "sources"  # only the open tab of the sheet is drawn
    at = at.switch_page("app_pages/sheet.py").run()
    assert not at.exception, at.exception
    basis = at.selectbox(key=f"new_src_{uc.id}_basis")
    assert basis.label == "Base légale (RGPD art. 6(1))"
    assert basis.options == ["— non renseignée", *(b.label for b in LegalBasis)]
    assert "6(1)(e) mission d'intérêt public ou exercice de l'autorité publique" in basis.options
    at.selectbox(key=f"pick_src_{uc.id}").set_value(ds.id).run()
    kept = at.selectbox(key=f"src_{ds.id}_basis")
    assert kept.value == "Délibération du 3 mars" and kept.options[-1] == "autre : Délibération du 3 mars"
    svc.db.dispose()
