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
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
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
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
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
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert [t for t in at.text_area if t.key == f"mon_alert_note_{uc.id}"] == []  # no panel before a choice
    at.button(key=f"mon_pick_{uc.id}_{alerts[0].id}").click().run()
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
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert [e.label for e in at.expander if "Traiter" in e.label or "Configurer" in e.label] == []
    assert [b.label for b in at.button if b.label in ("Traiter", "Lancer le contrôle")] == []
    assert "Contrôler le lot du mois" not in _texts(at)


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
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert "Par territoire, période 2012-08" in _texts(at)
    table = next(df.value for df in at.dataframe if "Territoire" in df.value.columns)
    assert {"Plateau", "Verdun", "ensemble"} <= set(table["Territoire"])


def test_only_the_project_lead_gets_the_outcomes_form(app_as):
    for role, expected in (("project_lead", True), ("compliance", False), ("reader", False)):
        at = app_as(role)
        at.query_params["ref"] = "UC-2026-002"
        at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
        at = at.switch_page(SHEET).run()
        assert not at.exception
        labels = [e.label for e in at.expander]
        assert ("Enregistrer des résultats constatés" in labels) is expected, role
        if expected:
            assert [b.label for b in at.button if b.label == "Enregistrer les résultats"] == ["Enregistrer les résultats"]
            assert next(b for b in at.button if b.label == "Enregistrer les résultats").disabled  # no file yet


TECHNICAL = ("Jensen", "Wasserstein", "MAPE", "WAPE")


def _outside_technical_detail(at) -> str:  # type: ignore[no-untyped-def]
    """The tab's text a reader sees without opening a « Détail technique » expander."""
    hidden = {id(m) for e in at.expander if e.label == "Détail technique" for m in e.markdown}
    shown = [m.value for m in at.markdown if id(m) not in hidden] + [w.value for w in at.warning] \
        + [s.value for s in at.success] + [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in shown)


def test_lead_checks_the_month_batch_from_the_sheet_and_handles_its_alert(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-002")
    ref = svc.monitoring.reference_frame(uc.id)
    runs_before = len(svc.monitoring.runs(uc.id))
    svc.db.dispose()
    at = app_as("project_lead")  # Sophie Leroy leads UC-2026-002
    at.query_params["ref"] = "UC-2026-002"
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    assert not at.exception
    assert "Contrôler le lot du mois" in _texts(at) and "vigie monitor run" not in _texts(at)
    run_button = at.button(key=f"mon_batch_run_{uc.id}")
    assert run_button.disabled  # no file yet
    # the uploader keeps the dropped file in the session, as it does in the browser
    data = ref.assign(count=ref["count"] * 3).to_csv(index=False, sep=";", decimal=",").encode("utf-8")
    at.session_state[f"mon_batch_file_{uc.id}"] = ("lot-octobre.csv", data)
    at.text_input(key=f"mon_batch_label_{uc.id}").set_value("Extraction d'octobre")
    at.run()
    at.button(key=f"mon_batch_run_{uc.id}").click().run()
    assert not at.exception and not at.error
    statuses = [e for e in at.status if "Contrôle n°" in e.label]
    assert statuses and statuses[0].label.endswith("terminé")  # the steps were shown in a status block
    svc = build_services(demo_url)
    runs = svc.monitoring.runs(uc.id)
    new = [a for a in svc.monitoring.alerts(uc.id) if a.run_id == runs[0].id]
    svc.db.dispose()
    assert len(runs) == runs_before + 1 and runs[0].current_label == "Extraction d'octobre"
    assert new, "tripled counts drift"
    assert at.selectbox(key="mon_run_pick").value == runs[0].id  # the detail shows the new check
    summary = next(w.value for w in at.warning if "Contrôle n°" in w.value)
    assert "« Extraction d'octobre » enregistré" in summary and "nouvelle" in summary
    visible = _outside_technical_detail(at)
    assert "La répartition de « count »" in visible or "Les données du lot ne ressemblent plus" in visible
    assert "Nouvelle" in visible
    assert not any(word in visible for word in TECHNICAL), [w for w in TECHNICAL if w in visible]
    assert any(e.label == "Détail technique" for e in at.expander)
    # choosing the alert opens its panel, which stays open across reruns and after saving
    alert = new[0]
    at.button(key=f"mon_pick_{uc.id}_{alert.id}").click().run()
    assert at.text_area(key=f"mon_alert_note_{uc.id}")
    assert at.session_state[f"mon_alert_pick_{uc.id}"] == alert.id
    at.run()
    at.text_area(key=f"mon_alert_note_{uc.id}").set_value("Extraction incomplète, relancée")
    at.button(key=f"mon_ack_{uc.id}").click().run()
    assert not at.exception and not at.error
    assert "Alerte prise en compte" in " ".join(s.value for s in at.success)
    assert at.button(key=f"mon_close_{uc.id}"), "the panel stays open after saving"
    at.button(key=f"mon_close_{uc.id}").click().run()
    assert "Alerte close." in " ".join(s.value for s in at.success)
    assert at.button(key=f"mon_unpick_{uc.id}")
    svc = build_services(demo_url)
    stored = next(a for a in svc.monitoring.alerts(uc.id) if a.id == alert.id)
    svc.db.dispose()
    assert stored.status == "closed" and stored.note == "Extraction incomplète, relancée"


def test_a_bad_batch_is_refused_in_french_on_the_tab(app_as, demo_url):
    svc = build_services(demo_url)
    uc = svc.register.get_by_reference("UC-2026-002")
    runs_before = len(svc.monitoring.runs(uc.id))
    columns = list(svc.monitoring.config(uc.id).columns)
    svc.db.dispose()
    at = app_as("project_lead")
    at.query_params["ref"] = "UC-2026-002"
    at.query_params["tab"] = "suivi"  # only the open tab of the sheet is drawn
    at = at.switch_page(SHEET).run()
    at.session_state[f"mon_batch_file_{uc.id}"] = ("lot.csv", b"autre;colonne\n1;2\n")
    at.run()
    at.button(key=f"mon_batch_run_{uc.id}").click().run()
    assert not at.exception
    error = " ".join(e.value for e in at.error)
    assert "Rien n'a été enregistré" in error and f"« {columns[0]} »" in error
    assert any(e.label.startswith("Contrôle non effectué") for e in at.status)
    svc = build_services(demo_url)
    assert len(svc.monitoring.runs(uc.id)) == runs_before
    svc.db.dispose()
