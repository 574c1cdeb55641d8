"""Readability of public information: French indices, plain-language checks, concrete suggestions."""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import altair as alt
import pandas as pd
from pydantic import Field

from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.readability import score, text
from usecases.registry import register

SCHEMA = InputSchema((
    Column("id", "categorical", role="id", description="Identifiant du texte"),
    Column("title", "text", role="feature", required=False, description="Titre du texte (page, courrier, fiche)"),
    Column("text", "text", role="feature", description="Texte à relire, en français"),
    Column("kind", "categorical", role="group", required=False,
           description="Type de texte (courrier, page web, délibération, fiche du registre…), suivi en monitoring"),
))

TEXT_COLUMNS = ["id", "title", "kind", "score_difficulte", "niveau", "phrases", "mots", "mots_par_phrase", "phrase_max",
                "kandel_moles", "lix", "part_mots_rares_pct", "mots_rares", "sigles_non_expliques",
                "voix_passives", "nominalisations", "jargon", "suggestions"]
SUGGESTION_COLUMNS = ["id", "title", "phrase_n", "phrase", "type", "element", "suggestion"]
PRIORITY_COLUMNS = ["rang", "id", "title", "score_difficulte", "niveau", "raisons"]


class ReadabilityParams(Params):
    max_sentence_words: int = Field(25, ge=8, le=80, title="Mots par phrase au plus",
                                    description="Au-delà, la phrase est signalée comme trop longue")
    rare_zipf: float = Field(2.5, ge=0.0, le=6.0, title="Seuil des mots rares (Zipf)",
                             description="Un mot dont la fréquence en français (échelle de Zipf, wordfreq) est "
                                         "inférieure est compté comme rare (2,5 ≈ 3 occurrences pour 10 millions de mots)")
    top_n: int = Field(10, ge=1, le=500, title="Textes à réécrire listés",
                       description="Nombre de textes listés dans « à réécrire en premier »")
    max_suggestions_per_text: int = Field(30, ge=1, le=500, title="Suggestions par texte au plus",
                                          description="Nombre maximal de suggestions listées pour un texte")


def level(km: float) -> str:
    """Kandel–Moles bands (Flesch scale adapted to French)."""
    if math.isnan(km):
        return "vide"
    if km >= 70:
        return "facile"
    if km >= 60:
        return "assez facile"
    if km >= 50:
        return "standard"
    if km >= 30:
        return "difficile"
    return "très difficile"


def _quote(sentence: str, limit: int = 240) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _suggestions(m: text.TextMeasures, params: ReadabilityParams) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    seen_acronyms: set[str] = set()
    for n, (sent, n_words, pas, sup, jar, rare) in enumerate(m.details, start=1):
        quoted = _quote(sent)

        def add(kind: str, element: str, advice: str, n: int = n, quoted: str = quoted) -> None:
            out.append({"phrase_n": n, "phrase": quoted, "type": kind, "element": element, "suggestion": advice})

        if n_words > params.max_sentence_words:
            add("phrase longue", f"{n_words} mots",
                f"Coupez cette phrase de {n_words} mots en phrases plus courtes (une idée par phrase, "
                f"moins de {min(20, params.max_sentence_words)} mots).")
        for phrase, plain in jar:
            if any(phrase.lower() in verb.lower() for verb, _ in sup):
                continue  # the nominalisation advice below says it better
            add("expression administrative", phrase, f"Remplacez « {phrase} » par « {plain} ».")
        for phrase, advice in sup:
            add("nominalisation", phrase, f"« {phrase} » : {advice}.")
        for phrase in pas:
            add("voix passive", phrase,
                f"« {phrase} » : dites qui agit, à la voix active (« le service a transmis votre demande » "
                "plutôt que « votre demande a été transmise »).")
        if rare:
            listed = ", ".join(f"« {w} »" for w in rare[:5])
            add("mots rares", listed,
                f"Mots peu courants : {listed}. Remplacez-les par des mots courants ou expliquez-les.")
        for acr in m.acronyms:
            if acr not in seen_acronyms and re.search(rf"\b{re.escape(acr)}s?\b", sent):
                seen_acronyms.add(acr)
                add("sigle", acr, f"Écrivez « {acr} » en toutes lettres la première fois, suivi du sigle entre "
                                  "parenthèses.")
    return out[: params.max_suggestions_per_text]


