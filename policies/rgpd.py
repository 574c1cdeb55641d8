"""RGPD checks: legal basis per data source, DPIA (AIPD) screening, Art. 22 / LIL art. 47.

Rules, questions and thresholds live in ``rules/rgpd.yaml``. Three pure functions:

* :func:`check_sources`: every source with personal data needs a legal basis (GDPR Art. 6);
  legitimate interest is flagged for a public body; special categories need an Art. 9(2) exception
  (:func:`art9_exceptions` lists them), one a collectivité can rest on;
* :func:`screen_dpia`: a DPIA is required when the processing uses personal data and an
  Art. 35(3) case, a CNIL-list case, or at least two of the nine WP248 criteria hold; one criterion
  makes it recommended; a CNIL exemption holds only when none of those apply;
* :func:`check_art22`: a decision based solely on automated processing with legal or similarly
  significant effects; for a collectivité's individual administrative decision, the French
  conditions of LIL art. 47 2° (no sensitive data, explicit mention on pain of nullity, mastered
  and explainable processing, never on an administrative appeal); otherwise GDPR Art. 22(2)
  exceptions with the Art. 22(3) safeguards. A human review that is not documented as a positive,
  concrete and significant action counts as no human review (Défenseur des droits).

:func:`assess` runs all three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.questionnaire import Question, parse_questions, visible
from policies.rulebook import Reason, load_rules, reason

Answers = Mapping[str, Any]
LegalBasis = Literal[
    "public_task", "legal_obligation", "contract", "consent", "vital_interests", "legitimate_interest"
]


#: The Art. 9(2) exceptions under which a decision may rest solely on automated processing (art. 22(4)).
ART22_4_EXCEPTIONS = frozenset({"9(2)(a)", "9(2)(g)"})


class DataSourceFacts(BaseModel):
    """What the RGPD checks need to know about one data source."""

    model_config = ConfigDict(frozen=True)

    name: str
    personal_data: bool = False
    special_categories: bool = False
    criminal_data: bool = False
    legal_basis: LegalBasis | None = None
    art9_exception: str | None = None  # a key of art9_exceptions(): "9(2)(b)", "9(2)(g)", "9(2)(h)"…


class SourcesCheck(BaseModel):
    model_config = ConfigDict(frozen=True)

    personal_data: bool
    special_categories: bool
    missing_legal_basis: list[str] = Field(default_factory=list)
    legitimate_interest: list[str] = Field(default_factory=list)
    missing_art9_exception: list[str] = Field(default_factory=list)
    #: Sources whose Art. 9(2) exception is unknown or not open to a public body.
    invalid_art9_exception: list[str] = Field(default_factory=list)
    #: The exceptions the sensitive sources rest on, in source order.
    art9_exceptions: list[str] = Field(default_factory=list)
    reasons: list[Reason] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing_legal_basis or self.legitimate_interest or self.missing_art9_exception
                    or self.invalid_art9_exception)


class DpiaResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    required: bool
    recommended: bool
    criteria: list[str] = Field(default_factory=list)  # WP248 criteria that hold: "C1"…"C9"
    art35_3_cases: list[str] = Field(default_factory=list)
    cnil_cases: list[str] = Field(default_factory=list)
    exempt_cases: list[str] = Field(default_factory=list)  # CNIL exemptions that hold
    reasons: list[Reason] = Field(default_factory=list)


class Art22Result(BaseModel):
    model_config = ConfigDict(frozen=True)

    applies: bool  # a decision based solely on automated processing, with significant effects
    regime: Literal["not_applicable", "lil47_administrative", "gdpr22_exception"]
    allowed: bool  # False when a blocking condition holds
    blocking: list[str] = Field(default_factory=list)  # French, why it may not run solely automated
    conditions: list[str] = Field(default_factory=list)  # French, what must be in place
    reasons: list[Reason] = Field(default_factory=list)


class RgpdResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    sources: SourcesCheck
    dpia: DpiaResult
    art22: Art22Result

    @property
    def reasons(self) -> list[Reason]:
        return [*self.sources.reasons, *self.dpia.reasons, *self.art22.reasons]


@cache
def _dpia_questions() -> tuple[Question, ...]:
    return parse_questions(load_rules("rgpd")["questions"])


@cache
def _art22_questions() -> tuple[Question, ...]:
    return parse_questions(load_rules("rgpd")["art22_questions"])


class Art9Exception(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    label_fr: str
    note_fr: str | None = None
    public_body: bool = True


@cache
def _art9() -> dict[str, Art9Exception]:
    return {code: Art9Exception(code=code, **spec) for code, spec in load_rules("rgpd")["art9_exceptions"].items()}


def art9_exceptions() -> dict[str, Art9Exception]:
    """The Art. 9(2) exceptions, by code ("9(2)(a)" … "9(2)(j)")."""
    return dict(_art9())


def dpia_questions() -> list[Question]:
    return list(_dpia_questions())


def art22_questions(answers: Answers | None = None) -> list[Question]:
    """The Art. 22 screening questions, only the visible ones when ``answers`` are given."""
    if answers is None:
        return list(_art22_questions())
    return visible(_art22_questions(), answers)


def check_sources(
    sources: Iterable[DataSourceFacts | Mapping[str, Any]], *, public_body: bool = True
) -> SourcesCheck:
    items = [s if isinstance(s, DataSourceFacts) else DataSourceFacts.model_validate(s) for s in sources]
    personal = [s for s in items if s.personal_data or s.special_categories or s.criminal_data]
    missing = [s.name for s in personal if s.legal_basis is None]
    legit = [s.name for s in personal if public_body and s.legal_basis == "legitimate_interest"]
    sensitive = [s for s in personal if s.special_categories]
    no_art9 = [s.name for s in sensitive if not s.art9_exception]
    known = _art9()
    unknown = [s for s in sensitive if s.art9_exception and s.art9_exception not in known]
    closed = [s for s in sensitive if s.art9_exception in known and public_body
              and not known[s.art9_exception].public_body]
    reasons = []
    if missing:
        reasons.append(
            reason(
                "GDPR-06-01",
                "Base légale manquante pour les sources de données personnelles : "
                + ", ".join(missing)
                + ".",
            )
        )
    if legit:
        reasons.append(
            reason(
                "GDPR-06-01",
                "L'intérêt légitime n'est pas une base légale possible pour les "
                "missions d'une autorité publique : " + ", ".join(legit) + ".",
            )
        )
    if no_art9:
        reasons.append(
            reason(
                "GDPR-09-01",
                "Données sensibles sans exception de l'art. 9(2) identifiée : " + ", ".join(no_art9) + ".",
            )
        )
    for s in unknown:
        reasons.append(reason("GDPR-09-01", f"Exception de l'art. 9(2) inconnue « {s.art9_exception} » pour "
                              f"la source {s.name} (attendu : {', '.join(known)})."))
    for s in closed:
        reasons.append(reason("GDPR-09-01", f"{known[str(s.art9_exception)].label_fr} : exception réservée à ces "
                              f"organismes, qu'une collectivité ne peut pas invoquer (source {s.name})."))
    for s in sensitive:
        exc = known.get(s.art9_exception or "")
        if exc is not None and exc.public_body and exc.note_fr:
            reasons.append(reason("GDPR-09-01", f"Source {s.name}, {exc.label_fr} : {exc.note_fr}"))
    return SourcesCheck(
        personal_data=bool(personal),
        special_categories=bool(sensitive),
        missing_legal_basis=missing,
        legitimate_interest=legit,
        missing_art9_exception=no_art9,
        invalid_art9_exception=[s.name for s in [*unknown, *closed]],
        art9_exceptions=[s.art9_exception for s in sensitive if s.art9_exception],
        reasons=reasons,
    )


def source_gaps(check: SourcesCheck) -> list[str]:
    """What a source lacks before real personal data may flow, one French phrase per source."""
    gaps = [f"« {n} » sans base légale" for n in check.missing_legal_basis]
    gaps += [f"« {n} » sur l'intérêt légitime, exclu pour une autorité publique" for n in check.legitimate_interest]
    gaps += [f"« {n} » (données sensibles) sans exception de l'art. 9(2)" for n in check.missing_art9_exception]
    gaps += [f"« {n} » sur une exception de l'art. 9(2) qui ne s'applique pas" for n in check.invalid_art9_exception]
    return gaps


def _dpia_case_reasons(criteria: list[str], art35: list[str], cnil: list[str]) -> list[Reason]:
    """One reason per Art. 35(3) case and CNIL-list case met, and one for the EDPB criteria."""
    questions = {q.id: q for q in _dpia_questions()}
    reasons: list[Reason] = []
    for case in art35:
        label = questions["dpia_art35_3"].answer_label_one(case)
        reasons.append(reason("GDPR-35-01", f"Cas d'AIPD obligatoire de l'art. 35(3) : {label}."))
    for case in cnil:
        label = questions["dpia_cnil_required"].answer_label_one(case)
        reasons.append(
            reason("GDPR-35-03", f"Cas de la liste CNIL des AIPD obligatoires (n° {case}) : {label}.")
        )
    if criteria:
        names = "; ".join(
            questions[f"dpia_c{c[1:]}"].text_fr.split(" — ", 1)[-1].rstrip(" ?") for c in criteria
        )
        reasons.append(reason("GDPR-35-02", f"{len(criteria)} critère(s) sur 9 du CEPD : {names}."))
    return reasons


def screen_dpia(answers: Answers, *, personal_data: bool = True) -> DpiaResult:
    """DPIA screening from the ``dpia_*`` answers (criteria C1–C9, Art. 35(3), CNIL lists)."""
    rules = load_rules("rgpd")
    thresholds = rules["dpia_thresholds"]
    if not personal_data:
        return DpiaResult(
            required=False,
            recommended=False,
            reasons=[
                reason(
                    "GDPR-35-01",
                    "Aucune donnée personnelle : pas d'analyse d'impact relative à la protection "
                    "des données.",
                )
            ],
        )
    criteria = [f"C{i}" for i in range(1, 10) if answers.get(f"dpia_c{i}") is True]
    art35 = list(answers.get("dpia_art35_3") or [])
    cnil = list(answers.get("dpia_cnil_required") or [])
    exempt = list(answers.get("dpia_cnil_exempt") or [])
    reasons = _dpia_case_reasons(criteria, art35, cnil)
    required = bool(art35 or cnil or len(criteria) >= thresholds["required"])
    if exempt and not required and "C1" not in criteria and "C2" not in criteria:
        reasons.append(
            reason(
                "GDPR-35-04",
                "Traitement de la liste CNIL des traitements sans AIPD (n° "
                + ", ".join(exempt)
                + ") : AIPD non requise.",
            )
        )
        return DpiaResult(
            required=False, recommended=False, criteria=criteria, exempt_cases=exempt, reasons=reasons
        )
    if exempt:
        reasons.append(
            reason(
                "GDPR-35-04",
                "L'exemption de la liste CNIL ne s'applique pas : le traitement sort "
                "de la description (profilage, décision automatisée ou critères "
                "d'AIPD).",
            )
        )
    recommended = not required and len(criteria) >= thresholds["recommended"]
    if required:
        reasons.append(
            reason(
                "GDPR-35-01",
                "AIPD requise avant le traitement, avec l'avis du délégué à la protection des données.",
            )
        )
    elif recommended:
        reasons.append(
            reason(
                "GDPR-35-02",
                "Un seul critère : AIPD recommandée ; si elle n'est pas faite, "
                "justifier ce choix et consigner l'avis du DPO.",
            )
        )
    return DpiaResult(
        required=required,
        recommended=recommended,
        criteria=criteria,
        art35_3_cases=art35,
        cnil_cases=cnil,
        reasons=reasons,
    )


def _lil47_administrative(
    answers: Answers, special_categories: bool, reasons: list[Reason]
) -> tuple[list[str], list[str]]:
    """Blocking points and conditions of a solely automated administrative decision (LIL art. 47)."""
    blocking: list[str] = []
    conditions: list[str] = []
    reasons.append(reason("LIL-47-02"))
    conditions += [
        "Respecter l'article L311-3-1 du CRPA et les règles des recours administratifs.",
        "Porter la mention explicite sur chaque décision, à peine de nullité.",
        "Maîtriser le traitement et ses évolutions pour expliquer en détail à chaque personne comment il "
        "s'est appliqué à elle.",
    ]
    if special_categories:
        blocking.append(
            "Le traitement porte sur des données sensibles : aucune décision administrative "
            "individuelle ne peut être entièrement automatisée (art. 47 2° LIL)."
        )
    if answers.get("explainable") is not True:
        blocking.append(
            "Le traitement ne peut pas être expliqué en détail à chaque personne : il ne peut servir "
            "que d'aide à la décision, un agent gardant la décision."
        )
    if answers.get("mention_on_decision") is not True:
        blocking.append(
            "Les décisions ne portent pas la mention explicite de l'article L311-3-1 du CRPA : "
            "elles seraient nulles."
        )
    if answers.get("administrative_appeal") is True:
        reasons.append(reason("LIL-47-03"))
        blocking.append(
            "Une décision sur un recours administratif ne peut pas être entièrement automatisée : "
            "un agent doit statuer."
        )
    return blocking, conditions


def _gdpr22_exception(
    answers: Answers, special_categories: bool, art9_exceptions: Sequence[str]
) -> tuple[list[str], list[str]]:
    """Blocking points and conditions of a solely automated decision under an art. 22(2) exception."""
    blocking: list[str] = []
    conditions: list[str] = []
    exception = answers.get("art22_exception")
    if exception in (None, "none"):
        blocking.append(
            "Aucune exception de l'art. 22(2) RGPD (contrat, loi, consentement explicite) : la "
            "décision ne peut pas être entièrement automatisée."
        )
    if exception in ("contract", "consent"):
        conditions.append(
            "Garantir le droit d'obtenir une intervention humaine, d'exprimer son point de vue "
            "et de contester la décision (art. 22(3))."
        )
    if special_categories:
        others = sorted({e for e in art9_exceptions if e not in ART22_4_EXCEPTIONS})
        if others:
            blocking.append(
                "Données sensibles traitées au titre de " + ", ".join(others) + " : une décision "
                "entièrement automatisée n'est permise qu'au titre du consentement explicite (9(2)(a)) ou "
                "d'un intérêt public important prévu par la loi (9(2)(g)) (art. 22(4))."
            )
        conditions.append(
            "Données sensibles : seulement avec le consentement explicite ou un intérêt public "
            "important prévu par la loi, et des mesures appropriées (art. 22(4))."
        )
    return blocking, conditions


def check_art22(
    answers: Answers,
    *,
    personal_data: bool = True,
    special_categories: bool = False,
    public_body: bool = True,
    art9_exceptions: Sequence[str] = (),
) -> Art22Result:
    """Art. 22 RGPD and LIL art. 47 from the ``art22_questions`` answers. ``art9_exceptions``: those the
    sensitive sources rest on; a decision solely automated on sensitive data needs (a) or (g) (art. 22(4))."""
    reasons: list[Reason] = []
    individual = answers.get("individual_decision") is True
    significant = answers.get("significant_effect") is True
    solely = answers.get("solely_automated") is True
    if (
        individual
        and answers.get("solely_automated") is False
        and answers.get("human_action_documented") is not True
    ):
        solely = True
        reasons.append(
            reason(
                "GUIDE-DDD-01",
                "L'intervention humaine n'est pas décrite comme une action positive, "
                "concrète et significative d'un agent : la décision est traitée comme "
                "entièrement automatisée.",
            )
        )
    if not (personal_data and individual and significant and solely):
        return Art22Result(applies=False, regime="not_applicable", allowed=True, reasons=reasons)

    reasons.append(
        reason(
            "GDPR-22-01",
            "Décision fondée exclusivement sur un traitement automatisé de données "
            "personnelles, produisant des effets juridiques ou significatifs.",
        )
    )
    regime: Literal["lil47_administrative", "gdpr22_exception"]
    if public_body and answers.get("administrative_decision") is not False:
        regime = "lil47_administrative"
        blocking, conditions = _lil47_administrative(answers, special_categories, reasons)
    else:
        regime = "gdpr22_exception"
        blocking, conditions = _gdpr22_exception(answers, special_categories, art9_exceptions)
    return Art22Result(
        applies=True,
        regime=regime,
        allowed=not blocking,
        blocking=blocking,
        conditions=conditions,
        reasons=reasons,
    )


def assess(
    sources: Iterable[DataSourceFacts | Mapping[str, Any]], answers: Answers, *, public_body: bool = True
) -> RgpdResult:
    """All RGPD checks for one use case: its data sources and its DPIA / Art. 22 answers."""
    src = check_sources(sources, public_body=public_body)
    return RgpdResult(
        sources=src,
        dpia=screen_dpia(answers, personal_data=src.personal_data),
        art22=check_art22(
            answers,
            personal_data=src.personal_data,
            special_categories=src.special_categories,
            public_body=public_body,
            art9_exceptions=src.art9_exceptions,
        ),
    )
