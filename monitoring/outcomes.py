"""Outcomes: predictions against actuals per period, agent overrides, business KPIs, territories.

Everything here is plain pandas/numpy/scipy over a DataFrame and returns a dataclass holding a
DataFrame (one row per period or per territory) and French messages. Metric definitions
follow scikit-learn's (checked in the tests), with ``zero_division=0``:

* classification: accuracy; precision, recall, F1 for the positive class when the labels are
  binary (0/1, False/True, or ``positive_label`` given), else macro averages over the labels
  seen in the period (actual or predicted). F1 is ``2·TP / (2·TP + FP + FN)`` per class.
* regression and forecasts: MAE, RMSE, MAPE (share, rows whose actual is 0 are skipped and
  counted in ``n_zero_actuals``; scikit-learn would divide by a tiny epsilon instead) and WAPE
  (``Σ|error| / Σ|actual|``).

Rows whose actual is missing (labels not arrived yet) are left out and counted in
``n_unlabelled``.

Periods come from a ``period`` column (used as is), or from a date column grouped with a
pandas period frequency (``"M"`` month, ``"W"`` week, ``"Q"`` quarter, ``"Y"`` year, ``"D"``
day), or, with neither, the whole frame is one period named ``"ensemble"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np
import pandas as pd

from monitoring import _fmt

WHOLE_PERIOD = "ensemble"

_TRUE_WORDS = {"1", "true", "vrai", "oui", "yes", "o", "y"}
_FALSE_WORDS = {"0", "false", "faux", "non", "no", "n"}


@dataclass(frozen=True)
class OutcomeReport:
    """One row per period in ``table``; ``kind`` is classification, regression or override."""

    kind: str
    table: pd.DataFrame
    messages: list[str] = field(default_factory=list)
    average: str | None = None  # "binary" or "macro" for classification
    positive_label: Any = None

    def latest(self) -> dict[str, Any] | None:
        """The last period's row as a plain dict (None when there is no period)."""
        if self.table.empty:
            return None
        return {k: _fmt.plain(v) for k, v in self.table.iloc[-1].to_dict().items()}

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "average": self.average,
            "positive_label": _fmt.plain(self.positive_label),
            "messages": list(self.messages),
            "rows": [{k: _fmt.plain(v) for k, v in row.items()} for row in self.table.to_dict("records")],
        }


# --------------------------------------------------------------------------- helpers


def _require(df: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"Colonne{'s' if len(missing) > 1 else ''} absente{'s' if len(missing) > 1 else ''} "
            f"du tableau : {_fmt.quoted_list(missing)} (colonnes présentes : {_fmt.quoted_list(df.columns, 20)})."
        )


def assign_periods(
    df: pd.DataFrame, *, period: str | None = None, date: str | None = None, freq: str = "M"
) -> pd.Series:
    """The period label of each row (see the module docstring)."""
    if period is not None:
        _require(df, [period])
        return df[period]
    if date is not None:
        _require(df, [date])
        raw = df[date]
        dates = raw if pd.api.types.is_datetime64_any_dtype(raw) else pd.to_datetime(raw, errors="coerce")
        bad = dates.isna() & raw.notna()
        if bad.any():
            first = bad.idxmax()
            raise ValueError(
                f"Date illisible dans la colonne {_fmt.quoted(date)}, ligne {first} : {_fmt.quoted(raw.loc[first])}."
            )
        try:
            return dates.dt.to_period(freq).astype(str)
        except ValueError as exc:
            raise ValueError(
                f"Fréquence de période inconnue : {_fmt.quoted(freq)} (exemples : M, W, Q, Y, D)."
            ) from exc
    return pd.Series(WHOLE_PERIOD, index=df.index)


