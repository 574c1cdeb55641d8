"""Route residents' requests to the service that handles them; uncertain ones are left to an agent."""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from typing import ClassVar

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.loading import InvalidInput, line_numbers
from usecases.registry import register
from usecases.request_routing.baselines import RoutingCheck, majority_accuracy, plain_tfidf_accuracy
from usecases.request_routing.model import FOLDS, Router, choose_threshold, precision_curve, time_split

SCHEMA = InputSchema((
    Column("id", "categorical", role="id", description="Identifiant de la demande"),
    Column("text", "text", role="feature", description="Texte de la demande (objet, message), en français"),
    Column("service", "categorical", role="target",
           description="Service qui a traité la demande (historique) ; vide pour les demandes à router"),
))

ROUTING_COLUMNS = ["id", "text", "predicted_service", "confidence", "routed", "decision", "alternatives", "terms"]
#: column names read as the date or edition of a request (time order of the history)
TIME_NAMES = ("date", "edition", "annee", "year", "periode", "mois", "date_demande", "date_reception")
#: a category column with more distinct values than this is free text or an identifier, not a category
MAX_CATEGORIES = 100


class RequestRoutingParams(Params):
    target_precision: float = Field(0.90, ge=0.5, le=0.99, title="Précision visée",
                                    description="Le seuil de confiance est choisi sur la partie la plus récente de "
                                                "l'historique : le plus bas qui y donne au moins cette précision. "
                                                "En dessous du seuil, la demande est laissée à un agent")
    use_categories: bool = Field(True, title="Utiliser les colonnes de catégorie",
                                 description="Les autres colonnes du fichier (thème choisi, quartier…) servent au "
                                             "classement quand elles sont présentes")
    holdout_share: float = Field(0.2, ge=0.05, le=0.5, title="Part récente de l'historique mise de côté",
                                 description="Part la plus récente de l'historique (dernière date ou édition, sinon "
                                             "dernières lignes) qui sert à choisir le seuil et à mesurer la qualité")
    n_terms: int = Field(5, ge=1, le=20, title="Termes affichés",
                         description="Nombre de termes qui ont le plus pesé dans le choix du service")


def _plain(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", str(name).lower()) if not unicodedata.combining(c))


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.astype("string").str.strip().fillna("") == "")


def time_column(df: pd.DataFrame) -> str | None:
    for col in df.columns:
        if _plain(col) in TIME_NAMES:
            return str(col)
    return None


