"""Budget lines and expected benefits of each use case."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import (
    BenefitMeasure,
    BudgetLine,
)
from portal.repositories import portfolio as repo
from portal.repositories import register as register_repo
from portal.services import audit, editing
from portal.services.errors import InvalidInput, NotFound
from portal.services.portfolio import budget_import
from portal.services.portfolio.base import PortfolioBase
from portal.services.portfolio.fields import (
    BENEFIT_LABELS,
    BUDGET_LABELS,
    STALE_BENEFIT,
    BenefitFields,
    BudgetFields,
    EditableMeasure,
    _benefit_fields,
    _jsonable,
)
from portal.services.validation import validate
from usecases import loading


class BudgetMixin(PortfolioBase):
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
        table = loading.read_table(data, filename)
        with self._reader() as s:
            known = register_repo.ids_by_reference(s)
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
        row = repo.budget_line(s, use_case_id, new["year"])
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
        return self.editable_benefit_measure(measure_id).fields

    def editable_benefit_measure(self, measure_id: int) -> EditableMeasure:
        """One measure's fields and their version, read together: what a correction form shows and
        gives back as ``expected_version``."""
        with self._reader() as s:
            row = repo.benefit_measure(s, measure_id)
            if row is None:
                raise NotFound(f"Mesure de bénéfice n° {measure_id} introuvable (supprimée entre-temps ?).")
            return EditableMeasure(_benefit_fields(row), row.version)

    def _editing_benefit(self, principal: Principal, measure_id: int, not_found: str) -> Any:
        return editing.edit(self._writer, principal, Action.RECORD_OUTCOMES,
                            load=lambda s: repo.benefit_measure(s, measure_id, for_update=True),
                            not_found=not_found, use_case=lambda s, row: self._use_case(s, row.use_case_id),
                            stale=STALE_BENEFIT)

    def update_benefit_measure(self, principal: Principal, measure_id: int, data: dict[str, Any],
                               expected_version: int | None = None) -> str:
        """Correct a measure in place (project lead of the use case, admin); the audit event keeps both
        versions. ``expected_version`` is the version the form showed (None: no check): if someone
        changed the measure since, nothing is written. Returns "updated" or "unchanged"."""
        with self._editing_benefit(principal, measure_id,
                                   f"Mesure de bénéfice n° {measure_id} introuvable (supprimée entre-temps ?).") as e:
            row = e.row
            fields = validate(BenefitFields, data, BENEFIT_LABELS).model_dump()
            e.check_version(expected_version)
            before = _benefit_fields(row)
            if fields == before:
                return "unchanged"
            for k, v in fields.items():
                setattr(row, k, v)
            e.session.flush()
            e.record_change("update", "benefit_measure", measure_id, _jsonable(before), _jsonable(fields))
            return "updated"

    def delete_benefit_measure(self, principal: Principal, measure_id: int,
                               expected_version: int | None = None) -> None:
        """Remove a measure entered by mistake (project lead of the use case, admin); the audit event keeps
        what it said. ``expected_version`` as for a correction: a measure changed since is not deleted."""
        with self._editing_benefit(principal, measure_id,
                                   f"Mesure de bénéfice n° {measure_id} introuvable (déjà supprimée ?).") as e:
            e.check_version(expected_version)
            before = _jsonable(_benefit_fields(e.row))
            e.session.delete(e.row)
            e.record("delete", "benefit_measure", measure_id, before=before)

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

    def budget_lines(self, use_case_id: int | None = None) -> pd.DataFrame:
        """Budget lines by year then reference (of one use case when given; all of them kept until the next write)."""
        if use_case_id is None:
            return self._views.get(("budget_lines",), lambda: self._budget_lines(None)).copy()
        return self._budget_lines(use_case_id)

    def _budget_lines(self, use_case_id: int | None) -> pd.DataFrame:
        with self._reader() as s:
            rows = repo.budget_lines_with_use_case(s, use_case_id)
        return pd.DataFrame([{"year": b.year, "reference": ref, "title": title, "voted": b.voted,
                              "committed": b.committed, "spent": b.spent, "use_case_id": b.use_case_id}
                             for b, ref, title in rows],
                            columns=["year", "reference", "title", "voted", "committed", "spent", "use_case_id"])

    def budget_by_year(self) -> pd.DataFrame:
        """Voted, committed and spent summed by year (one grouped query, kept until the next write)."""
        return self._views.get(("budget_by_year",), self._budget_by_year).copy()

    def _budget_by_year(self) -> pd.DataFrame:
        with self._reader() as s:
            rows = repo.budget_by_year(s)
        return pd.DataFrame([{"year": y, "voted": float(v or 0), "committed": float(c or 0), "spent": float(p or 0)}
                             for y, v, c, p in rows], columns=["year", "voted", "committed", "spent"])

    def benefits(self, use_case_id: int | None = None) -> pd.DataFrame:
        """Benefits measured vs expected. ``expected`` / ``measured`` are gains over the baseline, so a KPI
        meant to fall (calls, delays) reads the same way as one meant to rise; ``rate`` = measured / expected.
        All of them (``use_case_id`` None) are kept until the next write."""
        if use_case_id is None:
            return self._views.get(("benefits",), lambda: self._benefits(None)).copy()
        return self._benefits(use_case_id)

    def _benefits(self, use_case_id: int | None) -> pd.DataFrame:
        with self._reader() as s:
            rows = repo.benefit_measures_with_use_case(s, use_case_id)
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
