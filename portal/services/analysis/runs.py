"""Running a module on a use case's files, in one transaction or in the background, and reading runs back."""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.resources
import io
import json
import threading
import zipfile
from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import AnalysisArtifact, AnalysisRun
from portal.repositories import analysis as repo
from portal.services import audit
from portal.services.analysis.bindings import BindingsMixin
from portal.services.analysis.storage import (
    _artifact,
    _checked,
    _clean_metric,
    _module,
    _parquet,
    _read_parquet,
    _view,
    param_labels,
)
from portal.services.analysis.views import (
    STATUS_FR,
    AnalysisFailed,
    Progress,
    RunDetail,
    RunView,
    UploadedFile,
)
from portal.services.errors import InvalidInput, NotFound, VigieError
from portal.services.validation import french_problems
from usecases import loading
from usecases.base import AnalysisModule, AnalysisResult, fingerprint


class RunsMixin(BindingsMixin):
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
            except InvalidInput as exc:
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
            message = str(exc) if isinstance(exc, VigieError | InvalidInput) else f"L'analyse a échoué : {exc}"
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
            self.on_reference(principal, use_case_id, run_id, self.monitored_frames(run_id))
        return view

    def monitored_frames(self, run_id: int) -> dict[str, pd.DataFrame]:
        """What monitoring compares for a run: its inputs, and the result table its module watches
        when the module declares one (``monitored_output``: routed requests, drafted answers…)."""
        frames = self.run_inputs(run_id)
        run = self.get_run(run_id)
        output = _module(run.module_key).monitored_output
        if output is not None:
            table = self.open_run(run_id).tables.get(output[0])
            if table is not None:
                frames[output[0]] = table
        return frames

    def check_run(self, principal: Principal, run_id: int) -> Any:
        """Check a finished run against its use case's monitoring reference: the Suivi tab then shows
        how this run's data (or output) moved since the reference run. Returns monitoring's check."""
        with self._reader() as s:
            run = s.get(AnalysisRun, run_id)
            if run is None:
                raise NotFound(f"Exécution n° {run_id} introuvable.")
            uc = self._use_case(s, run.use_case_id)
            require(principal, Action.RUN_MONITORING, owner_ids=[uc.lead_id])
            status, use_case_id, is_reference = run.status, run.use_case_id, run.is_reference
        if status != "done":
            raise InvalidInput([f"L'exécution n° {run_id} n'est pas terminée ({STATUS_FR.get(status)}) : "
                                "elle ne peut pas être contrôlée."])
        if is_reference:
            raise InvalidInput([f"L'exécution n° {run_id} est la référence du suivi : contrôlez une exécution "
                                "plus récente."])
        if self.on_check is None:
            raise InvalidInput(["Le suivi n'est pas relié aux analyses dans ce portail."])
        return self.on_check(principal, use_case_id, run_id, self.monitored_frames(run_id))
