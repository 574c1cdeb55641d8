"""Weights and scores: the criteria of each use case, the weights in force, the ranked portfolio."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from policies.access import require
from policies.prioritisation import (
    ScoringWeights,
    WeightsError,
    load_weights,
    rank,
    score,
)
from policies.vocabulary import Action, Principal, Stage
from portal.db.models import (
    ScoringWeightsVersion,
    UseCase,
    UseCaseScore,
)
from portal.repositories import portfolio as repo
from portal.services import audit, editing
from portal.services.errors import InvalidInput, StaleEdit
from portal.services.portfolio.base import PortfolioBase
from portal.services.portfolio.fields import (
    ACTIVE_STAGES,
    CRITERION_CODES,
    SCORE_LABELS,
    STALE_SCORES,
    Explanation,
    ScoreFields,
    ScoreInputs,
)
from portal.services.validation import validate

ALL_STAGES = tuple(s.value for s in Stage)


class ScoresMixin(PortfolioBase):
    def weights(self) -> ScoringWeights:
        """The weights in force: the latest version an administrator set, else policies/rules/scoring.yaml
        (kept until the next write)."""
        return self._views.get(("weights",), self._weights)

    def _weights(self) -> ScoringWeights:
        with self._reader() as s:
            row = repo.latest_weights(s)
            return load_weights(row.weights) if row else load_weights()

    def weights_history(self) -> list[dict[str, Any]]:
        with self._reader() as s:
            rows = repo.weights_versions(s)
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
            taken = repo.weights_version_id(s, weights.version)
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

    def score_inputs(self, use_case_id: int) -> ScoreInputs:
        with self._reader() as s:
            row = repo.score_of(s, use_case_id)
            if row is None:
                return ScoreInputs(use_case_id, dict.fromkeys((*CRITERION_CODES, "effort_days", "rationale")), None)
            return ScoreInputs(use_case_id, {k: getattr(row, k) for k in ScoreFields.model_fields}, row.version)

    def set_score(self, principal: Principal, use_case_id: int, data: dict[str, Any],
                  expected_version: int | None = None) -> ScoreInputs:
        """Set the criteria and effort of a use case (director, or its project lead); audited."""
        with editing.edit(self._writer, principal, Action.SCORE_USE_CASE,
                          load=lambda s: s.get(UseCase, use_case_id),
                          not_found=editing.use_case_not_found(use_case_id),
                          use_case=lambda s, uc: uc, stale=STALE_SCORES) as e:
            s = e.session
            fields = validate(ScoreFields, data, SCORE_LABELS)
            row = repo.score_of(s, use_case_id)
            new = fields.model_dump()
            # expected_version: None = no check; 0 = "not scored yet when the form was opened"
            if row is None:
                if expected_version:
                    raise StaleEdit(STALE_SCORES)
                row = UseCaseScore(use_case_id=use_case_id, updated_by_id=principal.person_id or None, **new)
                s.add(row)
                s.flush()
                e.record("create", "use_case_score", row.id, after=fields.model_dump(mode="json"))
            else:
                e.check_version(expected_version, row)  # 0 included: someone scored it meanwhile
                before_all = {k: getattr(row, k) for k in new}
                if audit.diff(before_all, new)[1]:
                    for k, v in new.items():
                        setattr(row, k, v)
                    row.updated_by_id = principal.person_id or None
                    s.flush()
                    e.record_change("update", "use_case_score", row.id, before_all, new)
        return self.score_inputs(use_case_id)

    def ranked(self, stages: Sequence[str] = ACTIVE_STAGES) -> pd.DataFrame:
        """The ranked table (English column codes, see ``RANK_COLUMNS_FR``), plus id, stage and first-year cost.

        The whole portfolio is scored once and kept until the next write; the table of some stages is cut
        from it (same order, ranks counted again). A copy is returned: callers may change it freely."""
        key = tuple(stages)
        return self._views.get(("ranked", key), lambda: self._ranked(key)).copy()

    def _ranked(self, stages: tuple[str, ...]) -> pd.DataFrame:
        if set(stages) == set(ALL_STAGES):
            return self._rank(stages)
        whole = self._views.get(("ranked", ALL_STAGES), lambda: self._rank(ALL_STAGES))
        labels = {Stage(s).label for s in stages}
        df = whole[whole["stage"].isin(labels)].reset_index(drop=True)
        # rank() sorts planifiable first, then by priority and reference: a cut keeps that order
        df["rank"] = pd.Series(df["eligible"].cumsum(), dtype="Int64").where(df["eligible"], pd.NA)
        return df

    def _rank(self, stages: Sequence[str]) -> pd.DataFrame:
        rows = self._rows(stages)
        items, _ = self._criteria(rows, notes_too=False)
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
        rows = self._rows((stage,), [use_case_id])
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
        return self._views.get(("roadmap", today), lambda: self._roadmap(today)).copy()

    def _roadmap(self, today: dt.date) -> pd.DataFrame:
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
