"""Analysis: bind a use case to a module, run it on uploaded files or its sample, store, reopen, compare.

A run reads every named input, checks it against the module's schema and validates the parameters
*before* anything is written: a bad file stores nothing. The validated frames, the uploaded bytes,
the result tables and the charts are stored compressed (Parquet, gzip) with a SHA-256 checksum.

``run`` computes and stores in one transaction (CLI, tests, demo). ``start_run`` validates, stores the
run as ``running`` with its inputs, then computes in a background thread that writes its progress; the
page polls ``get_run`` and never freezes. ``set_reference`` marks the run monitoring compares with and
then calls the ``on_reference`` hook with the run's inputs.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import importlib.resources
import io
import json
import math
import threading
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

import pandas as pd
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import AnalysisArtifact, AnalysisBinding, AnalysisRun, UseCase
from portal.repositories import analysis as repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound, VigieError
from portal.services.validation import french_problems
from usecases import loading, registry
from usecases.base import AnalysisModule, AnalysisResult, fingerprint

#: Largest file a person may upload for one input.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

STATUS_FR = {"running": "en cours", "done": "terminée", "failed": "en échec", "interrupted": "interrompue"}
#: A background run that has not finished after this long was cut short (the portal restarted or
#: stopped while it ran): it is shown as interrupted, so no page waits for it for ever.
STALLED_AFTER = dt.timedelta(hours=1)

OnReference = Callable[[Principal, int, int, dict[str, pd.DataFrame]], None]
Progress = Callable[[float, str], None]


class AnalysisFailed(VigieError):
    """The module could not compute a result on these inputs (message in French)."""


@dataclass(frozen=True)
class UploadedFile:
    """A file as a person gave it: its name (for the format and the messages) and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class ModuleInfo:
    key: str
    title: str
    description: str
    version: str
    inputs: list[tuple[str, str]]  # (name, French title)


@dataclass(frozen=True)
class BindingView:
    use_case_id: int
    module_key: str
    module_title: str
    bound_at: dt.datetime


@dataclass(frozen=True)
class RunView:
    id: int
    use_case_id: int
    module_key: str
    module_version: str
    params: dict[str, Any]
    input_fingerprint: str
    inputs: dict[str, Any]
    status: str
    progress: float
    progress_label: str
    metrics: dict[str, float | None]
    metric_labels: dict[str, str]
    table_labels: dict[str, str]
    notes: list[str]
    error: str | None
    created_by_id: int | None
    created_by_name: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    is_reference: bool

    @property
    def status_label(self) -> str:
        return STATUS_FR.get(self.status, self.status)

    @property
    def finished(self) -> bool:
        return self.status != "running"


@dataclass
class RunDetail:
    run: RunView
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Vega-Lite specifications of the module's Altair charts, by chart key.
    charts: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class TableDiff:
    name: str
    title: str
    rows_a: int
    rows_b: int
    only_a: int
    only_b: int
    columns_differ: bool
    #: Up to 200 differing rows, with a ``Présence`` column (« seulement A » / « seulement B »).
    rows: pd.DataFrame

    @property
    def identical(self) -> bool:
        return not self.columns_differ and self.only_a == 0 and self.only_b == 0


@dataclass
class Comparison:
    a: RunView
    b: RunView
    same_inputs: bool
    params: pd.DataFrame  # Paramètre, A, B (only those that differ)
    metrics: pd.DataFrame  # Clé, Indicateur, A, B, Écart
    tables: list[TableDiff]


# ---- storage helpers ------------------------------------------------------------------------------

def _artifact(kind: str, name: str, content: bytes, media_type: str, file_name: str | None = None) -> AnalysisArtifact:
    return AnalysisArtifact(kind=kind, name=name, file_name=file_name, media_type=media_type, size=len(content),
                            checksum=hashlib.sha256(content).hexdigest(), content=content)


def _parquet(df: pd.DataFrame) -> bytes:
    frame = df.copy()
    frame.columns = [str(c) for c in frame.columns]
    for col in frame.columns:  # mixed object columns (numbers and text) become text
        if frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: v if v is None or isinstance(v, str) or pd.isna(v) else str(v))
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def _checked(art: AnalysisArtifact) -> bytes:
    if hashlib.sha256(art.content).hexdigest() != art.checksum:
        raise VigieError(f"Fichier stocké « {art.name} » altéré : empreinte SHA-256 différente.")
    return art.content


