"""Priority score of a use case: value, feasibility and a risk penalty, every point explained.

Each criterion is scored 1–5 by people. A score ``s`` is brought to 0–100 by ``(s − 1) / 4 × 100``
(vendor dependency is inverted: ``(5 − s) / 4 × 100``). Inside a group the criteria are averaged
with the weights of ``policies/rules/scoring.yaml``; the groups are mixed with their own shares;
the governance profile (AI Act risk class, impact level I–IV) then takes points off::

    value       = Σ_value w_i · n_i / Σ_value w_i                       (0–100)
    feasibility = Σ_feas  w_j · n_j / Σ_feas  w_j                       (0–100)
    priority    = g_v · value + g_f · feasibility − penalty(class) − penalty(impact)
    with g_v = groups.value / (groups.value + groups.feasibility), g_f = 1 − g_v

Every criterion yields one :class:`ScoreLine` whose ``contribution`` is its share of the priority
(``g · w_i / Σ w · n_i``), the two risk lines contribute minus their penalty, and the lines sum to
the priority exactly: that is how each score shows how it was computed.

Missing criteria are explicit. Under ``missing: neutral`` (the default) an empty criterion counts
as the scale's midpoint 3/5 (50 points), so an unfinished form neither wins nor loses, and the line
says « non renseigné ». Under ``missing: exclude`` the empty criterion is dropped and its weight shared
among the filled criteria of its group; a group with nothing filled falls back to neutral. In both
cases ``completeness`` says which share of the eight criteria was actually filled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from policies.vocabulary import (
    IMPACT_NOT_ASSESSED_FR,
    UNCLASSIFIED_FR,
    AiActClass,
    Family,
    ImpactLevel,
)

NOT_FILLED_FR = "non renseigné"


@dataclass(frozen=True)
class Criterion:
    code: str
    group: Literal["value", "feasibility"]
    label: str
    inverted: bool = False


#: The eight criteria people score 1–5, in display order.
CRITERIA: tuple[Criterion, ...] = (
    Criterion("service_to_residents", "value", "Service rendu aux usagers"),
    Criterion("efficiency_gain", "value", "Gain d'efficience"),
    Criterion("strategic_alignment", "value", "Alignement stratégique"),
    Criterion("reuse", "value", "Réutilisation par d'autres collectivités"),
    Criterion("data_readiness", "feasibility", "Disponibilité et qualité des données"),
    Criterion("technical_maturity", "feasibility", "Maturité technique"),
    Criterion("internal_skills", "feasibility", "Compétences internes"),
    Criterion("vendor_dependency", "feasibility", "Dépendance fournisseur (inversée)", inverted=True),
)
CRITERIA_BY_CODE: dict[str, Criterion] = {c.code: c for c in CRITERIA}
GROUP_FR = {"value": "Valeur", "feasibility": "Faisabilité", "risk": "Risque"}

# ---------------------------------------------------------------------------------------------
# Weights (policies/rules/scoring.yaml)
# ---------------------------------------------------------------------------------------------


def _non_negative(v: float) -> float:
    if v < 0:
        raise ValueError(f"doit être positif ou nul (reçu : {v:g})")
    return v


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*")
    @classmethod
    def _check_non_negative(cls, v: Any) -> Any:
        return _non_negative(v) if isinstance(v, int | float) else v


class GroupShares(_Strict):
    value: float
    feasibility: float


class ValueWeights(_Strict):
    service_to_residents: float
    efficiency_gain: float
    strategic_alignment: float
    reuse: float


class FeasibilityWeights(_Strict):
    data_readiness: float
    technical_maturity: float
    internal_skills: float
    vendor_dependency: float


class RiskClassPenalties(_Strict):
    prohibited: float
    high: float
    limited: float
    minimal: float
    out_of_scope: float
    unknown: float


class ImpactPenalties(_Strict):
    I: float  # noqa: E741
    II: float
    III: float
    IV: float
    none: float


class RiskPenalties(_Strict):
    risk_class: RiskClassPenalties
    impact_level: ImpactPenalties
    excluded_classes: tuple[AiActClass, ...] = (AiActClass.PROHIBITED,)


class ScoringWeights(_Strict):
    """The scoring policy: a version, the weights of each criterion and the risk penalties."""

    version: str = Field(min_length=1)
    description: str = ""
    missing: Literal["neutral", "exclude"] = "neutral"
    groups: GroupShares
    value: ValueWeights
    feasibility: FeasibilityWeights
    risk: RiskPenalties

    @model_validator(mode="after")
    def _groups_sum_positive(self) -> ScoringWeights:
        for name, model in (("groups", self.groups), ("value", self.value), ("feasibility", self.feasibility)):
            if sum(model.model_dump().values()) <= 0:
                raise ValueError(
                    f"les pondérations du groupe « {name} » sont toutes nulles : "
                    "au moins une doit être strictement positive"
                )
        return self

    def criterion_weight(self, code: str) -> float:
        group = self.value if CRITERIA_BY_CODE[code].group == "value" else self.feasibility
        return float(getattr(group, code))

    def group_share(self, group: str) -> float:
        total = self.groups.value + self.groups.feasibility
        return float(getattr(self.groups, group)) / total

    def class_penalty(self, risk_class: AiActClass | None) -> float:
        """The class's penalty; ``None`` (not yet classified) takes the ``unknown`` one."""
        return float(getattr(self.risk.risk_class, risk_class.value if risk_class else "unknown"))

    def impact_penalty(self, level: ImpactLevel | None) -> float:
        return float(getattr(self.risk.impact_level, level.value if level else "none"))


