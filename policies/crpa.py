"""CRPA transparency of public algorithms: which duties apply, the explicit mention, the explanation.

* :func:`assess`: an individual decision taken on the basis of an algorithmic processing (AI or
  not: a spreadsheet counts) needs the explicit mention (L311-3-1, R311-3-1-1) and an explanation on
  request within one month (L311-3-1, R311-3-1-2, R*311-12); the rules of the main processings are
  published online from 50 FTE (L312-1-3, D312-1-4), whatever the population (the 3,500-inhabitant
  reading of the Etalab guide is returned as a note, see rules/crpa.yaml).
* :func:`mention_text`: the French mention generated from a use-case sheet;
* :func:`explanation_template`: a Markdown answer to a person's request, with the four items of
  R311-3-1-2 (degree and mode of contribution, data and sources, parameters and weighting,
  operations).

A sheet is a plain dict: ``title``, ``purpose``, ``administration`` (the collectivité), ``service``,
``contact`` (address or e-mail for requests), ``data_sources`` (names, or dicts with ``name`` and
optionally ``origin``/``description``), and optionally ``rules_url``, ``contribution`` (how the
processing contributes to the decision), ``automation`` (an :class:`~policies.vocabulary.Automation`
value), ``parameters`` (dicts with ``name``, ``weight``, ``description``), ``operations`` (list of
steps), ``legal_basis``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from policies.questionnaire import Question, parse_questions
from policies.rulebook import Reason, load_rules, reason
from policies.vocabulary import Automation

Sheet = Mapping[str, Any]


class CrpaFacts(BaseModel):
    model_config = ConfigDict(frozen=True)

    algorithmic_processing: bool = True  # any "traitement algorithmique", AI or not
    individual_decision: bool = False  # it is the basis of individual decisions
    main_processing: bool = True  # one of the "principaux" processings (many people or strong effects)
    flags_for_checks: bool = False  # flags persons or files to check: the decisions after the check rest on it
    secret_l311_5: bool = False  # covered by a secret of L311-5 2° (public security, SI security…)
    secret_justification: str | None = None  # the written, case-by-case justification of the secret
    org_fte: int | None = None
    org_population: int | None = None
    is_territorial_collectivity: bool = True


class CrpaResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    individual_decisions: bool = False  # it is the basis of individual decisions (flags included)
    secret_applies: bool = False  # a justified L311-5 2° secret sets the mention and publication aside
    mention_required: bool
    explanation_on_request: bool
    publication_required: bool
    open_data_publication: bool  # documents communicated once are then published (L312-1-1)
    reasons: list[Reason] = Field(default_factory=list)
    notes_fr: list[str] = Field(default_factory=list)


def questions() -> list[Question]:
    """The CRPA questions (``rules/crpa.yaml``); the organisation's size and the sheet are asked apart."""
    return list(parse_questions(load_rules("crpa")["questions"]))


def _mention_reasons() -> list[Reason]:
    """What the explicit mention on individual decisions entails (L311-3-1, R311-3-1-1 and -2)."""
    return [
        reason(
            "CRPA-01",
            "Décisions individuelles prises sur le fondement d'un traitement "
            "algorithmique : mention explicite obligatoire, quelle que soit la part "
            "de l'intervention humaine et la taille de la collectivité.",
        ),
        reason("CRPA-02"),
        reason(
            "CRPA-03",
            "Sur demande, communiquer sous une forme intelligible : le degré et le "
            "mode de contribution du traitement, les données et leurs sources, les "
            "paramètres et leur pondération appliqués à la personne, les opérations "
            "effectuées.",
        ),
        reason("CRPA-04"),
    ]


def assess(facts: CrpaFacts) -> CrpaResult:
    rules = load_rules("crpa")
    thresholds = rules["thresholds"]
    reasons: list[Reason] = []
    notes: list[str] = []
    decides = facts.algorithmic_processing and (facts.individual_decision or facts.flags_for_checks)
    justification = (facts.secret_justification or "").strip()
    secret = decides and facts.secret_l311_5 and bool(justification)
    mention = decides and not secret
    if decides and facts.flags_for_checks and not facts.individual_decision:
        reasons.append(reason("CRPA-09", rules["notes"]["flag_fr"]))
    if decides and facts.secret_l311_5:
        text = rules["notes"]["secret_applied_fr"].format(justification=justification) if secret else (
            rules["notes"]["secret_unjustified_fr"])
        reasons.append(reason("CRPA-08", text))
        notes.append(rules["notes"]["secret_fr"])
    if mention:
        reasons += _mention_reasons()
    fte_known = facts.org_fte is not None
    publication = (
        decides
        and not secret
        and facts.main_processing
        and (not fte_known or facts.org_fte >= thresholds["publication_fte"])
    )
    if publication:
        reasons.append(
            reason(
                "CRPA-05",
                "Principal traitement fondant des décisions individuelles : publier ses "
                "règles en ligne (seuil de 50 ETP atteint ou effectif inconnu).",
            )
        )
        notes.append(rules["notes"]["population_fr"])
    elif decides and fte_known:
        notes.append(
            "Moins de 50 ETP : la publication des règles n'est pas obligatoire (L312-1-3, D312-1-4), "
            "mais Vigie la recommande."
        )
    small_town = (
        facts.is_territorial_collectivity
        and facts.org_population is not None
        and facts.org_population < thresholds["open_data_min_population"]
    )
    open_data = (not fte_known or facts.org_fte >= thresholds["open_data_fte"]) and not small_town
    if open_data and decides:
        reasons.append(
            reason(
                "CRPA-06",
                "Une fois communiqués à un demandeur, les règles et le code source sont "
                "publiés en ligne avec leurs mises à jour.",
            )
        )
    return CrpaResult(
        individual_decisions=decides,
        secret_applies=secret,
        mention_required=mention,
        explanation_on_request=mention,
        publication_required=publication,
        open_data_publication=open_data,
        reasons=reasons,
        notes_fr=notes,
    )


