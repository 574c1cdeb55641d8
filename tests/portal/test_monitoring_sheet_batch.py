"""The month's batch dropped from the sheet, on real SQLite and PostgreSQL: the file as uploaded goes
through the service (role, audit, French messages), which tells its steps and raises sentence-alerts."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from portal.db.models import AuditEvent, MonitoringAlert, MonitoringRun
from portal.services.errors import InvalidInput, PermissionDenied
from tests.conftest import use_case_data

COLUMNS = {"age": "numerical", "commune": "categorical"}
TECHNICAL = ("Jensen", "Wasserstein", "MAPE", "WAPE")


def batch(n: int = 600, *, seed: int = 0, shift: float = 0.0, p=None) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"age": rng.normal(40 + shift, 10, n), "commune": rng.choice(["A", "B", "C"], n, p=p)})


def uploaded(frame: pd.DataFrame) -> bytes:
    """What a spreadsheet exports in France: semicolons and decimal commas."""
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8")


@pytest.fixture
def case(services, people):  # type: ignore[no-untyped-def]
    uc = services.register.create(people["lead"], use_case_data())
    services.monitoring.configure(people["lead"], uc.id, {"columns": COLUMNS, "cadence_days": 30,
                                                          "critical_columns": ["commune"]})
    services.monitoring.set_reference(people["lead"], uc.id, batch(seed=1), source_label="Pilote")
    return uc


def _count(services, model, **where) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(model)
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    with services.db.reader() as s:
        return s.scalar(query)


def test_lead_drops_the_month_batch_and_gets_sentence_alerts_with_progress(services, people, case):
    steps: list[str] = []
    res = services.monitoring.run_check(people["lead"], case.id, uploaded(batch(seed=2, shift=8, p=[.1, .2, .7])),
                                        filename="lot-octobre.csv", label="Lot d'octobre", html_report=False,
                                        progress=steps.append)
    assert steps[0].startswith("Lecture du lot") and steps[-1] == "Enregistrement du contrôle et des alertes"
    assert any("Comparaison de 600 lignes avec la référence" in t for t in steps)
    assert res.run.trigger == "manual" and res.run.created_by_id == people["lead"].person_id
    assert res.run.current_label == "Lot d'octobre" and res.run.dataset_drift
    kinds = [a.kind for a in res.alerts]
    assert kinds.count("critical_column_drift") == 1 and "dataset_drift" in kinds  # age drifts too
    critical = next(a for a in res.alerts if a.kind == "critical_column_drift")
    assert critical.message.startswith("La répartition de « commune », colonne déclarée critique, a changé")
    assert critical.details["method"] == "jensenshannon"  # the technical detail is kept apart
    assert not any(word in a.message for a in res.alerts for word in TECHNICAL)
    with services.db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.use_case_id == case.id,
                                                    AuditEvent.action.in_(["run_monitoring", "raise_alert"]))).all()
    run_event = next(e for e in events if e.action == "run_monitoring")
    details = json.loads(run_event.payload)["details"]
    assert run_event.actor_id == people["lead"].person_id and details["label"] == "Lot d'octobre"
    assert details["alerts"] == len(res.alerts) and details["trigger"] == "manual"
    assert sum(e.action == "raise_alert" for e in events) == len(res.alerts)


def test_compliance_may_run_it_too_but_a_reader_is_refused_before_the_file_is_read(services, people, case):
    steps: list[str] = []
    events = _count(services, AuditEvent)
    with pytest.raises(PermissionDenied):
        services.monitoring.run_check(people["reader"], case.id, b"\x00 not even a file", filename="x.csv",
                                      label="x", progress=steps.append)
    with pytest.raises(PermissionDenied):
        services.monitoring.run_check(people["lead2"], case.id, uploaded(batch()), filename="x.csv", label="x")
    assert steps == [] and _count(services, MonitoringRun) == 0 and _count(services, AuditEvent) == events
    done = services.monitoring.run_check(people["compliance"], case.id, uploaded(batch(seed=3)), filename="c.csv",
                                         label="contrôle conformité", html_report=False)
    assert done.run.created_by_id == people["compliance"].person_id


def test_a_bad_file_gets_a_french_message_naming_row_and_column_and_writes_nothing(services, people, case):
    events = _count(services, AuditEvent)
    good = uploaded(batch(n=5, seed=4)).decode("utf-8").splitlines()
    good[3] = "quarante;B"  # the third data row, line 4 of the file
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.run_check(people["lead"], case.id, "\n".join(good).encode("utf-8"),
                                      filename="lot.csv", label="x", html_report=False)
    (problem,) = exc.value.problems
    assert "« age »" in problem and "« quarante »" in problem and "ligne 4" in problem
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.run_check(people["lead"], case.id, b"age;ville\n1;A\n", filename="lot.csv", label="x")
    assert "« commune »" in exc.value.problems[0] and "« ville »" in exc.value.problems[0]
    # the wrong file altogether: the monitored columns are named, not an empty file reported
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.run_check(people["lead"], case.id, b"site;date\nA;2026-10-01\n", filename="lot.csv",
                                      label="x")
    assert exc.value.problems == ["Colonne(s) suivie(s) absente(s) du lot courant : « age », « commune ». "
                                  "Colonnes trouvées : « site », « date »."]
    assert _count(services, MonitoringRun) == 0 and _count(services, MonitoringAlert) == 0
    assert _count(services, AuditEvent) == events


def test_outcomes_over_two_error_measures_raise_one_alert(services, people, case):
    steps: list[str] = []
    data = b"period;actual;prediction\n2026-09;100;150\n2026-09;100;60\n2026-09;100;100\n"
    alerts = services.monitoring.record_outcomes(people["lead"], case.id, data, filename="resultats.csv",
                                                 kind="regression", label="septembre", progress=steps.append)
    assert len(alerts) == 1 and alerts[0].kind == "outcome_below"
    assert {m["metric"] for m in alerts[0].details["metrics"]} == {"mape", "wape"}
    assert alerts[0].message.startswith("Période 2026-09 : ")
    assert not any(word in alerts[0].message for word in TECHNICAL)
    assert steps[0] == "Lecture du fichier de résultats" and len(steps) == 3
    assert _count(services, AuditEvent, action="raise_alert") == 1
