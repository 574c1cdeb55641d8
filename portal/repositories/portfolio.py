"""Queries on the portfolio: scoring weights, scores, budget lines, benefit measures, scenarios."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.db.models import (
    BenefitMeasure,
    BudgetLine,
    SavedScenario,
    ScoringWeightsVersion,
    UseCase,
    UseCaseScore,
)


def latest_weights(session: Session) -> ScoringWeightsVersion | None:
    return session.scalars(select(ScoringWeightsVersion).order_by(ScoringWeightsVersion.id.desc()).limit(1)).first()


def weights_versions(session: Session) -> Sequence[ScoringWeightsVersion]:
    """Newest first."""
    return session.scalars(select(ScoringWeightsVersion).order_by(ScoringWeightsVersion.id.desc())).all()


def weights_version_id(session: Session, version: str) -> int | None:
    return session.scalar(select(ScoringWeightsVersion.id).where(ScoringWeightsVersion.version == version))


#: The use-case columns the portfolio views read (never the long texts).
SCORE_ROW_COLUMNS = ("id", "reference", "title", "family", "direction", "stage", "start_date", "end_date",
                     "build_cost", "run_cost_per_year")


def rows_with_scores(session: Session, stages: Sequence[str], criteria: Sequence[str],
                     ids: Sequence[int] | None = None) -> list[dict[str, object]]:
    """The use cases at one of ``stages`` (and among ``ids`` when given), by reference, each with the
    columns the portfolio views need and its score inputs (None when not scored): one query."""
    cols = [getattr(UseCase, c) for c in SCORE_ROW_COLUMNS] + [getattr(UseCaseScore, c).label(c) for c in criteria]
    stmt = (select(*cols).outerjoin(UseCaseScore, UseCaseScore.use_case_id == UseCase.id)
            .where(UseCase.stage.in_(list(stages))))
    if ids is not None:
        stmt = stmt.where(UseCase.id.in_(list(ids)))
    return [dict(r) for r in session.execute(stmt.order_by(UseCase.reference)).mappings()]


def score_of(session: Session, use_case_id: int) -> UseCaseScore | None:
    return session.scalar(select(UseCaseScore).where(UseCaseScore.use_case_id == use_case_id))


def scores_by_use_case(session: Session, ids: Sequence[int] | None = None) -> dict[int, UseCaseScore]:
    stmt = select(UseCaseScore) if ids is None else select(UseCaseScore).where(UseCaseScore.use_case_id.in_(list(ids)))
    return {r.use_case_id: r for r in session.scalars(stmt).all()}


def budget_line(session: Session, use_case_id: int, year: int) -> BudgetLine | None:
    return session.scalar(select(BudgetLine).where(BudgetLine.use_case_id == use_case_id,
                                                   BudgetLine.year == year))


def budget_lines_with_use_case(session: Session,
                               use_case_id: int | None = None) -> Sequence[tuple[BudgetLine, str, str]]:
    """(line, reference, title) by year then reference (of one use case when given)."""
    stmt = select(BudgetLine, UseCase.reference, UseCase.title).join(UseCase, UseCase.id == BudgetLine.use_case_id)
    if use_case_id is not None:
        stmt = stmt.where(BudgetLine.use_case_id == use_case_id)
    return session.execute(stmt.order_by(BudgetLine.year, UseCase.reference)).tuples().all()


def budget_by_year(session: Session) -> Sequence[tuple[int, float, float, float]]:
    """(year, voted, committed, spent) summed over the use cases, by year."""
    stmt = (select(BudgetLine.year, func.sum(BudgetLine.voted), func.sum(BudgetLine.committed),
                   func.sum(BudgetLine.spent)).group_by(BudgetLine.year).order_by(BudgetLine.year))
    return session.execute(stmt).tuples().all()


def benefit_measure(session: Session, measure_id: int, *, for_update: bool = False) -> BenefitMeasure | None:
    return session.get(BenefitMeasure, measure_id, with_for_update=for_update)


def benefit_measures_with_use_case(session: Session,
                                   use_case_id: int | None = None) -> Sequence[tuple[BenefitMeasure, str, str]]:
    """(measure, reference, title) by reference then date measured."""
    q = (select(BenefitMeasure, UseCase.reference, UseCase.title)
         .join(UseCase, UseCase.id == BenefitMeasure.use_case_id)
         .order_by(UseCase.reference, BenefitMeasure.measured_on))
    if use_case_id is not None:
        q = q.where(BenefitMeasure.use_case_id == use_case_id)
    return session.execute(q).tuples().all()


def saved_scenarios(session: Session) -> Sequence[SavedScenario]:
    """Newest first."""
    return session.scalars(select(SavedScenario).order_by(SavedScenario.id.desc())).all()
