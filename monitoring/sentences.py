"""One French sentence per alert: what changed, by how much, and what the reader is expected to do.

The sentence is written for the person who follows the use case, not for a statistician: it
never names a distance or an error metric (Jensen-Shannon, Wasserstein, MAPE, WAPE…). Those
stay in the alert's details, shown apart as the technical detail.

``alert_sentence(kind, column, value, threshold, **context)`` is the only entry point; ``kind``
is an ``AlertKind`` value (plain strings work too, so this module imports nothing of the rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from monitoring import _fmt

#: Plain words for the quality measures of an output; higher is better unless listed in ``LOWER_IS_BETTER``.
MEASURE_FR: dict[str, str] = {
    "accuracy": "la part de propositions justes",
    "precision": "la fiabilité des propositions retenues",
    "recall": "la part des cas attendus que l'outil repère",
    "f1": "l'équilibre entre propositions justes et cas manqués",
    "mape": "l'erreur moyenne des prévisions",
    "wape": "l'erreur globale des prévisions",
    "mae": "l'écart moyen entre prévisions et valeurs constatées",
    "rmse": "l'écart type des erreurs de prévision",
    "override_rate": "la part de propositions corrigées par les agents",
}
LOWER_IS_BETTER = frozenset({"mape", "wape", "mae", "rmse", "override_rate"})
#: Measures whose values are shares (shown in percent); the others are in the output's unit.
_SHARES = frozenset({"accuracy", "precision", "recall", "f1", "mape", "wape", "override_rate"})


def measure_fr(metric: str) -> str:
    return MEASURE_FR.get(metric, f"l'indicateur « {metric} »")


def measure_value(metric: str, value: float | None) -> str:
    return _fmt.percent(value) if metric in _SHARES else _fmt.number(value, 2)


def distance(value: float | None) -> str:
    """A drift distance with two decimals, three below 0.1 where the third one matters: 0,31 ; 0,085."""
    return _fmt.number(value, 2 if value is None or abs(value) >= 0.1 else 3)


def _strength(value: float | None, threshold: float | None) -> str:
    """« nettement » when the value is at least twice its threshold, « sensiblement » otherwise."""
    if value is None or not threshold:
        return "sensiblement"
    return "nettement" if value >= 2 * threshold else "sensiblement"


def _names(values: Iterable[Any]) -> str:
    return _fmt.quoted_list(values, limit=5)


def _period(context: Mapping[str, Any]) -> str:
    period = context.get("period")
    return f"Période {period} : " if period not in (None, "", "ensemble") else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


Context = dict[str, Any]


def _column_drift(kind: str, column: str | None, value: float | None, threshold: float | None,
                  context: Context) -> str:
    critical = kind == "critical_column_drift" or bool(context.get("critical"))
    what = f"La répartition de {_fmt.quoted(column)}" + (", colonne déclarée critique," if critical else "")
    return (f"{what} a changé {_strength(value, threshold)} depuis la référence "
            f"(écart {distance(value)}, seuil {distance(threshold)}) : vérifiez que les données "
            "du mois sont complètes avant de vous fier aux résultats de l'outil"
            + (", et faites-les revoir par la conformité." if critical else "."))


def _dataset_drift(kind: str, column: str | None, value: float | None, threshold: float | None,
                   context: Context) -> str:
    columns = list(context.get("columns") or [])
    n_total = context.get("n_columns")
    count = f"{len(columns)} colonne{'s' if len(columns) > 1 else ''}"
    if n_total:
        count += f" sur {n_total}"
    return (f"Les données du lot ne ressemblent plus à la référence : {count} "
            f"{'ont' if len(columns) > 1 else 'a'} changé ({_names(columns)} ; {_fmt.percent(value, 0)} des "
            f"colonnes suivies, seuil {_fmt.percent(threshold, 0)}) : vérifiez que le lot est complet et "
            "comparable à la référence avant de vous fier aux résultats de l'outil.")


def _missing_rate(kind: str, column: str | None, value: float | None, threshold: float | None,
                  context: Context) -> str:
    return (f"La part de valeurs manquantes de {_fmt.quoted(column)} est passée de "
            f"{_fmt.percent(context.get('reference_rate'))} dans la référence à {_fmt.percent(value)} dans le "
            "lot : vérifiez auprès de la source des données que l'extraction n'a pas changé.")


def _new_categories(kind: str, column: str | None, value: float | None, threshold: float | None,
                    context: Context) -> str:
    categories = list(context.get("categories") or [])
    plural = len(categories) > 1
    return (f"La colonne {_fmt.quoted(column)} contient {'des valeurs' if plural else 'une valeur'} jamais "
            f"{'vues' if plural else 'vue'} dans la référence ({_names(categories)}) : vérifiez s'il s'agit "
            f"{'de nouvelles catégories réelles' if plural else 'd’une nouvelle catégorie réelle'} ou d'une "
            "erreur de saisie, car l'outil n'a pas appris à les traiter.")


def _outcome(kind: str, column: str | None, value: float | None, threshold: float | None,
             context: Context) -> str:
    metric = column or ""
    others = [m for m in context.get("others") or [] if m != metric]
    side = "au-dessus du maximum" if metric in LOWER_IS_BETTER else "sous le minimum"
    also = ""
    if others:
        many = len(others) > 1
        also = (f" ; {len(others)} autre{'s' if many else ''} mesure{'s' if many else ''} de qualité "
                f"{'vont' if many else 'va'} dans le même sens")
    period = _period(context)
    return (f"{period}{measure_fr(metric) if period else _capital(measure_fr(metric))} "
            f"est de {measure_value(metric, value)}, {side} convenu de {measure_value(metric, threshold)}{also} : "
            "comparez quelques résultats aux valeurs constatées et signalez l'écart à l'équipe qui "
            "maintient l'outil.")


def _override(kind: str, column: str | None, value: float | None, threshold: float | None,
              context: Context) -> str:
    counts = ""
    if context.get("n") is not None and context.get("n_overridden") is not None:
        counts = f" ({context['n_overridden']} sur {context['n']})"
    period = _period(context)
    return (f"{period}{'l' if period else 'L'}es agents ont corrigé {_fmt.percent(value)} "
            f"des propositions de l'outil{counts}, au-delà du maximum convenu de {_fmt.percent(threshold)} : "
            "demandez-leur pourquoi, les propositions ne répondent peut-être plus au besoin.")


def _territories(kind: str, column: str | None, value: float | None, threshold: float | None,
                 context: Context) -> str:
    metric = column or ""
    unit = _fmt.percent if metric == "mae" else _fmt.points
    parts = []
    if value is not None and context.get("best") is not None:
        parts.append(f"{measure_fr(metric)} varie de {unit(value)} entre {_fmt.quoted(context['best'])} et "
                     f"{_fmt.quoted(context['worst'])} (seuil {unit(threshold)})")
    worse = list(context.get("worse") or [])
    if worse:
        parts.append(f"{_names(worse)} {'sont' if len(worse) > 1 else 'est'} nettement moins bien "
                     f"servi{'s' if len(worse) > 1 else ''}")
    target = _names(worse or [context.get("worst")])
    return ("Les territoires ne sont pas servis de la même façon : " + " ; ".join(parts)
            + f" : examinez les cas de {target} avec le service concerné avant de poursuivre.")


_SENTENCES = {
    "critical_column_drift": _column_drift,
    "column_drift": _column_drift,
    "dataset_drift": _dataset_drift,
    "missing_rate_change": _missing_rate,
    "new_categories": _new_categories,
    "outcome_below": _outcome,
    "override_rate_above": _override,
    "territorial_gap": _territories,
}


def alert_sentence(kind: str, column: str | None = None, value: float | None = None,
                   threshold: float | None = None, **context: Any) -> str:
    """The French sentence of an alert.

    ``column`` is the watched column (drift kinds), the quality measure (``outcome_below``,
    ``territorial_gap``) or None (``dataset_drift``, ``override_rate_above``). ``value`` and
    ``threshold`` are in the rule's own unit (a distance, a share, a gap). ``context`` carries
    what a kind needs besides: ``period``, ``columns`` (drifted columns), ``n_columns``,
    ``critical``, ``reference_rate``, ``categories``, ``n`` and ``n_overridden``, ``best``,
    ``worst``, ``worse`` (territories significantly worse), ``others`` (other measures that
    flagged the same problem)."""
    compose = _SENTENCES.get(str(kind))
    if compose is not None:
        return compose(str(kind), column, value, threshold, context)
    return (f"Signal « {kind} » sur {_fmt.quoted(column)} : valeur {_fmt.number(value, 2)}, seuil "
            f"{_fmt.number(threshold, 2)} ; examinez le détail technique.")


def sentence_from_details(kind: str, details: Mapping[str, Any]) -> str | None:
    """The sentence of a stored alert, rebuilt from its kind and details (alerts stored before the
    sentences existed read the same way as new ones); None when the details do not suffice."""
    d = details
    kind = str(kind)
    if kind in ("critical_column_drift", "column_drift") and "column" in d and "score" in d:
        return alert_sentence(kind, d["column"], d.get("score"), d.get("threshold"))
    if kind == "dataset_drift" and "drifted_columns" in d:
        return alert_sentence(kind, None, d.get("share_drifted"), d.get("drift_share"), columns=d["drifted_columns"],
                              n_columns=d.get("n_computable"))
    if kind == "missing_rate_change" and "column" in d:
        return alert_sentence(kind, d["column"], d.get("cur_missing_rate"), None,
                              reference_rate=d.get("ref_missing_rate"))
    if kind == "new_categories" and "column" in d:
        return alert_sentence(kind, d["column"], categories=d.get("new_categories") or [])
    if kind == "outcome_below" and "metric" in d:
        others = [m.get("metric") for m in d.get("metrics") or [] if isinstance(m, Mapping)]
        return alert_sentence(kind, d["metric"], d.get("value"), d.get("threshold"), period=d.get("period"),
                              others=others)
    if kind == "override_rate_above" and "override_rate" in d:
        return alert_sentence(kind, None, d["override_rate"], d.get("threshold"), period=d.get("period"))
    if kind == "territorial_gap" and "metric" in d:
        gap = d.get("gap")
        threshold = d.get("gap_threshold")
        shown = gap if gap is not None and threshold is not None and gap >= threshold - 1e-12 else None
        return alert_sentence(kind, d["metric"], shown, threshold, best=d.get("best"), worst=d.get("worst"),
                              worse=d.get("significantly_worse") or [])
    return None
