"""Configuration of a use case's monitoring and its reference batch."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import (
    MonitoringConfig,
    MonitoringReference,
    UseCase,
)
from portal.repositories import monitoring as repo
from portal.services import audit, editing
from portal.services.errors import InvalidInput
from portal.services.monitoring.batches import (
    frame_to_csv,
    gzip_bytes,
    infer_columns,
    module_columns,
    pick_frame,
    problems_for,
    read_batch,
)
from portal.services.monitoring.reads import MonitoringReads
from portal.services.monitoring.views import ConfigView
from portal.services.validation import validate

STALE_CONFIG = "La configuration du suivi a été modifiée par quelqu'un d'autre : rechargez-la."


class ConfigFields(BaseModel):
    """What a person sets for a use case's monitoring (thresholds are those of level I)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    columns: dict[str, Literal["numerical", "categorical"]] = Field(min_length=1, max_length=500)
    critical_columns: list[str] = Field(default_factory=list, max_length=500)
    cadence_days: int = Field(30, ge=1, le=366)
    numerical_threshold: float = Field(0.1, gt=0, le=1)
    categorical_threshold: float = Field(0.1, gt=0, le=1)
    drift_share: float = Field(0.5, gt=0, le=1)
    missing_rate_threshold: float = Field(0.1, gt=0, le=1)
    min_metrics: dict[str, float] | None = Field(None, max_length=50)
    max_metrics: dict[str, float] | None = Field(None, max_length=50)
    suspension_runs: int = Field(3, ge=1, le=24)
    current_source: str | None = Field(None, max_length=500)

    @field_validator("critical_columns")
    @classmethod
    def _known(cls, value: list[str], info: Any) -> list[str]:
        columns = info.data.get("columns") or {}
        unknown = [c for c in value if c not in columns]
        if unknown:
            raise ValueError(f"colonnes critiques non suivies : {', '.join(unknown)}")
        return value


CONFIG_LABELS = {
    "columns": "Colonnes suivies",
    "critical_columns": "Colonnes critiques",
    "cadence_days": "Fréquence des contrôles (jours)",
    "numerical_threshold": "Seuil de dérive des colonnes numériques",
    "categorical_threshold": "Seuil de dérive des colonnes catégorielles",
    "drift_share": "Part de colonnes en dérive déclenchant l'alerte",
    "missing_rate_threshold": "Écart de taux de valeurs manquantes",
    "min_metrics": "Minimums de qualité",
    "max_metrics": "Maximums d'erreur",
    "suspension_runs": "Contrôles en alerte avant proposition de suspension",
    "current_source": "Emplacement du lot courant",
}


