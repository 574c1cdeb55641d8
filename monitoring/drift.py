"""Data drift between a reference batch and a current batch, with pinned methods.

Why pinned methods. Evidently picks a default test from the size of the reference: below
1,000 rows a p-value test (Kolmogorov-Smirnov for numbers, chi-square or a proportion Z-test
for categories, drift when p < 0.05), above it a distance (normalised Wasserstein for
numbers, Jensen-Shannon for categories, drift when the distance ≥ 0.1). A p-value measures
how *sure* we are that two samples differ, not *how much* they differ: with 200 rows a real
shift goes unnoticed, with 1M rows a negligible one is always "significant". A municipal
use case sees both sizes, so Vigie pins one distance per column kind whatever the size:

* numerical: normalised Wasserstein distance (W1 divided by the standard deviation of the
  reference), threshold 0.1: the current distribution has moved by a tenth of a standard
  deviation on average;
* categorical: Jensen-Shannon distance (natural log, between 0 and ~0.83), threshold 0.1.
  A category absent from the reference counts as extra mass.

Both are the Evidently defaults above 1,000 rows, so Vigie's numbers equal Evidently's.
Distances are sample-size free in expectation but noisy on small batches: two samples of the
*same* normal distribution give a normed W1 around 0.11 at 100 rows per side, 0.04 at 1,000
and 0.01 at 10,000 (JS on 10 categories: 0.08, 0.03, 0.01); at 15 rows (half a month of
daily counts) chance alone gives ~0.3. So, below ``DriftConfig.small_sample_rows`` (1,000)
values on either side, Vigie adds a noise check that Evidently lacks: a permutation test
(the pooled values reshuffled ``noise_permutations`` times, seeded) gives the distance such
samples reach by chance; a column drifts only when its distance is at or above the threshold
*and* beyond chance (permutation p-value < ``noise_alpha``, 0.05). Large batches are judged
on the distance alone, like Evidently. Below ``min_rows`` (30) values, nothing is computed.

What Evidently does not report, and Vigie adds per column: the change in missing-value rate
(Evidently drops missing values before testing), the categories seen in the current batch
and never in the reference, and columns that are absent or entirely empty in a batch, which
make Evidently raise; here they give a French message and the column is marked not
computable. ±inf count as missing values, as Evidently drops them too.

Two engines compute the scores: ``"fast"`` (numpy/scipy, the same formulas as Evidently,
see ``monitoring._stats``), the default; and ``"evidently"``, one ``ValueDrift`` per
column through ``monitoring._evidently``. The extra flags are computed the same way for both.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from monitoring import _fmt, _stats
from monitoring.levels import level_factor
from policies import vocabulary

ColumnKind = Literal["numerical", "categorical"]
DriftMethod = Literal["wasserstein", "jensenshannon", "psi"]
Engine = Literal["fast", "evidently"]

#: Which methods apply to which kind of column (all are distances: drift when score ≥ threshold).
METHODS_FOR_KIND: dict[str, tuple[str, ...]] = {
    "numerical": ("wasserstein", "jensenshannon", "psi"),
    "categorical": ("jensenshannon", "psi"),
}

METHOD_LABELS_FR: dict[str, str] = {
    "wasserstein": "distance de Wasserstein normalisée",
    "jensenshannon": "distance de Jensen-Shannon",
    "psi": "indice de stabilité de population (PSI)",
}


class DriftConfig(BaseModel):
    """Pinned drift methods and thresholds. Immutable; JSON-serialisable with ``model_dump()``.

    ``per_column_method`` and ``per_column_threshold`` override the per-kind defaults.
    ``drift_share``: the dataset drifts when the share of drifted columns (among those that
    could be computed) is at least this value, as in Evidently. ``missing_rate_threshold``:
    flag a column whose missing-value rate moved by at least this much (absolute, 0.1 = 10
    points). ``min_rows``: below this many non-missing values on either side, a column is not
    computed. ``small_sample_rows``: below this many values on either side, the distance must
    also beat chance (permutation test, ``noise_*`` fields; see the module docstring) unless
    ``noise_check`` is False.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    numerical_method: DriftMethod = "wasserstein"
    numerical_threshold: float = Field(0.1, gt=0)
    categorical_method: DriftMethod = "jensenshannon"
    categorical_threshold: float = Field(0.1, gt=0)
    per_column_method: dict[str, DriftMethod] = Field(default_factory=dict)
    per_column_threshold: dict[str, float] = Field(default_factory=dict)
    drift_share: float = Field(0.5, gt=0, le=1)
    missing_rate_threshold: float = Field(0.1, gt=0, le=1)
    min_rows: int = Field(30, ge=1)
    small_sample_rows: int = Field(1000, ge=0)
    noise_check: bool = True
    noise_permutations: int = Field(200, ge=19)
    noise_alpha: float = Field(0.05, gt=0, lt=1)
    seed: int = 0

    @model_validator(mode="after")
    def _check(self) -> DriftConfig:
        if self.categorical_method not in METHODS_FOR_KIND["categorical"]:
            raise ValueError(
                f"La méthode {_fmt.quoted(self.categorical_method)} ne s'applique pas aux colonnes "
                "catégorielles (méthodes possibles : jensenshannon, psi)."
            )
        for column, threshold in self.per_column_threshold.items():
            if not threshold > 0:
                raise ValueError(
                    f"Le seuil de la colonne {_fmt.quoted(column)} doit être strictement positif."
                )
        return self

    def method_for(self, column: str, kind: ColumnKind) -> str:
        method = self.per_column_method.get(
            column, self.numerical_method if kind == "numerical" else self.categorical_method
        )
        if method not in METHODS_FOR_KIND[kind]:
            raise ValueError(
                f"La méthode {_fmt.quoted(method)} ne s'applique pas à la colonne {_fmt.quoted(column)} "
                f"({vocabulary.ColumnKind(kind).label})."
            )
        return method

    def threshold_for(self, column: str, kind: ColumnKind) -> float:
        default = self.numerical_threshold if kind == "numerical" else self.categorical_threshold
        return float(self.per_column_threshold.get(column, default))

    def tightened(self, factor: float) -> DriftConfig:
        """A copy whose thresholds are multiplied by ``factor`` (< 1 tightens, > 1 loosens).

        Scales the drift thresholds (per kind and per column), the missing-rate threshold
        and ``drift_share`` (capped at 1). Methods and row minimums are unchanged.
        """
        if not factor > 0:
            raise ValueError("Le facteur de resserrement doit être strictement positif.")
        return self.model_copy(
            update={
                "numerical_threshold": self.numerical_threshold * factor,
                "categorical_threshold": self.categorical_threshold * factor,
                "per_column_threshold": {c: t * factor for c, t in self.per_column_threshold.items()},
                "missing_rate_threshold": min(self.missing_rate_threshold * factor, 1.0),
                "drift_share": min(self.drift_share * factor, 1.0),
            }
        )

    @classmethod
    def for_impact_level(cls, level: int | str, **overrides: Any) -> DriftConfig:
        """The configuration for an impact level I–IV: ``DriftConfig(**overrides)`` tightened by
        the level's factor (I ×1, II ×0.85, III ×0.7, IV ×0.5; see ``monitoring.levels``)."""
        return cls(**overrides).tightened(level_factor(level))


