"""MonitoringService on real SQLite and PostgreSQL: reference, checks, stored results, alerts,
suspension proposals, outcomes, health, the `vigie monitor` commands."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from monitoring.alerts import thresholds_for_level
from monitoring.drift import compute_drift
from monitoring.outcomes import classification_by_period
from policies.vocabulary import AiActClass, ImpactLevel, RiskProfile, Stage
from portal.cli import main
from portal.db.models import AuditEvent, MonitoringAlert, MonitoringColumnResult, MonitoringRun
from portal.services import build_services
from portal.services.errors import InvalidInput, PermissionDenied, StaleEdit
from portal.services.monitoring import MonitoringService
from tests.conftest import use_case_data
from tests.portal.gates import walk_to

COLUMNS = {"age": "numerical", "commune": "categorical"}


def batch(n: int = 600, *, seed: int = 0, shift: float = 0.0, communes=("A", "B", "C"), p=None,
          missing: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(40 + shift, 10, n)
    if missing:
        age[: int(n * missing)] = np.nan
    return pd.DataFrame({"age": age, "commune": rng.choice(list(communes), n, p=p), "id": range(n)})


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8")


@pytest.fixture
def case(services, people):  # type: ignore[no-untyped-def]
    uc = services.register.create(people["lead"], use_case_data())
    services.monitoring.configure(people["lead"], uc.id, {"columns": COLUMNS, "cadence_days": 30})
    services.monitoring.set_reference(people["lead"], uc.id, batch(seed=1), source_label="Pilote 2025")
    return uc


def count(services, model) -> int:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_identical_batches_give_no_drift_and_no_alert(services, people, case):
    ref = services.monitoring.reference_frame(case.id)
    res = services.monitoring.run_check(people["lead"], case.id, ref.copy(), label="même lot", html_report=False)
    assert res.run.share_drifted == 0.0 and not res.run.dataset_drift
    assert all(c.score == 0.0 and not c.drifted for c in res.run.columns)
    assert res.alerts == []


def test_shifted_numeric_and_categorical_batch_drifts_and_stored_results_equal_the_engine(services, people, case):
    current = batch(seed=2, shift=8, p=[0.1, 0.2, 0.7])
    res = services.monitoring.run_check(people["lead"], case.id, current, label="lot décalé", html_report=False)
    assert res.run.dataset_drift and res.run.n_drifted == 2
    # what is stored equals what the pure engine computes with the level-II thresholds
    engine = compute_drift(services.monitoring.reference_frame(case.id), current, COLUMNS,
                           thresholds_for_level(2).drift)
    stored = {c.column: c for c in services.monitoring.runs(case.id)[0].columns}
    for col in engine.columns:
        assert stored[col.column].score == pytest.approx(col.score, abs=1e-12)
        assert stored[col.column].threshold == pytest.approx(col.threshold)
        assert stored[col.column].drifted == col.drifted
    kinds = {a.kind for a in res.alerts}
    assert "dataset_drift" in kinds
    with services.db.reader() as s:
        events = s.scalars(select(AuditEvent.action).where(AuditEvent.use_case_id == case.id)).all()
    assert "run_monitoring" in events and "raise_alert" in events


def test_missing_rate_change_new_category_and_empty_column_are_flagged(services, people, case):
    current = batch(seed=3, communes=("A", "B", "C", "Z"), missing=0.3)
    res = services.monitoring.run_check(people["lead"], case.id, current, label="lot abîmé", html_report=False)
    cols = {c.column: c for c in res.run.columns}
    assert cols["age"].missing_rate_changed and cols["age"].cur_missing_rate == pytest.approx(0.3)
    assert cols["commune"].new_categories == ["Z"]
    assert {"missing_rate_change", "new_categories"} <= {a.kind for a in res.alerts}
    empty = batch(seed=4)
    empty["age"] = np.nan
    res = services.monitoring.run_check(people["lead"], case.id, empty, label="colonne vide", html_report=False)
    age = {c.column: c for c in res.run.columns}["age"]
    assert not age.computable and age.score is None
    assert any("entièrement vide" in m for m in age.messages)


def test_a_bad_file_is_refused_in_french_and_nothing_is_written(services, people, case):
    runs, events = count(services, MonitoringRun), count(services, AuditEvent)
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.run_check(people["lead"], case.id, b"", filename="vide.csv", label="x")
    assert "Le fichier est vide." in exc.value.problems[0]
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.run_check(people["lead"], case.id, b"age;ville\n1;A\n", filename="b.csv", label="x")
    assert "« commune »" in exc.value.problems[0]
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.run_check(people["lead"], case.id, b"age;commune\nvieux;A\n", filename="c.csv", label="x")
    assert "« age »" in exc.value.problems[0] and "ligne 2" in exc.value.problems[0]
    assert count(services, MonitoringRun) == runs and count(services, AuditEvent) == events


def test_a_french_csv_file_is_read_and_checked(services, people, case):
    res = services.monitoring.run_check(people["lead"], case.id, csv_bytes(batch(seed=5)), filename="lot.csv",
                                        label="fichier", html_report=False)
    assert res.run.n_current == 600 and res.run.n_computable == 2


def test_roles_and_owner_scope_are_enforced(services, people, case):
    for who in ("lead2", "reader", "director"):
        with pytest.raises(PermissionDenied):
            services.monitoring.run_check(people[who], case.id, batch(), label="x", html_report=False)
    with pytest.raises(PermissionDenied):
        services.monitoring.configure(people["lead2"], case.id, {"columns": COLUMNS})
    services.monitoring.run_check(people["compliance"], case.id, batch(), label="conformité", html_report=False)


def test_configuration_is_validated_in_french(services, people, case):
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.configure(people["lead"], case.id, {"columns": {"age": "texte"}, "cadence_days": 0})
    text = "\n".join(exc.value.problems)
    assert "Colonnes suivies" in text and "Fréquence des contrôles" in text
    with pytest.raises(InvalidInput) as exc:
        services.monitoring.configure(people["lead"], case.id, {"columns": COLUMNS, "critical_columns": ["x"]})
    assert "colonnes critiques non suivies : x" in exc.value.problems[0]


def test_reference_from_an_analysis_run_keeps_its_source_and_checksum(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    services.analysis.bind(people["lead"], uc.id, "facility_usage")
    # no configuration yet: the columns come from the module's input schema
    assert services.monitoring.default_columns(uc.id) == {"site": "categorical", "count": "numerical"}
    frame = pd.DataFrame({"site": ["a", "b"] * 50, "date": pd.date_range("2025-01-01", periods=100),
                          "count": np.arange(100.0)})
    cfg = services.monitoring.set_reference(people["lead"], uc.id, {"counts": frame}, source_label="Exécution n° 7",
                                            analysis_run_id=7)
    assert cfg.columns == {"site": "categorical", "count": "numerical"}
    assert cfg.reference_source == "analysis_run" and cfg.reference_rows == 100 and len(cfg.reference_checksum) == 64
    back = services.monitoring.reference_frame(uc.id)
    pd.testing.assert_series_equal(back["count"], frame["count"], check_names=False)
    with pytest.raises(PermissionDenied):
        services.monitoring.set_reference(people["director"], uc.id, frame, source_label="x", analysis_run_id=8)


def test_alert_opens_a_review_and_is_acknowledged_then_closed(services, people, case):
    res = services.monitoring.run_check(people["lead"], case.id, batch(seed=2, shift=8), label="x", html_report=False)
    alert = res.alerts[0]
    assert alert.review_opened and alert.status == "open"
    for who in ("lead", "compliance"):
        assert any(i.use_case_id == case.id and i.message.startswith("Suivi") for i in
                   services.monitoring.attention(people[who]))
    assert services.monitoring.attention(people["lead2"]) == []
    assert services.monitoring.attention(people["reader"]) == []
    done = services.monitoring.acknowledge_alert(people["compliance"], alert.id, alert.version, "Vu en comité")
    assert done.status == "acknowledged" and done.note == "Vu en comité"
    with pytest.raises(StaleEdit):
        services.monitoring.close_alert(people["lead"], alert.id, alert.version)
    with pytest.raises(PermissionDenied):
        services.monitoring.close_alert(people["lead2"], alert.id, done.version)
    closed = services.monitoring.close_alert(people["lead"], alert.id, done.version, "Corrigé")
    assert closed.status == "closed"
    with services.db.reader() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "monitoring_alert")).all()
    assert {"raise_alert", "acknowledge_alert", "close_alert"} <= set(actions)


def test_repeated_alerts_on_a_deployed_case_propose_a_suspension_that_a_human_decides(services, people, case):
    calls: list[tuple[int, int]] = []
    mon = MonitoringService(services.db.reader, services.db.writer,
                            on_suspension_proposed=lambda uc_id, alert_id: calls.append((uc_id, alert_id)))
    shifted = batch(seed=2, shift=8)
    # on a pilot, repeated alerts propose nothing
    for _ in range(3):
        assert not mon.run_check(people["lead"], case.id, shifted, label="x", html_report=False).suspension_proposed
    walk_to(services, people, case.id, Stage.DEPLOYED)
    first = mon.run_check(people["lead"], case.id, shifted, label="déployé 1", html_report=False)
    assert first.suspension_proposed  # the three previous checks alerted too
    assert calls == [(case.id, next(a.id for a in first.alerts if a.suspension_proposed))]
    # one undecided proposal at a time
    assert not mon.run_check(people["lead"], case.id, shifted, label="déployé 2", html_report=False).suspension_proposed
    proposals = mon.suspension_proposals()
    assert len(proposals) == 1
    assert any("suspension proposée" in i.message for i in mon.attention(people["compliance"]))
    assert services.register.get(case.id).stage is Stage.DEPLOYED  # Vigie never suspends by itself
    with pytest.raises(PermissionDenied):
        mon.record_suspension_decision(people["lead"], proposals[0].id, "suspend")
    decided = mon.record_suspension_decision(people["director"], proposals[0].id, "continue", "Plan de correction")
    assert decided.suspension_decision == "continue" and mon.suspension_proposals() == []


def test_a_suspension_proposal_is_decided_through_the_governance_gate(services, people, case):
    walk_to(services, people, case.id, Stage.DEPLOYED)
    shifted = batch(seed=2, shift=8)
    proposed = [services.monitoring.run_check(people["lead"], case.id, shifted, label=f"lot {i}",
                                              html_report=False).suspension_proposed for i in range(4)]
    assert proposed.count(True) == 1  # after repeated alerts, one proposal at a time
    (proposal,) = services.monitoring.suspension_proposals()
    with pytest.raises(PermissionDenied):  # a project lead may not suspend
        services.suspensions.decide(people["lead"], proposal.id, "suspend", "Dérive confirmée")
    with pytest.raises(InvalidInput) as exc:
        services.suspensions.decide(people["director"], proposal.id, "suspend", "  ")
    assert "Motif" in exc.value.problems[0]
    assert services.register.get(case.id).stage is Stage.DEPLOYED  # nothing written by the refusals
    decided = services.suspensions.decide(people["director"], proposal.id, "suspend", "Dérive confirmée")
    assert decided.suspension_decision == "suspend"
    assert services.register.get(case.id).stage is Stage.SUSPENDED
    last = max(services.governance.requests(case.id), key=lambda r: r.id)
    assert last.to_stage is Stage.SUSPENDED and "alerte n°" in (last.motive or "")
    with pytest.raises(InvalidInput):
        services.suspensions.decide(people["director"], proposal.id, "continue", "Encore")
    assert services.monitoring.suspension_proposals() == []


def test_no_alerting_check_breaks_the_series(services, people, case):
    walk_to(services, people, case.id, Stage.DEPLOYED)
    shifted, same = batch(seed=2, shift=8), services.monitoring.reference_frame(case.id)
    for frame in (shifted, shifted, same):
        res = services.monitoring.run_check(people["lead"], case.id, frame, label="x", html_report=False)
    assert not res.suspension_proposed
    with services.db.reader() as s:
        assert not s.scalar(select(func.count()).select_from(MonitoringAlert)
                            .where(MonitoringAlert.suspension_proposed.is_(True)))


def test_impact_level_from_governance_tightens_thresholds(services, people, case):
    mon = MonitoringService(services.db.reader, services.db.writer, classification_of=lambda _id: RiskProfile(AiActClass.HIGH, ImpactLevel.IV))
    assert mon.level_of(case.id).level == 4 and mon.level_of(case.id).source == "governance"
    assert services.monitoring.level_of(case.id).source == "default"
    assert "par défaut" in services.monitoring.level_of(case.id).label
    res = mon.run_check(people["lead"], case.id, batch(seed=2), label="x", html_report=False)
    assert res.run.impact_level == 4
    assert [c.threshold for c in res.run.columns] == pytest.approx([0.05, 0.05])
    unclassified = MonitoringService(services.db.reader, services.db.writer, classification_of=lambda _id: RiskProfile())
    assert unclassified.level_of(case.id).level == 2


def test_outcomes_are_stored_per_period_and_territory_and_raise_alerts(services, people, case):
    rng = np.random.default_rng(0)
    n = 400
    actual = rng.integers(0, 2, n)
    good = rng.random(n) < 0.9
    period = np.where(np.arange(n) < 200, "2025-T1", "2025-T2")
    territory = np.where(np.arange(n) % 2 == 0, "Nord", "Sud")
    good[(period == "2025-T2") & (territory == "Sud")] = rng.random(100) < 0.5  # worse in the south in T2
    frame = pd.DataFrame({"period": period, "actual": actual, "prediction": np.where(good, actual, 1 - actual),
                          "overridden": ~good, "territoire": territory})
    alerts = services.monitoring.record_outcomes(people["lead"], case.id, frame, label="T1–T2", territory="territoire",
                                                 kpi={"2025-T1": 3.0})
    expected = classification_by_period(frame, period="period").table
    stored = [o for o in services.monitoring.outcomes(case.id) if o.territory is None]
    assert [o.period for o in stored] == ["2025-T1", "2025-T2"]
    for o, (_, row) in zip(stored, expected.iterrows(), strict=True):
        assert o.metrics["accuracy"] == pytest.approx(row["accuracy"]) and o.n == row["n"]
    assert {o.territory for o in services.monitoring.outcomes(case.id)} == {None, "Nord", "Sud"}
    assert {"outcome_below", "territorial_gap"} <= {a.kind for a in alerts}
    assert stored[0].kpi_value == 3.0
    with pytest.raises(PermissionDenied):
        services.monitoring.record_outcomes(people["compliance"], case.id, frame, label="x")
    with pytest.raises(InvalidInput):
        services.monitoring.record_outcomes(people["lead"], case.id, frame.drop(columns=["actual"]), label="x")


def test_outcomes_file_with_kpi_for_an_unknown_period_is_refused_and_nothing_written(services, people, case):
    data = b"period;actual;prediction\n2025-01;3,5;3\n2025-01;4;4,5\n2025-02;5;5\n"
    audit_before = len(services.audit.history_of(case.id))
    with pytest.raises(InvalidInput) as refused:
        services.monitoring.record_outcomes(people["lead"], case.id, data, filename="resultats.csv",
                                            label="janvier–février", kind="regression",
                                            kpi={"2025-01": 7.0, "2025-03": 6.0})
    assert refused.value.problems == [
        "Indicateur métier : période « 2025-03 » absente du fichier (périodes du fichier : 2025-01, 2025-02)."]
    assert services.monitoring.outcomes(case.id) == [] and len(services.audit.history_of(case.id)) == audit_before
    services.monitoring.record_outcomes(people["lead"], case.id, data, filename="resultats.csv",
                                        label="janvier–février", kind="regression", kpi={" 2025-02 ": 6.0})
    stored = {o.period: o for o in services.monitoring.outcomes(case.id)}
    assert stored["2025-01"].metrics["mae"] == pytest.approx(0.5) and stored["2025-01"].kpi_value is None
    assert stored["2025-02"].kpi_value == 6.0 and stored["2025-02"].metrics["mae"] == pytest.approx(0.0)


def test_portfolio_health_and_due_checks(services, people, case):
    other = services.register.create(people["lead"], use_case_data(title="Sans suivi"))
    for uc in (case, other):
        walk_to(services, people, uc.id, Stage.PILOT)
    health = {h.use_case_id: h for h in services.monitoring.portfolio_health()}
    assert health[case.id].status == "awaiting" and health[other.id].status == "not_monitored"
    assert [d.use_case_id for d in services.monitoring.due()] == [case.id]
    ref = services.monitoring.reference_frame(case.id)
    services.monitoring.run_check(people["lead"], case.id, ref, label="x", html_report=False)
    assert {h.use_case_id: h.status for h in services.monitoring.portfolio_health()}[case.id] == "healthy"
    assert services.monitoring.due() == []
    later = dt.date.today() + dt.timedelta(days=31)
    assert {h.use_case_id: h.status for h in services.monitoring.portfolio_health(later)}[case.id] == "stale"
    assert [d.use_case_id for d in services.monitoring.due(later)] == [case.id]
    services.monitoring.run_check(people["lead"], case.id, batch(seed=2, shift=8), label="y", html_report=False)
    assert {h.use_case_id: h.status for h in services.monitoring.portfolio_health()}[case.id] == "drifting"


def test_evidently_report_is_stored_and_downloadable(services, people, case):
    res = services.monitoring.run_check(people["lead"], case.id, batch(seed=2, shift=8), label="x")
    assert res.run.has_report
    html = services.monitoring.report_html(res.run.id)
    assert html.lstrip().lower().startswith("<!doctype html") or "<html" in html[:500].lower()


def test_cli_monitor_run_and_due_store_results(services, people, case, cli_env, tmp_path, capsys):
    walk_to(services, people, case.id, Stage.PILOT)
    current = tmp_path / "lot.csv"
    current.write_bytes(csv_bytes(batch(seed=2, shift=8)))
    assert main(["monitor", "run", "--use-case", case.reference, "--current", str(current), "--no-report"]) == 0
    out = capsys.readouterr().out
    assert f"{case.reference} : contrôle n°" in out and "DÉRIVE" in out
    fresh = build_services(cli_env)
    run = fresh.monitoring.runs(case.id)[0]
    assert run.trigger == "job" and run.dataset_drift
    with fresh.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(MonitoringColumnResult)
                        .where(MonitoringColumnResult.run_id == run.id)) == 2
    # a bad file: French message, exit code 1, nothing stored
    bad = tmp_path / "bad.csv"
    bad.write_text("x;y\n1;2\n", encoding="utf-8")
    assert main(["monitor", "run", "--use-case", case.reference, "--current", str(bad)]) == 1
    assert "Rien n'a été enregistré" in capsys.readouterr().err
    assert len(fresh.monitoring.runs(case.id)) == 1
    # `due`: nothing due now; with a source and the cadence elapsed, the job runs it
    assert main(["monitor", "due"]) == 0
    assert "0 contrôle(s) dû(s) traité(s)" in capsys.readouterr().out
    drop = tmp_path / "depot"
    drop.mkdir()
    (drop / "lot-mars.csv").write_bytes(csv_bytes(batch(seed=6)))
    cfg = fresh.monitoring.config(case.id)
    fresh.monitoring.configure(people["lead"], case.id, {"columns": cfg.columns, "cadence_days": 1,
                                                         "current_source": str(drop)}, cfg.version)
    with fresh.db.writer.begin() as s:  # age the first check by two days
        s.get(MonitoringRun, run.id).created_at = run.created_at - dt.timedelta(days=2)
    assert main(["monitor", "due", "--list"]) == 0
    assert "1 contrôle(s) dû(s)." in capsys.readouterr().out
    assert main(["monitor", "due"]) == 0
    out = capsys.readouterr().out
    assert f"{case.reference} :" in out and "1 contrôle(s) dû(s) traité(s)" in out
    assert len(fresh.monitoring.runs(case.id)) == 2
    fresh.db.dispose()


def test_cli_monitor_outcomes_records_per_period_in_the_leads_name(services, people, case, cli_env, tmp_path, capsys):
    path = tmp_path / "resultats.csv"
    path.write_text("period;actual;prediction;overridden;quartier\n"
                    + "".join(f"2025-T{1 + i // 40};{i % 2};{(i % 2) if i % 5 else 1 - i % 2};"
                              f"{'non' if i % 5 else 'oui'};{'Nord' if i % 2 else 'Sud'}\n" for i in range(80)),
                    encoding="utf-8")
    assert main(["monitor", "outcomes", "--use-case", case.reference, "--file", str(path),
                 "--territory", "quartier"]) == 0
    assert "résultats enregistrés" in capsys.readouterr().out
    fresh = build_services(cli_env)
    overall = [o for o in fresh.monitoring.outcomes(case.id) if o.territory is None]
    assert [o.period for o in overall] == ["2025-T1", "2025-T2"]
    assert overall[0].metrics["accuracy"] == pytest.approx(0.8) and overall[0].metrics["override_rate"] == 0.2
    assert overall[0].metrics["f1"] == pytest.approx(0.8)  # binary labels read from text as 0/1
    with fresh.db.reader() as s:
        actor = s.scalars(select(AuditEvent.actor_id).where(AuditEvent.action == "record_outcomes")).one()
    assert actor == people["lead"].person_id
    path.write_text("period;actual\n2025-T1;1\n", encoding="utf-8")
    assert main(["monitor", "outcomes", "--use-case", case.reference, "--file", str(path)]) == 1
    assert "prediction" in capsys.readouterr().err
    fresh.db.dispose()


def test_large_batches_get_the_evidently_report_on_a_sample_and_scores_on_every_row(services, people, case,
                                                                                   monkeypatch):
    import monitoring.drift as module

    monkeypatch.setattr(module, "REPORT_MAX_ROWS", 300)
    res = services.monitoring.run_check(people["lead"], case.id, batch(n=900, seed=2, shift=8), label="gros lot")
    assert res.run.has_report and res.run.n_current == 900
    assert any("échantillon de 300 lignes" in m for m in res.run.messages)


def test_dot_and_french_decimal_files_give_the_same_check(services, people, case):
    frame = batch(seed=7)
    frame.loc[3, "age"] = np.nan
    french = services.monitoring.run_check(people["lead"], case.id, csv_bytes(frame), filename="fr.csv",
                                           label="fr", html_report=False)
    plain = services.monitoring.run_check(people["lead"], case.id, frame.to_csv(index=False).encode(),
                                          filename="en.csv", label="en", html_report=False)
    assert french.run.current_fingerprint == plain.run.current_fingerprint
    assert [c.score for c in french.run.columns] == pytest.approx([c.score for c in plain.run.columns], abs=1e-15)
    with pytest.raises(InvalidInput) as exc:  # a bad cell in an otherwise plain column is still named
        services.monitoring.run_check(people["lead"], case.id, b"age,commune\n1.5,A\nabc,B\n", filename="x.csv",
                                      label="x", html_report=False)
    assert "« age »" in exc.value.problems[0] and "« abc »" in exc.value.problems[0]
