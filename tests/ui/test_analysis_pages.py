"""The « Analyses » page and the sheet's « Analyses » tab, through AppTest on the demo database."""

from __future__ import annotations

import time

from portal.demo.analysis import DEMO_BINDINGS
from portal.services import build_services

PAGE = "app_pages/analysis.py"
SHEET = "app_pages/sheet.py"
DEMOGRAPHY = next(t for t, (k, _) in DEMO_BINDINGS.items() if k == "demography")
FACILITY = next(t for t, (k, _) in DEMO_BINDINGS.items() if k == "facility_usage")


def _case(url: str, title: str):  # type: ignore[no-untyped-def]
    svc = build_services(url)
    uc = next(u for u in svc.register.list() if u.title == title)
    runs = svc.analysis.list_runs(uc.id)
    svc.db.dispose()
    return uc, runs


def _wait_all_done(url: str, use_case_id: int, timeout: float = 60) -> list:  # type: ignore[type-arg]
    svc = build_services(url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            runs = svc.analysis.list_runs(use_case_id)
            if all(r.finished for r in runs):
                return runs
            time.sleep(0.2)
        raise TimeoutError("run still running")
    finally:
        svc.db.dispose()


def _open(app_as, role: str, ref: str, page: str = PAGE):  # type: ignore[no-untyped-def]
    at = app_as(role)
    at.query_params["ref"] = ref
    at.query_params["tab"] = "analyses"  # only the open tab of the sheet is drawn
    return at.switch_page(page).run()


def test_lead_runs_the_bound_module_on_its_sample_from_the_page(app_as, demo_url):
    uc, before = _case(demo_url, DEMOGRAPHY)
    at = _open(app_as, "project_lead", uc.reference)
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == []
    assert at.number_input(key=f"p_{uc.id}_horizon_years").label == "Horizon (années)"
    at.number_input(key=f"p_{uc.id}_horizon_years").set_value(5)
    at.button[[b.label for b in at.button].index("Lancer l'analyse")].click().run()
    assert not at.exception, at.exception
    runs = _wait_all_done(demo_url, uc.id)
    assert len(runs) == len(before) + 1 and runs[0].status == "done" and runs[0].params["horizon_years"] == 5
    at.run()
    assert not at.exception, at.exception
    assert "Résultat" in [h.value for h in at.header]
    assert f"Exécution n° {runs[0].id}" in " ".join(c.value for c in at.caption)
    labels = [m.label for m in at.metric]
    assert labels and all(not lbl.isidentifier() or lbl[0].isupper() for lbl in labels)  # French labels


def test_literal_params_show_french_labels_not_codes(app_as, demo_url):
    uc, _ = _case(demo_url, FACILITY)
    at = _open(app_as, "project_lead", uc.reference)
    assert not at.exception, at.exception
    holidays = at.selectbox(key=f"p_{uc.id}_public_holidays")
    assert holidays.label == "Jours fériés"
    assert list(holidays.options) == ["France", "Québec", "Aucun"]
    assert list(at.selectbox(key=f"p_{uc.id}_school_zone").options) == ["Zone A", "Zone B", "Zone C", "Aucune"]


def test_reader_sees_results_but_cannot_run_or_bind(app_as, demo_url):
    uc, _runs = _case(demo_url, DEMOGRAPHY)
    at = _open(app_as, "reader", uc.reference)
    assert not at.exception, at.exception
    assert "Lancer l'analyse" not in [b.label for b in at.button]
    assert any("seuls le chef de projet" in i.value for i in at.info)
    assert at.metric  # the latest stored run is shown


def test_lead_binds_an_unbound_use_case(app_as, demo_url):
    svc = build_services(demo_url)
    bound = svc.analysis.bindings()
    lead_id = next(p.id for p in svc.people.list() if p.subject == "sophie.leroy")
    hers = [u for u in svc.register.list() if u.lead_id == lead_id]
    uc = next((u for u in hers if u.id not in bound), None)
    if uc is None:  # every case she leads has a demo module: she unbinds one first
        uc = hers[-1]
        svc.analysis.unbind(svc.people.principal(lead_id), uc.id)
    svc.db.dispose()
    at = _open(app_as, "project_lead", uc.reference)
    at.selectbox(key=f"bind_{uc.id}").set_value("facility_usage")
    at.button(key=f"bind_btn_{uc.id}").click().run()
    assert not at.exception, at.exception
    svc = build_services(demo_url)
    assert svc.analysis.binding(uc.id).module_key == "facility_usage"
    svc.db.dispose()
    assert at.form  # the parameter form now shows


def test_sheet_tab_reopens_compares_and_sets_the_reference(app_as, demo_url):
    uc, runs = _case(demo_url, DEMOGRAPHY)
    assert len(runs) >= 2
    at = _open(app_as, "project_lead", uc.reference, SHEET)
    assert not at.exception, at.exception
    assert "Analyses" in [t.label for t in at.tabs]
    non_ref = next(r for r in runs if not r.is_reference)
    at.selectbox(key=f"reopen_{uc.id}").set_value(non_ref.id).run()
    assert f"Exécution n° {non_ref.id}" in " ".join(c.value for c in at.caption)
    assert any(not d.value.empty for d in at.dataframe)
    at.button(key=f"ref_{non_ref.id}").click().run()
    assert not at.exception, at.exception
    svc = build_services(demo_url)
    assert svc.analysis.reference_run(uc.id).id == non_ref.id
    svc.db.dispose()
    # the comparison of the two demo runs (horizon 10 vs 5) shows the differing parameter
    texts = [m.value for m in at.markdown]
    assert any("A** : exécution" in t for t in texts)
    frames = [d.value for d in at.dataframe]
    assert any("Paramètre" in f.columns and "Horizon (années)" in set(f["Paramètre"]) for f in frames)


def test_director_sees_the_sheet_tab_without_reference_button(app_as, demo_url):
    uc, _runs = _case(demo_url, DEMOGRAPHY)
    at = _open(app_as, "director", uc.reference, SHEET)
    assert not at.exception, at.exception
    assert not [b for b in at.button if b.label == "Choisir comme référence de suivi"]


def test_every_demo_module_result_renders(app_as, demo_url):
    for title in DEMO_BINDINGS:
        uc, runs = _case(demo_url, title)
        at = _open(app_as, "compliance", uc.reference)
        assert not at.exception, (title, at.exception)
        assert [e.value for e in at.error] == []
        assert len(at.metric) == len(runs[0].metrics)
        assert f"Exécution n° {runs[0].id}" in " ".join(c.value for c in at.caption)


def test_lead_unbinds_and_past_runs_stay(app_as, demo_url):
    uc, runs = _case(demo_url, DEMOGRAPHY)
    at = _open(app_as, "project_lead", uc.reference)
    at.button(key=f"unbind_btn_{uc.id}").click().run()
    assert not at.exception, at.exception
    svc = build_services(demo_url)
    assert svc.analysis.binding(uc.id) is None
    assert len(svc.analysis.list_runs(uc.id)) == len(runs)
    svc.db.dispose()
