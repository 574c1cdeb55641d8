"""What residents get: service-quality measures per period (response times, survey scores, complaints),
each against the baseline measured before the use case, shown next to the administration's own KPIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from policies.vocabulary import Action, Principal, ResidentMeasureKind
from portal.db.models import ResidentMeasure
from portal.repositories import people_use as repo
from portal.services import audit, editing
from portal.services.adoption import check_period
from portal.services.errors import NotFound, StaleEdit
from portal.services.field_types import OptLongText, Text200
from portal.services.validation import validate

MEASURE_LABELS = {"kind": "Nature de la mesure", "indicator": "Indicateur", "unit": "Unité",
                  "period": "Période (aaaa-mm)", "baseline": "Valeur de référence (avant)", "value": "Valeur mesurée",
                  "higher_is_better": "Plus haut, c'est mieux", "source": "Source de la mesure"}
STALE = ("Cette mesure a été modifiée par quelqu'un d'autre depuis son affichage : rechargez la page, "
         "rien n'a été enregistré.")
Value = Annotated[float, Field(ge=-1e12, le=1e12)]


class MeasureFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    kind: ResidentMeasureKind
    indicator: Text200
    unit: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=50)] = None
    period: str
    baseline: Value
    value: Value
    higher_is_better: bool = True
    source: OptLongText = None

    _period = field_validator("period")(classmethod(lambda cls, v: check_period(v)))


@dataclass(frozen=True)
class ResidentMeasureView:
    id: int
    use_case_id: int
    reference: str | None
    title: str | None
    kind: ResidentMeasureKind
    indicator: str
    unit: str | None
    period: str
    baseline: float
    value: float
    higher_is_better: bool
    source: str | None
    version: int

    @property
    def change(self) -> float:
        """Value minus baseline, as measured."""
        return self.value - self.baseline

    @property
    def improved(self) -> bool | None:
        """True when the measure moved the right way since the baseline (None when unchanged)."""
        if self.value == self.baseline:
            return None
        return (self.value > self.baseline) == self.higher_is_better


def _view(m: ResidentMeasure, reference: str | None = None, title: str | None = None) -> ResidentMeasureView:
    return ResidentMeasureView(m.id, m.use_case_id, reference, title, ResidentMeasureKind(m.kind), m.indicator, m.unit,
                               m.period, m.baseline, m.value, m.higher_is_better, m.source, m.version)


class ResidentsService(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    def measures(self, use_case_id: int) -> list[ResidentMeasureView]:
        """Every measure of a use case, by indicator then period."""
        with self._reader() as s:
            return [_view(m) for m in repo.resident_measures(s, use_case_id)]

    def latest(self, use_case_ids: Sequence[int] | None = None) -> list[ResidentMeasureView]:
        """The last period of each indicator of each use case (one query), for the portfolio and reports."""
        with self._reader() as s:
            return [_view(m, ref, title) for m, ref, title in repo.latest_resident_measures(s, use_case_ids)]

    def record(self, principal: Principal, use_case_id: int, data: dict[str, Any],
               expected_version: int | None = None) -> ResidentMeasureView:
        """Record a measure for a period, or correct the one already recorded for that indicator and
        period (``expected_version``: the version shown; someone else's change since is refused). Audited."""
        with self._write(principal, use_case_id) as s:
            fields = validate(MeasureFields, data, MEASURE_LABELS)
            values = fields.model_dump(mode="json")
            row = repo.resident_measure_of(s, use_case_id, fields.indicator, fields.period)
            if row is None:
                row = ResidentMeasure(use_case_id=use_case_id, recorded_by_id=principal.person_id or None, **values)
                s.add(row)
                s.flush()
                audit.append(s, principal, "create", "resident_measure", row.id, use_case_id=use_case_id, after=values)
            else:
                if expected_version is not None and row.version != expected_version:
                    raise StaleEdit(STALE)
                before_all = {k: getattr(row, k) for k in values}
                before, after = audit.diff(before_all, values)
                if after:
                    for k, v in values.items():
                        setattr(row, k, v)
                    row.recorded_at = dt.datetime.now(dt.UTC)
                    s.flush()
                    audit.append(s, principal, "update", "resident_measure", row.id, use_case_id=use_case_id,
                                 before=before, after=after)
            return _view(row)

    def delete(self, principal: Principal, measure_id: int, expected_version: int) -> None:
        """Remove a measure entered by mistake; the audit event keeps what it said."""
        with self._reader() as s:
            row = repo.resident_measure(s, measure_id)
            if row is None:
                raise NotFound(f"Mesure n° {measure_id} introuvable (déjà supprimée ?).")
            use_case_id = row.use_case_id
        with self._write(principal, use_case_id) as s:
            row = repo.resident_measure(s, measure_id)
            if row is None:
                raise NotFound(f"Mesure n° {measure_id} introuvable (déjà supprimée ?).")
            if row.version != expected_version:
                raise StaleEdit(STALE)
            before = _view(row).__dict__ | {"kind": row.kind}
            s.delete(row)
            audit.append(s, principal, "delete", "resident_measure", measure_id, use_case_id=use_case_id,
                         before={k: v for k, v in before.items() if k not in ("reference", "title")})

    @contextmanager
    def _write(self, principal: Principal, use_case_id: int) -> Iterator[Session]:
        try:
            with self._writer.begin() as s:
                editing.owned_use_case(s, principal, use_case_id, Action.RECORD_RESIDENT_MEASURES)
                yield s
        except StaleDataError:
            raise StaleEdit(STALE) from None