@dataclass(frozen=True)
class ColumnDrift:
    """Drift of one column. ``score`` is None when the column could not be computed."""

    column: str
    kind: str
    method: str
    score: float | None
    threshold: float
    drifted: bool
    ref_missing_rate: float | None
    cur_missing_rate: float | None
    new_categories: list[Any] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    computable: bool = True
    missing_rate_changed: bool = False
    n_reference: int = 0  # non-missing values used on each side
    n_current: int = 0
    p_value: float | None = None  # permutation p-value, small batches only
    noise_floor: float | None = None  # 95th percentile of the distance under chance, small batches only

    @property
    def missing_rate_change(self) -> float | None:
        if self.ref_missing_rate is None or self.cur_missing_rate is None:
            return None
        return self.cur_missing_rate - self.ref_missing_rate

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["new_categories"] = [_fmt.plain(v) for v in self.new_categories]
        data["missing_rate_change"] = self.missing_rate_change
        return data


@dataclass(frozen=True)
class DriftResult:
    columns: list[ColumnDrift]
    share_drifted: float
    dataset_drift: bool
    n_reference: int
    n_current: int
    drift_share: float
    engine: str
    messages: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def n_drifted(self) -> int:
        return sum(c.drifted for c in self.columns)

    @property
    def n_computable(self) -> int:
        return sum(c.computable for c in self.columns)

    @property
    def drifted_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.drifted]

    def column(self, name: str) -> ColumnDrift:
        for col in self.columns:
            if col.column == name:
                return col
        raise KeyError(name)

    def to_frame(self) -> pd.DataFrame:
        """One row per column; ``messages`` joined with newlines for display."""
        rows = []
        for col in self.columns:
            row = col.to_dict()
            row["messages"] = "\n".join(col.messages)
            rows.append(row)
        columns = [
            "column", "kind", "method", "score", "threshold", "drifted", "computable",
            "ref_missing_rate", "cur_missing_rate", "missing_rate_change", "missing_rate_changed",
            "new_categories", "n_reference", "n_current", "p_value", "noise_floor", "messages",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "share_drifted": self.share_drifted,
            "dataset_drift": self.dataset_drift,
            "n_drifted": self.n_drifted,
            "n_computable": self.n_computable,
            "n_reference": self.n_reference,
            "n_current": self.n_current,
            "drift_share": self.drift_share,
            "engine": self.engine,
            "messages": list(self.messages),
            "config": self.config,
            "columns": [c.to_dict() for c in self.columns],
        }