def _as_bool(series: pd.Series, column: str) -> pd.Series:
    """Booleans from bool, 0/1 or yes/no words (French or English); missing stays missing."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype("boolean")
    if pd.api.types.is_numeric_dtype(series):
        bad = series.notna() & ~series.isin([0, 1])
        if bad.any():
            first = bad.idxmax()
            raise ValueError(
                f"Valeur non booléenne dans la colonne {_fmt.quoted(column)}, ligne {first} : "
                f"{_fmt.quoted(series.loc[first])} (attendu : 0 ou 1)."
            )
        return series.map(lambda v: None if pd.isna(v) else bool(v)).astype("boolean")

    def parse(value: Any) -> bool | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        text = str(value).strip().lower()
        if text in _TRUE_WORDS:
            return True
        if text in _FALSE_WORDS:
            return False
        raise KeyError(value)

    out = []
    for idx, value in series.items():
        try:
            out.append(parse(value))
        except KeyError:
            raise ValueError(
                f"Valeur non booléenne dans la colonne {_fmt.quoted(column)}, ligne {idx} : "
                f"{_fmt.quoted(value)} (attendu : oui/non, vrai/faux ou 0/1)."
            ) from None
    return pd.Series(out, index=series.index, dtype="boolean")


def _ordered_groups(labels: pd.Series) -> list[Any]:
    values = pd.unique(labels.dropna())
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


# --------------------------------------------------------------------------- classification


def _binary_scores(actual: np.ndarray, predicted: np.ndarray, positive: Any) -> tuple[float, float, float]:
    is_pos_a = actual == positive
    is_pos_p = predicted == positive
    tp = float(np.sum(is_pos_a & is_pos_p))
    fp = float(np.sum(~is_pos_a & is_pos_p))
    fn = float(np.sum(is_pos_a & ~is_pos_p))
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn)


def classification_scores(
    actual: Sequence[Any] | np.ndarray | pd.Series,
    predicted: Sequence[Any] | np.ndarray | pd.Series,
    *,
    average: Literal["binary", "macro"] = "binary",
    positive_label: Any = 1,
) -> dict[str, float]:
    """Accuracy, precision, recall, F1 of one batch (no missing values)."""
    a = np.asarray(actual, dtype=object)
    p = np.asarray(predicted, dtype=object)
    if len(a) == 0:
        return {"accuracy": math.nan, "precision": math.nan, "recall": math.nan, "f1": math.nan}
    accuracy = float(np.mean(a == p))
    if average == "binary":
        precision, recall, f1 = _binary_scores(a, p, positive_label)
    else:
        labels = _ordered_groups(pd.Series(np.concatenate([a, p])))
        per_label = np.array([_binary_scores(a, p, label) for label in labels])
        precision, recall, f1 = (float(x) for x in per_label.mean(axis=0))
    return {"accuracy": accuracy, "precision": precision, "recall": recall, "f1": f1}


def classification_by_period(
    df: pd.DataFrame,
    *,
    actual: str = "actual",
    prediction: str = "prediction",
    period: str | None = None,
    date: str | None = None,
    freq: str = "M",
    positive_label: Any = None,
) -> OutcomeReport:
    """Accuracy, precision, recall and F1 per period (binary or macro, see the module docstring)."""
    _require(df, [actual, prediction])
    periods = assign_periods(df, period=period, date=date, freq=freq)
    labelled = df[actual].notna() & df[prediction].notna()
    messages: list[str] = []
    n_no_pred = int((df[actual].notna() & df[prediction].isna()).sum())
    if n_no_pred:
        messages.append(f"{n_no_pred} ligne(s) sans prédiction ont été exclues.")

    observed = set(pd.unique(df.loc[labelled, actual])) | set(pd.unique(df.loc[labelled, prediction]))
    average: Literal["binary", "macro"]
    if positive_label is not None:
        average, positive = "binary", positive_label
    elif observed and observed <= {0, 1}:  # also matches False/True and 0.0/1.0
        average, positive = "binary", True if all(isinstance(v, bool | np.bool_) for v in observed) else 1
    else:
        average, positive = "macro", None

    rows = []
    for label in _ordered_groups(periods):
        in_period = periods == label
        mask = in_period & labelled
        scores = classification_scores(
            df.loc[mask, actual].to_numpy(),
            df.loc[mask, prediction].to_numpy(),
            average=average,
            positive_label=positive,
        )
        rows.append(
            {
                "period": label,
                "n": int(mask.sum()),
                "n_unlabelled": int((in_period & df[actual].isna()).sum()),
                **scores,
            }
        )
    table = pd.DataFrame(
        rows, columns=["period", "n", "n_unlabelled", "accuracy", "precision", "recall", "f1"]
    )
    n_unlabelled = int(df[actual].isna().sum())
    if n_unlabelled:
        messages.append(
            f"{n_unlabelled} prédiction(s) sans valeur réelle connue (étiquette pas encore disponible) "
            "ne sont pas comptées."
        )
    if average == "macro":
        messages.append(
            "Plus de deux classes : précision, rappel et F1 sont des moyennes par classe (macro)."
        )
    return OutcomeReport("classification", table, messages, average=average, positive_label=positive)


# --------------------------------------------------------------------------- regression


def regression_scores(
    actual: Sequence[float] | np.ndarray, predicted: Sequence[float] | np.ndarray
) -> dict[str, Any]:
    a = np.asarray(actual, dtype=float)
    p = np.asarray(predicted, dtype=float)
    if len(a) == 0:
        return {"mae": math.nan, "rmse": math.nan, "mape": math.nan, "wape": math.nan, "n_zero_actuals": 0}
    err = np.abs(a - p)
    nonzero = a != 0
    denom = float(np.sum(np.abs(a)))
    return {
        "mae": float(err.mean()),
        "rmse": float(np.sqrt(np.mean(err**2))),
        "mape": float(np.mean(err[nonzero] / np.abs(a[nonzero]))) if nonzero.any() else math.nan,
        "wape": float(err.sum() / denom) if denom else math.nan,
        "n_zero_actuals": int((~nonzero).sum()),
    }


def regression_by_period(
    df: pd.DataFrame,
    *,
    actual: str = "actual",
    prediction: str = "prediction",
    period: str | None = None,
    date: str | None = None,
    freq: str = "M",
) -> OutcomeReport:
    """MAE, RMSE, MAPE (zero actuals skipped) and WAPE per period."""
    _require(df, [actual, prediction])
    for column in (actual, prediction):
        if not pd.api.types.is_numeric_dtype(df[column]):
            raise ValueError(
                f"La colonne {_fmt.quoted(column)} doit être numérique (type {df[column].dtype})."
            )
    periods = assign_periods(df, period=period, date=date, freq=freq)
    labelled = df[actual].notna() & df[prediction].notna()
    rows = []
    messages: list[str] = []
    for label in _ordered_groups(periods):
        in_period = periods == label
        mask = in_period & labelled
        scores = regression_scores(df.loc[mask, actual].to_numpy(), df.loc[mask, prediction].to_numpy())
        rows.append(
            {
                "period": label,
                "n": int(mask.sum()),
                "n_unlabelled": int((in_period & df[actual].isna()).sum()),
                **scores,
            }
        )
        if scores["n_zero_actuals"]:
            messages.append(
                f"Période {label} : {scores['n_zero_actuals']} valeur(s) réelle(s) nulle(s) exclue(s) "
                "du MAPE (division par zéro) ; le WAPE les prend en compte."
            )
    table = pd.DataFrame(
        rows, columns=["period", "n", "n_unlabelled", "mae", "rmse", "mape", "wape", "n_zero_actuals"]
    )
    n_unlabelled = int(df[actual].isna().sum())
    if n_unlabelled:
        messages.append(f"{n_unlabelled} prévision(s) sans valeur réelle connue ne sont pas comptées.")
    return OutcomeReport("regression", table, messages)


# --------------------------------------------------------------------------- overrides


def override_rate_by_period(
    df: pd.DataFrame,
    *,
    overridden: str = "overridden",
    period: str | None = None,
    date: str | None = None,
    freq: str = "M",
) -> OutcomeReport:
    """Share of predictions an agent changed, per period (``overridden``: bool, 0/1 or oui/non)."""
    _require(df, [overridden])
    flags = _as_bool(df[overridden], overridden)
    periods = assign_periods(df, period=period, date=date, freq=freq)
    rows = []
    for label in _ordered_groups(periods):
        sel = flags[(periods == label) & flags.notna()]
        n = len(sel)
        n_over = int(sel.sum())
        rows.append(
            {"period": label, "n": n, "n_overridden": n_over, "override_rate": n_over / n if n else math.nan}
        )
    messages = []
    n_missing = int(flags.isna().sum())
    if n_missing:
        messages.append(f"{n_missing} ligne(s) sans information de correction par un agent ont été exclues.")
    table = pd.DataFrame(rows, columns=["period", "n", "n_overridden", "override_rate"])
    return OutcomeReport("override", table, messages)


# --------------------------------------------------------------------------- business KPI


class KpiStatus(StrEnum):
    ON_TRACK = "on_track"
    BELOW_TARGET = "below_target"
    WORSE_THAN_BASELINE = "worse_than_baseline"

    @property
    def label(self) -> str:
        return {
            "on_track": "Objectif atteint",
            "below_target": "En dessous de l'objectif",
            "worse_than_baseline": "Moins bien que la situation de départ",
        }[self.value]


def kpi_status(value: float, baseline: float, target: float, *, higher_is_better: bool = True) -> KpiStatus:
    """on_track when the target is met; else worse_than_baseline when worse than the baseline;
    else below_target. ``higher_is_better=False`` for KPIs such as a delay or a cost."""
    for name, number in (("valeur", value), ("référence", baseline), ("cible", target)):
        if number is None or (isinstance(number, float) and math.isnan(number)):
            raise ValueError(f"Indicateur : la {name} est manquante.")
    sign = 1 if higher_is_better else -1
    if sign * (value - target) >= 0:
        return KpiStatus.ON_TRACK
    if sign * (value - baseline) < 0:
        return KpiStatus.WORSE_THAN_BASELINE
    return KpiStatus.BELOW_TARGET


@dataclass(frozen=True)
class KpiAssessment:
    name: str
    value: float
    baseline: float
    target: float
    higher_is_better: bool
    status: KpiStatus
    progress: float | None  # share of the way from baseline to target (1 = target reached)
    message_fr: str


def assess_kpi(
    name: str, value: float, baseline: float, target: float, *, higher_is_better: bool = True, digits: int = 2
) -> KpiAssessment:
    status = kpi_status(value, baseline, target, higher_is_better=higher_is_better)
    progress = (value - baseline) / (target - baseline) if target != baseline else None
    sens = "plus haut est meilleur" if higher_is_better else "plus bas est meilleur"
    message = (
        f"Indicateur {_fmt.quoted(name)} : {_fmt.number(value, digits)} (départ {_fmt.number(baseline, digits)}, "
        f"cible {_fmt.number(target, digits)}, {sens}) — {status.label.lower()}."
    )
    return KpiAssessment(name, value, baseline, target, higher_is_better, status, progress, message)


# --------------------------------------------------------------------------- territories

TerritoryMetric = Literal["accuracy", "mae", "override_rate"]

_METRIC_LABELS_FR = {
    "accuracy": "exactitude",
    "mae": "erreur absolue moyenne",
    "override_rate": "taux de correction",
}
_ON_METRIC_FR = {
    "accuracy": "l'exactitude",
    "mae": "l'erreur absolue moyenne",
    "override_rate": "le taux de correction",
}
#: accuracy and override rate: absolute gap in share; MAE: gap relative to the overall MAE.
DEFAULT_GAP_THRESHOLDS: dict[str, float] = {"accuracy": 0.10, "override_rate": 0.10, "mae": 0.25}


@dataclass(frozen=True)
class TerritoryReport:
    """Per-territory performance, the best–worst gap and territories significantly worse than the rest.

    ``gap`` is absolute for accuracy and override rate (0.12 = 12 points) and relative to the
    overall value for MAE (0.30 = the worst territory's MAE exceeds the best's by 30 % of the
    overall MAE); ``gap_threshold`` has the same unit.
    """

    metric: str
    higher_is_better: bool
    table: pd.DataFrame
    overall: float
    best: Any
    worst: Any
    gap: float | None
    gap_threshold: float
    gap_exceeded: bool
    significantly_worse: list[Any]
    messages: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.gap_exceeded or bool(self.significantly_worse)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "overall": _fmt.plain(self.overall),
            "best": _fmt.plain(self.best),
            "worst": _fmt.plain(self.worst),
            "gap": _fmt.plain(self.gap),
            "gap_threshold": self.gap_threshold,
            "gap_exceeded": self.gap_exceeded,
            "significantly_worse": [_fmt.plain(t) for t in self.significantly_worse],
            "flagged": self.flagged,
            "messages": list(self.messages),
            "rows": [{k: _fmt.plain(v) for k, v in row.items()} for row in self.table.to_dict("records")],
        }


def two_proportion_pvalue(
    x1: int, n1: int, x2: int, n2: int, *, alternative: Literal["less", "greater"]
) -> float:
    """One-sided pooled two-proportion z-test of p1 against p2 ("less": p1 < p2)."""
    if n1 == 0 or n2 == 0:
        return math.nan
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    from scipy import stats  # here, not at import: a page that tests nothing loads no SciPy

    z = (p1 - p2) / se
    return float(stats.norm.cdf(z) if alternative == "less" else stats.norm.sf(z))


def _unit_values(
    df: pd.DataFrame, metric: TerritoryMetric, territory: str, actual: str, prediction: str, overridden: str
) -> tuple[pd.Series, pd.Series]:
    """One value per usable row (hit, absolute error or override) and the row's territory."""
    if metric == "override_rate":
        values = _as_bool(df[overridden], overridden)
        keep = values.notna() & df[territory].notna()
        unit = values[keep].astype(float)
    elif metric == "accuracy":
        keep = df[actual].notna() & df[prediction].notna() & df[territory].notna()
        unit = (df.loc[keep, actual] == df.loc[keep, prediction]).astype(float)
    else:
        keep = df[actual].notna() & df[prediction].notna() & df[territory].notna()
        unit = (df.loc[keep, actual].astype(float) - df.loc[keep, prediction].astype(float)).abs()
    return unit, df.loc[keep, territory]


