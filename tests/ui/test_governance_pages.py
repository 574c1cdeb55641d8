"""AppTest of the governance pages on the demo: compliance queue and decisions, the director's view
of held and refused gates, the reader's read-only view, the questionnaire."""

from __future__ import annotations

import datetime as dt

import pytest

from policies import ai_act, impact
from policies.vocabulary import AiActClass, GateDecision, Stage
from portal.services import build_services
from portal.ui.text import plain
from tests.ui.conftest import open_tab

ROLES = ["director", "project_lead", "compliance", "admin", "reader"]
ALLOWED = {"compliance": {"director", "compliance"}, "questionnaire": {"project_lead", "compliance", "admin"}}


def _svc(url):  # type: ignore[no-untyped-def]
    return build_services(url)


def _texts(at) -> str:  # type: ignore[no-untyped-def]
    parts = [m.value for m in at.markdown] + [w.value for w in at.warning] + [e.value for e in at.error]
    parts += [c.value for c in at.caption] + [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(ALLOWED))
def test_governance_pages_follow_the_roles(app_as, role, page):
    at = app_as(role)
    if role not in ALLOWED[page]:
        with pytest.raises(Exception):  # noqa: B017 - not in this role's navigation
            at.switch_page(f"app_pages/{page}.py").run()
        return
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []


def test_compliance_queue_shows_the_held_housing_case(app_as):
    at = app_as("compliance").switch_page("app_pages/compliance.py").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Demandes à décider"] == "2"
    assert metrics["Revues en retard"] == "1"
    text = _texts(at)
    assert "UC-2026-013 — Priorisation des demandes de logement social" in text
    assert "(AIPD) requise n'est pas réalisée" in text and "(AIDF)" in text
    assert "Décision réservée à : Exécutif" in text  # level III: above the compliance officer


def test_compliance_approves_a_request_from_the_queue(app_as, demo_url):
    svc = _svc(demo_url)
    req = next(r for r in svc.governance.pending_requests() if r.reference == "UC-2026-015")
    at = app_as("compliance").switch_page("app_pages/compliance.py").run()
    radio = at.radio(key=f"queue_{req.id}_decision")
    assert radio.value is None and radio.index is None  # no decision preselected
    # the compliance officer is not the authority: the form says for whom she records the decision
    assert f"Vous enregistrez cette décision pour le compte de : **{req.authority.label}**" in " ".join(
        i.value for i in at.info)
    at.text_area(key=f"queue_{req.id}_reasons").set_value("Cadrage avec le CCAS accepté.")
    next(b for b in at.button if b.label == "Enregistrer la décision").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Rien n'a été enregistré" in errors and "Champ « Décision » : choisissez une décision" in errors
    at.radio(key=f"queue_{req.id}_decision").set_value(GateDecision.APPROVE)
    next(b for b in at.button if b.label == "Enregistrer la décision").click().run()
    assert "Champ « Acte ou séance » : vous enregistrez cette décision pour le compte de" in " ".join(
        e.value for e in at.error)
    assert svc.register.get(req.use_case_id).stage is Stage.IDEA
    at.date_input(key=f"queue_{req.id}_session_date").set_value(dt.date.today())
    next(b for b in at.button if b.label == "Enregistrer la décision").click().run()
    assert not at.exception
    assert svc.register.get(req.use_case_id).stage is Stage.FRAMING
    svc.db.dispose()


def test_director_approving_the_held_case_sees_the_missing_conditions(app_as, demo_url):
    svc = _svc(demo_url)
    req = next(r for r in svc.governance.pending_requests() if r.reference == "UC-2026-013")
    at = app_as("director").switch_page("app_pages/compliance.py").run()
    at.radio(key=f"queue_{req.id}_decision").set_value(GateDecision.APPROVE)
    at.text_input(key=f"queue_{req.id}_act").set_value("ARR-2026-12")
    buttons = [b for b in at.button if b.label == "Enregistrer la décision"]
    buttons[-1].click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Rien n'a été enregistré" in errors and "(AIPD) requise n'est pas réalisée" in errors
    assert svc.register.get(req.use_case_id).stage is Stage.FRAMING
    svc.db.dispose()


def test_director_sees_why_on_the_home_page_and_the_sheet(app_as):
    at = app_as("director")
    todo = at.dataframe(key="attention").value if hasattr(at, "dataframe") else None
    messages = " ".join(todo["Point d'attention"]) if todo is not None else _texts(at)
    assert "refusé" in messages and "Notation sociale" in messages
    assert "en attente ; conditions manquantes" in messages and "Revue périodique en retard" in messages
    at.query_params["ref"] = "UC-2026-014"
    at = at.switch_page("app_pages/sheet.py").run()
    assert not at.exception
    assert any("refusé" in e.value and "article 5" in e.value for e in at.error)
    at.query_params["ref"] = "UC-2026-011"
    at = at.switch_page("app_pages/sheet.py").run()
    assert any("Revue périodique en retard" in e.value for e in at.error)


