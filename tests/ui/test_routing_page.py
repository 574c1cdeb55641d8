"""A project lead runs the request-routing module from the « Analyses » page and reads what goes to an agent."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from portal.demo.analysis import DEMO_BINDINGS
from portal.services import build_services
from portal.ui.auth import SESSION_KEY
from tests.ui.conftest import ENTRYPOINT, open_session
from tests.ui.test_analysis_pages import PAGE, _wait_all_done

ROUTING = next(t for t, (k, _) in DEMO_BINDINGS.items() if k == "request_routing")


def test_lead_runs_routing_and_sees_requests_left_to_an_agent(demo_url):
    svc = build_services(demo_url)
    uc = next(u for u in svc.register.list() if u.title == ROUTING)
    before = svc.analysis.list_runs(uc.id)
    lead = uc.lead_id
    svc.db.dispose()
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.session_state[SESSION_KEY] = open_session(demo_url, lead)
    at.run()
    at.query_params["ref"] = uc.reference
    at = at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.slider(key=f"p_{uc.id}_target_precision").label == "Précision visée"
    at.button[[b.label for b in at.button].index("Lancer l'analyse")].click().run()
    assert not at.exception, at.exception
    runs = _wait_all_done(demo_url, uc.id)
    assert len(runs) == len(before) + 1 and runs[0].status == "done"
    at.run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "Laissées à un agent" in labels and "Routées automatiquement" in labels
    routing = next(d.value for d in at.dataframe if "Décision" in d.value.columns)
    decisions = set(routing["Décision"])
    assert "laissée à un agent" in decisions
    assert any(d.startswith("routée vers ") for d in decisions)