def _time_key(series: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.notna().mean() >= 0.9:
        return numbers
    return pd.to_datetime(series, errors="coerce", dayfirst=True, format="mixed")


def category_columns(df: pd.DataFrame, exclude: set[str]) -> list[str]:
    out = []
    for col in df.columns:
        if col in exclude:
            continue
        values = df[col].astype("string").str.strip()
        distinct = values.nunique(dropna=True)
        if 2 <= distinct <= min(MAX_CATEGORIES, max(2, len(df) // 2)):
            out.append(str(col))
    return out


def _pct(x: float) -> float:
    return x * 100 if not math.isnan(x) else math.nan


def _quality(truth: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    rows = []
    for s in sorted(set(truth) | set(predicted)):
        tp = int(((predicted == s) & (truth == s)).sum())
        n_pred = int((predicted == s).sum())
        n_true = int((truth == s).sum())
        rows.append({"service": s, "demandes_reelles": n_true, "demandes_predites": n_pred,
                     "precision": round(tp / n_pred, 3) if n_pred else math.nan,
                     "rappel": round(tp / n_true, 3) if n_true else math.nan})
    return pd.DataFrame(rows, columns=["service", "demandes_reelles", "demandes_predites", "precision", "rappel"])


def _confusion(truth: np.ndarray, predicted: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame({"service_reel": truth, "service_predit": predicted})
    out = frame.groupby(["service_reel", "service_predit"]).size().rename("demandes").reset_index()
    out["correct"] = out["service_reel"] == out["service_predit"]
    return out.sort_values(["demandes", "service_reel", "service_predit"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _History:
    """The rows with a text, split into the history (service known) and the requests to route."""

    history: pd.DataFrame
    requests: pd.DataFrame
    #: lines left out for want of a text
    skipped: int
    #: the date or edition column ordering the history, if any
    time_column: str | None
    #: the category columns used alongside the text
    categories: list[str]


def _prepare(raw: pd.DataFrame, params: RequestRoutingParams) -> _History:
    """Drop the rows without text, split history and requests, check the history can be learnt from."""
    lines = line_numbers(raw)
    df = raw.reset_index(drop=True).copy()
    df["_line"] = lines
    no_text = _blank(df["text"])
    skipped = int(no_text.sum())
    df = df[~no_text].reset_index(drop=True)
    df["text"] = df["text"].astype(str).str.strip()
    has_service = ~_blank(df["service"])
    df["service"] = df["service"].astype("string").str.strip()
    history = df[has_service].reset_index(drop=True)
    requests = df[~has_service].reset_index(drop=True)
    _check_history(history)
    tcol = time_column(df)
    base = {"id", "text", "service", "_line"} | ({tcol} if tcol else set())
    cats = category_columns(df, base) if params.use_categories else []
    if tcol is not None:
        history["_time"] = _time_key(history[tcol])
        history = history.sort_values("_time", kind="stable", na_position="first").reset_index(drop=True)
    return _History(history, requests, skipped, tcol, cats)


def _check_history(history: pd.DataFrame) -> None:
    if history.empty:
        raise InvalidInput(["Historique vide : aucune ligne n'a de « service » renseigné ; le module apprend "
                            "sur les demandes déjà traitées (texte et service) avant de router les autres."])
    services = history["service"].astype(str)
    if services.nunique() < 2:
        raise InvalidInput([f"Un seul service dans l'historique (« {services.iloc[0]} ») : il faut au moins "
                            "deux services différents pour apprendre à router."])
    counts = services.value_counts()
    if int((counts >= FOLDS).sum()) < 2:
        raise InvalidInput([f"Historique trop mince : il faut au moins {FOLDS} demandes traitées pour deux "
                            "services au moins (calibration des probabilités)."])


@dataclass
class _Validation:
    """Threshold and quality measured on the latest part of the history, learnt on the earlier part."""

    early: np.ndarray
    late: np.ndarray
    curve: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["seuil", "couverture", "precision", "routees"]))
    quality: pd.DataFrame = field(default_factory=lambda: _quality(np.array([]), np.array([])))
    confusion: pd.DataFrame = field(default_factory=lambda: _confusion(np.array([]), np.array([])))
    threshold: float = 1.0
    coverage: float = 0.0
    precision: float = math.nan
    accuracy: float = math.nan
    baseline: RoutingCheck = field(default_factory=lambda: RoutingCheck(math.nan, math.nan, math.nan, 0))
    notes: list[str] = field(default_factory=list)


def _validate(h: _History, params: RequestRoutingParams) -> _Validation:
    history = h.history
    early, late = time_split(history, "_time" if h.time_column is not None else None, params.holdout_share)
    v = _Validation(early, late)
    try:
        check = Router(tuple(h.categories)).fit(history.iloc[early], history["service"].iloc[early])
    except ValueError:
        v.notes.append("La partie ancienne de l'historique compte moins de deux services assez fréquents : le "
                       "seuil n'a pas pu être choisi, aucune demande n'est routée automatiquement.")
        return v
    if not len(late):
        return v
    proba = check.predict_proba(history.iloc[late])
    predicted = check.model.classes_[proba.argmax(axis=1)]
    truth = history["service"].iloc[late].astype(str).to_numpy()
    confidence = proba.max(axis=1)
    correct = predicted == truth
    v.accuracy = float(correct.mean())
    v.curve = precision_curve(confidence, correct)
    v.threshold, v.coverage, v.precision = choose_threshold(v.curve, params.target_precision)
    v.quality = _quality(truth, predicted)
    v.confusion = _confusion(truth, predicted)
    train = history.iloc[early]
    v.baseline = RoutingCheck(v.accuracy, majority_accuracy(train["service"], truth),
                              plain_tfidf_accuracy(train["text"], train["service"],
                                                   history["text"].iloc[late], truth), len(late))
    if v.coverage == 0.0:
        v.notes.append(f"Aucun seuil n'atteint {params.target_precision * 100:.0f} % de précision sur la partie récente "
                       "de l'historique : toutes les demandes sont laissées à un agent.")
    return v


def _route(router: Router, requests: pd.DataFrame, v: _Validation, n_terms: int) -> pd.DataFrame:
    """Each request's most likely service, routed when its confidence reaches the threshold."""
    rows = []
    if len(requests):
        x = router.transform(requests)
        proba = router.model.predict_proba(x)
        classes = router.model.classes_
        order = np.argsort(-proba, axis=1, kind="stable")
        best = classes[order[:, 0]]
        terms = router.top_terms(x, best, n_terms, requests["text"].tolist())
        for i in range(len(requests)):
            conf = float(proba[i, order[i, 0]])
            routed = conf >= v.threshold and v.coverage > 0
            alts = "; ".join(f"{classes[j]} ({proba[i, j]:.2f})" for j in order[i, 1:3])
            rows.append({"id": requests.at[i, "id"], "text": requests.at[i, "text"],
                         "predicted_service": str(best[i]), "confidence": round(conf, 3), "routed": bool(routed),
                         "decision": f"routée vers {best[i]}" if routed else "laissée à un agent",
                         "alternatives": alts, "terms": terms[i]})
    return pd.DataFrame(rows, columns=ROUTING_COLUMNS)


_METRIC_LABELS = {
    "demandes": "Demandes à router", "historique": "Demandes de l'historique", "services": "Services appris",
    "seuil_confiance": "Seuil de confiance", "routees": "Routées automatiquement",
    "part_routees_pct": "Part routée (%)", "laissees_a_un_agent": "Laissées à un agent",
    "validation_demandes": "Demandes récentes de contrôle",
    "validation_exactitude_pct": "Exactitude sur la partie récente (%)",
    "validation_couverture_pct": "Part routée au seuil, partie récente (%)",
    "validation_precision_pct": "Précision au seuil, partie récente (%)",
    "validation_exactitude_majoritaire_pct": "Exactitude du service le plus fréquent, partie récente (%)",
    "validation_exactitude_tfidf_simple_pct": "Exactitude d'un TF-IDF simple, partie récente (%)",
    "validation_bat_les_references": "Le routage bat les références simples (1 = oui)",
}


def _metrics(routing: pd.DataFrame, history: pd.DataFrame, v: _Validation) -> dict[str, float]:
    n = len(routing)
    n_routed = int(routing["routed"].sum()) if n else 0
    return {
        "demandes": float(n),
        "historique": float(len(history)),
        "services": float(history["service"].nunique()),
        "seuil_confiance": v.threshold,
        "routees": float(n_routed),
        "part_routees_pct": n_routed / n * 100 if n else 0.0,
        "laissees_a_un_agent": float(n - n_routed),
        "validation_demandes": float(len(v.late)),
        "validation_exactitude_pct": _pct(v.accuracy),
        "validation_couverture_pct": _pct(v.coverage),
        "validation_precision_pct": _pct(v.precision),
        "validation_exactitude_majoritaire_pct": _pct(v.baseline.majority),
        "validation_exactitude_tfidf_simple_pct": _pct(v.baseline.tfidf),
        "validation_bat_les_references": float(v.baseline.beats_baselines),
    }


def _charts(curve: pd.DataFrame, routing: pd.DataFrame) -> dict[str, alt.TopLevelMixin]:
    charts = {}
    if len(curve):
        charts["couverture_precision"] = alt.Chart(curve).mark_line(point=True).encode(
            x=alt.X("couverture:Q", title="Part des demandes routées", axis=alt.Axis(format="%")),
            y=alt.Y("precision:Q", title="Précision", axis=alt.Axis(format="%"), scale=alt.Scale(zero=False)),
            tooltip=["seuil:Q", "couverture:Q", "precision:Q", "routees:Q"],
        ).properties(title="Couverture et précision selon le seuil (partie récente de l'historique)",
                     width="container")
    if len(routing):
        charts["services"] = alt.Chart(routing.assign(statut=np.where(routing["routed"], "routée",
                                                                      "laissée à un agent"))).mark_bar().encode(
            y=alt.Y("predicted_service:N", title="Service proposé", sort="-x"),
            x=alt.X("count():Q", title="Demandes"),
            color=alt.Color("statut:N", title="Statut"),
        ).properties(title="Demandes par service proposé", width="container")
    return charts


def _notes(h: _History, v: _Validation, router: Router, routing: pd.DataFrame,
           params: RequestRoutingParams) -> list[str]:
    tcol, cats = h.time_column, h.categories
    period = (f"les demandes les plus récentes selon « {tcol} »" if tcol
              else "les dernières lignes de l'historique (aucune colonne de date ou d'édition)")
    shown = f"{v.threshold:.2f}".replace(".", ",")
    notes = [
        v.baseline.sentence(),
        f"Seuil de confiance {shown} : le plus bas qui donne au moins {params.target_precision * 100:.0f} % de "
        f"précision sur {period} ({len(v.late)} demandes), appris sur les {len(v.early)} plus anciennes ; "
        f"il y route {_fmt(v.coverage)} des demandes avec une précision de {_fmt(v.precision)}.",
        "Une demande sous le seuil est laissée à un agent ; une demande routée reste réaffectable par le "
        "service destinataire.",
        "Colonnes de catégorie utilisées : " + (", ".join(f"« {c} »" for c in cats) if cats else "aucune") + ".",
        *v.notes,
    ]
    if router.left_out:
        notes.append("Services vus moins de 3 fois dans l'historique, jamais proposés : "
                     + ", ".join(router.left_out) + ".")
    if h.skipped:
        notes.append(f"{h.skipped} ligne(s) sans texte ignorée(s).")
    if not len(routing):
        notes.append("Aucune demande à router (toutes les lignes ont un service) : seule la qualité est mesurée.")
    return notes


@register
class RequestRouting(AnalysisModule[RequestRoutingParams]):
    key = "request_routing"
    title = "Routage des demandes des habitants vers le service compétent"
    description = (
        "Apprend sur l'historique des demandes déjà traitées (texte, service, et colonnes de catégorie "
        "facultatives) quel service traite chaque nouvelle demande : classifieur linéaire sur mots normalisés et "
        "n-grammes de caractères, probabilités calibrées. Le seuil de confiance est choisi sur la partie la plus "
        "récente de l'historique pour atteindre la précision visée ; en dessous, la demande est laissée à un agent."
    )
    version = "1.1"
    family = "resident_relations"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("requests", "Demandes (historique et demandes à router)", SCHEMA,
                  "Une ligne par demande. Avec un service : historique d'apprentissage ; sans service : demande "
                  "à router. Autres colonnes facultatives : date ou édition, thème choisi, quartier…"),
    )
    params_model = RequestRoutingParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "demandes": "count", "historique": "count", "services": "count", "seuil_confiance": "decimal",
        "routees": "count", "part_routees_pct": "percent", "laissees_a_un_agent": "count",
        "validation_demandes": "count", "validation_exactitude_pct": "percent",
        "validation_couverture_pct": "percent", "validation_precision_pct": "percent",
        "validation_exactitude_majoritaire_pct": "percent", "validation_exactitude_tfidf_simple_pct": "percent",
        "validation_bat_les_references": "count",
    }
    #: What the Suivi tab watches: the module's output, run after run.
    monitored_output: ClassVar[tuple[str, dict[str, str]] | None] = ("routing", {
        "predicted_service": "categorical", "confidence": "numerical", "routed": "categorical"})

    def run(self, inputs: dict[str, pd.DataFrame], params: RequestRoutingParams) -> AnalysisResult:
        h = _prepare(inputs["requests"], params)
        # 1. threshold and quality on the latest part of the history, learnt on the earlier part
        v = _validate(h, params)
        # 2. the model used for the requests learns on the whole history
        router = Router(tuple(h.categories)).fit(h.history, h.history["service"])
        routing = _route(router, h.requests, v, params.n_terms)
        return AnalysisResult(
            metrics=_metrics(routing, h.history, v),
            tables={"routing": routing, "service_quality": v.quality, "confusion": v.confusion,
                    "coverage_precision": v.curve},
            charts=_charts(v.curve, routing),
            notes=_notes(h, v, router, routing, params),
            metric_labels=dict(_METRIC_LABELS),
            table_labels={"routing": "Demandes : service proposé, routée ou laissée à un agent",
                          "service_quality": "Précision et rappel par service (partie récente de l'historique)",
                          "confusion": "Confusions entre services (partie récente de l'historique)",
                          "coverage_precision": "Couverture × précision selon le seuil (partie récente)"},
        )


def _fmt(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 100:.0f} %"
