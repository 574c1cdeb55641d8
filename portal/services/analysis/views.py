"""What the analysis service takes and gives: uploaded files, modules, bindings, runs, comparisons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from policies.vocabulary import Principal
from portal.services.errors import VigieError

#: Largest file a person may upload for one input.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

STATUS_FR = {"running": "en cours", "done": "terminée", "failed": "en échec", "interrupted": "interrompue"}
#: A background run that has not finished after this long was cut short (the portal restarted or
#: stopped while it ran): it is shown as interrupted, so no page waits for it for ever.
STALLED_AFTER = dt.timedelta(hours=1)

OnReference = Callable[[Principal, int, int, dict[str, pd.DataFrame]], Any]
#: Check a run's monitored frames against the use case's monitoring reference; returns the check.
OnCheck = Callable[[Principal, int, int, dict[str, pd.DataFrame]], Any]
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
