"""What every part of the monitoring service shares: its sessions, the use case's level and owner checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from monitoring.alerts import (
    AlertThresholds,
    thresholds_for_level,
)
from monitoring.drift import DriftConfig
from policies.vocabulary import Action, Principal, RiskProfile
from portal.db.models import (
    UseCase,
)
from portal.services import editing
from portal.services.cache import StampedCache
from portal.services.monitoring.views import LevelInfo

ClassificationOf = Callable[[int], RiskProfile]
DEFAULT_LEVEL = 2


class MonitoringBase(editing.UseCaseLookup):
    def __init__(
        self,
        reader: sessionmaker[Session],
        writer: sessionmaker[Session],
        classification_of: ClassificationOf | None = None,
        *,
        on_suspension_proposed: Callable[[int, int], None] | None = None,
        module_of: Callable[[int], str | None] | None = None,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._classification_of = classification_of
        self._on_suspension_proposed = on_suspension_proposed
        #: The analysis module bound to a use case (its input schema gives the monitored columns).
        self.module_of = module_of
        #: The governance profiles of many use cases in one query (set by build_services): lists make no
        #: query per row.
        self.classifications_of: Callable[[list[int]], dict[int, RiskProfile]] | None = None
        #: The portfolio's health facts, per day, until the next write (the Suivi page's lists and counts).
        self._health_cache: StampedCache[Any] = StampedCache(reader, size=8)

    def _module_key(self, uc: UseCase) -> str | None:
        return self.module_of(uc.id) if self.module_of is not None else None

    def level_of(self, use_case_id: int, known: dict[int, RiskProfile] | None = None) -> LevelInfo:
        """The impact level from governance, or level II by default (and said so); ``known``: profiles
        already read for a list."""
        if self._classification_of is not None:
            profile = (known.get(use_case_id, RiskProfile()) if known is not None
                       else self._classification_of(use_case_id))
            ai_class = profile.ai_class.value if profile.ai_class else None
            if profile.impact_level is not None:
                return LevelInfo(profile.impact_level.rank, "governance", ai_class)
            return LevelInfo(DEFAULT_LEVEL, "default", ai_class)
        return LevelInfo(DEFAULT_LEVEL, "default")

    @staticmethod
    def _thresholds(drift_settings: dict[str, Any], min_metrics: dict[str, float] | None,
                    max_metrics: dict[str, float] | None, suspension_runs: int, level: LevelInfo) -> AlertThresholds:
        return thresholds_for_level(level.level, drift=DriftConfig(**drift_settings), min_metrics=min_metrics,
                                    max_metrics=max_metrics, suspension_runs=suspension_runs)

    def _authorise(self, principal: Principal, use_case_id: int, action: Action) -> None:
        """Permission before validation: a refused caller learns nothing of the configuration or the file."""
        with self._reader() as s:
            self._owned_use_case(s, principal, use_case_id, action)