def test_reader_sees_the_governance_tab_without_any_form(app_as):
    at = app_as("reader")
    at.query_params["ref"] = "UC-2026-013"
    at.query_params["tab"] = "gouvernance"  # only the open tab of the sheet is drawn
    at = at.switch_page("app_pages/sheet.py").run()
    assert not at.exception
    assert "Haut risque" in [m.value for m in at.metric]
    labels = [e.label for e in at.expander]
    assert not [label for label in labels if label.startswith(("Décider", "Suspendre", "Mettre à jour",
                                                                  "Demander", "Enregistrer une revue"))]
    assert any("Cette décision a été prise sur le fondement d'un traitement algorithmique" in c.value
               for c in at.code)


def test_register_flags_the_overdue_review(app_as):
    at = app_as("reader").switch_page("app_pages/register.py").run()
    df = at.dataframe[0].value
    row = df[df["Référence"] == "UC-2026-011"].iloc[0]
    assert row["Revue périodique"].startswith("En retard")
    assert df[df["Référence"] == "UC-2026-009"].iloc[0]["Revue périodique"] == ""


def test_questionnaire_classifies_a_use_case(app_as, demo_url):
    svc = _svc(demo_url)
    uc_id = svc.register.get_by_reference("UC-2026-009").id
    at = app_as("compliance")
    at.query_params["ref"] = "UC-2026-009"
    at = at.switch_page("app_pages/questionnaire.py").run()
    assert not at.exception
    assert "Fondement : RIA art. 3(1), considérant 12 (AIA-DEF-01)" in [c.value for c in at.caption]
    at.radio(key=f"q{uc_id}_0_ai_is_ai_system").set_value(False)
    at.button(key=f"q{uc_id}_0_ai_submit").click().run()
    assert "Hors champ (pas un système d'IA)" in [m.value for m in at.metric]
    at.button(key="q_save").click().run()
    assert not at.exception
    # the impact answers the sheet proposes count unless changed: the level is set without a single click
    assert svc.governance.classification_of(uc_id).ai_class is AiActClass.OUT_OF_SCOPE
    assert svc.governance.classification(uc_id).impact_answers["decision_role"] == "information"
    svc.db.dispose()


def test_compliance_validates_a_project_leads_classification(app_as, demo_url):
    svc = _svc(demo_url)
    uc_id = svc.register.get_by_reference("UC-2026-015").id
    cl = svc.governance.classification(uc_id)
    assert not cl.validated
    at = app_as("director").switch_page("app_pages/compliance.py").run()
    assert not [b for b in at.button if b.key == f"validate_row_{uc_id}"]  # the director does not validate
    at = app_as("compliance").switch_page("app_pages/compliance.py").run()
    assert f"**Résultat** — règlement IA : {cl.risk_class.label}" not in _texts(at)  # drawn when its row opens
    at.session_state[f"validate_open_{uc_id}"] = True  # the officer opens the use case's row
    at = at.run()
    # the answers and the result are in view before the « Valider » button
    text = _texts(at)
    assert f"**Résultat** — règlement IA : {cl.risk_class.label}" in text
    assert "##### Règlement IA" in text and "##### Niveau d'impact" in text
    for questions, answers in ((ai_act.questions(), cl.ai_act_answers), (impact.questions(), cl.impact_answers)):
        q = next(q for q in questions if q.id in answers)
        assert f"- {plain(q.text_fr, inline=True)} → **{plain(q.answer_label(answers[q.id]), inline=True)}**" in text
    button = at.button(key=f"validate_row_{uc_id}")
    assert button.label == "Valider"
    button.click().run()
    assert not at.exception
    assert svc.governance.classification(uc_id).validated
    svc.db.dispose()


def test_the_sheet_shows_long_texts_in_tables_that_wrap_and_decisions_as_sentences(app_as, demo_url):
    svc = _svc(demo_url)
    uc = svc.register.get_by_reference("UC-2026-011")
    decided = [r for r in svc.governance.requests(uc.id) if r.decision is not None]
    obligations = svc.governance.obligations(uc.id)
    svc.db.dispose()
    assert uc.data_sources and uc.risks and decided and obligations
    at = app_as("compliance")
    tables = []
    for tab in ("sources", "risques", "gouvernance"):  # only the open tab of the sheet is drawn
        at = open_tab(at, "UC-2026-011", tab)
        assert not at.exception
        tables += [t.value for t in at.table]  # static tables: their texts wrap, nothing runs off to the right
    sources = next(t for t in tables if "Base légale" in t.columns)
    assert set(sources["Source"]) == {d.name for d in uc.data_sources}
    risks = next(t for t in tables if "Atténuation" in t.columns)
    assert set(risks["Description"]) == {r.description for r in uc.risks}
    obl = next(t for t in tables if "Obligation" in t.columns)
    assert set(obl["Obligation"]) == {o.title_fr for o in obligations}
    # each decision reads as a sentence with its reasons in full
    text = _texts(at)
    for r in decided:
        assert f"**Demande n° {r.id}** ({r.kind_fr}) — {r.from_stage.label} → {r.to_stage.label}" in text
