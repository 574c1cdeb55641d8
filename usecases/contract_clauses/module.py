"""Contract clauses: the clauses that matter in a contract, and the ones missing."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.contract_clauses import rules, segment
from usecases.contract_clauses.model import shipped
from usecases.contract_clauses.reader import read_documents
from usecases.registry import register

SCHEMA = InputSchema((
    Column("document", "categorical", role="id", description="Nom du document (fichier déposé ou nom dans le zip)"),
    Column("text", "text", role="feature", description="Texte du document (extrait du PDF, DOCX ou TXT)"),
))

CLAUSE_COLUMNS = ["document", "clause_type", "start", "end", "text", "score", "source"]
QUOTE_CHARS = 300
_FR_WORDS = re.compile(r"\b(le|la|les|du|des|une|est|sont|aux|pour|par|dans|au)\b")
_EN_WORDS = re.compile(r"\b(the|of|and|to|shall|by|any|this|such|in|or)\b")


class ContractClausesParams(Params):
    clause_min_score: float = Field(0.5, ge=0.05, le=0.99, title="Score minimal d'une clause listée",
                                    description="Score du modèle CUAD (de 0 à 1) à partir duquel un passage est listé "
                                                "comme clause d'un type déjà détecté dans le document")
    max_clauses_per_type: int = Field(3, ge=1, le=20, title="Passages listés par type",
                                      description="Nombre maximal de passages listés par type de clause et par document")
    threshold_shift: float = Field(0.0, ge=-0.3, le=0.3, title="Décalage des seuils",
                                   description="Ajouté aux seuils appris par type (négatif : plus de clauses signalées, "
                                               "davantage de fausses alertes)")


def language(text: str) -> str:
    sample = text[:20000].lower()
    return "fr" if len(_FR_WORDS.findall(sample)) > len(_EN_WORDS.findall(sample)) else "en"


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS - 1] + "…"


def analyse_document(name: str, text: str, params: ContractClausesParams) -> dict[str, list[dict]]:
    spans = segment.split(text)
    pieces = [text[a:b] for a, b in spans]
    folded = [rules.fold(p) for p in pieces]
    lang = language(text)
    model = shipped()
    found: dict[str, list[dict]] = {}
    clauses: list[dict] = []
    if lang == "en" and pieces:
        logits = model.clause_logits(pieces)
        doc = model.document_scores(logits, text)
        probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))
        for j, t in enumerate(model.types):
            if doc[j] < min(0.99, model.thresholds[j] + params.threshold_shift):
                continue
            order = np.argsort(-probs[:, j], kind="stable")
            keep = [i for i in order[:params.max_clauses_per_type] if probs[i, j] >= params.clause_min_score] or [order[0]]
            for i in keep:
                row = {"document": name, "clause_type": t, "start": spans[i][0], "end": spans[i][1],
                       "text": pieces[i], "score": round(float(probs[i, j]), 3), "source": "modèle CUAD"}
                clauses.append(row)
                found.setdefault(t, []).append(row)
    catalogue: list[dict[str, Any]] = []
    for item in rules.CATALOGUE:
        rx = item.regex()
        hits = [i for i, f in enumerate(folded) if rules.match(rx, f)][:params.max_clauses_per_type]
        for i in hits:
            clauses.append({"document": name, "clause_type": item.label, "start": spans[i][0], "end": spans[i][1],
                            "text": pieces[i], "score": 1.0, "source": "règle"})
        by_model = [r for t in item.cuad_types for r in found.get(t, [])]
        first = (spans[hits[0]] + (pieces[hits[0]],)) if hits else (
            (by_model[0]["start"], by_model[0]["end"], by_model[0]["text"]) if by_model else None)
        source = " + ".join(s for s, ok in (("règle", hits), ("modèle", by_model)) if ok)
        catalogue.append({"document": name, "rubrique": item.label, "trouvee": "oui" if first else "non",
                          "source": source, "start": first[0] if first else None,
                          "end": first[1] if first else None, "passage": _quote(first[2]) if first else ""})
    flags: list[dict[str, Any]] = []
    for flag in rules.FLAGS:
        rx = re.compile("|".join(f"(?:{p})" for p in flag.patterns))
        hits = [i for i, f in enumerate(folded) if rules.match(rx, f)]
        by_model = [r for t in flag.cuad_types for r in found.get(t, [])]
        seen = bool(hits or by_model)
        if flag.when == "present" and seen:
            r: dict[str, Any] = by_model[0] if by_model else {
                "start": spans[hits[0]][0], "end": spans[hits[0]][1], "text": pieces[hits[0]]}
            flags.append({"document": name, "alerte": flag.label, "start": r["start"], "end": r["end"],
                          "passage": _quote(r["text"])})
        elif flag.when == "absent" and not seen:
            term = [i for i, f in enumerate(folded) if re.search(r"resili|terminat", f)]
            quote = (f"Clause de résiliation lue : « {_quote(pieces[term[0]])} »" if term
                     else "Aucune clause de résiliation trouvée.")
            flags.append({"document": name, "alerte": flag.label, "start": spans[term[0]][0] if term else None,
                          "end": spans[term[0]][1] if term else None, "passage": quote})
    summary = {"document": name, "langue": "français" if lang == "fr" else "anglais", "passages": len(pieces),
               "types_cuad": ", ".join(sorted(found)), "alertes": " ; ".join(f["alerte"] for f in flags),
               "rubriques_manquantes": ", ".join(c["rubrique"] for c in catalogue if c["trouvee"] == "non")}
    return {"clauses": clauses, "catalogue": catalogue, "flags": flags, "summary": [summary]}


@register
class ContractClauses(AnalysisModule[ContractClausesParams]):
    key = "contract_clauses"
    title = "Clauses sensibles et clauses manquantes des contrats"
    description = (
        "Découpe chaque contrat (PDF, DOCX, TXT ou zip) en clauses, reconnaît les 41 types de clauses de CUAD "
        "(modèle entraîné sur 400 contrats annotés, pour les contrats en anglais), signale les points sensibles "
        "(pas de résiliation pour convenance, responsabilité non plafonnée, reconduction automatique, exclusivité, "
        "changement de contrôle) et vérifie le catalogue d'un contrat public français (durée, résiliation, "
        "pénalités, révision des prix, redevances, biens de retour, GER, sous-traitance, données, plafonds, "
        "assurances, rapport annuel) en listant les rubriques absentes."
    )
    version = "1.1"
    family = "contracts_finance"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("documents", "Contrats (PDF, DOCX, TXT ou zip)", SCHEMA,
                  "Un document par fichier (PDF, DOCX, TXT), ou un zip de documents ; 15 Mo au plus.",
                  sample_file="sample.zip", reader=read_documents, upload_types=("pdf", "docx", "txt", "zip", "csv")),
    )
    params_model = ContractClausesParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "documents": "count", "clauses_modele": "count", "types_cuad_trouves": "count", "alertes": "count",
        "rubriques_manquantes": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: ContractClausesParams) -> AnalysisResult:
        docs = inputs["documents"].dropna(subset=["document", "text"]).reset_index(drop=True)
        parts: dict[str, list[dict]] = {"clauses": [], "catalogue": [], "flags": [], "summary": []}
        for name, text in zip(docs["document"].astype(str), docs["text"].astype(str), strict=True):
            for k, v in analyse_document(name, text, params).items():
                parts[k].extend(v)
        clauses = pd.DataFrame(parts["clauses"], columns=CLAUSE_COLUMNS)
        clauses = clauses.sort_values(["document", "start", "clause_type"], kind="stable").reset_index(drop=True)
        catalogue = pd.DataFrame(parts["catalogue"], columns=["document", "rubrique", "trouvee", "source", "start",
                                                              "end", "passage"])
        flags = pd.DataFrame(parts["flags"], columns=["document", "alerte", "start", "end", "passage"])
        summary = pd.DataFrame(parts["summary"], columns=["document", "langue", "passages", "types_cuad", "alertes",
                                                          "rubriques_manquantes"])
        for frame in (catalogue, flags):
            frame[["start", "end"]] = frame[["start", "end"]].astype("Int64")
        missing = catalogue[catalogue["trouvee"] == "non"]
        metrics = {
            "documents": float(len(docs)),
            "clauses_modele": float((clauses["source"] == "modèle CUAD").sum()),
            "types_cuad_trouves": float(clauses.loc[clauses["source"] == "modèle CUAD", "clause_type"].nunique()),
            "alertes": float(len(flags)),
            "rubriques_manquantes": float(len(missing)),
        }
        labels = {"documents": "Documents analysés", "clauses_modele": "Clauses repérées par le modèle",
                  "types_cuad_trouves": "Types de clauses CUAD trouvés", "alertes": "Alertes",
                  "rubriques_manquantes": "Rubriques du catalogue absentes (tous documents)"}
        chart_df = catalogue.assign(present=(catalogue["trouvee"] == "oui").map({True: "présente", False: "absente"}))
        chart = alt.Chart(chart_df).mark_rect().encode(
            x=alt.X("document:N", title="Document"), y=alt.Y("rubrique:N", title="Rubrique"),
            color=alt.Color("present:N", title="Rubrique", scale=alt.Scale(domain=["présente", "absente"],
                                                                        range=["#74c476", "#d6604d"])),
            tooltip=["document:N", "rubrique:N", "present:N", "passage:N"],
        ).properties(title="Catalogue d'un contrat public : rubriques présentes et absentes", width="container")
        notes = [
            "Outil d'aide à la relecture : un juriste lit le contrat ; une rubrique « absente » peut être traitée "
            "dans une annexe ou sous un autre intitulé, une alerte est un passage à relire, pas un avis juridique.",
            "Le modèle CUAD est entraîné sur des contrats commerciaux américains en anglais : il n'est appliqué "
            "qu'aux documents en anglais ; les documents en français sont lus par les règles du catalogue.",
            "Validation (contrats CUAD jamais vus) : voir la documentation du module (F1 par type, modèle contre référence "
            "TF-IDF + régression logistique).",
        ]
        return AnalysisResult(
            metrics=metrics,
            tables={"clauses": clauses, "synthese": summary, "alertes": flags, "catalogue": catalogue},
            charts={"catalogue": chart}, notes=notes, metric_labels=labels,
            table_labels={"clauses": "Clauses repérées (type, position, texte, score)",
                          "synthese": "Synthèse par document", "alertes": "Alertes, avec le passage cité",
                          "catalogue": "Catalogue d'un contrat public français, rubrique par rubrique"},
        )