# --------------------------------------------------------------------------- preparation


@dataclass
class _Side:
    """One column on one side, cleaned as Evidently cleans it (missing and ±inf dropped)."""

    present: bool
    values: pd.Series | None = None  # cleaned non-missing values
    missing_rate: float | None = None
    problem: str | None = None


def _prepare(frame: pd.DataFrame, column: str, kind: str, side_fr: str) -> _Side:
    if column not in frame.columns:
        return _Side(present=False, problem=f"La colonne {_fmt.quoted(column)} est absente du lot {side_fr}.")
    series = frame[column]
    total = len(series)
    if kind == "numerical":
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            return _Side(
                present=True,
                problem=(
                    f"La colonne {_fmt.quoted(column)} est déclarée numérique mais le lot {side_fr} "
                    f"contient des valeurs non numériques (type {series.dtype})."
                ),
            )
        values = series.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(values)
        n_ok = int(finite.sum())
        clean = pd.Series(values if n_ok == total else values[finite], copy=False)
    else:
        mask = series.notna()
        if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            mask &= ~series.isin([np.inf, -np.inf])
        n_ok = int(mask.sum())
        clean = series if n_ok == total else series[mask]
    missing_rate = (total - n_ok) / total if total else None
    return _Side(present=True, values=clean, missing_rate=missing_rate)


def _score(method: str, kind: str, reference: pd.Series, current: pd.Series) -> float:
    numerical = kind == "numerical"
    if method == "wasserstein":
        return _stats.wasserstein_normed(
            reference.to_numpy(dtype=float, copy=False), current.to_numpy(dtype=float, copy=False)
        )
    if method == "jensenshannon":
        return _stats.jensenshannon(reference, current, numerical)
    if method == "psi":
        return _stats.psi(reference, current, numerical)
    raise ValueError(f"Méthode de dérive inconnue : {method!r}")  # pragma: no cover - validated by config


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _new_categories(reference: pd.Series, current: pd.Series) -> list[Any]:
    """Values of the current batch never seen in the reference, most frequent first."""
    cur_counts = current.value_counts()
    cur_counts = cur_counts[cur_counts > 0]
    unseen = cur_counts[~cur_counts.index.isin(reference.unique())]
    return [_fmt.plain(v) for v in unseen.index]


def _check_declaration(columns: Mapping[str, ColumnKind], config: DriftConfig, engine: Engine) -> None:
    """Raise ``ValueError`` (French) on an unknown engine, an unknown kind or a misapplied method."""
    if engine not in ("fast", "evidently"):
        raise ValueError(f"Moteur de calcul inconnu : {engine!r} (attendu : fast ou evidently).")
    for column, kind in columns.items():
        if kind not in METHODS_FOR_KIND:
            raise ValueError(
                f"Type de colonne inconnu pour {_fmt.quoted(column)} : {kind!r} "
                "(attendu : numerical ou categorical)."
            )
        config.method_for(column, kind)  # validates the method against the kind