def _worse_pvalue(metric: TerritoryMetric, mine: np.ndarray, rest: np.ndarray) -> float:
    """One-sided p-value that a territory does worse than the others pooled (NaN when untestable)."""
    if metric == "mae":
        if len(mine) > 1 and len(rest) > 1 and (mine.std() > 0 or rest.std() > 0):
            from scipy import stats

            return float(stats.ttest_ind(mine, rest, equal_var=False, alternative="greater").pvalue)
        return math.nan
    return two_proportion_pvalue(
        int(mine.sum()), len(mine), int(rest.sum()), len(rest),
        alternative="less" if metric == "accuracy" else "greater",
    )  # fmt: skip


def _territory_table(
    unit: pd.Series,
    places: pd.Series,
    metric: TerritoryMetric,
    tested: list[Any],
    corrected_alpha: float,
    min_count: int,
) -> tuple[pd.DataFrame, list[str]]:
    """One row per territory (value here and elsewhere, test) and the French notes on excluded ones."""
    rows = []
    messages: list[str] = []
    for g in _ordered_groups(places):
        in_g = (places == g).to_numpy()
        mine, rest = unit.to_numpy()[in_g], unit.to_numpy()[~in_g]
        n = len(mine)
        p_value = _worse_pvalue(metric, mine, rest) if g in tested and len(rest) else math.nan
        rows.append(
            {
                "territory": g,
                "n": n,
                "value": float(mine.mean()) if n else math.nan,
                "rest_value": float(rest.mean()) if len(rest) else math.nan,
                "p_value": p_value,
                "included": g in tested,
                "significantly_worse": bool(not math.isnan(p_value) and p_value < corrected_alpha),
            }
        )
        if g not in tested:
            messages.append(
                f"Territoire {_fmt.quoted(g)} : {n} observation(s) seulement (minimum {min_count}), "
                "exclu de la comparaison."
            )
    table = pd.DataFrame(
        rows, columns=["territory", "n", "value", "rest_value", "p_value", "included", "significantly_worse"]
    )
    return table, messages


