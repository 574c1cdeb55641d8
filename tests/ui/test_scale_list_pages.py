"""The Conformité and Suivi pages list a page at a time with their filters: on the demo, the figures
equal the full computation, a filter keeps exactly the rows it names, and only the open tab is drawn."""

from __future__ import annotations

from collections import Counter

from portal.services import build_services
from portal.services.monitoring import HEALTH_LABELS

COMPLIANCE = "app_pages/compliance.py"
SUIVI = "app_pages/monitoring.py"


def _open(at, label: str):  # type: ignore[no-untyped-def]
    """The compliance page with its tab ``label`` opened."""
    at.session_state["compliance_tabs"] = label
    return at.run()


def test_compliance_draws_only_the_open_tab_and_counts_by_class_and_level(app_as, demo_url):
    svc = build_services(demo_url)
    rows = svc.governance.portfolio()
    late_reviews = svc.governance.overdue_reviews()
    late_obligations = svc.governance.overdue_obligations()
    decided = [r for r in svc.governance.requests() if not r.pending]
    svc.db.dispose()
    at = app_as("compliance").switch_page(COMPLIANCE).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Classifications à valider"] == str(sum(1 for r in rows if r.risk_class and not r.validated))
    assert metrics["Obligations en retard"] == str(len(late_obligations))
    assert not [df for df in at.dataframe if "Règlement IA" in df.value.columns]  # the classes tab is closed
    at = _open(at, "Classes et niveaux")
    assert not at.exception
    cross = at.dataframe[0].value
    assert int(cross.to_numpy().sum()) == len(rows)
    expected = Counter((r.risk_class.label if r.risk_class else "Non classé",
                        r.impact_level.value if r.impact_level else "—") for r in rows)
    assert {(c, lv): int(cross.loc[c, lv]) for c, lv in expected} == dict(expected)
    table = at.dataframe[1].value
    assert list(table["Référence"]) == [r.reference for r in rows]
    at.multiselect(key="classes_class").set_value(["high"]).run()
    table = at.dataframe[1].value
    assert list(table["Référence"]) == [r.reference for r in rows if r.risk_class and r.risk_class.value == "high"]
    assert set(table["Règlement IA"]) == {"Haut risque"}
    at = _open(at, "Retards")
    texts = [c.value for c in at.caption]
    assert any(t.startswith(f"{len(late_reviews)} revue(s) en retard") for t in texts)
    late = next(df.value for df in at.dataframe if "Obligation" in df.value.columns)
    assert list(late["Obligation"]) == [o.title_fr for _, _, o in late_obligations]
    at = _open(at, "Historique des passages")
    history = at.dataframe[0].value
    assert list(history["N°"]) == [r.id for r in decided]


def test_suivi_filters_the_list_by_state_and_text(app_as, demo_url):
    svc = build_services(demo_url)
    health = svc.monitoring.portfolio_health()
    due = svc.monitoring.due()
    svc.db.dispose()
    at = app_as("director").switch_page(SUIVI).run()
    assert not at.exception
    assert list(at.dataframe[0].value["Référence"]) == [h.reference for h in health]
    assert list(at.dataframe[1].value["Référence"]) == [d.reference for d in due]
    at.multiselect(key="health_states").set_value(["drifting", "awaiting"]).run()
    table = at.dataframe[0].value
    assert list(table["Référence"]) == [h.reference for h in health if h.status in ("drifting", "awaiting")]
    assert set(table["État"]) == {HEALTH_LABELS["drifting"], HEALTH_LABELS["awaiting"]}
    at.multiselect(key="health_states").set_value([]).run()
    at.text_input(key="health_text").set_value("uc-2026-005").run()
    assert list(at.dataframe[0].value["Référence"]) == ["UC-2026-005"]
    at.text_input(key="health_text").set_value("").run()
    at.checkbox(key="health_proposals").check().run()
    assert list(at.dataframe[0].value["Référence"]) == [h.reference for h in health if h.suspension_proposed]
    assert not at.exception