def _too_few_values(column: str, ref: _Side, cur: _Side, config: DriftConfig) -> list[str]:
    """French problems for a side that is empty or has fewer than ``min_rows`` values."""
    problems: list[str] = []
    for side, side_fr in ((ref, "de référence"), (cur, "courant")):
        assert side.values is not None
        n = len(side.values)
        if n == 0:
            problems.append(f"La colonne {_fmt.quoted(column)} est entièrement vide dans le lot {side_fr}.")
        elif n < config.min_rows:
            problems.append(
                f"La colonne {_fmt.quoted(column)} ne compte que {n} valeur{'s' if n > 1 else ''} "
                f"renseignée{'s' if n > 1 else ''} dans le lot {side_fr} (minimum {config.min_rows})."
            )
    return problems


def _sort_computable(
    columns: Mapping[str, ColumnKind], prepared: Mapping[str, tuple[_Side, _Side]], config: DriftConfig
) -> tuple[dict[str, ColumnKind], dict[str, list[str]]]:
    """Split the columns into those that can be compared and the skip messages of the others."""
    computable: dict[str, ColumnKind] = {}
    skip_messages: dict[str, list[str]] = {}
    for column, kind in columns.items():
        ref, cur = prepared[column]
        problems = [side.problem for side in (ref, cur) if side.problem]
        if not problems:
            problems = _too_few_values(column, ref, cur, config)
        if problems:
            skip_messages[column] = [*problems, "Dérive non calculable pour cette colonne."]
        else:
            computable[column] = kind
    return computable, skip_messages


def _drift_scores(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    computable: Mapping[str, ColumnKind],
    prepared: Mapping[str, tuple[_Side, _Side]],
    config: DriftConfig,
    engine: Engine,
) -> dict[str, float]:
    """The drift score of every computable column, by the chosen engine."""
    if not computable:
        return {}
    if engine == "evidently":
        from monitoring import _evidently

        specs = [(c, k, config.method_for(c, k), config.threshold_for(c, k)) for c, k in computable.items()]
        return _evidently.value_drift_scores(reference, current, specs)
    scores: dict[str, float] = {}
    for column, kind in computable.items():
        ref, cur = prepared[column]
        assert ref.values is not None and cur.values is not None
        scores[column] = _score(config.method_for(column, kind), kind, ref.values, cur.values)
    return scores


def _drift_verdict(
    column: str, kind: ColumnKind, ref: _Side, cur: _Side, score: float, config: DriftConfig
) -> tuple[bool, float | None, float | None, list[str]]:
    """Whether ``score`` is a drift (above the threshold and, on a small sample, above the noise).

    Returns ``(drifted, p_value, noise_floor, messages)``.
    """
    method = config.method_for(column, kind)
    threshold = config.threshold_for(column, kind)
    p_value = noise_floor = None
    above = score >= threshold
    assert ref.values is not None and cur.values is not None  # computable columns only
    if above and config.noise_check and min(len(ref.values), len(cur.values)) < config.small_sample_rows:
        p_value, noise_floor = _stats.permutation_pvalue(
            ref.values,
            cur.values,
            score,
            method,
            numerical=kind == "numerical",
            permutations=config.noise_permutations,
            seed=config.seed,
        )
    drifted = above and (p_value is None or p_value < config.noise_alpha)
    messages: list[str] = []
    if above and not drifted:
        messages.append(
            f"{_capitalised(METHOD_LABELS_FR[method])} de {_fmt.quoted(column)} à {_fmt.number(score, 3)}, "
            f"au-dessus du seuil {_fmt.number(threshold, 3)} mais dans le bruit d'échantillonnage : avec "
            f"{len(ref.values)} et {len(cur.values)} valeurs, le hasard seul atteint "
            f"{_fmt.number(noise_floor, 3)} (test de permutation, p = {_fmt.number(p_value, 3)}). "
            "Pas de dérive retenue."
        )
    if drifted:
        messages.append(
            f"Dérive détectée sur {_fmt.quoted(column)} : {METHOD_LABELS_FR[method]} "
            f"{_fmt.number(score, 3)} ≥ seuil {_fmt.number(threshold, 3)}."
        )
    return drifted, p_value, noise_floor, messages