def _territory_value_formatter(metric: TerritoryMetric) -> Callable[[float], str]:
    return _fmt.percent if metric != "mae" else (lambda v: _fmt.number(v, 2))


def _territory_gap(
    table: pd.DataFrame, metric: TerritoryMetric, overall: float, threshold: float
) -> tuple[Any, Any, float | None, bool, str | None]:
    """Best and worst included territories, their gap (relative to the mean error for MAE),
    whether it reaches the threshold and the French message saying so."""
    included = table[table["included"]]
    if len(included) < 2:
        return None, None, None, False, None
    fmt_value = _territory_value_formatter(metric)
    ordered = included.sort_values("value", ascending=metric != "accuracy")
    best, worst = ordered.iloc[0]["territory"], ordered.iloc[-1]["territory"]
    raw_gap = abs(float(ordered.iloc[0]["value"]) - float(ordered.iloc[-1]["value"]))
    gap = raw_gap / overall if metric == "mae" and overall > 0 else raw_gap
    gap_exceeded = gap >= threshold - 1e-12
    if not gap_exceeded:
        return best, worst, gap, False, None
    gap_text = _fmt.points(gap) if metric != "mae" else _fmt.percent(gap) + " de l'erreur moyenne"
    seuil = _fmt.points(threshold) if metric != "mae" else _fmt.percent(threshold)
    return best, worst, gap, True, (
        f"Écart entre territoires sur {_ON_METRIC_FR[metric]} : "
        f"{fmt_value(float(ordered.iloc[0]['value']))} pour {_fmt.quoted(best)} contre "
        f"{fmt_value(float(ordered.iloc[-1]['value']))} pour {_fmt.quoted(worst)} "
        f"(écart de {gap_text}, seuil {seuil})."
    )


