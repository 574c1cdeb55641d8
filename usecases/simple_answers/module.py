"""Draft answers to simple resident questions from the collectivité's own FAQ (always for an agent to send)."""

from __future__ import annotations

import math
from typing import ClassVar

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.registry import register
from usecases.simple_answers.match import Matcher

FAQ_SCHEMA = InputSchema((
    Column("faq_id", "categorical", role="id", description="Identifiant de l'entrée de FAQ"),
    Column("question", "text", role="feature", description="Question telle que la FAQ la pose"),
    Column("answer", "text", role="feature", description="Réponse de la FAQ"),
    Column("service", "categorical", role="group", required=False, description="Service qui tient la réponse"),
    Column("url", "text", role="feature", required=False, description="Page où la réponse est publiée"),
))
QUESTIONS_SCHEMA = InputSchema((
    Column("id", "categorical", role="id", description="Identifiant de la question reçue"),
    Column("text", "text", role="feature", description="Question d'un habitant (texte libre)"),
))

ANSWER_COLUMNS = ["id", "text", "faq_id", "faq_question", "service", "similarity", "margin", "needs_agent",
                  "reason", "draft_answer", "alternatives"]


class SimpleAnswersParams(Params):
    min_similarity: float = Field(0.30, ge=0.0, le=1.0, title="Similarité minimale",
                                  description="En dessous, la question est laissée à un agent (pas de brouillon)")
    min_margin: float = Field(0.04, ge=0.0, le=1.0, title="Écart minimal avec la deuxième entrée",
                              description="Si la deuxième entrée de FAQ est aussi proche (écart inférieur), la "
                                          "réponse n'est pas claire : la question est laissée à un agent")
    alternatives: int = Field(2, ge=0, le=5, title="Autres entrées proposées",
                              description="Nombre d'entrées de FAQ suivantes listées pour l'agent")


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value).strip()


def draft(answer: str, url: str) -> str:
    body = f"Bonjour,\n\n{answer}\n"
    if url:
        body += f"\nPour en savoir plus : {url}\n"
    return body + "\nBien cordialement,\n[Brouillon issu de la FAQ : à relire et compléter par un agent avant envoi]"


def _agent_reason(
    s1: float, margin: float, answers: list[str], order: np.ndarray, params: SimpleAnswersParams
) -> str:
    """Why the question goes to an agent (French), or "" when the match is clear: no entry close
    enough, or two entries with different answers almost as close (``order``: entries, closest first)."""
    if s1 < params.min_similarity:
        return f"aucune entrée assez proche (similarité {s1:.2f} < {params.min_similarity:.2f})"
    if margin < params.min_margin and answers[int(order[0])] != answers[int(order[1])]:
        return f"deux entrées aussi proches (écart {margin:.2f} < {params.min_margin:.2f})"
    return ""


def _answer_rows(faq: pd.DataFrame, questions: pd.DataFrame, params: SimpleAnswersParams) -> list[dict]:
    """For each question: its closest FAQ entry, the margin over the next, and a draft or a reason."""
    fq = [_text(v) for v in faq["question"]]
    fa = [_text(v) for v in faq["answer"]]
    services = [_text(v) for v in faq["service"]] if "service" in faq.columns else [""] * len(faq)
    urls = [_text(v) for v in faq["url"]] if "url" in faq.columns else [""] * len(faq)
    # the FAQ question counts twice: it is what a resident's question resembles most
    documents = [f"{q} {q} {a}" for q, a in zip(fq, fa, strict=True)]
    rows: list[dict] = []
    if not (len(faq) and len(questions)):
        return rows
    matcher = Matcher().fit(documents)
    texts = [_text(v) for v in questions["text"]]
    sim = Matcher.similarity(matcher.vectors(texts), matcher.vectors(documents))
    for i, qtext in enumerate(texts):
        order = np.argsort(-sim[i], kind="stable")
        best = int(order[0])
        s1 = float(sim[i, best])
        s2 = float(sim[i, order[1]]) if len(order) > 1 else 0.0
        margin = s1 - s2
        reason = _agent_reason(s1, margin, fa, order, params)
        alts = "; ".join(f"{faq.at[int(j), 'faq_id']} ({sim[i, j]:.2f})"
                         for j in order[1: 1 + params.alternatives])
        rows.append({
            "id": questions.at[i, "id"], "text": qtext, "faq_id": faq.at[best, "faq_id"],
            "faq_question": fq[best], "service": services[best],
            "similarity": round(s1, 3), "margin": round(margin, 3), "needs_agent": bool(reason),
            "reason": reason or "correspondance claire : brouillon proposé",
            "draft_answer": "" if reason else draft(fa[best], urls[best]), "alternatives": alts,
        })
    return rows


