"""How runs are stored: compressed artifacts with checksums, and their read models."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
from typing import Any, Literal, get_args, get_origin

import pandas as pd

from portal.db.models import AnalysisArtifact, AnalysisRun
from portal.services.analysis.views import (
    STALLED_AFTER,
    RunView,
)
from portal.services.errors import InvalidInput, VigieError
from usecases import registry
from usecases.base import AnalysisModule

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
