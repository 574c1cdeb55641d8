"""Drift checks: a current batch against the reference, stored with its columns and alerts; the due job."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import pandas as pd

from monitoring.alerts import (
    AlertThresholds,
    evaluate_alerts,
)
from monitoring.drift import compute_drift, evidently_html_report, report_sample
from monitoring.outcomes import (
    finite,
)
from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import (
    MonitoringColumnResult,
    MonitoringRun,
)
from portal.repositories import monitoring as repo
from portal.services import audit
from portal.services.errors import InvalidInput
from portal.services.monitoring.alerts import AlertsMixin
from portal.services.monitoring.batches import (
    JOB_MAX_BYTES,
    decode_reference,
    gzip_bytes,
    pick_frame,
    problems_for,
    read_batch,
    schema_of,
)
from portal.services.monitoring.views import CheckOutcome, DueCheck
from usecases import loading
from usecases.base import coerce, fingerprint


class ChecksMixin(AlertsMixin):
    def run_check(self, principal: Principal, use_case_id: int,
                  current: pd.DataFrame | bytes | Mapping[str, pd.DataFrame], *,
                  label: str, filename: str | None = None, trigger: Literal["manual", "job"] = "manual",
                  engine: Literal["fast", "evidently"] = "fast", html_report: bool = True) -> CheckOutcome:
        """Compare a current batch with the reference; store the run, its columns and its alerts."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.RUN_MONITORING, owner_ids=[uc.lead_id])
            cfg = repo.config_of(s, use_case_id)
            if cfg is None or cfg.reference_id is None:
                raise InvalidInput(["Aucune référence n'est enregistrée pour ce cas d'usage : "
                                    "enregistrez d'abord un lot de référence."])
            ref = repo.reference(s, cfg.reference_id)
            assert ref is not None
            reference = decode_reference(ref)
            columns, critical, ref_id = dict(cfg.columns), list(cfg.critical_columns), ref.id
            settings = (dict(cfg.drift_settings), cfg.min_metrics, cfg.max_metrics, cfg.suspension_runs)
            stage = uc.stage
        frame = self._current_frame(current, columns, filename, trigger)
        level = self.level_of(use_case_id)
        thresholds = self._thresholds(*settings, level)
        started = time.perf_counter()
        try:
            result = compute_drift(reference, frame, columns, thresholds.drift, engine=engine)  # type: ignore[arg-type]
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None
        seconds = time.perf_counter() - started
        specs = evaluate_alerts(thresholds, drift=result, critical_columns=critical)
        messages = list(result.messages)
        html, report_error = None, None
        if html_report:
            html, report_error, note = self._html_report(reference, frame, columns, thresholds)
            messages += [note] if note else []
        current_fp = fingerprint({"current": frame[list(columns)]})
        label = (label or "").strip()[:300] or "Lot courant"
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.RUN_MONITORING)
            run = MonitoringRun(
                use_case_id=uc.id, reference_id=ref_id, current_label=label, current_fingerprint=current_fp,
                n_reference=result.n_reference, n_current=result.n_current, share_drifted=float(result.share_drifted),
                dataset_drift=bool(result.dataset_drift), n_drifted=result.n_drifted,
                n_computable=result.n_computable, impact_level=level.level, level_source=level.source,
                engine=engine, settings=thresholds.to_dict(), messages=messages, n_alerts=len(specs),
                report_html=html, report_error=report_error, trigger=trigger, seconds=seconds,
                created_by_id=principal.person_id or None,
            )
            s.add(run)
            s.flush()
            for col in result.columns:
                s.add(MonitoringColumnResult(
                    run_id=run.id, column=col.column, kind=col.kind, method=col.method, score=finite(col.score),
                    threshold=float(col.threshold), drifted=bool(col.drifted), computable=bool(col.computable),
                    ref_missing_rate=finite(col.ref_missing_rate), cur_missing_rate=finite(col.cur_missing_rate),
                    missing_rate_change=finite(col.missing_rate_change),
                    missing_rate_changed=bool(col.missing_rate_changed),
                    new_categories=col.to_dict()["new_categories"], p_value=finite(col.p_value),
                    messages=list(col.messages),
                ))
            alerts = self._raise_alerts(s, principal, uc, specs, run_id=run.id)
            proposed = self._maybe_propose_suspension(s, principal, uc, stage, alerts, settings[3])
            s.flush()
            audit.append(s, principal, "run_monitoring", "monitoring_run", run.id, use_case_id=uc.id,
                         details={"label": label, "trigger": trigger, "fingerprint": current_fp,
                                  "share_drifted": run.share_drifted, "dataset_drift": run.dataset_drift,
                                  "alerts": len(alerts), "level": level.level, "level_source": level.source})
            cols = repo.column_results(s, [run.id])
            out = CheckOutcome(self._run_view(run, list(cols)), [self._alert_view(a) for a in alerts],
                               proposed is not None, result)
        if proposed is not None and self._on_suspension_proposed is not None:
            self._on_suspension_proposed(use_case_id, proposed)
        return out

    @staticmethod
    def _current_frame(current: pd.DataFrame | bytes | Mapping[str, pd.DataFrame], columns: Mapping[str, str],
                       filename: str | None, trigger: str) -> pd.DataFrame:
        if isinstance(current, Mapping):  # an analysis run's inputs and watched output, by name
            current = pick_frame(current, columns)
        if isinstance(current, bytes | bytearray):
            # jobs read the collectivité's own drop folder: larger files than a page upload
            return read_batch(bytes(current), filename or "lot.csv", columns, "courant",
                              JOB_MAX_BYTES if trigger == "job" else loading.DEFAULT_MAX_BYTES)
        problems = problems_for(current, columns, "courant")
        if problems:
            raise InvalidInput(problems)
        return coerce(current, schema_of(columns))

    @staticmethod
    def _html_report(reference: pd.DataFrame, current: pd.DataFrame, columns: Mapping[str, str],
                     thresholds: AlertThresholds) -> tuple[bytes | None, str | None, str | None]:
        """Evidently's report (gzipped), or why it was not produced; and the note when it was sampled."""
        ref_r, cur_r, note = report_sample(reference, current)
        try:
            html = evidently_html_report(ref_r, cur_r, columns, thresholds.drift)  # type: ignore[arg-type]
        except Exception as exc:  # the report is optional; the run is stored anyway
            return None, f"Rapport Evidently non produit : {exc}", note
        return gzip_bytes(html.encode("utf-8")), None, note

    def run_due(self, principal: Principal, today: dt.date | None = None) -> list[tuple[DueCheck, str]]:
        """Run every due check whose configuration names a current source (a file, or a folder
        whose newest file is read). Returns (check, French outcome) pairs; never stops on one failure."""
        out: list[tuple[DueCheck, str]] = []
        for due in self.due(today):
            if not due.current_source:
                out.append((due, "contrôle dû, mais aucun emplacement de lot courant n'est configuré"))
                continue
            path = Path(due.current_source)
            if path.is_dir():
                files = sorted((p for p in path.iterdir() if p.is_file()), key=lambda p: p.stat().st_mtime)
                path = files[-1] if files else path
            if not path.is_file():
                out.append((due, f"lot courant introuvable : {due.current_source}"))
                continue
            try:
                res = self.run_check(principal, due.use_case_id, path.read_bytes(), label=f"Fichier « {path.name} »",
                                     filename=path.name, trigger="job")
            except InvalidInput as exc:
                out.append((due, "refusé : " + " ; ".join(exc.problems)))
                continue
            out.append((due, describe_run(res)))
        return out


def describe_run(res: CheckOutcome) -> str:
    run = res.run
    text = (f"contrôle n° {run.id} : {run.n_drifted} colonne(s) en dérive sur {run.n_computable} "
            f"({run.share_drifted * 100:.0f} %), {len(res.alerts)} alerte(s)")
    if res.suspension_proposed:
        text += ", suspension proposée (décision humaine attendue)"
    return text
