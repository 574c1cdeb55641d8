"""Checks on a scenario's inputs: every ill-posed or infeasible input raises
:class:`ScenarioInfeasible` with a French message naming its cause, before any solve."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from policies.prioritisation._format import fr_eur, fr_number
from policies.prioritisation.model import (
    BUDGET_BASIS_FR,
    Candidate,
    Constraints,
    ScenarioInfeasible,
    unknown,
)


def _names(ids: Iterable[str]) -> str:
    return ", ".join(f"« {i} »" for i in sorted(ids))


def _validate_constraints(k: Constraints) -> None:
    """Budget basis, horizon, budget and capacity."""
    if k.budget_basis not in BUDGET_BASIS_FR:
        raise ScenarioInfeasible(
            f"Base budgétaire inconnue « {k.budget_basis} » : choisir parmi {', '.join(BUDGET_BASIS_FR)}."
        )
    if not isinstance(k.horizon_years, int) or k.horizon_years < 1:
        raise ScenarioInfeasible(f"L'horizon doit être d'au moins un an (reçu : {k.horizon_years}).")
    for label, amount, negative in (
        ("Le budget annuel", k.budget, "négatif"),
        ("La capacité de l'équipe", k.capacity_days, "négative"),
    ):
        if not math.isfinite(amount):
            raise ScenarioInfeasible(f"{label} doit être un nombre fini (reçu : {amount}).")
        if amount < 0:
            raise ScenarioInfeasible(f"{label} est {negative} ({fr_number(amount)}) : aucun scénario possible.")


def _validate_candidates(cands: Sequence[Candidate]) -> None:
    """Unique identifiers, finite figures, no negative cost or effort."""
    seen: set[str] = set()
    dupes = {c.id for c in cands if c.id in seen or seen.add(c.id)}  # type: ignore[func-returns-value]
    if dupes:
        raise ScenarioInfeasible(f"Identifiants en double parmi les candidats : {_names(dupes)}.")
    for c in cands:
        for label, x in (("la valeur", c.value), ("le coût de réalisation", c.build_cost),
                         ("le coût annuel", c.run_cost_per_year), ("la charge", c.effort_days)):
            if x is None or unknown(x):
                continue  # unknown, not wrong: see Candidate.missing
            if not math.isfinite(x):
                raise ScenarioInfeasible(f"Cas d'usage « {c.id} » : {label} n'est pas un nombre fini ({x}).")
            if x < 0 and label != "la valeur":
                raise ScenarioInfeasible(f"Cas d'usage « {c.id} » : {label} est négatif ({fr_number(x)}).")


def _validate_lists(cands: Sequence[Candidate], k: Constraints) -> None:
    """Imposed, excluded and exclusive use cases: known, not both imposed and excluded, at most one
    imposed per exclusive group."""
    known = {c.id for c in cands}
    for label, ids in (
        ("imposés", k.must_do),
        ("exclus", k.excluded),
        ("des groupes exclusifs", [i for g in k.exclusive_groups for i in g]),
    ):
        unknown = set(ids) - known
        if unknown:
            raise ScenarioInfeasible(f"Cas d'usage {label} inconnus parmi les candidats : {_names(unknown)}.")
    both = set(k.must_do) & set(k.excluded)
    if both:
        raise ScenarioInfeasible(f"Cas d'usage à la fois imposés et exclus : {_names(both)}.")
    must = set(k.must_do)
    for g in k.exclusive_groups:
        clash = must & set(g)
        if len(clash) > 1:
            raise ScenarioInfeasible(
                f"Les cas d'usage imposés {_names(clash)} s'excluent mutuellement "
                f"(groupe exclusif : {_names(g)}) : un seul peut être retenu."
            )


def _validate_imposed_fit(cands: Sequence[Candidate], k: Constraints) -> None:
    """The imposed use cases fit the budget and the capacity on their own."""
    must = set(k.must_do)
    by_id = {c.id: c for c in cands}
    must_cost = sum(by_id[i].cost(k.budget_basis, k.horizon_years) for i in must)
    must_effort = sum(by_id[i].figure("effort_days") for i in must)
    if must_cost > k.available_budget * (1 + 1e-12):
        raise ScenarioInfeasible(
            f"Les cas d'usage imposés ({_names(must)}) coûtent à eux seuls {fr_eur(must_cost)} "
            f"(base : {BUDGET_BASIS_FR[k.budget_basis]}), au-delà du budget disponible de "
            f"{fr_eur(k.available_budget)}."
        )
    if must_effort > k.capacity_days * (1 + 1e-12):
        raise ScenarioInfeasible(
            f"Les cas d'usage imposés ({_names(must)}) demandent à eux seuls {fr_number(must_effort)} "
            f"jours-personne, au-delà de la capacité de l'équipe ({fr_number(k.capacity_days)} jours-personne)."
        )


def validate(cands: Sequence[Candidate], k: Constraints) -> None:
    """Raise :class:`ScenarioInfeasible` for every input that makes the problem ill-posed or infeasible."""
    _validate_constraints(k)
    _validate_candidates(cands)
    _validate_lists(cands, k)
    _validate_imposed_fit(cands, k)
