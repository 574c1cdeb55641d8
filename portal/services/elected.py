"""The elected officials' view, read-only: the decisions awaiting the executive or a deliberation, what
each deployed use case costs and brings, and what residents get. Every read is a handful of grouped
queries, whatever the size of the portfolio."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from policies.vocabulary import Authority, Stage
from portal.repositories import people_use as repo
from portal.repositories import portfolio as portfolio_repo
from portal.repositories import register as register_repo
from portal.services.residents import ResidentMeasureView, ResidentsService

#: The authorities that are the elected officials' own: the executive's act, the council's deliberation.
ELECTED_AUTHORITIES = (Authority.EXECUTIVE, Authority.COUNCIL)


@dataclass(frozen=True)
class AwaitingDecision:
    request_id: int
    reference: str
    title: str
    from_stage: Stage
    to_stage: Stage
    authority: Authority
    motive: str
    requested_by: str
    requested_at: dt.datetime


@dataclass(frozen=True)
class Benefit:
    indicator: str
    unit: str
    baseline: float | None
    target: float
    measured: float
    measured_on: dt.date


@dataclass(frozen=True)
class DeployedCase:
    use_case_id: int
    reference: str
    title: str
    direction: str
    build_cost: float | None
    run_cost_per_year: float | None
    spent: float
    needs_served: int
    benefits: list[Benefit] = field(default_factory=list)
    residents: list[ResidentMeasureView] = field(default_factory=list)


@dataclass(frozen=True)
class ElectedView:
    awaiting: list[AwaitingDecision]
    deployed: list[DeployedCase]

    @property
    def residents(self) -> list[ResidentMeasureView]:
        return [m for d in self.deployed for m in d.residents]


class ElectedService:
    def __init__(self, reader: sessionmaker[Session], residents: ResidentsService) -> None:
        self._reader = reader
        self._residents = residents

    def awaiting(self) -> list[AwaitingDecision]:
        """Gate requests no one has decided yet whose authority is the executive or the council."""
        with self._reader() as s:
            rows = repo.requests_awaiting(s, [a.value for a in ELECTED_AUTHORITIES])
        return [AwaitingDecision(r.id, ref, title, Stage(r.from_stage), Stage(r.to_stage), Authority(r.authority),
                                 r.motive or "", r.requested_by_name, r.requested_at) for r, ref, title in rows]

    def view(self) -> ElectedView:
        """Awaiting decisions and the deployed use cases with their cost, benefits and residents' measures."""
        with self._reader() as s:
            cases = register_repo.in_stages(s, [Stage.DEPLOYED.value])
            ids = [uc.id for uc in cases]
            spent = repo.spent_by_use_case(s, ids) if ids else {}
            served = repo.needs_served(s, ids) if ids else {}
            benefits: dict[int, dict[str, Benefit]] = {}
            shown = set(ids)
            for b, _ref, _title in portfolio_repo.benefit_measures_with_use_case(s):
                if b.use_case_id in shown:  # by date measured: the last measure of each indicator stays
                    benefits.setdefault(b.use_case_id, {})[b.indicator] = Benefit(
                        b.indicator, b.unit or "", b.baseline, b.target, b.measured, b.measured_on)
            rows = [(uc.id, uc.reference, uc.title, uc.direction, uc.build_cost, uc.run_cost_per_year) for uc in cases]
        residents: dict[int, list[ResidentMeasureView]] = {}
        for m in self._residents.latest(ids) if ids else []:
            residents.setdefault(m.use_case_id, []).append(m)
        deployed = [DeployedCase(i, ref, title, direction, build, run, spent.get(i, 0.0), served.get(i, 0),
                                 list(benefits.get(i, {}).values()), residents.get(i, []))
                    for i, ref, title, direction, build, run in rows]
        return ElectedView(self.awaiting(), deployed)