def _missing_rate_message(column: str, ref: _Side, cur: _Side, config: DriftConfig) -> str | None:
    """The French message when the share of missing values moved by the threshold or more."""
    if ref.missing_rate is None or cur.missing_rate is None or ref.problem is not None:
        return None
    change = cur.missing_rate - ref.missing_rate
    # Small tolerance so that a change of exactly the threshold counts despite float noise.
    if abs(change) < config.missing_rate_threshold - 1e-12:
        return None
    direction = "hausse" if change > 0 else "baisse"
    return (
        f"Taux de valeurs manquantes de {_fmt.quoted(column)} en {direction} : "
        f"{_fmt.percent(ref.missing_rate)} dans la référence, {_fmt.percent(cur.missing_rate)} "
        f"dans le lot courant (écart de {_fmt.points(abs(change))}, seuil "
        f"{_fmt.points(config.missing_rate_threshold)})."
    )


def _new_categories_found(
    column: str, kind: ColumnKind, ref: _Side, cur: _Side
) -> tuple[list[Any], str | None]:
    """Categories of the current batch absent from the reference, and their French message."""
    if not (
        kind == "categorical"
        and ref.values is not None
        and cur.values is not None
        and len(ref.values)
        and len(cur.values)
    ):
        return [], None
    new_categories = _new_categories(ref.values, cur.values)
    if not new_categories:
        return [], None
    n_new = len(new_categories)
    return new_categories, (
        f"{n_new} nouvelle{'s' if n_new > 1 else ''} catégorie{'s' if n_new > 1 else ''} "
        f"dans le lot courant pour {_fmt.quoted(column)}, absente{'s' if n_new > 1 else ''} "
        f"de la référence : {_fmt.quoted_list(new_categories)}."
    )


def _column_drift(
    column: str,
    kind: ColumnKind,
    sides: tuple[_Side, _Side],
    score: float | None,
    skip_messages: list[str],
    config: DriftConfig,
) -> ColumnDrift:
    """The verdict and French messages of one column, given its score (None when not computed)."""
    ref, cur = sides
    messages: list[str] = list(skip_messages)
    if score is not None and math.isnan(score):
        messages.append(f"Score de dérive indéfini pour {_fmt.quoted(column)}.")
        score = None
    drifted, p_value, noise_floor = False, None, None
    if score is not None:
        drifted, p_value, noise_floor, verdict_messages = _drift_verdict(
            column, kind, ref, cur, score, config
        )
        messages.extend(verdict_messages)
    missing_message = _missing_rate_message(column, ref, cur, config)
    if missing_message:
        messages.append(missing_message)
    new_categories, new_message = _new_categories_found(column, kind, ref, cur)
    if new_message:
        messages.append(new_message)
    return ColumnDrift(
        column=column,
        kind=kind,
        method=config.method_for(column, kind),
        score=None if score is None else float(score),
        threshold=config.threshold_for(column, kind),
        drifted=bool(drifted),
        ref_missing_rate=ref.missing_rate,
        cur_missing_rate=cur.missing_rate,
        new_categories=new_categories,
        messages=messages,
        computable=not skip_messages and score is not None,
        missing_rate_changed=missing_message is not None,
        n_reference=0 if ref.values is None else len(ref.values),
        n_current=0 if cur.values is None else len(cur.values),
        p_value=p_value,
        noise_floor=noise_floor,
    )


def _dataset_messages(
    results: list[ColumnDrift],
    n_reference: int,
    n_current: int,
    share: float,
    dataset_drift: bool,
    config: DriftConfig,
) -> list[str]:
    """French messages on the whole batch: nothing comparable, dataset drift, small sample."""
    n_computable = sum(c.computable for c in results)
    n_drifted = sum(c.drifted for c in results)
    messages: list[str] = []
    if not n_computable:
        messages.append("Aucune colonne n'a pu être comparée : dérive du jeu de données non calculable.")
    elif dataset_drift:
        messages.append(
            f"Dérive du jeu de données : {n_drifted} colonne{'s' if n_drifted > 1 else ''} sur {n_computable} "
            f"({_fmt.percent(share)}) dérivent, seuil {_fmt.percent(config.drift_share)}."
        )
    if n_computable and min(n_reference, n_current) < config.small_sample_rows:
        messages.append(
            f"Petit échantillon ({n_reference} lignes de référence, {n_current} lignes courantes) : "
            f"en dessous de {config.small_sample_rows} lignes, les distances sont bruitées ; "
            + (
                "une dérive n'est retenue que si elle dépasse aussi le hasard (test de permutation)."
                if config.noise_check
                else "une légère dérive peut apparaître par hasard."
            )
        )
    return messages


