"""The scenario planner's vocabulary: candidates, constraints, results, and the French words for them.

See :mod:`policies.prioritisation.scenario` for the programme and README.md for the method.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from policies.prioritisation._format import fr_eur, fr_number
from policies.prioritisation.scoring import ScoreBreakdown, UseCaseCriteria

BudgetBasis = Literal["first_year", "annual_run", "horizon"]
BUDGET_BASIS_FR: dict[str, str] = {
    "first_year": "première année (réalisation + fonctionnement annuel)",
    "annual_run": "fonctionnement annuel seul",
    "horizon": "coût complet sur l'horizon (réalisation + fonctionnement × années)",
}
STATUS_FR = {"optimal": "Optimal", "time_limit": "Meilleure solution trouvée dans le temps imparti"}
#: The figures a candidate may lack, in French (as the scenario's « à compléter » list names them).
FIGURE_FR = {"value": "priorité (aucun critère noté)", "build_cost": "coût de réalisation",
             "run_cost_per_year": "coût annuel de fonctionnement", "effort_days": "charge (jours-personne)"}
Treatment = Literal["left_out", "imposed", "excluded"]
TREATMENT_FR: dict[str, str] = {
    "left_out": "laissé hors de l'optimisation, à compléter",
    "imposed": "imposé : chiffres manquants comptés pour zéro",
    "excluded": "écarté par la direction",
}


def unknown(x: float | None) -> bool:
    """A figure left empty: None or NaN (an infinite figure is an error, not an unknown)."""
    if isinstance(x, float | int):
        return x != x  # NaN only (checked first: pandas' isna costs a microsecond per call)
    return x is None or bool(pd.isna(x))


class ScenarioInfeasible(ValueError):
    """No plan can satisfy the inputs; ``message`` says why, in French, naming the cause."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class Candidate:
    """A use case the planner may select. ``value`` is usually the priority from :func:`score`.

    A figure left empty is ``None`` (or NaN): unknown, see the module doc."""

    id: str
    value: float | None
    build_cost: float | None = 0.0
    run_cost_per_year: float | None = 0.0
    effort_days: float | None = 0.0
    title: str = ""

    def missing(self, basis: BudgetBasis = "first_year") -> tuple[str, ...]:
        """The unknown figures this basis needs, as keys of :data:`FIGURE_FR`."""
        needed = ["value", "run_cost_per_year", "effort_days"]
        if basis != "annual_run":
            needed.insert(1, "build_cost")
        return tuple(f for f in needed if unknown(getattr(self, f)))

    def figure(self, name: str) -> float:
        """A figure, an unknown one counting as zero (only for imposed candidates, see the module doc)."""
        x = getattr(self, name)
        return 0.0 if unknown(x) else float(x)

    def cost(self, basis: BudgetBasis = "first_year", horizon_years: int = 1) -> float:
        build, run = self.figure("build_cost"), self.figure("run_cost_per_year")
        if basis == "first_year":
            return build + run
        if basis == "annual_run":
            return run
        return build + run * horizon_years

    @classmethod
    def from_score(cls, criteria: UseCaseCriteria, breakdown: ScoreBreakdown) -> Candidate:
        """A candidate valued at its priority; costs and effort not filled stay unknown (None)."""
        return cls(
            id=criteria.reference,
            value=breakdown.priority if breakdown.completeness > 0 else None,
            build_cost=criteria.build_cost,
            run_cost_per_year=criteria.run_cost_per_year,
            effort_days=criteria.effort_days,
            title=criteria.title,
        )


@dataclass(frozen=True)
class Incomplete:
    """A candidate with unknown figures: which ones, and what the planner did with it."""

    id: str
    title: str
    missing: tuple[str, ...]
    treatment: Treatment

    @property
    def missing_fr(self) -> str:
        return ", ".join(FIGURE_FR[m] for m in self.missing)

    @property
    def treatment_fr(self) -> str:
        return TREATMENT_FR[self.treatment]


@dataclass(frozen=True)
class Constraints:
    """What bounds a scenario. ``budget`` is annual (€); ``capacity_days`` covers the plan period."""

    budget: float
    capacity_days: float
    budget_basis: BudgetBasis = "first_year"
    horizon_years: int = 1
    must_do: tuple[str, ...] = ()
    exclusive_groups: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    #: Seconds the whole plan may take (HiGHS, if it has to prove, gets what our method left);
    #: None = until proven optimal. When it cuts a proof short, ``status`` is "time_limit".
    time_limit: float | None = None
    #: Second solve: among the sets of optimal value, one of least cost (slower; see module doc).
    prefer_cheaper_ties: bool = False

    @property
    def available_budget(self) -> float:
        return self.budget * (self.horizon_years if self.budget_basis == "horizon" else 1)


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    selected_ids: tuple[str, ...]
    total_value: float
    total_cost: float
    total_effort: float
    budget_left: float
    capacity_left: float
    status: Literal["optimal", "time_limit"]
    solve_seconds: float
    budget_basis: BudgetBasis = "first_year"
    horizon_years: int = 1
    available_budget: float = 0.0
    notes: tuple[str, ...] = field(default=())
    #: How optimality was proven: "core" (bounded enumeration) or "branch_and_bound" (HiGHS).
    method: Literal["core", "branch_and_bound"] = "branch_and_bound"
    #: Candidates with unknown figures, in id order, and how each was treated.
    incomplete: tuple[Incomplete, ...] = ()

    def summary_fr(self) -> str:
        n = len(self.selected_ids)
        text = (
            f"{n} cas d'usage retenu{'s' if n > 1 else ''} pour une valeur totale de "
            f"{fr_number(self.total_value, 1)} ; coût {fr_eur(self.total_cost)} sur "
            f"{fr_eur(self.available_budget)} ({BUDGET_BASIS_FR[self.budget_basis]}) ; charge "
            f"{fr_number(self.total_effort)} jours-personne, capacité restante "
            f"{fr_number(self.capacity_left)} jours-personne. {STATUS_FR[self.status]}."
        )
        return " ".join([text, *self.incomplete_fr()])

    def incomplete_fr(self) -> list[str]:
        """One sentence per treatment of the incomplete candidates (none when every sheet is complete)."""
        out = []
        left = [i for i in self.incomplete if i.treatment == "left_out"]
        imposed = [i for i in self.incomplete if i.treatment == "imposed"]
        if left:
            out.append(f"{len(left)} cas à compléter, laissé{'s' if len(left) > 1 else ''} hors de "
                       f"l'optimisation : " + " ; ".join(f"{i.id} ({i.missing_fr})" for i in left) + ".")
        if imposed:
            out.append("Imposé" + ("s" if len(imposed) > 1 else "") + " malgré des chiffres manquants, "
                       "comptés pour zéro : " + " ; ".join(f"{i.id} ({i.missing_fr})" for i in imposed) + ".")
        return out

