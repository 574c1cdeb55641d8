"""The Suivi pages on the demo: portfolio health, the sheet's Suivi tab, alerts handled from the page."""

from __future__ import annotations

import pandas as pd

from portal.services import build_services
from tests.conftest import use_case_data

SHEET = "app_pages/sheet.py"
SUIVI = "app_pages/monitoring.py"


def _texts(at) -> str:  # type: ignore[no-untyped-def]
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error] + [w.value for w in at.warning] \
        + [i.value for i in at.info] + [s.value for s in at.header]
    return "\n".join(str(p) for p in parts)


def test_suivi_page_shows_healthy_drifting_and_not_monitored_cases(app_as):
    at = app_as("director").switch_page(SUIVI).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sains"] == "1" and metrics["En dérive ou en alerte"] == "1"
    table = at.dataframe[0].value
    states = dict(zip(table["Référence"], table["État"], strict=True))
    assert int(metrics["Non suivis"]) == list(states.values()).count("Non suivi")
    assert states["UC-2026-005"] == "Dérive ou alerte" and states["UC-2026-002"] == "Sain"
    # the demo's analysis reference runs became monitoring references: their first check is due
    assert states["UC-2026-001"] == "Premier contrôle attendu"
    assert int(metrics["Contrôles dus"]) == list(states.values()).count("Premier contrôle attendu")
    assert "Suspension proposée" in _texts(at) and "UC-2026-005" in _texts(at)


def test_sheet_suivi_tab_shows_history_heat_map_outcomes_alerts_and_report(app_as, demo_url):
    svc = build_services(demo_url)
    level = svc.monitoring.level_of(svc.register.get_by_reference("UC-2026-005").id)
    svc.db.dispose()
    assert level.source == "governance"  # thresholds follow the impact level governance recorded
    at = app_as("compliance")
    at.query_params["ref"] = "UC-2026-005"
    at = at.switch_page(SHEET).run()
    assert not at.exception
    text = _texts(at)
    assert "Dérive des données" in text and "Résultats et indicateurs" in text
    assert "suspension proposée" in text
    assert level.label in text and "(par défaut" not in text
    charts = at.get("vega_lite_chart")
    assert len(charts) >= 3  # drift history, heat map, outcomes
    assert any("Nouvelles catégories" in str(df.value.columns.tolist()) for df in at.dataframe)
    assert at.get("download_button"), "the Evidently report of the selected check can be downloaded"


def test_lead_acknowledges_an_alert_from_the_sheet(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-002")
    before = len([a for a in svc.monitoring.alerts(uc.id) if a.status == "open"])
    unmonitored = next((v.reference for v in svc.register.list()
                        if v.lead_id == uc.lead_id and svc.monitoring.config(v.id) is None), None)
    if unmonitored is None:  # every case she leads is monitored in the demo: she registers a new one
        lead = svc.people.principal(uc.lead_id)
        unmonitored = svc.register.create(lead, use_case_data(lead_id=uc.lead_id)).reference
    svc.db.dispose()
    at = app_as("project_lead")  # Sophie Leroy leads UC-2026-002
    at.query_params["ref"] = unmonitored  # no monitoring yet: the tab offers the configuration
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert "n'est pas configuré" in _texts(at)
    # UC-2026-002's July alert was closed in the demo; raise a fresh one through the service, then handle it
    svc = build_services(demo_url)
    lead = svc.people.principal(uc.lead_id)
    ref = svc.monitoring.reference_frame(uc.id)
    shifted: pd.DataFrame = ref.assign(count=ref["count"] * 3)
    svc.monitoring.run_check(lead, uc.id, shifted, label="lot triplé", html_report=False)
    alerts = [a for a in svc.monitoring.alerts(uc.id) if a.status == "open"]
    assert len(alerts) > before
    svc.db.dispose()
    at.query_params["ref"] = "UC-2026-002"
    at = at.switch_page(SHEET).run()
    assert not at.exception
    at.text_area(key=f"mon_alert_note_{uc.id}").set_value("Lot de test")
    at.button(key=f"mon_ack_{uc.id}").click().run()
    assert not at.exception and not at.error
    svc = build_services(demo_url)
    acknowledged = [a for a in svc.monitoring.alerts(uc.id) if a.status == "acknowledged"]
    assert acknowledged and acknowledged[0].note == "Lot de test"
    svc.db.dispose()


def test_home_attention_lists_monitoring_alerts_for_compliance(app_as):
    at = app_as("compliance")
    assert not at.exception
    table = at.dataframe[0].value
    messages = " ".join(table["Point d'attention"])
    assert "suspension proposée" in messages and "Suivi :" in messages


def test_reader_sees_monitoring_without_actions(app_as):
    at = app_as("reader")
    at.query_params["ref"] = "UC-2026-005"
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert [e.label for e in at.expander if "Traiter" in e.label or "Configurer" in e.label] == []


def test_outcomes_by_territory_are_drawn_on_the_sheet(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-002")
    lead = svc.people.principal(uc.lead_id)
    n = 120
    frame = pd.DataFrame({"period": ["2012-08"] * n, "actual": [i % 2 for i in range(n)],
                          "prediction": [(i % 2) if (i % 3 or i < 60) else 1 - i % 2 for i in range(n)],
                          "quartier": ["Plateau" if i < 60 else "Verdun" for i in range(n)]})
    svc.monitoring.record_outcomes(lead, uc.id, frame, label="août", territory="quartier")
    svc.db.dispose()
    at = app_as("project_lead")
    at.query_params["ref"] = "UC-2026-002"
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert "Par territoire, période 2012-08" in _texts(at)
    table = next(df.value for df in at.dataframe if "Territoire" in df.value.columns)
    assert {"Plateau", "Verdun", "ensemble"} <= set(table["Territoire"])


def test_only_the_project_lead_gets_the_outcomes_form(app_as):
    for role, expected in (("project_lead", True), ("compliance", False), ("reader", False)):
        at = app_as(role)
        at.query_params["ref"] = "UC-2026-002"
        at = at.switch_page(SHEET).run()
        assert not at.exception
        labels = [e.label for e in at.expander]
        assert ("Enregistrer des résultats constatés" in labels) is expected, role
        if expected:
            assert [b.label for b in at.button if b.label == "Enregistrer les résultats"] == ["Enregistrer les résultats"]
            assert next(b for b in at.button if b.label == "Enregistrer les résultats").disabled  # no file yet
