"""What the portfolio service takes and gives: input models, their French labels, read models."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from policies.prioritisation import (
    ScenarioResult,
    ScoreBreakdown,
)
from policies.prioritisation.scoring import CRITERIA, RANK_COLUMNS_FR
from policies.vocabulary import RiskProfile, Stage
from portal.db.models import (
    BenefitMeasure,
)

#: The AI Act class and impact level of a use case, from the governance service.
ClassificationOf = Callable[[int], RiskProfile]

CRITERION_CODES = tuple(c.code for c in CRITERIA)
SCORE_LABELS = {c.code: f"{c.label} (1–5)" for c in CRITERIA} | {
    "effort_days": "Charge (jours-personne)", "rationale": "Justification"}
#: French headers of the ranked portfolio: the scores' columns, plus the stage and first-year cost
#: this service adds (pages, workbook and board report all read them here).
RANKED_COLUMNS_FR = RANK_COLUMNS_FR | {"stage": "Étape", "cost": "Coût première année (€)"}
BUDGET_LABELS = {"year": "Année", "voted": "Voté (€)", "committed": "Engagé (€)", "spent": "Dépensé (€)"}
BENEFIT_LABELS = {"indicator": "Indicateur", "unit": "Unité", "baseline": "Valeur de référence",
                  "target": "Valeur attendue (cible)", "measured": "Valeur mesurée",
                  "measured_on": "Date de mesure", "note": "Commentaire"}
SCENARIO_LABELS = {"name": "Nom du scénario", "budget": "Budget annuel (€)",
                   "capacity_days": "Capacité de l'équipe (jours-personne)", "budget_basis": "Base budgétaire",
                   "horizon_years": "Horizon (années)", "must_do": "Cas d'usage imposés",
                   "exclusive_groups": "Cas d'usage mutuellement exclusifs", "excluded": "Cas d'usage écartés",
                   "stages": "Étapes candidates"}
#: Stages whose future is decided by a scenario: fund, pilot, scale or stop.
DEFAULT_CANDIDATE_STAGES = (Stage.IDEA.value, Stage.FRAMING.value, Stage.PILOT.value, Stage.EVALUATION.value)
#: Stages shown in the ranked table and the matrix (what is alive in the portfolio).
ACTIVE_STAGES = tuple(s.value for s in Stage if s not in (Stage.RETIRED,))


class ScoreFields(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    service_to_residents: int | None = Field(default=None, ge=1, le=5)
    efficiency_gain: int | None = Field(default=None, ge=1, le=5)
    strategic_alignment: int | None = Field(default=None, ge=1, le=5)
    reuse: int | None = Field(default=None, ge=1, le=5)
    data_readiness: int | None = Field(default=None, ge=1, le=5)
    technical_maturity: int | None = Field(default=None, ge=1, le=5)
    internal_skills: int | None = Field(default=None, ge=1, le=5)
    vendor_dependency: int | None = Field(default=None, ge=1, le=5)
    effort_days: float | None = Field(default=None, ge=0)
    rationale: str | None = Field(default=None, max_length=4000)


class BudgetFields(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    year: int = Field(ge=2000, le=2100)
    voted: float = Field(default=0.0, ge=0)
    committed: float = Field(default=0.0, ge=0)
    spent: float = Field(default=0.0, ge=0)


class BenefitFields(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    indicator: str = Field(min_length=1, max_length=200)
    unit: str | None = Field(default=None, max_length=50)
    baseline: float | None = None
    target: float
    measured: float
    measured_on: dt.date
    note: str | None = Field(default=None, max_length=4000)


class ScenarioParams(BaseModel):
    """What the director asks of a scenario; references, not ids, so a saved one reads well."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(default="Scénario", min_length=1, max_length=200)
    budget: float = Field(ge=0)
    capacity_days: float = Field(ge=0)
    budget_basis: Literal["first_year", "annual_run", "horizon"] = "first_year"
    horizon_years: int = Field(default=1, ge=1, le=10)
    must_do: tuple[str, ...] = Field(default=(), max_length=1000)
    exclusive_groups: tuple[tuple[str, ...], ...] = Field(default=(), max_length=1000)
    excluded: tuple[str, ...] = Field(default=(), max_length=1000)
    stages: tuple[str, ...] = Field(default=DEFAULT_CANDIDATE_STAGES, max_length=len(Stage))

    @field_validator("stages")
    @classmethod
    def _known_stages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in v if s not in Stage.choices()]
        if unknown:
            raise ValueError(f"étape(s) inconnue(s) : {', '.join(unknown)}")
        return v


@dataclass(frozen=True)
class ScoreInputs:
    use_case_id: int
    values: dict[str, Any]
    version: int | None  # None: never scored


@dataclass(frozen=True)
class Explanation:
    """A score and how it was computed, with where the risk part came from."""

    reference: str
    title: str
    breakdown: ScoreBreakdown
    table: pd.DataFrame
    notes: tuple[str, ...]


@dataclass
class ScenarioOutcome:
    params: ScenarioParams
    result: ScenarioResult
    selected: pd.DataFrame  # reference, title, stage, priority, cost, effort_days
    candidates: int
    weights_version: str
    saved_id: int | None = None
    saved_by: str | None = None
    saved_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EditableMeasure:
    """A benefit measure as a correction form shows it: its fields and the version they are from."""

    fields: dict[str, Any]
    version: int


@dataclass(frozen=True)
class SavedScenarioView:
    id: int
    name: str
    params: dict[str, Any]
    result: dict[str, Any]
    weights_version: str
    created_by_id: int | None
    created_at: dt.datetime


STALE_SCORES = ("Ces notes ont été modifiées par quelqu'un d'autre depuis que vous les avez ouvertes. "
                "Rien n'a été enregistré : rechargez la fiche, puis saisissez-les à nouveau.")
STALE_BENEFIT = ("Cette mesure a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte. "
                 "Rien n'a été enregistré : rechargez la fiche, puis corrigez-la à nouveau.")


def _benefit_fields(row: BenefitMeasure) -> dict[str, Any]:
    return BenefitFields.model_validate({k: getattr(row, k) for k in BenefitFields.model_fields}).model_dump()


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return BenefitFields.model_validate(fields).model_dump(mode="json")