def _worse_messages(table: pd.DataFrame, metric: TerritoryMetric, corrected_alpha: float) -> list[str]:
    """One French message per territory significantly worse treated than the others."""
    fmt_value = _territory_value_formatter(metric)
    test_name = "test t de Welch" if metric == "mae" else "test z de deux proportions"
    messages = []
    for g in table.loc[table["significantly_worse"], "territory"].tolist():
        row = table[table["territory"] == g].iloc[0]
        messages.append(
            f"Territoire {_fmt.quoted(g)} significativement moins bien traité que les autres "
            f"({_METRIC_LABELS_FR[metric]} {fmt_value(float(row['value']))} contre "
            f"{fmt_value(float(row['rest_value']))} ailleurs ; "
            f"{test_name}, p = {_fmt.number(float(row['p_value']), 4)}, "
            f"seuil corrigé {_fmt.number(corrected_alpha, 4)})."
        )
    return messages


def performance_by_territory(
    df: pd.DataFrame,
    *,
    territory: str = "territory",
    metric: TerritoryMetric = "accuracy",
    actual: str = "actual",
    prediction: str = "prediction",
    overridden: str = "overridden",
    gap_threshold: float | None = None,
    alpha: float = 0.05,
    min_count: int = 30,
) -> TerritoryReport:
    """Compare a metric across territories (communes, quartiers) to reveal unequal treatment.

    Each territory with at least ``min_count`` rows is tested against all the others pooled:
    a one-sided two-proportion z-test for accuracy (lower is worse) and override rate (higher
    is worse), a one-sided Welch t-test on absolute errors for MAE. A territory is
    significantly worse when its p-value is below ``alpha`` divided by the number of
    territories tested (Bonferroni), so that many small communes do not raise false alarms.
    """
    if metric not in _METRIC_LABELS_FR:
        raise ValueError(
            f"Indicateur territorial inconnu : {metric!r} (attendu : accuracy, mae, override_rate)."
        )
    needed = [territory, overridden] if metric == "override_rate" else [territory, actual, prediction]
    _require(df, needed)
    threshold = DEFAULT_GAP_THRESHOLDS[metric] if gap_threshold is None else gap_threshold
    unit, places = _unit_values(df, metric, territory, actual, prediction, overridden)
    overall = float(unit.mean()) if len(unit) else math.nan

    groups = _ordered_groups(places)
    tested = [g for g in groups if int((places == g).sum()) >= min_count]
    corrected_alpha = alpha / len(tested) if tested else alpha
    table, messages = _territory_table(unit, places, metric, tested, corrected_alpha, min_count)
    best, worst, gap, gap_exceeded, gap_message = _territory_gap(table, metric, overall, threshold)
    if gap_message:
        messages.append(gap_message)
    elif groups and gap is None:
        messages.append("Moins de deux territoires avec assez d'observations : pas de comparaison possible.")
    messages += _worse_messages(table, metric, corrected_alpha)
    return TerritoryReport(
        metric=metric,
        higher_is_better=metric == "accuracy",
        table=table,
        overall=overall,
        best=best,
        worst=worst,
        gap=gap,
        gap_threshold=threshold,
        gap_exceeded=gap_exceeded,
        significantly_worse=table.loc[table["significantly_worse"], "territory"].tolist(),
        messages=messages,
    )


