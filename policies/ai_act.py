"""EU AI Act classification: a guided questionnaire in French and a pure ``classify``.

The questions, the prohibited practices, the Annex III points and the Art. 50 duties live in
``rules/ai_act.yaml``. The evaluation follows the order of the Regulation:

1. not an AI system (Art. 3(1)) → ``out_of_scope`` (the CRPA and the RGPD still apply);
2. any Art. 5 practice → ``prohibited``, and the classification stops there;
3. Annex I product (Art. 6(1)) → ``high``; Annex III point (Art. 6(2)) → ``high`` unless an
   Art. 6(3) derogation holds, which profiling of natural persons always cancels;
4. otherwise any Art. 50 transparency duty → ``limited``, else ``minimal``.

The role is ``deployer`` (a third party's system), ``both`` (developed and used under the
collectivité's name, or a deployer turned provider of a high-risk system by Art. 25(1)) or
``provider`` (developed for others). An unanswered question counts as "no", except a question about
a prohibited practice: while it is shown and unanswered, the practice is presumed (the worst is
presumed until answered); ``complete`` says whether every visible question was answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from policies.conditions import matches
from policies.obligations import GovernanceProfile, Obligation, applicable_obligations
from policies.questionnaire import Question, effective_answers, parse_questions, unanswered, visible
from policies.rulebook import Reason, load_rules, reason, rule
from policies.vocabulary import AiActClass, AiActRole

Answers = Mapping[str, Any]


class TransparencyDuty(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_id: str
    article: str
    bearer: Literal["provider", "deployer"]
    text_fr: str
    applies_from: date


class AiActResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    risk_class: AiActClass
    role: AiActRole | None  # None when out of scope
    reasons: list[Reason]
    transparency_duties: list[TransparencyDuty] = Field(default_factory=list)
    gpai: bool = False
    prohibited_practices: list[str] = Field(default_factory=list)  # rule ids
    presumed_practices: list[str] = Field(default_factory=list)  # presumed for lack of an answer
    high_risk_basis: list[Literal["annex1", "annex3"]] = Field(default_factory=list)
    annex3_points: list[str] = Field(default_factory=list)
    derogation: str | None = None  # Art. 6(3) condition a–d that took the system out of high risk
    fria_required: bool = False
    eu_registration_required: bool = False
    decisions_about_persons: bool = False
    workplace_use: bool = False
    duties: list[Obligation] = Field(default_factory=list)  # AI Act obligations, with start dates
    complete: bool = True
    unanswered: list[str] = Field(default_factory=list)


@cache
def _questions() -> tuple[Question, ...]:
    return parse_questions(load_rules("ai_act")["questions"])


def questions() -> list[Question]:
    """Every question of the questionnaire, in order (see :func:`visible_questions`)."""
    return list(_questions())


@cache
def _derived_points() -> tuple[Mapping[str, Any], ...]:
    """The rules' derived Annex III points, read once (only read afterwards: no copy per call)."""
    return tuple(load_rules("ai_act")["derived_points"])


