"""The agents around a use case: which services use it and how many agents, the training sessions and
who attended (evidence of the AI-literacy duty, AI Act art. 4), and the agents' feedback per period on
the suggestions they receive. Overrides and their reasons feed outcome monitoring: the override rate of
a period is the agents' own count, and the share set aside because the suggestion was wrong reads apart."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from monitoring.alerts import evaluate_alerts, thresholds_for_level
from monitoring.feedback import override_rate_from_feedback
from policies.vocabulary import Action, OverrideReason, Principal
from portal.db.models import AgentFeedback, MonitoringOutcome, TrainingSession, UserGroup
from portal.repositories import people_use as repo
from portal.services import audit, editing
from portal.services.errors import StaleEdit
from portal.services.field_types import OptLongText, OptText200, Text200
from portal.services.validation import validate

if TYPE_CHECKING:
    from portal.services.monitoring import MonitoringService

LITERACY = "OBL-AIA-LITERACY"
FEEDBACK_LABEL = "Retours des agents"
PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
GROUP_LABELS = {"service": "Service", "agents": "Nombre d'agents"}
TRAINING_LABELS = {"held_on": "Date de la session", "title": "Intitulé", "trainer": "Formateur",
                   "service": "Service", "attendees": "Participants", "hours": "Durée (heures)"}
FEEDBACK_LABELS = {"period": "Période (aaaa-mm)", "service": "Service", "n_suggestions": "Suggestions reçues",
                   "n_useful": "Suggestions utiles", "n_wrong": "Suggestions erronées",
                   "n_overridden": "Suggestions écartées par l'agent", "override_reasons": "Raisons des écarts",
                   "comment": "Commentaire"}
STALE = ("Ces données ont été modifiées par quelqu'un d'autre depuis leur affichage : rechargez la page, "
         "rien n'a été enregistré.")
Count = Annotated[int, Field(ge=0, le=10_000_000)]


def check_period(value: str) -> str:
    value = (value or "").strip()
    if not PERIOD.match(value):
        raise ValueError(f"période attendue au format aaaa-mm, par exemple 2026-03 (reçu : « {value} »)")
    return value


class GroupFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    service: Text200
    agents: Count


class TrainingFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    held_on: dt.date
    title: Text200
    trainer: OptText200 = None
    service: OptText200 = None
    attendees: Annotated[list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                               max_length=200)]], Field(min_length=1, max_length=500)]
    hours: Annotated[float, Field(gt=0, le=200)] | None = None


class FeedbackFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    period: str
    service: Text200
    n_suggestions: Count
    n_useful: Count
    n_wrong: Count
    n_overridden: Count
    override_reasons: dict[OverrideReason, Count] = Field(default_factory=dict)
    comment: OptLongText = None

    _period = field_validator("period")(classmethod(lambda cls, v: check_period(v)))

    @model_validator(mode="after")
    def _consistent(self) -> FeedbackFields:
        if self.n_useful + self.n_wrong > self.n_suggestions:
            raise ValueError("suggestions utiles et erronées ensemble dépassent les suggestions reçues")
        if self.n_overridden > self.n_suggestions:
            raise ValueError("plus de suggestions écartées que de suggestions reçues")
        given = sum(self.override_reasons.values())
        if given != self.n_overridden:
            raise ValueError(f"les raisons des écarts totalisent {given} pour {self.n_overridden} suggestion(s) "
                             "écartée(s) : donnez la raison de chaque écart")
        return self


@dataclass(frozen=True)
class GroupView:
    id: int
    service: str
    agents: int
    version: int


@dataclass(frozen=True)
class TrainingView:
    id: int
    held_on: dt.date
    title: str
    trainer: str | None
    service: str | None
    attendees: tuple[str, ...]
    hours: float | None


@dataclass(frozen=True)
class FeedbackView:
    id: int
    period: str
    service: str
    n_suggestions: int
    n_useful: int
    n_wrong: int
    n_overridden: int
    override_reasons: dict[str, int]
    comment: str | None
    version: int

    @property
    def useful_rate(self) -> float | None:
        return self.n_useful / self.n_suggestions if self.n_suggestions else None


@dataclass(frozen=True)
class AdoptionView:
    groups: list[GroupView]
    trainings: list[TrainingView]
    feedback: list[FeedbackView]
    overrides: pd.DataFrame = field(default_factory=pd.DataFrame)  # per period: rate, wrong_rate, reasons

    @property
    def agents(self) -> int:
        return sum(g.agents for g in self.groups)

    @property
    def trained(self) -> int:
        return len({a.casefold() for t in self.trainings for a in t.attendees})


class AdoptionService(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session],
                 monitoring: MonitoringService | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self._monitoring = monitoring

    # --- reads -----------------------------------------------------------------------------------

    def of(self, use_case_id: int) -> AdoptionView:
        with self._reader() as s:
            self._use_case(s, use_case_id)
            groups = [GroupView(g.id, g.service, g.agents, g.version) for g in repo.user_groups(s, use_case_id)]
            trainings = [TrainingView(t.id, t.held_on, t.title, t.trainer, t.service, tuple(t.attendees or ()),
                                      t.hours) for t in repo.trainings(s, use_case_id)]
            feedback = [_feedback_view(f) for f in repo.feedback(s, use_case_id)]
        frame = pd.DataFrame([{"period": f.period, "n_suggestions": f.n_suggestions, "n_overridden": f.n_overridden,
                               "override_reasons": f.override_reasons} for f in feedback],
                             columns=["period", "n_suggestions", "n_overridden", "override_reasons"])
        return AdoptionView(groups, trainings, feedback, override_rate_from_feedback(frame).table)

    def totals(self, use_case_ids: Sequence[int] | None = None) -> dict[int, dict[str, int]]:
        """use case id -> agents, services, training sessions (grouped queries, for the portfolio)."""
        with self._reader() as s:
            return repo.adoption_totals(s, use_case_ids)

    # --- writes ----------------------------------------------------------------------------------

    def set_user_group(self, principal: Principal, use_case_id: int, data: dict[str, Any],
                       expected_version: int | None = None) -> GroupView:
        """Record (or correct) how many agents of a service use the use case; audited."""
        with self._write(principal, use_case_id) as s:
            fields = validate(GroupFields, data, GROUP_LABELS)
            row = repo.user_group(s, use_case_id, fields.service)
            if row is None:
                row = UserGroup(use_case_id=use_case_id, **fields.model_dump())
                s.add(row)
                s.flush()
                audit.append(s, principal, "create", "user_group", row.id, use_case_id=use_case_id,
                             after=fields.model_dump())
            else:
                _check(row.version, expected_version)
                before = {"agents": row.agents}
                row.agents = fields.agents
                s.flush()
                audit.append(s, principal, "update", "user_group", row.id, use_case_id=use_case_id,
                             before=before, after={"agents": fields.agents})
            return GroupView(row.id, row.service, row.agents, row.version)

    def record_training(self, principal: Principal, use_case_id: int, data: dict[str, Any]) -> int:
        """Record a training session and who attended; it becomes evidence of the use case's AI-literacy
        obligation (when governance derived one). Audited. Returns the session's number."""
        with self._write(principal, use_case_id) as s:
            fields = validate(TrainingFields, data, TRAINING_LABELS)
            row = TrainingSession(use_case_id=use_case_id, recorded_by_id=principal.person_id or None,
                                  **fields.model_dump())
            s.add(row)
            s.flush()
            after = fields.model_dump(mode="json")
            audit.append(s, principal, "create", "training_session", row.id, use_case_id=use_case_id, after=after)
            self._literacy_evidence(s, principal, use_case_id, row, after)
            return row.id

    def record_feedback(self, principal: Principal, use_case_id: int, data: dict[str, Any],
                        expected_version: int | None = None) -> FeedbackView:
        """Record (or correct) the agents' feedback of a service for a period, then feed the period's
        override rate (all services) into outcome monitoring, raising an alert above the threshold."""
        thresholds = self._thresholds(use_case_id)
        with self._write(principal, use_case_id) as s:
            fields = validate(FeedbackFields, data, FEEDBACK_LABELS)
            values = fields.model_dump(mode="json")
            row = repo.feedback_row(s, use_case_id, fields.period, fields.service)
            if row is None:
                row = AgentFeedback(use_case_id=use_case_id, recorded_by_id=principal.person_id or None, **values)
                s.add(row)
                verb, before = "create", None
            else:
                _check(row.version, expected_version)
                before = {k: getattr(row, k) for k in values}
                for k, v in values.items():
                    setattr(row, k, v)
                verb = "update"
            s.flush()
            report = self._feed_outcomes(s, principal, use_case_id, fields.period, thresholds)
            latest = report.latest() or {}
            audit.append(s, principal, verb, "agent_feedback", row.id, use_case_id=use_case_id, before=before,
                         after=values, details={"override_rate": _finite(latest.get("override_rate")),
                                                "wrong_rate": _finite(latest.get("wrong_rate"))})
            return _feedback_view(row)

    # --- helpers ---------------------------------------------------------------------------------

    @contextmanager
    def _write(self, principal: Principal, use_case_id: int) -> Iterator[Session]:
        """A write transaction on a use case the caller may record adoption on (checked before anything
        is validated); a row changed concurrently reads as the French StaleEdit."""
        try:
            with self._writer.begin() as s:
                editing.owned_use_case(s, principal, use_case_id, Action.RECORD_ADOPTION)
                yield s
        except StaleDataError:
            raise StaleEdit(STALE) from None

    def _thresholds(self, use_case_id: int) -> Any:
        mon = self._monitoring
        if mon is None:
            return None
        if mon.config(use_case_id):
            return mon.thresholds(use_case_id)[0]
        return thresholds_for_level(mon.level_of(use_case_id).level)

    def _feed_outcomes(self, s: Session, principal: Principal, use_case_id: int, period: str,
                       thresholds: Any) -> Any:
        """Write the period's override rate on its overall outcome rows (or add one), alert if above."""
        rows = repo.feedback_of_period(s, use_case_id, period)
        frame = pd.DataFrame([{"period": r.period, "n_suggestions": r.n_suggestions, "n_overridden": r.n_overridden,
                               "override_reasons": r.override_reasons} for r in rows])
        report = override_rate_from_feedback(frame)
        latest = report.latest() or {}
        rate = _finite(latest.get("override_rate"))
        outcomes = [o for o in repo_outcomes(s, use_case_id, period) if o.territory is None]
        for o in outcomes:
            o.override_rate = rate
        if not outcomes:
            uc = self._use_case(s, use_case_id)
            s.add(MonitoringOutcome(use_case_id=use_case_id, batch_label=FEEDBACK_LABEL, period=period, kind="override",
                                    n=int(latest.get("n") or 0), override_rate=rate, kpi_baseline=uc.kpi_baseline,
                                    kpi_target=uc.kpi_target, created_by_id=principal.person_id or None))
        s.flush()
        if thresholds is not None and self._monitoring is not None:
            specs = evaluate_alerts(thresholds, outcomes=[report])
            if specs:
                # the monitoring service owns alerts: raised in this same transaction, audited there
                self._monitoring._raise_alerts(s, principal, self._use_case(s, use_case_id), specs, run_id=None)
        return report

    def _literacy_evidence(self, s: Session, principal: Principal, use_case_id: int, row: TrainingSession,
                           after: dict[str, Any]) -> None:
        record = repo.applicable_obligation(s, use_case_id, LITERACY)
        if record is None:
            return
        from portal.db.models import ObligationEvidence

        names = ", ".join(row.attendees[:20]) + (" …" if len(row.attendees) > 20 else "")
        note = (f"Formation « {row.title} » du {row.held_on.strftime('%d/%m/%Y')} : {len(row.attendees)} "
                f"participant(s) ({names}).")
        digest = hashlib.sha256(audit.canonical(after).encode("utf-8")).hexdigest()
        s.add(ObligationEvidence(obligation_record_id=record.id, kind="training", sha256=digest, note=note,
                                 added_by_id=principal.person_id, added_by_name=principal.display_name))
        s.flush()
        audit.append(s, principal, "add_evidence", "obligation", record.id, use_case_id=use_case_id,
                     after={"obligation_id": LITERACY, "training_session_id": row.id, "sha256": digest})


def repo_outcomes(s: Session, use_case_id: int, period: str) -> list[MonitoringOutcome]:
    return list(repo.outcomes_of_period(s, use_case_id, period))


def _check(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise StaleEdit(STALE)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _feedback_view(f: AgentFeedback) -> FeedbackView:
    return FeedbackView(f.id, f.period, f.service, f.n_suggestions, f.n_useful, f.n_wrong, f.n_overridden,
                        dict(f.override_reasons or {}), f.comment, f.version)
