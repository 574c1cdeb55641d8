"""The analysis-module contract: declared inputs, pydantic parameters, a pure ``run``.

A module declares what it reads (``InputSpec`` with an ``InputSchema`` of ``Column``), what can be
tuned (a frozen pydantic ``Params`` subclass, every field defaulted and described in French) and
returns an ``AnalysisResult`` (metrics, tables, Altair charts, notes). ``run`` does no IO and is
deterministic: same inputs and params, same result. Kinds and roles mirror Evidently's data
definition so that monitoring reuses the same declaration.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, Literal, TypeVar, get_args

import pandas as pd
from pydantic import BaseModel, ConfigDict

from policies.vocabulary import ColumnKind
from usecases import parsing

Kind = Literal["numerical", "categorical", "datetime", "text", "boolean"]
Role = Literal["feature", "target", "prediction", "id", "timestamp", "group"]
Family = Literal["decision_support", "resident_relations", "operations", "contracts_finance"]

#: How a metric reads: a whole number, two decimals, a value already in percent, a share between
#: 0 and 1 shown in percent, a year, an amount in euros (see ``policies.french.by_format``).
MetricFormat = Literal["count", "decimal", "percent", "share", "year", "money"]

KINDS: tuple[str, ...] = get_args(Kind)
ROLES: tuple[str, ...] = get_args(Role)
FAMILIES: tuple[str, ...] = get_args(Family)

KIND_LABELS_FR: dict[str, str] = {kind.value: kind.label for kind in ColumnKind}

#: What monitoring compares: these kinds, in columns of these roles.
MONITORED_KINDS: tuple[str, ...] = ("numerical", "categorical")
MONITORED_ROLES: tuple[str, ...] = ("feature", "group", "target", "prediction")

#: Line number a user sees in a file with one header line, for a 0-based row position.
HEADER_OFFSET = 2
#: ``DataFrame.attrs`` key holding the file line of each row when it is not ``position + 2``
#: (blank lines, cells over several lines, a header lower down); set by ``usecases.loading``.
LINES_ATTR = "vigie_lines"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    role: Role = "feature"
    required: bool = True
    description: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for column {self.name!r}")
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r} for column {self.name!r}")


def _line_numbers(mask: pd.Series, file_lines: list[int] | None) -> list[int]:
    positions = [i for i, bad in enumerate(mask.to_numpy()) if bad]
    if file_lines is not None and len(file_lines) == len(mask):
        return [file_lines[p] for p in positions]
    return [p + HEADER_OFFSET for p in positions]


def _value_problem(name: str, kind: str, series: pd.Series, mask: pd.Series,
                   file_lines: list[int] | None = None) -> str:
    lines = _line_numbers(mask, file_lines)
    first_value = series[mask].iloc[0]
    more = len(lines) - 1
    kind_fr = {"numerical": "non numérique", "datetime": "non reconnue comme date",
               "boolean": "non reconnue comme oui/non"}[kind]
    if kind == "numerical" and parsing.is_non_finite(first_value):
        kind_fr = "non finie (infinie ou hors limites)"
    message = f"Colonne « {name} » : valeur {kind_fr} « {first_value} » ligne {lines[0]}"
    if more == 1:
        message += " (et 1 autre ligne)"
    elif more > 1:
        message += f" (et {more} autres lignes)"
    return message


@dataclass(frozen=True)
class InputSchema:
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        if len(names) != len(set(names)):
            raise ValueError(f"duplicate column names in schema: {names}")

    def names(self, *, kind: Kind | None = None, role: Role | None = None) -> list[str]:
        return [
            c.name
            for c in self.columns
            if (kind is None or c.kind == kind) and (role is None or c.role == role)
        ]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def problems(self, df: pd.DataFrame) -> list[str]:
        """French messages for missing required columns and values of the wrong kind."""
        out: list[str] = []
        for col in self.columns:
            if col.name not in df.columns:
                if col.required:
                    out.append(f"Colonne manquante : « {col.name} »")
                continue
            series = df[col.name]
            if col.required and len(series) > 0 and bool(parsing.is_blank(series).all()):
                out.append(f"Colonne « {col.name} » : aucune valeur renseignée")
                continue
            mask = parsing.bad_mask(series, col.kind)
            if bool(mask.any()):
                out.append(_value_problem(col.name, col.kind, series, mask, df.attrs.get(LINES_ATTR)))
        return out


@dataclass(frozen=True)
class InputSpec:
    name: str
    title_fr: str
    schema: InputSchema
    description: str = ""
    #: File name of the shipped sample inside the module package (CSV, UTF-8, ``,``).
    sample_file: str = "sample.csv"
    #: An optional input may be left out; the module then runs without it.
    required: bool = True
    #: Reader for inputs that are not tables (e.g. documents): ``reader(data, filename, max_bytes=...)``
    #: returns a frame of text cells checked against ``schema``; ``None`` uses the strict table reader.
    reader: Callable[..., pd.DataFrame] | None = None
    #: File types offered for upload when ``reader`` is set (suffixes without the dot).
    upload_types: tuple[str, ...] = ("csv", "txt", "xlsx")


class Params(BaseModel):
    """Base for module parameters. Every field has a default and a French description."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass
