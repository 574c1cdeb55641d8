"""Scenarios: the best portfolio under a budget and a capacity, saved to compare."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from policies.access import require
from policies.prioritisation import (
    Candidate,
    Constraints,
    Incomplete,
    ScenarioInfeasible,
    ScenarioResult,
    plan,
)
from policies.vocabulary import Action, Principal, Stage
from portal.db.models import (
    SavedScenario,
)
from portal.repositories import portfolio as repo
from portal.services import audit
from portal.services.errors import InvalidInput
from portal.services.portfolio.fields import (
    DEFAULT_CANDIDATE_STAGES,
    SCENARIO_LABELS,
    SavedScenarioView,
    ScenarioOutcome,
    ScenarioParams,
)
from portal.services.portfolio.scores import ScoresMixin
from portal.services.validation import validate


class ScenariosMixin(ScoresMixin):
    def candidates(self, stages: Sequence[str] = DEFAULT_CANDIDATE_STAGES) -> pd.DataFrame:
        """The ranked use cases a scenario may choose from (eligible ones only)."""
        df = self.ranked(stages)
        return df[df["eligible"]].reset_index(drop=True)

    def run_scenario(self, params: ScenarioParams | dict[str, Any]) -> ScenarioOutcome:
        """Choose the set of use cases of greatest total priority under budget and capacity (exact).

        The candidates are the plannable use cases at the chosen stages, plus any imposed one whatever
        its stage; any known use case may be excluded. Figures left empty are unknown: such a case is
        left out and listed « à compléter », unless imposed (see ``policies.prioritisation.scenario``).
        Infeasible inputs raise :class:`InvalidInput` with the planner's French message.
        """
        p = params if isinstance(params, ScenarioParams) else validate(ScenarioParams, params, SCENARIO_LABELS)
        weights_version = self.weights().version
        everything = self.ranked(tuple(s.value for s in Stage))
        at_stages = set(self.candidates(p.stages)["reference"])
        by_ref = everything.set_index("reference")
        problems = _unknown_refs(p, by_ref)
        for ref in p.must_do:
            if ref in by_ref.index and not by_ref.loc[ref, "eligible"]:
                problems.append(f"Cas d'usage imposés : {ref} n'est pas planifiable (classe de risque : "
                                f"{by_ref.loc[ref, 'risk_class']}).")
        pool = at_stages | {r for r in p.must_do if r in by_ref.index}
        for ref in (r for g in p.exclusive_groups for r in g):
            if ref in by_ref.index and ref not in pool:
                why = (f"n'est pas planifiable (classe de risque : {by_ref.loc[ref, 'risk_class']})"
                       if not by_ref.loc[ref, "eligible"] else
                       f"est à l'étape « {by_ref.loc[ref, 'stage']} », hors des étapes candidates choisies")
                problems.append(f"Cas d'usage mutuellement exclusifs : {ref} {why}.")
        if problems:
            raise InvalidInput(problems)
        df = everything[everything["reference"].isin(pool)].reset_index(drop=True)
        if df.empty:
            raise InvalidInput(["Aucun cas d'usage candidat aux étapes choisies : rien à planifier."])
        cands = [Candidate(id=r.reference, value=float(r.priority) if r.completeness > 0 else None,
                           build_cost=_or_none(r.build_cost), run_cost_per_year=_or_none(r.run_cost_per_year),
                           effort_days=_or_none(r.effort_days), title=r.title) for r in df.itertuples()]
        k = Constraints(budget=p.budget, capacity_days=p.capacity_days, budget_basis=p.budget_basis,
                        horizon_years=p.horizon_years, must_do=p.must_do,
                        exclusive_groups=tuple(g for g in p.exclusive_groups if len(g) > 1),
                        excluded=tuple(r for r in p.excluded if r in pool))
        try:
            result = plan(cands, k, name=p.name)
        except ScenarioInfeasible as exc:
            raise InvalidInput([str(exc)]) from None
        selected = set(result.selected_ids)
        chosen = df[df["reference"].isin(selected)].copy()
        chosen["scenario_cost"] = [c.cost(p.budget_basis, p.horizon_years) for c in cands if c.id in selected]
        chosen = chosen[["reference", "title", "stage", "priority", "build_cost", "run_cost_per_year",
                         "scenario_cost", "effort_days"]].reset_index(drop=True)
        notes = result.incomplete_fr()
        added = [f"{r} ({by_ref.loc[r, 'stage']})" for r in p.must_do if r not in at_stages]
        if added:
            notes.append("Imposé" + ("s" if len(added) > 1 else "") + " hors des étapes candidates choisies, donc "
                         "ajouté" + ("s" if len(added) > 1 else "") + " aux candidats : " + ", ".join(added) + ".")
        moot = [f"{r} ({by_ref.loc[r, 'stage']})" for r in p.excluded if r not in pool]
        if moot:
            notes.append("Écarté" + ("s" if len(moot) > 1 else "") + " alors qu'hors des candidats (étape non "
                         "choisie ou classe non planifiable) : " + ", ".join(moot) + ".")
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
            rows = repo.saved_scenarios(s)
            return [SavedScenarioView(r.id, r.name, r.params, r.result, r.weights_version, r.created_by_id,
                                      r.created_at) for r in rows]


def _result_dict(out: ScenarioOutcome) -> dict[str, Any]:
    r = out.result
    return {"selected_ids": list(r.selected_ids), "total_value": r.total_value, "total_cost": r.total_cost,
            "total_effort": r.total_effort, "budget_left": r.budget_left, "capacity_left": r.capacity_left,
            "status": r.status, "solve_seconds": r.solve_seconds, "available_budget": r.available_budget,
            "budget_basis": r.budget_basis, "horizon_years": r.horizon_years, "candidates": out.candidates,
            "incomplete": [{"id": i.id, "title": i.title, "missing": list(i.missing), "treatment": i.treatment}
                           for i in r.incomplete], "notes": list(out.notes)}


def result_from_saved(view: SavedScenarioView) -> ScenarioResult:
    """The stored result as a :class:`ScenarioResult`, to compare it with fresh ones."""
    r = view.result
    return ScenarioResult(name=view.name, selected_ids=tuple(r["selected_ids"]), total_value=r["total_value"],
                          total_cost=r["total_cost"], total_effort=r["total_effort"], budget_left=r["budget_left"],
                          capacity_left=r["capacity_left"], status=r["status"], solve_seconds=r["solve_seconds"],
                          budget_basis=r["budget_basis"], horizon_years=r["horizon_years"],
                          available_budget=r["available_budget"],
                          incomplete=tuple(Incomplete(i["id"], i["title"], tuple(i["missing"]), i["treatment"])
                                           for i in r.get("incomplete", ())))


def _unknown_refs(p: ScenarioParams, by_ref: pd.DataFrame) -> list[str]:
    """One French problem per reference of the form that names no use case."""
    out = []
    for label, refs in (("imposés", p.must_do), ("écartés", p.excluded),
                        ("mutuellement exclusifs", tuple(r for g in p.exclusive_groups for r in g))):
        out += [f"Cas d'usage {label} : {ref} est inconnu." for ref in refs if ref not in by_ref.index]
    return out


def _or_none(x: Any) -> float | None:
    """An empty cost or effort (None from the database, NaN once in a pandas table) stays unknown."""
    return None if x is None or bool(pd.isna(x)) else float(x)