class WeightsError(ValueError):
    """The scoring YAML is invalid; ``errors`` holds one French sentence per problem."""

    def __init__(self, errors: list[str], source: str = "") -> None:
        self.errors = errors
        where = f" ({source})" if source else ""
        super().__init__(f"Pondérations de priorisation invalides{where} :\n- " + "\n- ".join(errors))


_ERROR_FR = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "float_type": "doit être un nombre",
    "float_parsing": "doit être un nombre",
    "string_type": "doit être un texte",
    "string_too_short": "ne doit pas être vide",
    "model_type": "doit être une table de valeurs",
    "dict_type": "doit être une table de valeurs",
    "tuple_type": "doit être une liste",
    "enum": "valeur non reconnue",
    "literal_error": "valeur non reconnue",
}


def errors_fr(exc: ValidationError) -> list[str]:
    """One French sentence per pydantic error, naming the field (for weights and criteria forms)."""
    out = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "racine"
        kind = err["type"]
        if kind == "value_error":
            msg = str(err["msg"]).removeprefix("Value error, ")
        else:
            msg = _ERROR_FR.get(kind, "valeur invalide")
            if kind in {"enum", "literal_error"} and "expected" in err.get("ctx", {}):
                msg += f" (attendu : {str(err['ctx']['expected']).replace(' or ', ' ou ')})"
            if kind != "missing":
                msg += f" (reçu : {err['input']!r})"
        out.append(f"{loc} : {msg}" if err["loc"] else msg)
    return out


def load_weights(source: str | Path | Mapping[str, Any] | None = None) -> ScoringWeights:
    """Read and validate scoring weights; the packaged ``policies/rules/scoring.yaml`` by default.

    ``source`` may be a path, YAML text, or an already parsed mapping. Raises :class:`WeightsError`
    with French messages naming each faulty field.
    """
    label = ""
    if source is None:
        text = (resources.files("policies") / "rules" / "scoring.yaml").read_text(encoding="utf-8")
        label = "policies/rules/scoring.yaml"
    elif isinstance(source, Path):
        text, label = source.read_text(encoding="utf-8"), str(source)
    elif isinstance(source, str):
        text = source
    else:
        text = None
    if text is not None:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise WeightsError([f"YAML illisible : {exc}"], label) from exc
    else:
        data = source
    if not isinstance(data, Mapping):
        raise WeightsError(["le document doit être une table de valeurs (clé : valeur)"], label)
    try:
        return ScoringWeights.model_validate(dict(data))
    except ValidationError as exc:
        raise WeightsError(errors_fr(exc), label) from exc


# ---------------------------------------------------------------------------------------------
# Criteria and scores
# ---------------------------------------------------------------------------------------------