# --------------------------------------------------------------------------- public API


def compute_drift(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Mapping[str, ColumnKind],
    config: DriftConfig | None = None,
    *,
    engine: Engine = "fast",
) -> DriftResult:
    """Compare ``current`` with ``reference`` on ``columns`` (name -> "numerical" | "categorical").

    Never raises on data problems (absent column, empty column, wrong type, too few values):
    the column is returned with ``computable=False`` and a French message. Raises
    ``ValueError`` (French message) on a bad declaration: an unknown kind or a method that
    does not apply to the column's kind.
    """
    config = config or DriftConfig()
    _check_declaration(columns, config, engine)
    prepared: dict[str, tuple[_Side, _Side]] = {
        column: (
            _prepare(reference, column, kind, "de référence"),
            _prepare(current, column, kind, "courant"),
        )
        for column, kind in columns.items()
    }
    computable, skip_messages = _sort_computable(columns, prepared, config)
    scores = _drift_scores(reference, current, computable, prepared, config, engine)
    results = [
        _column_drift(
            column, kind, prepared[column], scores.get(column), skip_messages.get(column, []), config
        )
        for column, kind in columns.items()
    ]
    n_computable = sum(c.computable for c in results)
    n_drifted = sum(c.drifted for c in results)
    share = n_drifted / n_computable if n_computable else 0.0
    dataset_drift = n_computable > 0 and share >= config.drift_share
    return DriftResult(
        columns=results,
        share_drifted=share,
        dataset_drift=dataset_drift,
        n_reference=len(reference),
        n_current=len(current),
        drift_share=config.drift_share,
        engine=engine,
        messages=_dataset_messages(results, len(reference), len(current), share, dataset_drift, config),
        config=config.model_dump(),
    )


def evidently_html_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    columns: Mapping[str, ColumnKind],
    config: DriftConfig | None = None,
) -> str:
    """Evidently's full drift report (self-contained HTML, about 4 MB) with Vigie's pinned methods.

    Columns that cannot be computed (absent, empty, wrong type, too few values) are left out,
    since Evidently raises on them; ``compute_drift`` explains why in French.
    """
    from monitoring import _evidently

    config = config or DriftConfig()
    usable: dict[str, str] = {}
    for column, kind in columns.items():
        config.method_for(column, kind)
        ref = _prepare(reference, column, kind, "de référence")
        cur = _prepare(current, column, kind, "courant")
        if ref.problem or cur.problem:
            continue
        assert ref.values is not None and cur.values is not None
        if min(len(ref.values), len(cur.values)) >= max(config.min_rows, 1):
            usable[column] = kind
    if not usable:
        raise ValueError("Aucune colonne comparable : le rapport Evidently ne peut pas être produit.")
    specs = [(c, k, config.method_for(c, cast(ColumnKind, k)), config.threshold_for(c, cast(ColumnKind, k)))
             for c, k in usable.items()]
    return _evidently.html_report(reference, current, specs, drift_share=config.drift_share)


REPORT_MAX_ROWS = 100_000  # per side, for Evidently's HTML report only


def report_sample(reference: pd.DataFrame, current: pd.DataFrame,
                  max_rows: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame, str | None]:
    """The rows Evidently's HTML report is drawn on, and the French note saying so when sampled.

    The report costs about 45 s and 1 GB at a million rows, so above ``max_rows`` per side it is
    drawn on a seeded sample of each batch; the stored scores always cover every row."""
    max_rows = REPORT_MAX_ROWS if max_rows is None else max_rows
    if max(len(reference), len(current)) <= max_rows:
        return reference, current, None
    note = (f"Rapport Evidently dessiné sur un échantillon de {_fmt.number(max_rows, 0)} lignes par lot "
            "(tirage fixe) ; les scores enregistrés portent sur toutes les lignes.")
    return (reference.sample(min(len(reference), max_rows), random_state=0),
            current.sample(min(len(current), max_rows), random_state=0), note)