def _read_parquet(art: AnalysisArtifact) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(_checked(art)))


def _clean_metric(value: Any) -> float | None:
    v = float(value)
    return None if math.isnan(v) or math.isinf(v) else v


def _view(run: AnalysisRun, now: dt.datetime | None = None) -> RunView:
    labels = run.labels or {}
    status, error = run.status, run.error
    now = now or dt.datetime.now(dt.UTC)
    if status == "running" and run.started_at is not None and now - run.started_at > STALLED_AFTER:
        status = "interrupted"
        error = ("Exécution interrompue : aucun résultat plus d'une heure après son lancement (le portail a "
                 "sans doute redémarré pendant le calcul). Relancez l'analyse.")
    return RunView(
        id=run.id, use_case_id=run.use_case_id, module_key=run.module_key, module_version=run.module_version,
        params=dict(run.params or {}), input_fingerprint=run.input_fingerprint, inputs=dict(run.inputs or {}),
        status=status, progress=run.progress, progress_label=run.progress_label,
        metrics=dict(run.metrics or {}), metric_labels=dict(labels.get("metrics", {})),
        table_labels=dict(labels.get("tables", {})), notes=list(run.notes or []), error=error,
        created_by_id=run.created_by_id, created_by_name=run.created_by_name, started_at=run.started_at,
        finished_at=run.finished_at, is_reference=run.is_reference,
    )


def param_labels(module: AnalysisModule[Any]) -> dict[str, str]:
    return {name: f.title or name for name, f in module.params_model.model_fields.items()}


def param_choices(module: AnalysisModule[Any], name: str) -> dict[str, str] | None:
    """{value: French label} for a Literal parameter, else None."""
    f = module.params_model.model_fields[name]
    if get_origin(f.annotation) is not Literal:
        return None
    extra = f.json_schema_extra if isinstance(f.json_schema_extra, dict) else {}
    labels = extra.get("choices") or {}
    assert isinstance(labels, dict)
    return {str(v): str(labels.get(v, v)) for v in get_args(f.annotation)}


def _module(key: str) -> AnalysisModule[Any]:
    try:
        return registry.get(key)
    except registry.UnknownModule as exc:
        raise InvalidInput([exc.message]) from None