class AnalysisResult:
    metrics: dict[str, float] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    charts: dict[str, Any] = field(default_factory=dict)  # Altair charts (any top-level kind)
    notes: list[str] = field(default_factory=list)
    #: French labels for metric keys, for the renderer.
    metric_labels: dict[str, str] = field(default_factory=dict)
    #: French titles for table keys, for the renderer.
    table_labels: dict[str, str] = field(default_factory=dict)


P = TypeVar("P", bound=Params)


class AnalysisModule(ABC, Generic[P]):
    key: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    version: ClassVar[str]
    family: ClassVar[Family]
    inputs: ClassVar[tuple[InputSpec, ...]]
    params_model: ClassVar[type[Params]]
    #: The format of every metric the module may return (the contract test checks it).
    metric_formats: ClassVar[dict[str, MetricFormat]] = {}
    #: For a module whose rows are free text (requests, questions, pages), monitoring watches what it
    #: produces rather than what it reads: ``(table, {column: kind})`` of its result.
    monitored_output: ClassVar[tuple[str, dict[str, str]] | None] = None

    @abstractmethod
    def run(self, inputs: dict[str, pd.DataFrame], params: P) -> AnalysisResult:
        """Same inputs and params in, same result out. No IO, no Streamlit."""

    def input(self, name: str) -> InputSpec:
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def problems(self, inputs: dict[str, pd.DataFrame]) -> list[str]:
        """French problems over all declared inputs (missing input, then column problems)."""
        out: list[str] = []
        for spec in self.inputs:
            if spec.name not in inputs:
                if not spec.required:
                    continue
                out.append(f"Donnée manquante : « {spec.title_fr} » ({spec.name})")
                continue
            prefix = f"{spec.title_fr} — " if len(self.inputs) > 1 else ""
            out.extend(prefix + p for p in spec.schema.problems(inputs[spec.name]))
        return out

    def sample_inputs(self) -> dict[str, pd.DataFrame]:
        """Read the sample file(s) shipped in the module's package folder."""
        package = type(self).__module__.rpartition(".")[0]
        frames: dict[str, pd.DataFrame] = {}
        for spec in self.inputs:
            resource = importlib.resources.files(package).joinpath(spec.sample_file)
            if spec.reader is not None:
                frames[spec.name] = coerce(spec.reader(resource.read_bytes(), spec.sample_file), spec.schema)
                continue
            with resource.open("rb") as fh:
                raw = pd.read_csv(fh, dtype=str, keep_default_na=False, na_values=[""])
            frames[spec.name] = coerce(raw, spec.schema)
        return frames

    def monitored_columns(self, present: Iterable[str] | None = None) -> dict[str, str]:
        """{column: kind} monitoring compares for this module: the numerical and categorical columns
        of its primary input (its first: the rows it analyses; other inputs such as crews, failures,
        references or accounts are context, not a flow to watch) whose role is feature, group,
        target or prediction (ids and timestamps are not compared). With ``present`` (a frame's
        columns), an optional column missing from it is left out. A module that declares a
        ``monitored_output`` is watched on those columns of its result instead."""
        if self.monitored_output is not None:
            return dict(self.monitored_output[1])
        if not self.inputs:
            return {}
        have = set(present) if present is not None else None
        return {col.name: col.kind for col in self.inputs[0].schema.columns
                if col.kind in MONITORED_KINDS and col.role in MONITORED_ROLES
                and (have is None or col.required or col.name in have)}


def coerce(df: pd.DataFrame, schema: InputSchema) -> pd.DataFrame:
    """Cast the schema's columns to their kinds; unreadable cells become missing (see ``problems``)."""
    out = df.copy()
    for col in schema.columns:
        if col.name in out.columns:
            out[col.name] = parsing.convert(out[col.name], col.kind)
    return out


def fingerprint(inputs: dict[str, pd.DataFrame]) -> str:
    """Stable sha256 over a canonical CSV of each named frame (sorted by input name)."""
    digest = hashlib.sha256()
    for name in sorted(inputs):
        frame = inputs[name]
        canonical = frame.reindex(columns=sorted(map(str, frame.columns))).to_csv(
            index=False, lineterminator="\n", float_format="%.12g", date_format="%Y-%m-%dT%H:%M:%S"
        )
        digest.update(name.encode("utf-8") + b"\x00")
        digest.update(canonical.encode("utf-8") + b"\x00")
    return digest.hexdigest()


def result_summary(result: AnalysisResult) -> dict[str, Any]:
    """A JSON-friendly summary (metrics, table shapes, notes) for logs and storage."""
    return {
        "metrics": {k: float(v) for k, v in result.metrics.items()},
        "tables": {k: list(v.shape) for k, v in result.tables.items()},
        "charts": sorted(result.charts),
        "notes": list(result.notes),
    }