def _usage(answers: pd.DataFrame) -> pd.DataFrame:
    """How many drafts each FAQ entry provided, most used first."""
    if not len(answers):
        return pd.DataFrame(columns=["faq_id", "brouillons"])
    return (answers[~answers["needs_agent"]].groupby("faq_id").size().rename("brouillons")
            .reset_index().sort_values(["brouillons", "faq_id"], ascending=[False, True], kind="stable")
            .reset_index(drop=True))


def _metrics(answers: pd.DataFrame, n_faq: int) -> tuple[dict[str, float], dict[str, str]]:
    """Headline figures and their French labels."""
    n = len(answers)
    drafted = int((~answers["needs_agent"]).sum()) if n else 0
    metrics = {
        "questions": float(n),
        "entrees_faq": float(n_faq),
        "brouillons": float(drafted),
        "part_brouillons_pct": drafted / n * 100 if n else 0.0,
        "laissees_a_un_agent": float(n - drafted),
        "similarite_mediane": float(answers["similarity"].median()) if n else math.nan,
    }
    labels = {
        "questions": "Questions traitées", "entrees_faq": "Entrées de FAQ", "brouillons": "Brouillons proposés",
        "part_brouillons_pct": "Part avec brouillon (%)", "laissees_a_un_agent": "Laissées à un agent",
        "similarite_mediane": "Similarité médiane",
    }
    return metrics, labels


def _similarity_chart(answers: pd.DataFrame) -> alt.Chart:
    return alt.Chart(answers.assign(
        statut=np.where(answers["needs_agent"], "laissée à un agent", "brouillon proposé"))).mark_bar().encode(
        x=alt.X("similarity:Q", bin=alt.Bin(step=0.05), title="Similarité avec l'entrée la plus proche"),
        y=alt.Y("count():Q", title="Questions"),
        color=alt.Color("statut:N", title="Statut"),
    ).properties(title="Questions par similarité", width="container")


@register
class SimpleAnswers(AnalysisModule[SimpleAnswersParams]):
    key = "simple_answers"
    title = "Brouillons de réponse aux questions simples (FAQ)"
    description = (
        "Rapproche chaque question d'habitant des entrées de la FAQ de la collectivité (TF-IDF sur mots "
        "normalisés et n-grammes de caractères) et prépare un brouillon de réponse quand la correspondance est "
        "claire ; sinon la question est laissée à un agent. Toujours un brouillon à relire, jamais une réponse "
        "automatique."
    )
    version = "1.0"
    family = "resident_relations"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("faq", "FAQ de la collectivité", FAQ_SCHEMA, "Une ligne par entrée : question, réponse.",
                  sample_file="sample_faq.csv"),
        InputSpec("questions", "Questions reçues", QUESTIONS_SCHEMA, "Une ligne par question d'habitant.",
                  sample_file="sample_questions.csv"),
    )
    params_model = SimpleAnswersParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "questions": "count", "entrees_faq": "count", "brouillons": "count",
        "part_brouillons_pct": "percent", "laissees_a_un_agent": "count", "similarite_mediane": "decimal",
    }
    #: What the Suivi tab watches: the module's output, run after run.
    monitored_output: ClassVar[tuple[str, dict[str, str]] | None] = ("answers", {
        "similarity": "numerical", "margin": "numerical", "needs_agent": "categorical", "service": "categorical"})

    def run(self, inputs: dict[str, pd.DataFrame], params: SimpleAnswersParams) -> AnalysisResult:
        faq = inputs["faq"].copy()
        faq = faq[faq["question"].map(_text).astype(bool) | faq["answer"].map(_text).astype(bool)].reset_index(drop=True)
        questions = inputs["questions"]
        questions = questions[questions["text"].map(_text).astype(bool)].reset_index(drop=True)
        skipped = len(inputs["questions"]) - len(questions)
        answers = pd.DataFrame(_answer_rows(faq, questions, params), columns=ANSWER_COLUMNS)
        usage = _usage(answers)
        metrics, labels = _metrics(answers, len(faq))
        charts = {"similarites": _similarity_chart(answers)} if len(answers) else {}
        notes = [
            "Un brouillon n'est jamais envoyé automatiquement : un agent le relit, le complète et l'envoie.",
            f"Brouillon proposé si la similarité atteint {params.min_similarity:.2f} et dépasse d'au moins "
            f"{params.min_margin:.2f} celle de l'entrée suivante ; sinon la question va à un agent.",
            "Similarité : cosinus TF-IDF (mots sans accents ni élisions, racinisation légère, et n-grammes de "
            "caractères), entre 0 et 1.",
        ]
        if skipped:
            notes.append(f"{skipped} question(s) vide(s) ignorée(s).")
        return AnalysisResult(
            metrics=metrics,
            tables={"answers": answers, "faq_usage": usage},
            charts=charts,
            notes=notes,
            metric_labels=labels,
            table_labels={"answers": "Questions et brouillons de réponse",
                          "faq_usage": "Entrées de FAQ les plus utilisées"},
        )