class AnalysisService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], *,
                 on_reference: OnReference | None = None, max_upload_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self._reader = reader
        self._writer = writer
        self.on_reference = on_reference
        self.max_upload_bytes = max_upload_bytes
        self._threads: dict[int, threading.Thread] = {}

    # ---- modules and bindings ----------------------------------------------------------------

    @staticmethod
    def modules() -> list[ModuleInfo]:
        return [ModuleInfo(m.key, m.title, m.description, m.version, [(s.name, s.title_fr) for s in m.inputs])
                for m in registry.load().values()]

    @staticmethod
    def module(key: str) -> AnalysisModule[Any]:
        return _module(key)

    def binding(self, use_case_id: int) -> BindingView | None:
        with self._reader() as s:
            b = repo.binding(s, use_case_id)
            return None if b is None else self._binding_view(b)

    def bindings(self) -> dict[int, BindingView]:
        with self._reader() as s:
            return {b.use_case_id: self._binding_view(b) for b in repo.bindings(s)}

    @staticmethod
    def _binding_view(b: AnalysisBinding) -> BindingView:
        try:
            title = registry.get(b.module_key).title
        except registry.UnknownModule:
            title = f"{b.module_key} (module absent)"
        return BindingView(b.use_case_id, b.module_key, title, b.bound_at)

    def _use_case(self, s: Session, use_case_id: int) -> UseCase:
        uc = s.get(UseCase, use_case_id)
        if uc is None:
            raise NotFound(f"Cas d'usage n° {use_case_id} introuvable.")
        return uc

    def bind(self, principal: Principal, use_case_id: int, module_key: str) -> BindingView:
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.BIND_MODULE, owner_ids=[uc.lead_id])  # before naming the module
            module = _module(module_key)
            b = repo.binding(s, use_case_id)
            before = None if b is None else {"module": b.module_key}
            if b is None:
                b = AnalysisBinding(use_case_id=use_case_id, module_key=module.key)
                s.add(b)
            b.module_key = module.key
            b.bound_by_id = principal.person_id or None
            b.bound_at = dt.datetime.now(dt.UTC)
            s.flush()
            audit.append(s, principal, "bind_module", "analysis_binding", b.id, use_case_id=use_case_id,
                         before=before, after={"module": module.key, "version": module.version})
            return self._binding_view(b)

    def unbind(self, principal: Principal, use_case_id: int) -> None:
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.BIND_MODULE, owner_ids=[uc.lead_id])
            b = repo.binding(s, use_case_id)
            if b is None:
                raise NotFound("Ce cas d'usage n'est associé à aucun module d'analyse.")
            audit.append(s, principal, "unbind_module", "analysis_binding", b.id, use_case_id=use_case_id,
                         before={"module": b.module_key})
            s.delete(b)

    # ---- validation (nothing is written before it passes) -----------------------------------

    def validate_params(self, module: AnalysisModule[Any], params: Mapping[str, Any] | None) -> BaseModel:
        try:
            return module.params_model.model_validate(dict(params or {}))
        except ValidationError as exc:
            raise InvalidInput(french_problems(exc, param_labels(module))) from None

    def read_inputs(self, module: AnalysisModule[Any], files: Mapping[str, UploadedFile] | None,
                    *, use_sample: bool = False) -> tuple[dict[str, pd.DataFrame], dict[str, UploadedFile]]:
        """Read and check every named input; raise ``InvalidInput`` naming the file, column and line."""
        if use_sample:
            package = type(module).__module__.rpartition(".")[0]
            uploads = {spec.name: UploadedFile(spec.sample_file, importlib.resources.files(package)
                                               .joinpath(spec.sample_file).read_bytes()) for spec in module.inputs}
        else:
            uploads = dict(files or {})
        names = [spec.name for spec in module.inputs]
        problems = [f"Donnée inconnue : « {n} ». Données attendues : {', '.join(names)}."
                    for n in sorted(set(uploads) - set(names))]
        problems += [f"Fichier manquant pour « {spec.title_fr} »." for spec in module.inputs
                     if spec.required and spec.name not in uploads]
        frames: dict[str, pd.DataFrame] = {}
        for spec in module.inputs:
            if spec.name not in uploads:
                continue
            up = uploads[spec.name]
            try:
                read = spec.reader or loading.read_table
                raw = read(up.data, up.name, max_bytes=self.max_upload_bytes)
                frames[spec.name] = loading.prepare(raw, spec.schema)
            except loading.InvalidInput as exc:
                problems.extend(f"« {up.name} » ({spec.title_fr}) — {p}" for p in exc.problems)
        if problems:
            raise InvalidInput(problems)
        return frames, uploads

    def _check_run(self, principal: Principal, use_case_id: int) -> AnalysisModule[Any]:
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.RUN_ANALYSIS, owner_ids=[uc.lead_id])
            b = repo.binding(s, use_case_id)
            if b is None:
                raise InvalidInput(["Ce cas d'usage n'est associé à aucun module d'analyse : associez-en un d'abord."])
            return _module(b.module_key)

    # ---- running ------------------------------------------------------------------------------

    @staticmethod
    def _compute(module: AnalysisModule[Any], frames: dict[str, pd.DataFrame], params: BaseModel,
                 progress: Progress) -> AnalysisResult:
        progress(0.3, "Calcul en cours")
        try:
            return module.run(frames, params)
        except Exception as exc:  # a module's own refusal (too little data, …) or a defect
            raise AnalysisFailed(f"L'analyse a échoué : {exc}") from exc

    @staticmethod
    def _new_run(principal: Principal, use_case_id: int, module: AnalysisModule[Any], params: BaseModel,
                 frames: dict[str, pd.DataFrame], uploads: dict[str, UploadedFile]) -> AnalysisRun:
        run = AnalysisRun(
            use_case_id=use_case_id, module_key=module.key, module_version=module.version,
            params=params.model_dump(mode="json"), input_fingerprint=fingerprint(frames),
            inputs={n: {"file": uploads[n].name, "rows": len(f), "columns": [str(c) for c in f.columns]}
                    for n, f in frames.items()},
            status="running", progress=0.1, progress_label="Fichiers vérifiés", metrics={}, labels={}, notes=[],
            created_by_id=principal.person_id or None, created_by_name=principal.display_name,
            started_at=dt.datetime.now(dt.UTC), is_reference=False,
        )
        return run

    @staticmethod
    def _input_artifacts(frames: dict[str, pd.DataFrame], uploads: dict[str, UploadedFile]) -> list[AnalysisArtifact]:
        out = []
        for name, frame in frames.items():
            out.append(_artifact("input", name, _parquet(frame), "application/vnd.apache.parquet",
                                 uploads[name].name))
            out.append(_artifact("upload", name, gzip.compress(uploads[name].data, mtime=0), "application/gzip",
                                 uploads[name].name))
        return out

    @staticmethod
    def _store_result(run: AnalysisRun, result: AnalysisResult) -> list[AnalysisArtifact]:
        run.metrics = {k: _clean_metric(v) for k, v in result.metrics.items()}
        run.labels = {"metrics": dict(result.metric_labels), "tables": dict(result.table_labels)}
        run.notes = list(result.notes)
        run.status, run.progress, run.progress_label = "done", 1.0, "Terminée"
        run.finished_at = dt.datetime.now(dt.UTC)
        arts = [_artifact("table", name, _parquet(t), "application/vnd.apache.parquet")
                for name, t in result.tables.items()]
        for name, chart in result.charts.items():
            spec = json.dumps(chart.to_dict(), ensure_ascii=False, default=str).encode("utf-8")
            arts.append(_artifact("chart", name, gzip.compress(spec, mtime=0), "application/vnd.vegalite+json"))
        return arts

    def run(self, principal: Principal, use_case_id: int, files: Mapping[str, UploadedFile] | None = None, *,
            params: Mapping[str, Any] | None = None, use_sample: bool = False) -> RunView:
        """Validate, compute and store in one transaction; nothing is stored on any refusal."""
        module = self._check_run(principal, use_case_id)
        validated = self.validate_params(module, params)
        frames, uploads = self.read_inputs(module, files, use_sample=use_sample)
        result = self._compute(module, frames, validated, lambda _p, _l: None)
        with self._writer.begin() as s:
            run = self._new_run(principal, use_case_id, module, validated, frames, uploads)
            s.add(run)
            s.flush()
            for art in self._input_artifacts(frames, uploads) + self._store_result(run, result):
                art.run_id = run.id
                s.add(art)
            audit.append(s, principal, "run_analysis", "analysis_run", run.id, use_case_id=use_case_id,
                         after=self._audit_after(run))
            s.flush()
            return _view(run)

    @staticmethod
    def _audit_after(run: AnalysisRun) -> dict[str, Any]:
        return {"module": run.module_key, "version": run.module_version, "params": run.params,
                "input_fingerprint": run.input_fingerprint, "status": run.status}

    def start_run(self, principal: Principal, use_case_id: int, files: Mapping[str, UploadedFile] | None = None,
                  *, params: Mapping[str, Any] | None = None, use_sample: bool = False) -> int:
        """Validate now (refusals store nothing), store the run as ``running``, compute in a thread."""
        module = self._check_run(principal, use_case_id)
        validated = self.validate_params(module, params)
        frames, uploads = self.read_inputs(module, files, use_sample=use_sample)
        with self._writer.begin() as s:
            run = self._new_run(principal, use_case_id, module, validated, frames, uploads)
            s.add(run)
            s.flush()
            for art in self._input_artifacts(frames, uploads):
                art.run_id = run.id
                s.add(art)
            audit.append(s, principal, "run_analysis", "analysis_run", run.id, use_case_id=use_case_id,
                         after=self._audit_after(run))
            run_id = run.id
        thread = threading.Thread(target=self._background, args=(principal, run_id, module, frames, validated),
                                  name=f"vigie-analysis-{run_id}", daemon=True)
        self._threads[run_id] = thread
        thread.start()
        return run_id

    def _set_progress(self, run_id: int, value: float, label: str) -> None:
        with self._writer.begin() as s:
            run = s.get(AnalysisRun, run_id)
            if run is not None:
                run.progress, run.progress_label = value, label

    def _background(self, principal: Principal, run_id: int, module: AnalysisModule[Any],
                    frames: dict[str, pd.DataFrame], params: BaseModel) -> None:
        try:
            result = self._compute(module, frames, params, lambda v, label: self._set_progress(run_id, v, label))
            self._set_progress(run_id, 0.8, "Enregistrement des résultats")
            with self._writer.begin() as s:
                run = s.get(AnalysisRun, run_id)
                assert run is not None
                for art in self._store_result(run, result):
                    art.run_id = run_id
                    s.add(art)
                audit.append(s, principal, "finish_analysis", "analysis_run", run_id, use_case_id=run.use_case_id,
                             after={"status": "done", "metrics": run.metrics})
        except Exception as exc:  # recorded on the run, shown on the page
            message = str(exc) if isinstance(exc, VigieError) else f"L'analyse a échoué : {exc}"
            with self._writer.begin() as s:
                run = s.get(AnalysisRun, run_id)
                if run is not None:
                    run.status, run.error, run.finished_at = "failed", message, dt.datetime.now(dt.UTC)
                    audit.append(s, principal, "finish_analysis", "analysis_run", run_id,
                                 use_case_id=run.use_case_id, after={"status": "failed", "error": message})

    def wait(self, run_id: int, timeout: float = 120.0) -> RunView:
        """Block until a background run ends (CLI, tests); returns its view."""
        thread = self._threads.get(run_id)
        if thread is not None:
            thread.join(timeout)
            if not thread.is_alive():
                self._threads.pop(run_id, None)
        return self.get_run(run_id)

    # ---- reading runs ---------------------------------------------------------------------------

    def list_runs(self, use_case_id: int) -> list[RunView]:
        with self._reader() as s:
            return [_view(r) for r in repo.runs(s, use_case_id)]

    def get_run(self, run_id: int) -> RunView:
        with self._reader() as s:
            run = s.get(AnalysisRun, run_id)
            if run is None:
                raise NotFound(f"Exécution n° {run_id} introuvable.")
            return _view(run)

    def reference_run(self, use_case_id: int) -> RunView | None:
        with self._reader() as s:
            run = repo.reference(s, use_case_id)
            return None if run is None else _view(run)

    def open_run(self, run_id: int) -> RunDetail:
        """A stored run with its result tables and charts (checksums verified)."""
        with self._reader() as s:
            run = s.get(AnalysisRun, run_id)
            if run is None:
                raise NotFound(f"Exécution n° {run_id} introuvable.")
            detail = RunDetail(_view(run))
            for art in repo.artifacts(s, run_id, "table"):
                detail.tables[art.name] = _read_parquet(art)
            for art in repo.artifacts(s, run_id, "chart"):
                detail.charts[art.name] = json.loads(gzip.decompress(_checked(art)))
            return detail

    def run_inputs(self, run_id: int) -> dict[str, pd.DataFrame]:
        """The validated inputs of a run, by input name, as the module read them."""
        with self._reader() as s:
            if s.get(AnalysisRun, run_id) is None:
                raise NotFound(f"Exécution n° {run_id} introuvable.")
            return {art.name: _read_parquet(art) for art in repo.artifacts(s, run_id, "input")}

    def uploaded_file(self, run_id: int, name: str) -> UploadedFile:
        """The file as it was uploaded for input ``name``."""
        with self._reader() as s:
            for art in repo.artifacts(s, run_id, "upload"):
                if art.name == name:
                    return UploadedFile(art.file_name or name, gzip.decompress(_checked(art)))
        raise NotFound(f"Fichier « {name} » introuvable pour l'exécution n° {run_id}.")

    def export_zip(self, run_id: int) -> bytes:
        """``metrics.json``, one CSV per table and ``notes.txt``, as ``vigie analyse`` writes them."""
        detail = self.open_run(run_id)
        run = detail.run
        payload = {"module": run.module_key, "version": run.module_version, "params": run.params,
                   "input_fingerprint": run.input_fingerprint, "metrics": run.metrics,
                   "metric_labels": run.metric_labels, "tables": sorted(detail.tables)}
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("metrics.json", json.dumps(payload, ensure_ascii=False, indent=2))
            for name, table in detail.tables.items():
                zf.writestr(f"{name}.csv", table.to_csv(index=False))
            zf.writestr("notes.txt", "\n".join(run.notes) + ("\n" if run.notes else ""))
        return buf.getvalue()

    # ---- comparing ------------------------------------------------------------------------------

    def compare(self, run_a: int, run_b: int) -> Comparison:
        a, b = self.open_run(run_a), self.open_run(run_b)
        labels = a.run.metric_labels | b.run.metric_labels
        keys = list(dict.fromkeys([*a.run.metrics, *b.run.metrics]))
        metrics = pd.DataFrame([{
            "Clé": k,
            "Indicateur": labels.get(k, k),
            "A": a.run.metrics.get(k),
            "B": b.run.metrics.get(k),
            "Écart": (b.run.metrics[k] - a.run.metrics[k])
            if a.run.metrics.get(k) is not None and b.run.metrics.get(k) is not None else None,
        } for k in keys], columns=["Clé", "Indicateur", "A", "B", "Écart"])
        pkeys = list(dict.fromkeys([*a.run.params, *b.run.params]))
        try:
            module = registry.get(b.run.module_key)
            plabels = param_labels(module)
            choices = {k: param_choices(module, k) or {} for k in module.params_model.model_fields}
        except registry.UnknownModule:
            plabels, choices = {}, {}

        def shown(k: str, v: Any) -> str:
            return choices.get(k, {}).get(str(v), str(v).replace(".", ",") if isinstance(v, float) else str(v))

        params = pd.DataFrame([{"Paramètre": plabels.get(k, k), "A": shown(k, a.run.params.get(k)),
                                "B": shown(k, b.run.params.get(k))}
                               for k in pkeys if a.run.params.get(k) != b.run.params.get(k)],
                              columns=["Paramètre", "A", "B"])
        titles = a.run.table_labels | b.run.table_labels
        tables = [_table_diff(name, titles.get(name, name), a.tables.get(name), b.tables.get(name))
                  for name in dict.fromkeys([*a.tables, *b.tables])]
        return Comparison(a.run, b.run, a.run.input_fingerprint == b.run.input_fingerprint, params, metrics, tables)

    # ---- monitoring reference -------------------------------------------------------------------

    def set_reference(self, principal: Principal, run_id: int) -> RunView:
        """Mark ``run_id`` as its use case's monitoring reference, then call ``on_reference``."""
        with self._writer.begin() as s:
            run = s.get(AnalysisRun, run_id)
            if run is None:
                raise NotFound(f"Exécution n° {run_id} introuvable.")
            uc = self._use_case(s, run.use_case_id)
            require(principal, Action.SET_REFERENCE_RUN, owner_ids=[uc.lead_id])
            if run.status != "done":
                raise InvalidInput([f"L'exécution n° {run_id} n'est pas terminée ({STATUS_FR.get(run.status)}) : "
                                    "elle ne peut pas servir de référence."])
            previous = repo.reference(s, run.use_case_id)
            repo.clear_reference(s, run.use_case_id)
            run.is_reference = True
            s.flush()
            audit.append(s, principal, "set_reference_run", "analysis_run", run.id, use_case_id=run.use_case_id,
                         before={"reference_run": previous.id if previous else None},
                         after={"reference_run": run.id, "input_fingerprint": run.input_fingerprint})
            use_case_id = run.use_case_id
            view = _view(run)
        if self.on_reference is not None:
            self.on_reference(principal, use_case_id, run_id, self.run_inputs(run_id))
        return view


def _table_diff(name: str, title: str, a: pd.DataFrame | None, b: pd.DataFrame | None) -> TableDiff:
    a = a if a is not None else pd.DataFrame()
    b = b if b is not None else pd.DataFrame()
    if list(a.columns) != list(b.columns):
        return TableDiff(name, title, len(a), len(b), len(a), len(b), True, pd.DataFrame())

    def canon(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].round(9)
        return out.astype(str)

    cols = list(a.columns)
    ca, cb = canon(a), canon(b)
    ca["_row_a"], cb["_row_b"] = range(len(a)), range(len(b))
    merged = ca.merge(cb, on=cols, how="outer", indicator="_side")
    left = merged.loc[merged["_side"] == "left_only", "_row_a"].astype(int).tolist()
    right = merged.loc[merged["_side"] == "right_only", "_row_b"].astype(int).tolist()
    rows = pd.concat([a.iloc[left].assign(Présence="seulement A"), b.iloc[right].assign(Présence="seulement B")],
                     ignore_index=True)
    rows = rows[["Présence", *cols]].head(200) if len(rows) else pd.DataFrame(columns=["Présence", *cols])
    return TableDiff(name, title, len(a), len(b), len(left), len(right), False, rows)