def _reasons(row: dict[str, object], contrib: dict[str, float], max_words: int) -> str:
    parts = []
    for key, value in sorted(contrib.items(), key=lambda kv: -kv[1])[:3]:
        if value > 0:
            parts.append(score.FEATURES[key])
    found = []
    if int(row["phrase_max"]) > max_words:  # type: ignore[call-overload]
        found.append(f"phrase de {row['phrase_max']} mots")
    for col, label in (("jargon", "expression(s) administrative(s)"), ("sigles_non_expliques", "sigle(s) non expliqué(s)"),
                       ("voix_passives", "voix passive(s)")):
        if row[col]:
            found.append(f"{row[col]} {label}")
    head = ("pèse le plus : " + ", ".join(parts)) if parts else "aucune mesure au-dessus de la moyenne"
    return head + (" ; " + ", ".join(found) if found else "")


def _text_row(ident: str, title: str, kind: str, m: text.TextMeasures, feats, n_suggestions: int) -> dict:
    """One text's line of the ``texts`` table."""
    return {
        "id": ident, "title": title, "kind": kind,
        "score_difficulte": round(score.difficulty(feats), 1),
        "niveau": level(m.kandel_moles),
        "phrases": m.sentences, "mots": m.words,
        "mots_par_phrase": round(m.words_per_sentence, 1),
        "phrase_max": max(m.sentence_lengths, default=0),
        "kandel_moles": round(m.kandel_moles, 1), "lix": round(m.lix, 1),
        "part_mots_rares_pct": round(m.rare_share * 100, 1),
        "mots_rares": ", ".join(list(dict.fromkeys(m.rare_words))[:8]),
        "sigles_non_expliques": len(m.acronyms),
        "voix_passives": m.passives,
        "nominalisations": m.nominalisations + m.support_verbs,
        "jargon": m.jargon,
        "suggestions": n_suggestions,
    }


def _measure_texts(df: pd.DataFrame, params: ReadabilityParams):
    """Measure every non-empty text. Returns (rows of the texts table, suggestions, each row's
    score contributions, number of empty texts skipped)."""
    blank = pd.Series([""] * len(df), index=df.index)
    titles = df["title"] if "title" in df.columns else blank
    kinds = df["kind"] if "kind" in df.columns else blank
    rows: list[dict[str, Any]] = []
    suggestions: list[dict[str, Any]] = []
    contribs: list[Any] = []
    empty = 0
    for idx in df.index:
        body = df.at[idx, "text"]
        if not isinstance(body, str) or not body.strip():
            empty += 1
            continue
        ident = "" if pd.isna(df.at[idx, "id"]) else str(df.at[idx, "id"])
        title = "" if pd.isna(titles.at[idx]) else str(titles.at[idx])
        m = text.measure(body, params.rare_zipf)
        feats = score.features(m)
        sugg = _suggestions(m, params)
        kind = "" if pd.isna(kinds.at[idx]) else str(kinds.at[idx])
        rows.append(_text_row(ident, title, kind, m, feats, len(sugg)))
        contribs.append(score.contributions(feats))
        suggestions.extend({"id": ident, "title": title, **s} for s in sugg)
    return rows, suggestions, contribs, empty


def _priority(texts: pd.DataFrame, rows: list[dict], contribs: list[dict[str, float]],
              params: ReadabilityParams) -> pd.DataFrame:
    """The ``top_n`` most difficult texts, with the reasons to rewrite them first."""
    order = texts.sort_values(["score_difficulte", "suggestions"], ascending=False, kind="stable").index
    return pd.DataFrame([
        {"rang": rank, "id": texts.at[i, "id"], "title": texts.at[i, "title"],
         "score_difficulte": texts.at[i, "score_difficulte"], "niveau": texts.at[i, "niveau"],
         "raisons": _reasons(rows[i], contribs[i], params.max_sentence_words)}
        for rank, i in enumerate(list(order)[: params.top_n], start=1)
    ], columns=PRIORITY_COLUMNS)


def _metrics(texts: pd.DataFrame, sugg_df: pd.DataFrame, empty: int) -> tuple[dict[str, float], dict[str, str]]:
    """Headline figures over the texts and their French labels."""
    n = len(texts)
    metrics = {
        "textes": float(n),
        "textes_vides": float(empty),
        "score_difficulte_median": float(texts["score_difficulte"].median()) if n else math.nan,
        "kandel_moles_median": float(texts["kandel_moles"].median()) if n else math.nan,
        "mots_par_phrase_moyen": float(texts["mots"].sum() / texts["phrases"].sum()) if n else math.nan,
        "part_textes_difficiles_pct": float(texts["niveau"].isin(["difficile", "très difficile"]).mean() * 100)
        if n else 0.0,
        "suggestions": float(len(sugg_df)),
        "expressions_administratives": float(texts["jargon"].sum()),
        "sigles_non_expliques": float(texts["sigles_non_expliques"].sum()),
    }
    labels = {
        "textes": "Textes analysés", "textes_vides": "Textes vides ignorés",
        "score_difficulte_median": "Score de difficulté médian (0-100)",
        "kandel_moles_median": "Indice Kandel–Moles médian", "mots_par_phrase_moyen": "Mots par phrase (moyenne)",
        "part_textes_difficiles_pct": "Textes difficiles (%)", "suggestions": "Suggestions",
        "expressions_administratives": "Expressions administratives", "sigles_non_expliques": "Sigles non expliqués",
    }
    return metrics, labels