class UseCaseCriteria(BaseModel):
    """What is known of one use case for prioritisation. Criteria are 1–5 or None (not filled)."""

    model_config = ConfigDict(frozen=True)

    reference: str = Field(min_length=1)
    title: str = ""
    family: Family | None = None
    direction: str | None = None
    service_to_residents: int | None = None
    efficiency_gain: int | None = None
    strategic_alignment: int | None = None
    reuse: int | None = None
    data_readiness: int | None = None
    technical_maturity: int | None = None
    internal_skills: int | None = None
    vendor_dependency: int | None = None
    risk_class: AiActClass | None = None  # None: not yet classified
    impact_level: ImpactLevel | None = None
    build_cost: float | None = None
    run_cost_per_year: float | None = None
    effort_days: float | None = None

    @field_validator(*CRITERIA_BY_CODE)
    @classmethod
    def _one_to_five(cls, v: int | None, info: Any) -> int | None:
        if v is not None and not 1 <= v <= 5:
            label = CRITERIA_BY_CODE[info.field_name].label
            raise ValueError(f"« {label} » se note de 1 à 5 (reçu : {v})")
        return v

    @field_validator("build_cost", "run_cost_per_year", "effort_days")
    @classmethod
    def _non_negative_amount(cls, v: float | None) -> float | None:
        return None if v is None else _non_negative(v)

    @field_validator("risk_class", mode="before")
    @classmethod
    def _unknown_if_empty(cls, v: Any) -> Any:
        return None if v is None or v in ("", "unknown") else v

    @field_validator("impact_level", mode="before")
    @classmethod
    def _roman(cls, v: Any) -> Any:
        if v is None or v == "":
            return None
        if isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4:
            return ("I", "II", "III", "IV")[v - 1]
        return v


@dataclass(frozen=True)
class ScoreLine:
    """One line of a score's explanation.

    ``raw`` is what people entered (1–5, a risk label, or None); ``weight`` the YAML weight;
    ``effective_weight`` the criterion's share of the priority once groups and missing criteria are
    accounted for (0 for an excluded one; 1 for a risk line); ``contribution`` its points in the
    priority (negative for risk).
    """

    code: str
    label: str
    group: str
    raw: int | str | None
    weight: float
    effective_weight: float
    normalised: float | None
    contribution: float

    @property
    def raw_label(self) -> str:
        return NOT_FILLED_FR if self.raw is None else str(self.raw)


@dataclass(frozen=True)
class ScoreBreakdown:
    """A use case's priority and how it was computed (``sum(l.contribution for l in lines) == priority``)."""

    reference: str
    value: float
    feasibility: float
    risk_penalty: float
    priority: float
    eligible: bool
    completeness: float
    missing: tuple[str, ...]
    lines: tuple[ScoreLine, ...]
    weights_version: str

    def to_frame(self) -> pd.DataFrame:
        """The explanation as a table with French headers, ready to show."""
        return pd.DataFrame(
            [
                {
                    "Groupe": GROUP_FR[ln.group],
                    "Critère": ln.label,
                    "Note": ln.raw_label,
                    "Pondération": ln.weight,
                    "Poids effectif": ln.effective_weight,
                    "Contribution": ln.contribution,
                }
                for ln in self.lines
            ]
        )


def _normalise(raw: int, inverted: bool) -> float:
    return ((5 - raw) if inverted else (raw - 1)) / 4 * 100