class ConfigurationMixin(MonitoringReads):
    def configure(self, principal: Principal, use_case_id: int, data: dict[str, Any],
                  expected_version: int | None = None) -> ConfigView:
        """Create or update the monitoring configuration of a use case."""
        self._authorise(principal, use_case_id, Action.CONFIGURE_MONITORING)
        fields = validate(ConfigFields, data, CONFIG_LABELS)
        drift_settings = {
            "numerical_threshold": fields.numerical_threshold, "categorical_threshold": fields.categorical_threshold,
            "drift_share": fields.drift_share, "missing_rate_threshold": fields.missing_rate_threshold,
        }
        with editing.edit(self._writer, principal, Action.CONFIGURE_MONITORING,
                          load=lambda s: s.get(UseCase, use_case_id),
                          not_found=editing.use_case_not_found(use_case_id),
                          use_case=lambda s, uc: uc, stale=STALE_CONFIG) as e:
            s, uc = e.session, e.row
            cfg = repo.config_of(s, use_case_id)
            before = None
            if cfg is None:
                cfg = MonitoringConfig(use_case_id=uc.id, module_key=self._module_key(uc))
                s.add(cfg)
            else:
                e.check_version(expected_version, cfg)
                before = self._config_audit(cfg)
            cfg.columns = dict(fields.columns)
            cfg.critical_columns = list(fields.critical_columns)
            cfg.cadence_days = fields.cadence_days
            cfg.drift_settings = drift_settings
            cfg.min_metrics = fields.min_metrics
            cfg.max_metrics = fields.max_metrics
            cfg.suspension_runs = fields.suspension_runs
            cfg.current_source = fields.current_source
            s.flush()
            e.record("configure_monitoring", "monitoring_config", cfg.id, before=before,
                     after=self._config_audit(cfg))
            return self._config_view(s, cfg)

    @staticmethod
    def _config_audit(cfg: MonitoringConfig) -> dict[str, Any]:
        return {"columns": dict(cfg.columns), "critical_columns": list(cfg.critical_columns),
                "cadence_days": cfg.cadence_days, "drift_settings": dict(cfg.drift_settings),
                "min_metrics": cfg.min_metrics, "max_metrics": cfg.max_metrics,
                "suspension_runs": cfg.suspension_runs, "current_source": cfg.current_source}

    def set_reference(self, principal: Principal, use_case_id: int,
                      frame_or_inputs: pd.DataFrame | Mapping[str, pd.DataFrame], *, source_label: str,
                      analysis_run_id: int | None = None) -> ConfigView:
        """Store a reference batch and make it the use case's reference.

        Called by the analysis service when a run is marked as reference (``analysis_run_id``
        given, ``frame_or_inputs`` = the run's inputs by name), and by ``upload_reference``.
        Without a configuration, one is created with the bound module's monitored columns, or else
        inferred from the frame's types.
        """
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.SET_REFERENCE_RUN if analysis_run_id is not None else Action.CONFIGURE_MONITORING,
                    owner_ids=[uc.lead_id])
            cfg = repo.config_of(s, use_case_id)
            module_key = self._module_key(uc)
            columns = dict(cfg.columns) if cfg else module_columns(module_key)
        frame = pick_frame(frame_or_inputs, columns)
        if cfg is None and columns:  # an optional schema column the reference lacks is not monitored
            columns = module_columns(module_key, present=frame.columns)
        if not columns:
            columns = infer_columns(frame)
        problems = problems_for(frame, columns, "de référence")
        if problems:
            raise InvalidInput(problems)
        label = (source_label or "").strip()[:300] or "Référence"
        kept = frame[list(columns)].reset_index(drop=True)
        csv_bytes = frame_to_csv(kept)
        checksum = hashlib.sha256(csv_bytes).hexdigest()
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id,
                             Action.SET_REFERENCE_RUN if analysis_run_id is not None else Action.CONFIGURE_MONITORING)
            cfg = repo.config_of(s, use_case_id)
            if cfg is None:
                cfg = MonitoringConfig(use_case_id=uc.id, module_key=self._module_key(uc), columns=columns,
                                       critical_columns=[], drift_settings={}, cadence_days=30, suspension_runs=3)
                s.add(cfg)
                s.flush()
                audit.append(s, principal, "configure_monitoring", "monitoring_config", cfg.id, use_case_id=uc.id,
                             after=self._config_audit(cfg), details={"reason": "configuration créée avec la référence"})
            ref = MonitoringReference(
                use_case_id=uc.id, source="analysis_run" if analysis_run_id is not None else "upload",
                source_label=label, analysis_run_id=analysis_run_id, data=gzip_bytes(csv_bytes), checksum=checksum,
                n_rows=len(kept), columns=columns, created_by_id=principal.person_id or None,
            )
            s.add(ref)
            s.flush()
            previous = cfg.reference_id
            cfg.reference_id = ref.id
            s.flush()
            audit.append(s, principal, "set_reference", "monitoring_reference", ref.id, use_case_id=uc.id,
                         before={"reference_id": previous},
                         after={"reference_id": ref.id, "checksum": checksum, "rows": len(kept), "label": label,
                                "analysis_run_id": analysis_run_id})
            return self._config_view(s, cfg)

    def upload_reference(self, principal: Principal, use_case_id: int, data: bytes, filename: str) -> ConfigView:
        self._authorise(principal, use_case_id, Action.CONFIGURE_MONITORING)
        cfg = self.config(use_case_id)
        columns = cfg.columns if cfg else self.default_columns(use_case_id)
        if not columns:
            raise InvalidInput(["Configurez d'abord les colonnes suivies de ce cas d'usage."])
        frame = read_batch(data, filename, columns, "de référence")
        return self.set_reference(principal, use_case_id, frame, source_label=f"Fichier « {filename} »")