def _difficulty_chart(texts: pd.DataFrame) -> alt.Chart:
    return alt.Chart(texts).mark_bar().encode(
        x=alt.X("score_difficulte:Q", title="Score de difficulté (0-100)", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("id:N", sort="-x", title="Texte"),
        color=alt.Color("niveau:N", title="Niveau (Kandel–Moles)",
                        scale=alt.Scale(domain=["facile", "assez facile", "standard", "difficile",
                                                "très difficile"],
                                        range=["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"])),
        tooltip=["id:N", "title:N", "score_difficulte:Q", "kandel_moles:Q", "mots_par_phrase:Q"],
    ).properties(title="Textes par difficulté", width="container")


_NOTES = (
    "Score de difficulté : combinaison des mesures (longueur des phrases et des mots, mots rares, voix passive, "
    "nominalisations, jargon, virgules), pondérée sur des paires Wikipédia/Vikidia ; 50 = texte moyen de ces "
    "paires. Il classe les textes, il ne remplace pas une relecture par des habitants.",
    "Kandel–Moles : 207 − 1,015 × mots par phrase − 73,6 × syllabes par mot (plus haut = plus facile ; "
    "au-dessous de 50, difficile). LIX : mots par phrase + % de mots de plus de 6 lettres.",
    "Voix passive et nominalisations sont repérées par des règles (sans analyse syntaxique) : quelques faux "
    "positifs sont possibles, chaque suggestion cite la phrase pour en juger.",
)


@register
class Readability(AnalysisModule[ReadabilityParams]):
    key = "readability"
    title = "Lisibilité de l'information publique"
    description = (
        "Mesure la lisibilité de textes destinés aux habitants (pages web, courriers, délibérations, fiches du "
        "registre public) : indices français (Kandel–Moles, LIX), longueur des phrases, mots rares, sigles non "
        "expliqués, voix passive, nominalisations et jargon administratif ; propose des corrections concrètes "
        "phrase par phrase et dit quels textes réécrire en premier."
    )
    version = "1.0"
    family = "resident_relations"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("texts", "Textes à relire", SCHEMA, "Une ligne par texte : identifiant, titre, texte."),
    )
    params_model = ReadabilityParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "textes": "count", "textes_vides": "count", "score_difficulte_median": "decimal",
        "kandel_moles_median": "decimal", "mots_par_phrase_moyen": "decimal",
        "part_textes_difficiles_pct": "percent", "suggestions": "count",
        "expressions_administratives": "count", "sigles_non_expliques": "count",
    }
    #: What the Suivi tab watches: the module's output, run after run.
    monitored_output: ClassVar[tuple[str, dict[str, str]] | None] = ("texts", {
        "score_difficulte": "numerical", "niveau": "categorical", "mots_par_phrase": "numerical",
        "part_mots_rares_pct": "numerical", "jargon": "numerical"})

    def run(self, inputs: dict[str, pd.DataFrame], params: ReadabilityParams) -> AnalysisResult:
        rows, suggestions, contribs, empty = _measure_texts(inputs["texts"], params)
        texts = pd.DataFrame(rows, columns=TEXT_COLUMNS)
        priority = _priority(texts, rows, contribs, params)
        sugg_df = pd.DataFrame(suggestions, columns=SUGGESTION_COLUMNS)
        metrics, labels = _metrics(texts, sugg_df, empty)
        charts = {"difficulte_par_texte": _difficulty_chart(texts)} if len(texts) else {}
        notes = list(_NOTES)
        if empty:
            notes.append(f"{empty} texte(s) vide(s) ignoré(s).")
        return AnalysisResult(
            metrics=metrics,
            tables={"texts": texts, "suggestions": sugg_df, "a_reecrire": priority},
            charts=charts,
            notes=notes,
            metric_labels=labels,
            table_labels={"texts": "Lisibilité par texte", "suggestions": "Suggestions phrase par phrase",
                          "a_reecrire": "À réécrire en premier"},
        )