def _source_names(sheet: Sheet) -> list[str]:
    names = []
    for src in sheet.get("data_sources") or []:
        if isinstance(src, Mapping):
            name = src.get("name") or ""
            origin = src.get("origin")
            names.append(f"{name} ({origin})" if origin else name)
        else:
            names.append(str(src))
    return [n for n in names if n.strip()]


def _require(sheet: Sheet, fields: list[str]) -> None:
    labels = {
        "title": "titre",
        "purpose": "finalité",
        "administration": "administration",
        "service": "service porteur",
        "contact": "contact",
        "data_sources": "sources de données",
    }
    missing = [labels.get(f, f) for f in fields if not str(sheet.get(f) or "").strip()]
    if missing:
        raise ValueError("Fiche incomplète pour générer la mention explicite : " + ", ".join(missing) + ".")


def mention_text(sheet: Sheet) -> str:
    """The explicit mention (L311-3-1, R311-3-1-1) for decisions taken with this use case, in French."""
    mention = load_rules("crpa")["mention"]
    _require(sheet, mention["required_fields"])
    sources = _source_names(sheet)
    if not sources:
        raise ValueError("Fiche incomplète pour générer la mention explicite : sources de données.")
    rules_sentence = ""
    if sheet.get("rules_url"):
        rules_sentence = mention["rules_sentence_fr"].format(rules_url=sheet["rules_url"])
    return mention["template_fr"].format(
        title=sheet["title"].strip(),
        administration=sheet["administration"].strip(),
        service=sheet["service"].strip(),
        purpose=sheet["purpose"].strip().rstrip("."),
        sources=", ".join(sources),
        contact=sheet["contact"].strip(),
        rules_sentence=rules_sentence,
    )


_TODO = "[à compléter]"


def explanation_template(sheet: Sheet) -> str:
    """A Markdown answer to a request under L311-3-1 (the four items of R311-3-1-2) for one person.

    Fields known from the sheet are filled; what depends on the person's case is left as
    ``[à compléter]`` for the agent who answers.
    """
    _require(sheet, ["title", "administration"])
    automation = sheet.get("automation")
    contribution = sheet.get("contribution") or ""
    if automation:
        level = Automation(automation).label
        contribution = f"{level}. {contribution}".strip() if contribution else f"{level}."
    lines = [
        f"# Communication des règles du traitement algorithmique « {sheet['title']} »",
        "",
        f"**Administration** : {sheet['administration']}"
        + (f" — {sheet['service']}" if sheet.get("service") else ""),
        f"**Finalité** : {sheet.get('purpose') or _TODO}",
        f"**Décision concernée** : {_TODO} (référence et date de la décision)",
        "",
        "Vous avez demandé, en application de l'article L311-3-1 du code des relations entre le public et "
        "l'administration, la communication des règles définissant ce traitement et des principales "
        "caractéristiques de sa mise en œuvre à votre égard. L'article R311-3-1-2 prévoit les informations "
        "suivantes, communiquées sous réserve des secrets protégés par la loi.",
        "",
        "## 1. Degré et mode de contribution du traitement à la décision",
        "",
        contribution or _TODO,
        "",
        "## 2. Données traitées et leurs sources",
        "",
    ]
    sources = sheet.get("data_sources") or []
    if sources:
        lines += ["| Donnée | Source | Valeur vous concernant |", "| --- | --- | --- |"]
        for src in sources:
            if isinstance(src, Mapping):
                lines.append(
                    f"| {src.get('description') or src.get('name')} | {src.get('origin') or src.get('name')} "
                    f"| {_TODO} |"
                )
            else:
                lines.append(f"| {src} | {src} | {_TODO} |")
    else:
        lines.append(_TODO)
    lines += ["", "## 3. Paramètres du traitement et leur pondération appliqués à votre situation", ""]
    params = sheet.get("parameters") or []
    if params:
        lines += ["| Paramètre | Pondération | Valeur appliquée à votre situation |", "| --- | --- | --- |"]
        for p in params:
            weight = p.get("weight")
            lines.append(
                f"| {p.get('name')}{' — ' + p['description'] if p.get('description') else ''} "
                f"| {weight if weight is not None else 'sans pondération'} | {_TODO} |"
            )
    else:
        lines.append(_TODO)
    lines += ["", "## 4. Opérations effectuées par le traitement", ""]
    ops = sheet.get("operations") or []
    lines += [f"{i}. {op}" for i, op in enumerate(ops, 1)] if ops else [_TODO]
    lines += [
        "",
        "## Vos droits",
        "",
        "Si cette réponse ne vous satisfait pas, vous pouvez saisir la Commission d'accès aux documents "
        "administratifs (CADA) dans un délai de deux mois."
        + (
            f" Les règles générales du traitement sont publiées : {sheet['rules_url']}."
            if sheet.get("rules_url")
            else ""
        ),
        "",
        f"Contact : {sheet.get('contact') or _TODO}",
        "",
    ]
    return "\n".join(lines)