_STORED_METRICS = ("accuracy", "precision", "recall", "f1", "mae", "mape")


def finite(value: Any) -> float | None:
    """A stored figure: a number, or None for what is missing or not a number."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN -> None


@dataclass(frozen=True)
class OutcomeSummary:
    """One outcomes batch summarised for storage and alerting.

    ``rows``: one dict per period (``territory=None``) and per period and territory, with ``n``,
    the stored metrics, the override rate and the business KPI's value and status per period.
    ``reports`` and ``territory_reports`` feed ``monitoring.alerts.evaluate_alerts``."""

    rows: list[dict[str, Any]]
    reports: list[OutcomeReport]
    territory_reports: list[TerritoryReport]
    periods: list[str]


def summarise_outcomes(
    frame: pd.DataFrame,
    *,
    kind: Literal["classification", "regression"] = "classification",
    period: str | None = None,
    date: str | None = None,
    freq: str = "M",
    territory: str | None = None,
    kpi: dict[str, float] | None = None,
    kpi_baseline: float | None = None,
    kpi_target: float | None = None,
) -> OutcomeSummary:
    """Predictions against actuals per period (and per territory, the latest period compared across
    territories), override rates when an ``overridden`` column is present, and a business KPI per
    period assessed against its baseline and target. Raises ``ValueError`` with a French message
    naming the missing column or the KPI periods absent from the file."""
    by = classification_by_period if kind == "classification" else regression_by_period
    report = by(frame, period=period, date=date, freq=freq)
    reports = [report]
    override = None
    if "overridden" in frame.columns:
        override = override_rate_by_period(frame, period=period, date=date, freq=freq)
        reports.append(override)
    per_territory: list[tuple[str, pd.DataFrame]] = []
    territory_reports: list[TerritoryReport] = []
    if territory:
        if territory not in frame.columns:
            raise ValueError(f"Colonne de territoire « {territory} » absente du fichier.")
        for place, sub in frame.groupby(territory, sort=True):
            per_territory.append((str(place), by(sub, period=period, date=date, freq=freq).table))
        periods_all = report.table["period"].tolist()
        latest = periods_all[-1] if periods_all else None
        latest_rows = frame[frame[period].astype(str) == str(latest)] if latest is not None and period else frame
        territory_reports.append(performance_by_territory(
            latest_rows, territory=territory, metric="accuracy" if kind == "classification" else "mae"))
    file_periods = [str(p) for p in report.table["period"]]
    kpi = {str(p).strip(): v for p, v in (kpi or {}).items()}
    unknown = sorted(set(kpi) - set(file_periods))
    if unknown:
        plural = len(unknown) > 1
        raise ValueError(
            "Indicateur métier : période" + ("s " if plural else " ") + ", ".join(f"« {p} »" for p in unknown)
            + " absente" + ("s" if plural else "") + " du fichier (périodes du fichier : "
            + ", ".join(file_periods[:12]) + (" …" if len(file_periods) > 12 else "") + ").")
    overrides = {} if override is None else dict(zip(override.table["period"].astype(str),
                                                     override.table["override_rate"], strict=False))
    rows: list[dict[str, Any]] = []
    for rec in report.table.to_dict("records"):
        p = str(rec["period"])
        kpi_value = finite(kpi.get(p))
        status = None
        if kpi_value is not None and kpi_baseline is not None and kpi_target is not None:
            status = str(assess_kpi("kpi", kpi_value, kpi_baseline, kpi_target,
                                    higher_is_better=kpi_target >= kpi_baseline).status)
        rows.append(dict(period=p, territory=None, n=int(rec["n"]), kpi_value=kpi_value, kpi_status=status,
                         override_rate=finite(overrides.get(p)),
                         **{k: finite(rec.get(k)) for k in _STORED_METRICS}))
    for place, table in per_territory:
        for rec in table.to_dict("records"):
            rows.append(dict(period=str(rec["period"]), territory=place, n=int(rec["n"]), kpi_value=None,
                             kpi_status=None, override_rate=None,
                             **{k: finite(rec.get(k)) for k in _STORED_METRICS}))
    return OutcomeSummary(rows, reports, territory_reports, sorted({r["period"] for r in rows}))