def score(criteria: UseCaseCriteria, weights: ScoringWeights) -> ScoreBreakdown:
    """Score one use case under ``weights``; see the module docstring for the formulas."""
    lines: list[ScoreLine] = []
    group_scores: dict[str, float] = {}
    raws = {c.code: getattr(criteria, c.code) for c in CRITERIA}
    weight = {c.code: weights.criterion_weight(c.code) for c in CRITERIA}  # read once: a portfolio scores thousands
    missing = tuple(c.code for c in CRITERIA if raws[c.code] is None)
    for group in ("value", "feasibility"):
        members = [c for c in CRITERIA if c.group == group]
        filled = [c for c in members if raws[c.code] is not None]
        exclude = weights.missing == "exclude" and bool(filled)
        counted = [c for c in (filled if exclude else members) if weight[c.code] > 0]
        total_w = sum(weight[c.code] for c in counted)
        if total_w == 0:  # every weighted criterion is excluded: fall back to neutral
            counted = [c for c in members if weight[c.code] > 0]
            total_w = sum(weight[c.code] for c in counted)
        share = weights.group_share(group)
        counted_codes = {c.code for c in counted}
        group_score = 0.0
        for c in members:
            raw = raws[c.code]
            w = weight[c.code]
            n = 50.0 if raw is None else _normalise(raw, c.inverted)
            within = w / total_w if c.code in counted_codes else 0.0
            group_score += within * n
            lines.append(
                ScoreLine(c.code, c.label, group, raw, w, share * within, n, share * within * n)
            )
        group_scores[group] = group_score

    class_pen = weights.class_penalty(criteria.risk_class)
    impact_pen = weights.impact_penalty(criteria.impact_level)
    impact_raw = criteria.impact_level.short_label if criteria.impact_level else IMPACT_NOT_ASSESSED_FR
    class_raw = criteria.risk_class.label if criteria.risk_class else UNCLASSIFIED_FR
    lines.append(
        ScoreLine("risk_class", "Classe de risque (AI Act)", "risk", class_raw,
                  class_pen, 1.0, None, -class_pen)
    )
    lines.append(
        ScoreLine("impact_level", "Niveau d'impact", "risk", impact_raw, impact_pen, 1.0, None, -impact_pen)
    )
    priority = sum(ln.contribution for ln in lines)
    return ScoreBreakdown(
        reference=criteria.reference,
        value=group_scores["value"],
        feasibility=group_scores["feasibility"],
        risk_penalty=class_pen + impact_pen,
        priority=priority,
        eligible=criteria.risk_class not in weights.risk.excluded_classes,
        completeness=1 - len(missing) / len(CRITERIA),
        missing=missing,
        lines=tuple(lines),
        weights_version=weights.version,
    )


#: French headers for the columns of :func:`rank`'s table (``df.rename(columns=RANK_COLUMNS_FR)``).
RANK_COLUMNS_FR: dict[str, str] = {
    "rank": "Rang",
    "reference": "Référence",
    "title": "Intitulé",
    "family": "Famille",
    "direction": "Direction",
    "value": "Valeur (0–100)",
    "feasibility": "Faisabilité (0–100)",
    "risk_penalty": "Pénalité de risque",
    "priority": "Priorité",
    "completeness": "Critères renseignés",
    "missing": "Non renseignés",
    "eligible": "Planifiable",
    "risk_class": "Classe de risque",
    "impact_level": "Niveau d'impact",
    "build_cost": "Coût de réalisation (€)",
    "run_cost_per_year": "Coût annuel de fonctionnement (€)",
    "effort_days": "Charge (jours-personne)",
    "weights_version": "Version des pondérations",
}


def rank(items: Iterable[UseCaseCriteria], weights: ScoringWeights) -> pd.DataFrame:
    """Score every item and rank them: planifiable first, then priority descending, then reference.

    Columns are the keys of :data:`RANK_COLUMNS_FR` (English codes; rename for display). ``rank``
    is 1..n over the eligible use cases and empty (<NA>) for the ones the policy excludes.
    """
    rows = []
    for it in items:
        s = score(it, weights)
        rows.append(
            {
                "reference": it.reference,
                "title": it.title,
                "family": it.family.label if it.family else None,
                "direction": it.direction,
                "value": s.value,
                "feasibility": s.feasibility,
                "risk_penalty": s.risk_penalty,
                "priority": s.priority,
                "completeness": s.completeness,
                "missing": ", ".join(CRITERIA_BY_CODE[m].label for m in s.missing),
                "eligible": s.eligible,
                "risk_class": it.risk_class.label if it.risk_class else UNCLASSIFIED_FR,
                "impact_level": it.impact_level.value if it.impact_level else None,
                "build_cost": it.build_cost,
                "run_cost_per_year": it.run_cost_per_year,
                "effort_days": it.effort_days,
                "weights_version": s.weights_version,
            }
        )
    columns = [c for c in RANK_COLUMNS_FR if c != "rank"]
    df = pd.DataFrame(rows, columns=columns)
    if df.empty:
        return df.assign(rank=pd.Series(dtype="Int64"))[list(RANK_COLUMNS_FR)]
    df = df.sort_values(
        ["eligible", "priority", "reference"], ascending=[False, False, True], kind="mergesort"
    ).reset_index(drop=True)
    ranks = pd.Series(range(1, len(df) + 1), dtype="Int64").where(df["eligible"], pd.NA)
    df.insert(0, "rank", ranks)
    return df
