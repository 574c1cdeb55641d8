"""The portfolio for the general direction: score inputs, weights, budget, benefits, views, scenarios.

The arithmetic is pure and lives in :mod:`policies.prioritisation`; this service reads and writes
what it needs, checks who may act, and audits every change in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from policies.access import require
from policies.prioritisation import (
    Candidate,
    Constraints,
    ImpactLevel,
    RiskClass,
    ScenarioInfeasible,
    ScenarioResult,
    ScoreBreakdown,
    ScoringWeights,
    UseCaseCriteria,
    WeightsError,
    load_weights,
    plan,
    rank,
    score,
)
from policies.prioritisation.scoring import CRITERIA
from policies.vocabulary import Action, Principal, Stage
from portal.db.models import (
    BenefitMeasure,
    BudgetLine,
    SavedScenario,
    ScoringWeightsVersion,
    UseCase,
    UseCaseScore,
)
from portal.services import audit, budget_import
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.validation import validate
from usecases import loading

#: (AI Act class value, impact level 1–4) of a use case, from the governance service.
ClassificationOf = Callable[[int], tuple[str | None, int | None]]

CRITERION_CODES = tuple(c.code for c in CRITERIA)
SCORE_LABELS = {c.code: f"{c.label} (1–5)" for c in CRITERIA} | {
    "effort_days": "Charge (jours-personne)", "rationale": "Justification"}
BUDGET_LABELS = {"year": "Année", "voted": "Voté (€)", "committed": "Engagé (€)", "spent": "Dépensé (€)"}
BENEFIT_LABELS = {"indicator": "Indicateur", "unit": "Unité", "baseline": "Valeur de référence",
                  "target": "Valeur attendue (cible)", "measured": "Valeur mesurée",
                  "measured_on": "Date de mesure", "note": "Commentaire"}
SCENARIO_LABELS = {"name": "Nom du scénario", "budget": "Budget annuel (€)",
                   "capacity_days": "Capacité de l'équipe (jours-personne)", "budget_basis": "Base budgétaire",
                   "horizon_years": "Horizon (années)", "must_do": "Cas d'usage imposés",
                   "exclusive_groups": "Cas d'usage mutuellement exclusifs", "excluded": "Cas d'usage écartés",
                   "stages": "Étapes candidates"}
IMPACT_ROMAN = {1: ImpactLevel.I, 2: ImpactLevel.II, 3: ImpactLevel.III, 4: ImpactLevel.IV}
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
class SavedScenarioView:
    id: int
    name: str
    params: dict[str, Any]
    result: dict[str, Any]
    weights_version: str
    created_by_id: int | None
    created_at: dt.datetime


def _stale() -> StaleEdit:
    return StaleEdit("Ces notes ont été modifiées par quelqu'un d'autre depuis que vous les avez ouvertes. "
                     "Rien n'a été enregistré : rechargez la fiche, puis saisissez-les à nouveau.")


def _benefit_fields(row: BenefitMeasure) -> dict[str, Any]:
    return BenefitFields.model_validate({k: getattr(row, k) for k in BenefitFields.model_fields}).model_dump()


def _jsonable(fields: dict[str, Any]) -> dict[str, Any]:
    return BenefitFields.model_validate(fields).model_dump(mode="json")


def _risk_class(value: str | None) -> RiskClass:
    if value is None:
        return RiskClass.UNKNOWN
    try:
        return RiskClass(value)
    except ValueError:
        return RiskClass.UNKNOWN


class PortfolioService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session],
                 classification_of: ClassificationOf | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self.classification_of = classification_of

    # ---- weights -------------------------------------------------------------------------------

    def weights(self) -> ScoringWeights:
        """The weights in force: the latest version an administrator set, else policies/rules/scoring.yaml."""
        with self._reader() as s:
            row = s.scalars(select(ScoringWeightsVersion).order_by(ScoringWeightsVersion.id.desc()).limit(1)).first()
            return load_weights(row.weights) if row else load_weights()

    def weights_history(self) -> list[dict[str, Any]]:
        with self._reader() as s:
            rows = s.scalars(select(ScoringWeightsVersion).order_by(ScoringWeightsVersion.id.desc())).all()
            return [{"version": r.version, "note": r.note, "created_by_id": r.created_by_id,
                     "created_at": r.created_at, "weights": r.weights} for r in rows]

    def set_weights(self, principal: Principal, data: dict[str, Any], note: str | None = None) -> ScoringWeights:
        """Add a new version of the weights (never edits one in place); audited."""
        require(principal, Action.SET_SCORING_WEIGHTS)
        try:
            weights = load_weights(data)
        except WeightsError as exc:
            raise InvalidInput(list(exc.errors) if hasattr(exc, "errors") else [str(exc)]) from None
        payload = weights.model_dump(mode="json")
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)
            taken = s.scalar(select(ScoringWeightsVersion.id).where(ScoringWeightsVersion.version == weights.version))
            if taken is not None or weights.version == load_weights().version:
                raise InvalidInput([f"Champ « Version » : la version « {weights.version} » existe déjà ; "
                                    "une version ne se modifie pas, donnez-en une nouvelle."])
            row = ScoringWeightsVersion(version=weights.version, weights=payload, note=note,
                                        created_by_id=principal.person_id or None)
            s.add(row)
            s.flush()
            audit.append(s, principal, "create", "scoring_weights", row.id,
                         after={"version": weights.version, "note": note}, details={"weights": payload})
        return weights

    # ---- score inputs --------------------------------------------------------------------------

    def _use_case(self, s: Session, use_case_id: int) -> UseCase:
        uc = s.get(UseCase, use_case_id)
        if uc is None:
            raise NotFound(f"Cas d'usage n° {use_case_id} introuvable.")
        return uc

    def score_inputs(self, use_case_id: int) -> ScoreInputs:
        with self._reader() as s:
            row = s.scalar(select(UseCaseScore).where(UseCaseScore.use_case_id == use_case_id))
            if row is None:
                return ScoreInputs(use_case_id, dict.fromkeys((*CRITERION_CODES, "effort_days", "rationale")), None)
            return ScoreInputs(use_case_id, {k: getattr(row, k) for k in ScoreFields.model_fields}, row.version)

    def set_score(self, principal: Principal, use_case_id: int, data: dict[str, Any],
                  expected_version: int | None = None) -> ScoreInputs:
        """Set the criteria and effort of a use case (director, or its project lead); audited."""
        try:
            with self._writer.begin() as s:
                uc = self._use_case(s, use_case_id)
                require(principal, Action.SCORE_USE_CASE, owner_ids=[uc.lead_id])
                fields = validate(ScoreFields, data, SCORE_LABELS)
                row = s.scalar(select(UseCaseScore).where(UseCaseScore.use_case_id == use_case_id))
                new = fields.model_dump()
                # expected_version: None = no check; 0 = "not scored yet when the form was opened"
                if row is None:
                    if expected_version:
                        raise _stale()
                    row = UseCaseScore(use_case_id=use_case_id, updated_by_id=principal.person_id or None, **new)
                    s.add(row)
                    s.flush()
                    audit.append(s, principal, "create", "use_case_score", row.id, use_case_id=use_case_id,
                                 after=fields.model_dump(mode="json"))
                else:
                    if expected_version is not None and row.version != expected_version:
                        raise _stale()  # 0 included: someone scored it meanwhile
                    before, after = audit.diff({k: getattr(row, k) for k in new}, new)
                    if after:
                        for k, v in new.items():
                            setattr(row, k, v)
                        row.updated_by_id = principal.person_id or None
                        s.flush()
                        audit.append(s, principal, "update", "use_case_score", row.id, use_case_id=use_case_id,
                                     before=before, after=after)
        except StaleDataError:
            raise _stale() from None
        return self.score_inputs(use_case_id)

    # ---- budget and benefits --------------------------------------------------------------------

    def set_budget_line(self, principal: Principal, use_case_id: int, data: dict[str, Any]) -> dict[str, Any]:
        """Create or replace the budget line of a use case for a year (voted, committed, spent); audited."""
        require(principal, Action.MANAGE_BUDGET)
        fields = validate(BudgetFields, data, BUDGET_LABELS)
        with self._writer.begin() as s:
            self._use_case(s, use_case_id)
            row, _ = self._upsert_budget(s, principal, use_case_id, fields.model_dump())
            return {"id": row.id, "use_case_id": use_case_id, **fields.model_dump()}

    def import_budget_lines(self, principal: Principal, data: bytes, filename: str) -> dict[str, int]:
        """Budget lines from a finance export (CSV or Excel: reference, year, voted, committed, spent),
        all or nothing: any problem (named by line and column) and nothing is written. Each line
        created or changed is audited like a line typed in the sheet. Returns the counts
        ``created``, ``updated``, ``unchanged``."""
        require(principal, Action.MANAGE_BUDGET)
        try:
            table = loading.read_table(data, filename)
        except loading.InvalidInput as exc:
            raise InvalidInput(exc.problems) from None
        with self._reader() as s:
            known = dict(s.execute(select(UseCase.reference, UseCase.id)).tuples().all())
        rows, problems = budget_import.parse(table, known, BudgetFields)
        if problems:
            raise InvalidInput(problems)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        with self._writer.begin() as s:
            for r in rows:
                _, outcome = self._upsert_budget(s, principal, known[r.reference], r.fields,
                                                 details={"import": filename, "line": r.line})
                counts[outcome] += 1
        return counts

    def _upsert_budget(self, s: Session, principal: Principal, use_case_id: int, new: dict[str, Any],
                       details: dict[str, Any] | None = None) -> tuple[BudgetLine, str]:
        row = s.scalar(select(BudgetLine).where(BudgetLine.use_case_id == use_case_id,
                                                BudgetLine.year == new["year"]))
        if row is None:
            row = BudgetLine(use_case_id=use_case_id, **new)
            s.add(row)
            s.flush()
            audit.append(s, principal, "create", "budget_line", row.id, use_case_id=use_case_id, after=new,
                         details=details)
            return row, "created"
        before, after = audit.diff({k: getattr(row, k) for k in new}, new)
        if not after:
            return row, "unchanged"
        for k, v in new.items():
            setattr(row, k, v)
        s.flush()
        audit.append(s, principal, "update", "budget_line", row.id, use_case_id=use_case_id,
                     before=before, after=after, details=details)
        return row, "updated"

    def benefit_measure(self, measure_id: int) -> dict[str, Any]:
        """One measure's fields as entered, the starting point of a correction."""
        with self._reader() as s:
            row = s.get(BenefitMeasure, measure_id)
            if row is None:
                raise NotFound(f"Mesure de bénéfice n° {measure_id} introuvable (supprimée entre-temps ?).")
            return _benefit_fields(row)

    def update_benefit_measure(self, principal: Principal, measure_id: int, data: dict[str, Any],
                               expected: dict[str, Any] | None = None) -> str:
        """Correct a measure in place (project lead of the use case, admin); the audit event keeps both
        versions. ``expected`` is the measure as the form showed it: if someone changed it since, nothing is
        written. Returns "updated" or "unchanged"."""
        with self._writer.begin() as s:
            row = s.get(BenefitMeasure, measure_id, with_for_update=True)
            if row is None:
                raise NotFound(f"Mesure de bénéfice n° {measure_id} introuvable (supprimée entre-temps ?).")
            uc = self._use_case(s, row.use_case_id)
            require(principal, Action.RECORD_OUTCOMES, owner_ids=[uc.lead_id])
            fields = validate(BenefitFields, data, BENEFIT_LABELS).model_dump()
            before = _benefit_fields(row)
            if expected is not None and _jsonable(expected) != _jsonable(before):
                raise StaleEdit("Cette mesure a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte. "
                                "Rien n'a été enregistré : rechargez la fiche, puis corrigez-la à nouveau.")
            if fields == before:
                return "unchanged"
            for k, v in fields.items():
                setattr(row, k, v)
            s.flush()
            changed = [k for k in fields if fields[k] != before[k]]
            old, new = _jsonable(before), _jsonable(fields)
            audit.append(s, principal, "update", "benefit_measure", measure_id, use_case_id=uc.id,
                         before={k: old[k] for k in changed}, after={k: new[k] for k in changed})
            return "updated"

    def delete_benefit_measure(self, principal: Principal, measure_id: int) -> None:
        """Remove a measure entered by mistake (project lead of the use case, admin); the audit event keeps
        what it said."""
        with self._writer.begin() as s:
            row = s.get(BenefitMeasure, measure_id)
            if row is None:
                raise NotFound(f"Mesure de bénéfice n° {measure_id} introuvable (déjà supprimée ?).")
            uc = self._use_case(s, row.use_case_id)
            require(principal, Action.RECORD_OUTCOMES, owner_ids=[uc.lead_id])
            before = _jsonable(_benefit_fields(row))
            s.delete(row)
            audit.append(s, principal, "delete", "benefit_measure", measure_id, use_case_id=uc.id, before=before)

    def add_benefit_measure(self, principal: Principal, use_case_id: int, data: dict[str, Any]) -> int:
        """Record a KPI measured at evaluation against its baseline and target (project lead, admin); audited."""
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.RECORD_OUTCOMES, owner_ids=[uc.lead_id])
            fields = validate(BenefitFields, data, BENEFIT_LABELS)
            row = BenefitMeasure(use_case_id=use_case_id, recorded_by_id=principal.person_id or None,
                                 **fields.model_dump())
            s.add(row)
            s.flush()
            audit.append(s, principal, "create", "benefit_measure", row.id, use_case_id=use_case_id,
                         after=fields.model_dump(mode="json"))
            return row.id

    # ---- the scored portfolio --------------------------------------------------------------------

    def _classification(self, use_case_id: int) -> tuple[RiskClass, ImpactLevel | None, str]:
        if self.classification_of is None:
            return RiskClass.UNKNOWN, None, ("Gouvernance non reliée : le cas est traité comme non classé et "
                                            "sans niveau d'impact évalué.")
        cls_value, level = self.classification_of(use_case_id)
        rc = _risk_class(cls_value)
        il = IMPACT_ROMAN.get(level) if level is not None else None
        if cls_value is None and level is None:
            note = "Pas encore de classification AI Act ni d'analyse d'impact dans le dossier de gouvernance."
        else:
            note = (f"Risque lu dans le dossier de gouvernance : {rc.label}, "
                    f"{il.label.lower() if il else 'niveau d impact non évalué'}.").replace("d impact", "d'impact")
        return rc, il, note

    def _rows(self, stages: Sequence[str] = ACTIVE_STAGES) -> list[dict[str, Any]]:
        """Use cases with their score inputs (one query each), for the given stages."""
        with self._reader() as s:
            cases = s.scalars(select(UseCase).where(UseCase.stage.in_(list(stages))).order_by(UseCase.reference)).all()
            scores = {r.use_case_id: r for r in s.scalars(select(UseCaseScore)).all()}
            out = []
            for uc in cases:
                sc = scores.get(uc.id)
                out.append({
                    "use_case_id": uc.id, "reference": uc.reference, "title": uc.title, "family": uc.family,
                    "direction": uc.direction, "stage": uc.stage, "start": uc.start_date, "end": uc.end_date,
                    "build_cost": uc.build_cost, "run_cost_per_year": uc.run_cost_per_year,
                    **{c: getattr(sc, c) if sc else None for c in (*CRITERION_CODES, "effort_days")},
                })
            return out

    def _criteria(self, rows: list[dict[str, Any]]) -> tuple[list[UseCaseCriteria], dict[str, str]]:
        items, notes = [], {}
        for r in rows:
            rc, il, note = self._classification(r["use_case_id"])
            notes[r["reference"]] = note
            items.append(UseCaseCriteria(
                reference=r["reference"], title=r["title"], family=r["family"], direction=r["direction"],
                risk_class=rc, impact_level=il, build_cost=r["build_cost"], run_cost_per_year=r["run_cost_per_year"],
                effort_days=r["effort_days"], **{c: r[c] for c in CRITERION_CODES},
            ))
        return items, notes

    def ranked(self, stages: Sequence[str] = ACTIVE_STAGES) -> pd.DataFrame:
        """The ranked table (English column codes, see ``RANK_COLUMNS_FR``), plus id, stage and first-year cost."""
        rows = self._rows(stages)
        items, _ = self._criteria(rows)
        df = rank(items, self.weights())
        by_ref = {r["reference"]: r for r in rows}
        df["use_case_id"] = [by_ref[r]["use_case_id"] for r in df["reference"]]
        df["stage"] = [Stage(by_ref[r]["stage"]).label for r in df["reference"]]
        df["cost"] = df["build_cost"].fillna(0.0) + df["run_cost_per_year"].fillna(0.0)
        return df

    def explain(self, use_case_id: int) -> Explanation:
        """How the score of one use case was computed, line by line, with the weights version."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            stage = uc.stage
        rows = [r for r in self._rows((stage,)) if r["use_case_id"] == use_case_id]
        items, notes = self._criteria(rows)
        weights = self.weights()
        b = score(items[0], weights)
        extra = [notes[b.reference], f"Pondérations en vigueur : version {weights.version}."]
        if b.missing:
            extra.append(f"{len(b.missing)} critère(s) non renseigné(s), comptés pour la note neutre 3/5."
                         if weights.missing == "neutral" else
                         f"{len(b.missing)} critère(s) non renseigné(s), leur poids reporté sur les autres.")
        if not b.eligible:
            extra.append("Classe de risque exclue de la planification : ce cas ne peut pas entrer dans un scénario.")
        return Explanation(b.reference, items[0].title, b, b.to_frame(), tuple(extra))

    def matrix_frame(self) -> pd.DataFrame:
        """What the value × feasibility matrix plots (same numbers as the ranked table)."""
        df = self.ranked()
        return df[["reference", "title", "value", "feasibility", "priority", "cost", "impact_level", "stage",
                   "use_case_id"]].copy()

    def breakdown(self) -> pd.DataFrame:
        """Count, priority and first-year cost by direction and family."""
        df = self.ranked()
        if df.empty:
            return pd.DataFrame(columns=["direction", "family", "count", "cost", "mean_priority"])
        return (df.groupby(["direction", "family"], as_index=False)
                .agg(count=("reference", "size"), cost=("cost", "sum"), mean_priority=("priority", "mean")))

    def roadmap_frame(self, today: dt.date | None = None) -> pd.DataFrame:
        """Pilots, evaluations and deployments with their dates; ``overdue`` marks pilots past their end."""
        today = today or dt.date.today()
        rows = self._rows((Stage.PILOT.value, Stage.EVALUATION.value, Stage.DEPLOYED.value))
        df = pd.DataFrame([{k: r[k] for k in ("reference", "title", "stage", "start", "end")} for r in rows
                           if r["start"] is not None], columns=["reference", "title", "stage", "start", "end"])
        # A deployment (or a pilot without an end date) runs on: draw it up to today, and say so.
        df["ongoing"] = df["end"].isna()
        df["end"] = [max(today, st) if end is None or pd.isna(end) else end
                     for st, end in zip(df["start"], df["end"], strict=True)]
        df["overdue"] = [(st == Stage.PILOT.value and not ongoing and end < today)
                         for st, end, ongoing in zip(df["stage"], df["end"], df["ongoing"], strict=True)]
        return df

    def budget_lines(self) -> pd.DataFrame:
        with self._reader() as s:
            rows = s.execute(select(BudgetLine, UseCase.reference, UseCase.title)
                             .join(UseCase, UseCase.id == BudgetLine.use_case_id)
                             .order_by(BudgetLine.year, UseCase.reference)).all()
        return pd.DataFrame([{"year": b.year, "reference": ref, "title": title, "voted": b.voted,
                              "committed": b.committed, "spent": b.spent, "use_case_id": b.use_case_id}
                             for b, ref, title in rows],
                            columns=["year", "reference", "title", "voted", "committed", "spent", "use_case_id"])

    def budget_by_year(self) -> pd.DataFrame:
        df = self.budget_lines()
        if df.empty:
            return pd.DataFrame(columns=["year", "voted", "committed", "spent"])
        return df.groupby("year", as_index=False)[["voted", "committed", "spent"]].sum()

    def benefits(self, use_case_id: int | None = None) -> pd.DataFrame:
        """Benefits measured vs expected. ``expected`` / ``measured`` are gains over the baseline, so a KPI
        meant to fall (calls, delays) reads the same way as one meant to rise; ``rate`` = measured / expected."""
        q = (select(BenefitMeasure, UseCase.reference, UseCase.title)
             .join(UseCase, UseCase.id == BenefitMeasure.use_case_id)
             .order_by(UseCase.reference, BenefitMeasure.measured_on))
        if use_case_id is not None:
            q = q.where(BenefitMeasure.use_case_id == use_case_id)
        with self._reader() as s:
            rows = s.execute(q).all()
        out = []
        for b, ref, title in rows:
            base = b.baseline or 0.0
            expected, measured = b.target - base, b.measured - base
            out.append({"reference": ref, "title": title, "indicator": b.indicator, "unit": b.unit or "",
                        "baseline": b.baseline, "target": b.target, "measured_value": b.measured,
                        "measured_on": b.measured_on, "expected": expected, "measured": measured,
                        "rate": (measured / expected * 100) if expected else None, "id": b.id})
        return pd.DataFrame(out, columns=["reference", "title", "indicator", "unit", "baseline", "target",
                                          "measured_value", "measured_on", "expected", "measured", "rate", "id"])

    # ---- scenarios ------------------------------------------------------------------------------

    def candidates(self, stages: Sequence[str] = DEFAULT_CANDIDATE_STAGES) -> pd.DataFrame:
        """The ranked use cases a scenario may choose from (eligible ones only)."""
        df = self.ranked(stages)
        return df[df["eligible"]].reset_index(drop=True)

    def run_scenario(self, params: ScenarioParams | dict[str, Any]) -> ScenarioOutcome:
        """Choose the set of use cases of greatest total priority under budget and capacity (exact, HiGHS).

        Infeasible inputs raise :class:`InvalidInput` with the planner's French message.
        """
        p = params if isinstance(params, ScenarioParams) else validate(ScenarioParams, params, SCENARIO_LABELS)
        weights_version = self.weights().version
        df = self.candidates(p.stages)
        known = set(df["reference"])
        everything = self.ranked(tuple(s.value for s in Stage)).set_index("reference")
        problems = []
        for label, refs in (("imposés", p.must_do), ("écartés", p.excluded),
                            ("mutuellement exclusifs", tuple(r for g in p.exclusive_groups for r in g))):
            for ref in refs:
                if ref in known:
                    continue
                if ref not in everything.index:
                    why = "est inconnu"
                elif not everything.loc[ref, "eligible"]:
                    why = f"n'est pas planifiable (classe de risque : {everything.loc[ref, 'risk_class']})"
                else:
                    why = (f"est à l'étape « {everything.loc[ref, 'stage']} », hors des étapes candidates "
                           "choisies")
                problems.append(f"Cas d'usage {label} : {ref} {why}.")
        if problems:
            raise InvalidInput(problems)
        if df.empty:
            raise InvalidInput(["Aucun cas d'usage candidat aux étapes choisies : rien à planifier."])
        cands = [Candidate(id=r.reference, value=float(r.priority), build_cost=_or_zero(r.build_cost),
                           run_cost_per_year=_or_zero(r.run_cost_per_year),
                           effort_days=_or_zero(r.effort_days), title=r.title) for r in df.itertuples()]
        k = Constraints(budget=p.budget, capacity_days=p.capacity_days, budget_basis=p.budget_basis,
                        horizon_years=p.horizon_years, must_do=p.must_do,
                        exclusive_groups=tuple(g for g in p.exclusive_groups if len(g) > 1), excluded=p.excluded)
        try:
            result = plan(cands, k, name=p.name)
        except ScenarioInfeasible as exc:
            raise InvalidInput([str(exc)]) from None
        chosen = df[df["reference"].isin(result.selected_ids)].copy()
        chosen["scenario_cost"] = [c.cost(p.budget_basis, p.horizon_years) for c in cands
                                   if c.id in set(result.selected_ids)]
        chosen = chosen[["reference", "title", "stage", "priority", "build_cost", "run_cost_per_year",
                         "scenario_cost", "effort_days"]].reset_index(drop=True)
        notes = []
        no_cost = [r.reference for r in df.itertuples() if _missing(r.build_cost) and _missing(r.run_cost_per_year)]
        no_effort = [r.reference for r in df.itertuples() if r.effort_days is None or pd.isna(r.effort_days)]
        if no_cost:
            notes.append(f"Coût non renseigné, compté pour zéro : {', '.join(no_cost)}.")
        if no_effort:
            notes.append(f"Charge non renseignée, comptée pour zéro : {', '.join(no_effort)}.")
        return ScenarioOutcome(p, result, chosen, len(cands), weights_version, notes=notes)

    def save_scenario(self, principal: Principal, params: ScenarioParams | dict[str, Any]) -> ScenarioOutcome:
        """Run and keep a scenario (parameters, result, weights version, who, when); audited."""
        require(principal, Action.SAVE_SCENARIO)
        out = self.run_scenario(params)
        result = _result_dict(out)
        with self._writer.begin() as s:
            row = SavedScenario(name=out.params.name, params=out.params.model_dump(mode="json"), result=result,
                                weights_version=out.weights_version, created_by_id=principal.person_id or None)
            s.add(row)
            s.flush()
            audit.append(s, principal, "create", "scenario", row.id,
                         after={"name": row.name, "params": row.params},
                         details={"selected": list(out.result.selected_ids), "total_value": out.result.total_value,
                                  "total_cost": out.result.total_cost, "weights_version": out.weights_version})
            out.saved_id, out.saved_at = row.id, row.created_at
        out.saved_by = principal.display_name
        return out

    def saved_scenarios(self) -> list[SavedScenarioView]:
        with self._reader() as s:
            rows = s.scalars(select(SavedScenario).order_by(SavedScenario.id.desc())).all()
            return [SavedScenarioView(r.id, r.name, r.params, r.result, r.weights_version, r.created_by_id,
                                      r.created_at) for r in rows]


def _result_dict(out: ScenarioOutcome) -> dict[str, Any]:
    r = out.result
    return {"selected_ids": list(r.selected_ids), "total_value": r.total_value, "total_cost": r.total_cost,
            "total_effort": r.total_effort, "budget_left": r.budget_left, "capacity_left": r.capacity_left,
            "status": r.status, "solve_seconds": r.solve_seconds, "available_budget": r.available_budget,
            "budget_basis": r.budget_basis, "horizon_years": r.horizon_years, "candidates": out.candidates}


def result_from_saved(view: SavedScenarioView) -> ScenarioResult:
    """The stored result as a :class:`ScenarioResult`, to compare it with fresh ones."""
    r = view.result
    return ScenarioResult(name=view.name, selected_ids=tuple(r["selected_ids"]), total_value=r["total_value"],
                          total_cost=r["total_cost"], total_effort=r["total_effort"], budget_left=r["budget_left"],
                          capacity_left=r["capacity_left"], status=r["status"], solve_seconds=r["solve_seconds"],
                          budget_basis=r["budget_basis"], horizon_years=r["horizon_years"],
                          available_budget=r["available_budget"])


def _missing(x: Any) -> bool:
    """An empty cost or effort: None from the database, NaN once in a pandas table."""
    return x is None or bool(pd.isna(x))


def _or_zero(x: Any) -> float:
    """Empty costs and efforts count as zero in the planner (as the documentation says)."""
    return 0.0 if _missing(x) else float(x)
