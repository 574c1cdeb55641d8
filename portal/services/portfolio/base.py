"""What every part of the portfolio service shares: its sessions, the use cases and their classification."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from policies.prioritisation import (
    UseCaseCriteria,
)
from policies.vocabulary import RiskProfile
from portal.repositories import portfolio as repo
from portal.services import editing
from portal.services.cache import StampedCache
from portal.services.portfolio.fields import (
    ACTIVE_STAGES,
    CRITERION_CODES,
    ClassificationOf,
)


class PortfolioBase(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session],
                 classification_of: ClassificationOf | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self.classification_of = classification_of
        #: The same for many use cases in one query (set by build_services): lists make no query per row.
        self.classifications_of: Callable[[list[int]], dict[int, RiskProfile]] | None = None
        #: The ranked portfolio and its views, kept until the next write (every write appends to the audit
        #: chain: scores, weights, classifications, stages, budget lines…), whichever process wrote.
        self._views: StampedCache[Any] = StampedCache(reader, size=64)

    def _classification(self, use_case_id: int, known: dict[int, RiskProfile] | None = None
                        ) -> tuple[RiskProfile, str]:
        if self.classification_of is None:
            return RiskProfile(), ("Gouvernance non reliée : le cas est traité comme non classé et "
                                   "sans niveau d'impact évalué.")
        profile = known.get(use_case_id, RiskProfile()) if known is not None else self.classification_of(use_case_id)
        if profile.ai_class is None and profile.impact_level is None:
            note = "Pas encore de classification AI Act ni d'analyse d'impact dans le dossier de gouvernance."
        else:
            level = f"niveau {profile.impact_level.value}" if profile.impact_level else "niveau d'impact non évalué"
            note = f"Risque lu dans le dossier de gouvernance : {profile.class_label}, {level}."
        return profile, note

    def _rows(self, stages: Sequence[str] = ACTIVE_STAGES, ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """Use cases with their score inputs (one query, only the columns used), for the given stages (and ``ids``)."""
        with self._reader() as s:
            rows = repo.rows_with_scores(s, stages, (*CRITERION_CODES, "effort_days"), ids)
        for r in rows:
            r["use_case_id"] = r.pop("id")
            r["start"] = r.pop("start_date")
            r["end"] = r.pop("end_date")
        return rows

    def _criteria(self, rows: list[dict[str, Any]], notes_too: bool = True
                  ) -> tuple[list[UseCaseCriteria], dict[str, str]]:
        """The criteria of each row, and (``notes_too``) the sentence saying where its risk was read."""
        items, notes = [], {}
        known = (self.classifications_of([r["use_case_id"] for r in rows])
                 if self.classifications_of is not None and len(rows) > 1 else None)
        for r in rows:
            if notes_too or known is None:
                profile, notes[r["reference"]] = self._classification(r["use_case_id"], known)
            else:  # a whole portfolio ranked: no sentence per use case
                profile = known.get(r["use_case_id"], RiskProfile())
            items.append(UseCaseCriteria(
                reference=r["reference"], title=r["title"], family=r["family"], direction=r["direction"],
                risk_class=profile.ai_class, impact_level=profile.impact_level, build_cost=r["build_cost"], run_cost_per_year=r["run_cost_per_year"],
                effort_days=r["effort_days"], **{c: r[c] for c in CRITERION_CODES},
            ))
        return items, notes