def derive_facts(answers: Answers, rules: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The answers plus ``annex3_points``: the selected Annex III points and the derived ones
    (biometric questions, safety component of a critical infrastructure, fraud-risk scoring)."""
    entries = rules["derived_points"] if rules else _derived_points()
    facts = dict(answers)
    points = [p for p in answers.get("annex3") or [] if p]
    for entry in entries:
        if matches(entry["when"], facts) and entry["point"] not in points:
            points.append(entry["point"])
    facts["annex3_points"] = sorted(points)
    return facts


def visible_questions(answers: Answers) -> list[Question]:
    """The questions to show given the answers so far (a question may depend on earlier ones)."""
    return visible(_questions(), derive_facts(answers))


def _point_rule(point: str, rules: Mapping[str, Any]) -> str:
    if point in rules["point_rules"]:
        return rules["point_rules"][point]
    annex3 = next(q for q in _questions() if q.id == "annex3")
    opt = annex3.option(point)
    if opt is None or opt.rule is None:
        raise ValueError(f"Point de l'annexe III inconnu : {point}")
    return opt.rule


def _role(answers: Answers, high: bool, reasons: list[Reason]) -> AiActRole:
    supply = answers.get("supply") or "third_party"
    if supply == "in_house":
        reasons.append(
            reason(
                "AIA-DEF-02",
                "La collectivité développe le système et le met en service sous son "
                "nom : elle en est fournisseur, et déployeur puisqu'elle l'utilise.",
            )
        )
        return AiActRole.BOTH
    if supply == "for_others":
        reasons.append(
            reason(
                "AIA-DEF-02",
                "La collectivité développe le système pour d'autres organismes : elle en est fournisseur.",
            )
        )
        return AiActRole.PROVIDER
    triggers = [
        text
        for key, text in (
            ("own_name_or_brand", "elle y appose son nom ou sa marque"),
            ("substantial_modification", "elle le modifie substantiellement"),
            ("purpose_changed", "elle l'utilise pour une finalité non prévue par le fournisseur"),
        )
        if answers.get(key) is True
    ]
    if high and triggers:
        reasons.append(
            reason(
                "AIA-ROLE-01",
                "Système à haut risque dont la collectivité devient fournisseur "
                f"(art. 25(1)) : {', '.join(triggers)}. Examen par un juriste.",
            )
        )
        return AiActRole.BOTH
    reasons.append(
        reason(
            "AIA-DEF-02",
            "La collectivité utilise sous son autorité un système fourni par un "
            "tiers : elle en est déployeur.",
        )
    )
    return AiActRole.DEPLOYER


def _high_risk(
    answers: Answers, facts: Mapping[str, Any], rules: Mapping[str, Any], reasons: list[Reason]
) -> tuple[list[Literal["annex1", "annex3"]], str | None]:
    basis: list[Literal["annex1", "annex3"]] = []
    if answers.get("annex1_product") is True:
        basis.append("annex1")
        reasons.append(
            reason(
                "AIA-HR-01",
                "Produit ou composant de sécurité d'un produit de l'annexe I soumis à "
                "une évaluation par un tiers : haut risque (à partir du 2 août 2028).",
            )
        )
    points = facts["annex3_points"]
    if not points:
        return basis, None
    for point in points:
        ref = rule(_point_rule(point, rules))
        reasons.append(
            Reason(
                rule_id=ref.id,
                article=ref.article,
                text_fr=f"Usage relevant de l'{ref.title_fr[0].lower()}{ref.title_fr[1:]}.",
            )
        )
    derogation, annex3_high = _annex3_derogation(answers, facts, rules, reasons)
    if annex3_high:
        basis.append("annex3")
    return basis, derogation


def _annex3_derogation(
    answers: Answers, facts: Mapping[str, Any], rules: Mapping[str, Any], reasons: list[Reason]
) -> tuple[str | None, bool]:
    """Whether an Annex III use escapes high risk through an art. 6(3) derogation: (derogation, high)."""
    chosen = answers.get("derogation")
    dates = rules["annex3_dates_fr"]
    needs_confirmation = matches(rules["derogation_needs_confirmation_when"], facts)
    if answers.get("profiling") is True:
        reasons.append(
            reason(
                "AIA-HR-04",
                "Le système profile des personnes physiques : il est toujours à haut "
                f"risque, aucune dérogation de l'art. 6(3) n'est possible ({dates}).",
            )
        )
        return None, True
    if (
        answers.get("profiling") is False
        and chosen in rules["derogations"]
        and needs_confirmation
        and answers.get("derogation_confirmed") is not True
    ):
        reasons.append(
            reason(
                "AIA-HR-03",
                f"Dérogation de l'art. 6(3)({chosen}) non retenue : le système prend ou aide à "
                "prendre des décisions concernant des personnes et l'absence d'influence "
                "substantielle sur ces décisions n'est pas confirmée. Haut risque "
                f"({dates}).",
            )
        )
        return None, True
    if answers.get("profiling") is False and chosen in rules["derogations"]:
        reasons.append(
            reason(
                "AIA-HR-03",
                f"Dérogation de l'art. 6(3)({chosen}) : "
                f"{rules['derogations'][chosen]} ; le système n'est pas à haut risque "
                "au titre de l'annexe III.",
            )
        )
        if needs_confirmation:
            reasons.append(
                reason(
                    "AIA-HR-03",
                    "Attention : dérogation retenue pour un système qui aide à prendre des "
                    "décisions concernant des personnes, sur la confirmation que l'agent décide "
                    "sur son propre examen. À justifier dans le dossier.",
                )
            )
        reasons.append(
            reason(
                "AIA-HR-05",
                "Le fournisseur doit documenter cette évaluation et enregistrer le "
                "système : en obtenir la preuve.",
            )
        )
        return chosen, False
    reasons.append(
        reason("AIA-HR-02", f"Système de l'annexe III sans dérogation applicable : haut risque ({dates}).")
    )
    return None, True


def _transparency(facts: Mapping[str, Any], rules: Mapping[str, Any]) -> list[TransparencyDuty]:
    duties = []
    for entry in rules["transparency"]:
        if matches(entry["when"], facts):
            ref = rule(entry["rule"])
            duties.append(
                TransparencyDuty(
                    rule_id=ref.id,
                    article=ref.article,
                    bearer=entry["bearer"],
                    text_fr=entry["text_fr"],
                    applies_from=ref.applies_from,
                )
            )
    return duties


def classify(answers: Answers, *, public_body: bool = True) -> AiActResult:
    """Classify a use case from its questionnaire answers (see the module docstring).

    Only answers to visible questions count: an answer to a question hidden by a later change of
    an earlier answer is ignored.
    """
    rules = load_rules("ai_act")
    answers = effective_answers(_questions(), answers, lambda a: derive_facts(a, rules))
    facts = derive_facts(answers, rules)
    missing = unanswered(visible(_questions(), facts), answers)
    common = {"complete": not missing, "unanswered": missing, "gpai": answers.get("uses_gpai") is True}
    reasons: list[Reason] = []

    if answers.get("is_ai_system") is not True:
        reasons.append(
            reason(
                "AIA-DEF-01",
                "Le système n'infère pas ses résultats : ce n'est pas un système d'IA "
                "au sens du règlement. Le CRPA et le RGPD restent applicables.",
            )
        )
        return AiActResult(
            risk_class=AiActClass.OUT_OF_SCOPE, role=None, reasons=reasons, **{**common, "gpai": False}
        )

    prohibited, presumed = _prohibited(answers, facts, rules, reasons)
    if prohibited or presumed:
        result = AiActResult(
            risk_class=AiActClass.PROHIBITED,
            role=_role(answers, False, reasons),
            reasons=reasons,
            prohibited_practices=prohibited + presumed,
            presumed_practices=presumed,
            **common,
        )
        return _with_duties(result, public_body)

    basis, derogation = _high_risk(answers, facts, rules, reasons)
    high = bool(basis)
    role = _role(answers, high, reasons)
    transparency = _transparency(facts, rules)
    risk_class = _risk_class(answers, high, transparency, rules, reasons)
    workplace = matches(rules["workplace_when"], facts)
    if high and workplace and answers.get("workplace_use") is not True:
        reasons.append(
            reason(
                "AIA-DEP-07",
                "Usage Emploi de l'annexe III (point 4(a) recrutement, candidats compris, ou 4(b)) : "
                "système utilisé sur le lieu de travail, quelle que soit la réponse à la question sur le "
                "lieu de travail. Informer les représentants du personnel et les agents concernés avant "
                "la mise en service (art. 26(7)).",
            )
        )
    decision_facts = {
        **facts,
        "high_via_annex3": "annex3" in basis,
        "public_body": public_body,
        "role": role.value,
    }
    result = AiActResult(
        risk_class=risk_class,
        role=role,
        reasons=reasons,
        transparency_duties=transparency,
        high_risk_basis=basis,
        annex3_points=facts["annex3_points"],
        derogation=derogation,
        fria_required=matches(rules["fria_when"], decision_facts),
        eu_registration_required=matches(rules["registration_when"], decision_facts),
        decisions_about_persons=answers.get("decisions_about_persons") is True,
        workplace_use=workplace,
        **common,
    )
    return _with_duties(result, public_body)


def _prohibited(
    answers: Answers, facts: Mapping[str, Any], rules: Mapping[str, Any], reasons: list[Reason]
) -> tuple[list[str], list[str]]:
    """The prohibited practices the answers establish, and those presumed while a question is open."""
    prohibited = [e["rule"] for e in rules["prohibited"] if matches(e["when"], facts)]
    shown = {q.id: q for q in visible(_questions(), facts)}
    presumed = []
    for entry in rules["prohibited"]:
        pending = [shown[q] for q in entry.get("presume_if_unanswered", []) if q in shown and answers.get(q) is None]
        if pending and entry["rule"] not in prohibited:
            presumed.append(entry["rule"])
            reasons.append(
                reason(
                    entry["rule"],
                    f"Question sans réponse (« {pending[0].text_fr} ») : {rule(entry['rule']).title_fr[0].lower()}"
                    f"{rule(entry['rule']).title_fr[1:]}, présumée jusqu'à la réponse. Répondez pour lever "
                    "la présomption.",
                )
            )
    for rule_id in prohibited:
        reasons.append(reason(rule_id, f"{rule(rule_id).title_fr} : le système ne peut pas être déployé."))
    return prohibited, presumed


def _risk_class(
    answers: Answers, high: bool, transparency: list[TransparencyDuty], rules: Mapping[str, Any],
    reasons: list[Reason],
) -> AiActClass:
    """High, limited or minimal risk once no practice is prohibited, with the reasons that go with it."""
    for duty in transparency:
        reasons.append(Reason(rule_id=duty.rule_id, article=duty.article, text_fr=duty.text_fr))
    if answers.get("uses_gpai") is True:
        reasons.append(
            reason(
                "AIA-DATE-03",
                "Le système repose sur un modèle d'IA à usage général : son "
                "fournisseur porte les obligations du chapitre V.",
            )
        )
    if high:
        return AiActClass.HIGH
    if transparency:
        reasons.append(reason("AIA-COC-01", rules["codes_of_conduct_fr"]))
        return AiActClass.LIMITED
    reasons.append(
        reason(
            "AIA-LIT-01",
            "Aucune pratique interdite, aucun usage à haut risque, aucune "
            "obligation de transparence : risque minimal. La maîtrise de l'IA "
            "(art. 4) reste due.",
        )
    )
    reasons.append(reason("AIA-COC-01", rules["codes_of_conduct_fr"]))
    return AiActClass.MINIMAL


def profile_fields(result: AiActResult) -> dict[str, Any]:
    """The :class:`GovernanceProfile` fields the AI Act result fills."""
    rules = {d.rule_id for d in result.transparency_duties}
    return {
        "risk_class": result.risk_class,
        "role": result.role,
        "high_risk_basis": result.high_risk_basis,
        "annex3_points": result.annex3_points,
        "art6_3_derogation": result.derogation is not None,
        "fria_required": result.fria_required,
        "eu_registration_required": result.eu_registration_required,
        "decisions_about_persons": result.decisions_about_persons,
        "workplace_use": result.workplace_use,
        "gpai": result.gpai,
        "transparency": sorted(rules),
        "chatbot": "AIA-TR-01" in rules,
        "generated_content": "AIA-TR-02" in rules,
    }


def _with_duties(result: AiActResult, public_body: bool) -> AiActResult:
    profile = GovernanceProfile(**profile_fields(result), public_body=public_body)
    duties = [o for o in applicable_obligations(profile) if o.family == "ai_act"]
    return result.model_copy(update={"duties": duties})
