"""AnalysisService on SQLite and PostgreSQL: bind, run (sync and background), store, reopen, compare,
reference hook, and bad files that store nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest
from pydantic import Field
from sqlalchemy import select

from policies.access import PermissionDenied
from portal.db.models import AnalysisArtifact, AnalysisBinding, AnalysisRun, AuditEvent
from portal.services.analysis import AnalysisFailed, UploadedFile, param_choices
from portal.services.errors import InvalidInput
from tests.conftest import use_case_data
from tests.rows import count_rows
from usecases import registry
from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, Params

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "usecases" / "demography" / "sample.csv"


class _PairParams(Params):
    factor: float = Field(1.0, ge=0, description="Facteur", title="Facteur")


class _PairModule(AnalysisModule[_PairParams]):
    """A test module with two named inputs (an inventory and its failures)."""

    key = "test_pair"
    title = "Module de test à deux entrées"
    description = "Joint un inventaire et ses pannes."
    version = "0.1"
    family = "operations"
    inputs: ClassVar = (
        InputSpec("assets", "Inventaire", InputSchema((Column("asset", "categorical", "id"),
                                                       Column("age", "numerical")))),
        InputSpec("failures", "Pannes", InputSchema((Column("asset", "categorical", "id"),
                                                     Column("failures", "numerical")))),
    )
    params_model = _PairParams

    def run(self, inputs: dict[str, pd.DataFrame], params: _PairParams) -> AnalysisResult:
        if params.factor > 100:
            raise ValueError("facteur hors de l'échelle des pannes")
        joined = inputs["assets"].merge(inputs["failures"], on="asset", how="left").fillna({"failures": 0})
        joined["score"] = joined["failures"] * params.factor
        return AnalysisResult(metrics={"assets": float(len(joined)), "failures": float(joined["failures"].sum())},
                              tables={"scores": joined})


@pytest.fixture
def pair_module():  # type: ignore[no-untyped-def]
    """Registered for one test only, so the contract tests over every module never see it."""
    registry.register(_PairModule)
    yield
    registry._modules.pop(_PairModule.key, None)




@pytest.fixture
def case(services, people):  # type: ignore[no-untyped-def]
    uc = services.register.create(people["lead"], use_case_data(title="Carte scolaire"))
    services.analysis.bind(people["lead"], uc.id, "demography")
    return uc


def _sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def test_bind_requires_the_lead_or_admin_and_is_audited(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    with pytest.raises(PermissionDenied):
        services.analysis.bind(people["lead2"], uc.id, "demography")
    with pytest.raises(PermissionDenied):
        services.analysis.bind(people["compliance"], uc.id, "demography")
    with pytest.raises(InvalidInput, match="Module d'analyse inconnu"):
        services.analysis.bind(people["lead"], uc.id, "nope")
    view = services.analysis.bind(people["lead"], uc.id, "facility_usage")
    assert view.module_key == "facility_usage"
    services.analysis.bind(people["admin"], uc.id, "demography")
    assert services.analysis.binding(uc.id).module_key == "demography"
    assert count_rows(services, AnalysisBinding) == 1
    services.analysis.unbind(people["lead"], uc.id)
    assert services.analysis.binding(uc.id) is None
    actions = [e.action for e in services.audit.history_of(uc.id)]
    assert actions.count("bind_module") == 2 and "unbind_module" in actions


def test_run_is_stored_with_fingerprint_inputs_tables_and_audit(services, people, case):
    run = services.analysis.run(people["lead"], case.id, {"populations": UploadedFile("pop.csv", _sample_bytes())},
                                params={"horizon_years": 5})
    assert run.status == "done" and run.progress == 1.0
    assert run.module_key == "demography" and run.module_version
    assert run.params["horizon_years"] == 5 and run.params["top_n"] == 15  # defaults stored too
    assert len(run.input_fingerprint) == 64
    assert run.inputs["populations"]["file"] == "pop.csv"
    assert run.created_by_name == "Test lead"
    assert run.metrics["communes"] > 0
    detail = services.analysis.open_run(run.id)
    assert set(detail.tables) >= {"forecast", "plus_forte_hausse"}
    assert list(detail.tables["forecast"].columns[:5]) == ["code", "year", "forecast", "lower", "upper"]
    assert detail.charts  # Vega-Lite specs
    inputs = services.analysis.run_inputs(run.id)
    assert set(inputs) == {"populations"}
    assert len(inputs["populations"]) == run.inputs["populations"]["rows"]
    assert services.analysis.uploaded_file(run.id, "populations").data == _sample_bytes()
    with services.db.reader() as s:
        arts = s.scalars(select(AnalysisArtifact).where(AnalysisArtifact.run_id == run.id)).all()
        assert {a.kind for a in arts} == {"input", "upload", "table", "chart"}
        assert all(len(a.checksum) == 64 for a in arts)
        upload = next(a for a in arts if a.kind == "upload")
        assert upload.size < len(_sample_bytes())  # compressed
    assert "run_analysis" in [e.action for e in services.audit.history_of(case.id)]
    assert services.audit.verify().ok


def test_same_sample_gives_same_fingerprint_and_identical_tables(services, people, case):
    a = services.analysis.run(people["lead"], case.id, use_sample=True)
    b = services.analysis.run(people["lead"], case.id, {"populations": UploadedFile("s.csv", _sample_bytes())})
    assert a.input_fingerprint == b.input_fingerprint
    comparison = services.analysis.compare(a.id, b.id)
    assert comparison.same_inputs and comparison.params.empty
    assert all(t.identical for t in comparison.tables)
    assert (comparison.metrics["Écart"].dropna() == 0).all()


def test_compare_shows_metric_and_table_differences(services, people, case):
    a = services.analysis.run(people["lead"], case.id, use_sample=True, params={"horizon_years": 10})
    b = services.analysis.run(people["lead"], case.id, use_sample=True, params={"horizon_years": 5, "top_n": 5})
    c = services.analysis.compare(a.id, b.id)
    assert set(c.params["Paramètre"]) == {"Horizon (années)", "Communes listées"}
    top = next(t for t in c.tables if t.name == "plus_forte_hausse")
    assert top.rows_a == 15 and top.rows_b == 5
    assert not top.identical and top.only_a > 0
    assert set(top.rows["Présence"]) <= {"seulement A", "seulement B"}
    # horizon 10 projects 2016 and 2021, horizon 5 only 2016: the 2016 rows are the same, 2021 only in A
    fc = next(t for t in c.tables if t.name == "forecast")
    assert fc.rows_a == 2 * fc.rows_b and fc.only_a == fc.rows_b and fc.only_b == 0
    assert set(fc.rows["year"]) == {2021} and pd.api.types.is_float_dtype(fc.rows["forecast"])  # original values
    assert "annee_horizon" in list(a.metrics)
    row = c.metrics[c.metrics["A"] != c.metrics["B"]]
    assert not row.empty


def test_start_run_runs_in_background_and_records_progress(services, people, case):
    run_id = services.analysis.start_run(people["lead"], case.id, use_sample=True)
    view = services.analysis.wait(run_id)
    assert view.status == "done" and view.progress == 1.0 and view.finished_at is not None
    assert services.analysis.open_run(run_id).tables
    actions = [e.action for e in services.audit.history_of(case.id)]
    assert "run_analysis" in actions and "finish_analysis" in actions
    assert services.audit.verify().ok


def test_set_reference_calls_the_hook_with_the_inputs(services, people, case):
    calls = []
    services.analysis.on_reference = lambda p, uc_id, run_id, inputs: calls.append((p, uc_id, run_id, inputs))
    a = services.analysis.run(people["lead"], case.id, use_sample=True)
    b = services.analysis.run(people["lead"], case.id, use_sample=True, params={"horizon_years": 5})
    with pytest.raises(PermissionDenied):
        services.analysis.set_reference(people["lead2"], a.id)
    with pytest.raises(PermissionDenied):
        services.analysis.set_reference(people["director"], a.id)
    assert calls == []
    services.analysis.set_reference(people["lead"], a.id)
    services.analysis.set_reference(people["compliance"], b.id)
    assert [c[1:3] for c in calls] == [(case.id, a.id), (case.id, b.id)]
    principal, _, _, inputs = calls[0]
    assert principal == people["lead"]
    assert set(inputs) == {"populations"} and len(inputs["populations"]) == a.inputs["populations"]["rows"]
    runs = {r.id: r for r in services.analysis.list_runs(case.id)}
    assert runs[b.id].is_reference and not runs[a.id].is_reference  # one reference per use case
    assert services.analysis.reference_run(case.id).id == b.id


def test_run_permissions(services, people, case):
    for who in ("lead2", "director", "reader"):
        with pytest.raises(PermissionDenied):
            services.analysis.run(people[who], case.id, use_sample=True)
    services.analysis.run(people["compliance"], case.id, use_sample=True)


def test_unbound_use_case_cannot_run(services, people):
    uc = services.register.create(people["lead"], use_case_data())
    with pytest.raises(InvalidInput, match="aucun module"):
        services.analysis.run(people["lead"], uc.id, use_sample=True)


def test_several_named_inputs(services, people, pair_module):
    uc = services.register.create(people["lead"], use_case_data())
    services.analysis.bind(people["lead"], uc.id, "test_pair")
    assets = UploadedFile("inventaire.csv", b"asset;age\nA1;10\nA2;25,5\nA3;3\n")
    failures = UploadedFile("pannes.csv", b"asset,failures\nA1,2\nA3,1\n")
    with pytest.raises(InvalidInput, match="Fichier manquant pour « Pannes »"):
        services.analysis.run(people["lead"], uc.id, {"assets": assets})
    run = services.analysis.run(people["lead"], uc.id, {"assets": assets, "failures": failures},
                                params={"factor": 2})
    assert run.metrics == {"assets": 3.0, "failures": 3.0}
    inputs = services.analysis.run_inputs(run.id)
    assert set(inputs) == {"assets", "failures"} and inputs["assets"]["age"].tolist() == [10.0, 25.5, 3.0]
    assert services.analysis.open_run(run.id).tables["scores"]["score"].tolist() == [4.0, 0.0, 2.0]


def _csv(df: pd.DataFrame, sep: str = ";") -> bytes:
    buf = io.StringIO()
    df.to_csv(buf, sep=sep, index=False)
    return buf.getvalue().encode("utf-8")


BAD_FILES = {
    "wrong_separator": (lambda s: _csv(s, sep="|"), "séparateur semble incorrect"),
    "missing_column": (lambda s: _csv(s.drop(columns=["population"])), "Colonne manquante : « population »"),
    "text_in_numeric": (lambda s: _csv(s.assign(population=s["population"].where(s.index != 3, "beaucoup"))),
                        "Colonne « population » : valeur non numérique « beaucoup » ligne 5"),
    "empty": (lambda s: b"", "Le fichier est vide"),
    "header_only": (lambda s: _csv(s.head(0)), "aucune ligne de données"),
    "too_big": (lambda s: b"code;year;population\n" + b"75056;2011;1\n" * (50 * 1024 * 1024 // 13 + 1),
                "trop volumineux"),
}


@pytest.mark.parametrize("case_name", list(BAD_FILES))
@pytest.mark.parametrize("mode", ["run", "start_run"])
def test_bad_files_give_a_french_message_and_store_nothing(services, people, case, case_name, mode):
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    make, expected = BAD_FILES[case_name]
    data = make(sample)
    if case_name == "too_big":
        assert len(data) > 50 * 1024 * 1024
    runs_before, arts_before, events_before = (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact),
                                               count_rows(services, AuditEvent))
    with pytest.raises(InvalidInput) as exc:
        getattr(services.analysis, mode)(people["lead"], case.id, {"populations": UploadedFile("pop.csv", data)})
    message = "\n".join(exc.value.problems)
    assert expected in message and "« pop.csv »" in message
    assert (count_rows(services, AnalysisRun), count_rows(services, AnalysisArtifact), count_rows(services, AuditEvent)) == \
        (runs_before, arts_before, events_before)


def test_bad_params_name_the_field_in_french_and_store_nothing(services, people, case):
    with pytest.raises(InvalidInput, match="Horizon \\(années\\)"):
        services.analysis.run(people["lead"], case.id, use_sample=True, params={"horizon_years": 99})
    assert count_rows(services, AnalysisRun) == 0


def test_literal_params_have_french_labels_for_every_choice():
    for module in registry.load().values():
        for name, f in module.params_model.model_fields.items():
            assert f.title, f"{module.key}.{name} has no French title"
            choices = param_choices(module, name)
            if choices is not None:
                assert all(label != value for value, label in choices.items() if len(value) > 1), (module.key, name)


def test_excel_and_french_csv_give_the_same_inputs_as_the_sample(services, people, case):
    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    reference = services.analysis.run(people["lead"], case.id, use_sample=True)
    xlsx = io.BytesIO()
    pd.read_csv(SAMPLE).to_excel(xlsx, index=False)
    from_excel = services.analysis.run(people["lead"], case.id,
                                       {"populations": UploadedFile("pop.xlsx", xlsx.getvalue())})
    french = sample.copy()
    french["population"] = french["population"].str.replace(".", ",", regex=False)
    latin1 = french.to_csv(sep=";", index=False).encode("cp1252")
    from_french = services.analysis.run(people["lead"], case.id, {"populations": UploadedFile("pop.csv", latin1)})
    assert from_excel.input_fingerprint == reference.input_fingerprint
    assert from_french.input_fingerprint == reference.input_fingerprint
    assert from_excel.metrics == reference.metrics


def test_a_module_failure_is_recorded_in_background_and_stores_nothing_when_synchronous(services, people,
                                                                                        pair_module):
    uc = services.register.create(people["lead"], use_case_data())
    services.analysis.bind(people["lead"], uc.id, "test_pair")
    files = {"assets": UploadedFile("a.csv", b"asset;age\nA1;10\n"),
             "failures": UploadedFile("f.csv", b"asset;failures\nA1;2\n")}
    with pytest.raises(AnalysisFailed, match="L'analyse a échoué : facteur hors"):
        services.analysis.run(people["lead"], uc.id, files, params={"factor": 500})
    assert count_rows(services, AnalysisRun) == 0
    run_id = services.analysis.start_run(people["lead"], uc.id, files, params={"factor": 500})
    view = services.analysis.wait(run_id)
    assert view.status == "failed" and "facteur hors" in (view.error or "") and view.finished_at
    with pytest.raises(InvalidInput, match="n'est pas terminée"):
        services.analysis.set_reference(people["lead"], run_id)
    assert services.audit.verify().ok


def test_a_run_cut_short_by_a_restart_shows_as_interrupted_not_running_for_ever(services, people, case):
    run = services.analysis.run(people["lead"], case.id, use_sample=True)
    with services.db.writer.begin() as s:  # what a portal stopped mid-computation leaves behind
        row = s.get(AnalysisRun, run.id)
        row.status, row.finished_at = "running", None
        row.started_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=30)
    recent = services.analysis.get_run(run.id)
    assert recent.status == "running" and not recent.finished
    with services.db.writer.begin() as s:
        s.get(AnalysisRun, run.id).started_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    stalled = services.analysis.get_run(run.id)
    assert stalled.status == "interrupted" and stalled.finished
    assert stalled.status_label == "interrompue" and "Relancez" in (stalled.error or "")


def test_the_bindings_of_a_few_use_cases_are_read_without_the_others(services, people):
    first, second, unbound = (services.register.create(people["lead"], use_case_data(title=t)) for t in "ABC")
    services.analysis.bind(people["lead"], second.id, "demography")
    services.analysis.bind(people["lead"], first.id, "facility_usage")
    assert services.analysis.bound_use_case_ids() == [first.id, second.id]  # by reference
    assert services.analysis.bound_use_case_ids(limit=1) == [first.id]
    of = services.analysis.bindings_of([second.id, unbound.id])
    assert list(of) == [second.id] and of[second.id] == services.analysis.bindings()[second.id]
    assert services.analysis.bindings_of([]) == {}
