"""The register: create and edit use cases, their data sources and their risks."""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from policies.access import require
from policies.vocabulary import Action, Principal, Role, Stage, risk_level
from portal.db.models import DataSource, Risk, UseCase
from portal.repositories import people as people_repo
from portal.repositories import register as repo
from portal.services import audit, editing
from portal.services.errors import InvalidInput, NotFound
from portal.services.schemas import (
    DATA_SOURCE_LABELS,
    PARAMETER_LABELS,
    RISK_LABELS,
    SHEET_LABELS,
    STORED_ROW,
    TRANSPARENCY_LABELS,
    USE_CASE_LABELS,
    DataSourceFields,
    DataSourceView,
    RiskFields,
    RiskView,
    SheetFields,
    TransparencyFields,
    UseCaseFields,
    UseCaseView,
    transparency_fields_of,
)
from portal.services.validation import validate

#: Reading a stored row back: a legal basis written before the list of art. 6(1) is accepted.
_STORED = {"kept_legal_basis": STORED_ROW}


@dataclass(frozen=True)
class RegisterFilter:
    text: str | None = None
    families: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    directions: tuple[str, ...] = ()
    lead_id: int | None = None


class UseCaseChoice(NamedTuple):
    id: int
    reference: str
    title: str
    lead_id: int | None


@dataclass(frozen=True)
class AttentionItem:
    """Something a person should look at, with the use case it concerns."""

    use_case_id: int
    reference: str
    title: str
    message: str
    severity: str = "info"  # info, warning, error


@dataclass
class PortfolioSummary:
    total: int
    by_stage: dict[str, int] = field(default_factory=dict)
    by_family: dict[str, int] = field(default_factory=dict)
    build_cost: float = 0.0
    run_cost_per_year: float = 0.0


def _row(obj: Any, fields: dict[str, Any]) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in fields}


def _stale(kind: str) -> str:
    """The message of a stale edit of ``kind`` (« Ce risque »…)."""
    return (f"{kind} a été modifié(e) par quelqu'un d'autre depuis que vous l'avez ouvert(e). "
            "Vos changements n'ont pas été enregistrés : rechargez la fiche, puis appliquez-les à nouveau.")


class RegisterService(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    # ---- reads ----------------------------------------------------------------------------

    def _view(self, uc: UseCase, names: dict[int, str]) -> UseCaseView:
        view = UseCaseView.model_validate(uc)
        return view.model_copy(
            update={
                "sponsor_name": names.get(uc.sponsor_id) if uc.sponsor_id else None,
                "lead_name": names.get(uc.lead_id) if uc.lead_id else None,
            }
        )

    def list(self, flt: RegisterFilter | None = None) -> list[UseCaseView]:
        flt = flt or RegisterFilter()
        with self._reader() as s:
            names = repo.person_names(s)
            rows = repo.search(
                s, text=flt.text, families=flt.families, stages=flt.stages, directions=flt.directions,
                lead_id=flt.lead_id,
            )
            return [self._view(uc, names) for uc in rows]

    def get(self, use_case_id: int) -> UseCaseView:
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            return self._view(uc, repo.person_names(s))

    def get_by_reference(self, reference: str) -> UseCaseView:
        with self._reader() as s:
            uc = repo.by_reference(s, reference)
            if uc is None:
                raise NotFound(f"Cas d'usage « {reference} » introuvable.")
            uc_id = uc.id
        return self.get(uc_id)

    def count(self) -> int:
        """How many use cases the register holds."""
        with self._reader() as s:
            return repo.count(s)

    def directions(self) -> builtins.list[str]:
        with self._reader() as s:
            return repo.directions(s)

    def page(self, flt: RegisterFilter | None = None, offset: int = 0,
             limit: int = 50) -> tuple[builtins.list[UseCaseView], int]:
        """One page of the register (filters applied in SQL) and how many use cases match in all."""
        flt = flt or RegisterFilter()
        filters = {"text": flt.text, "families": flt.families, "stages": flt.stages,
                   "directions": flt.directions, "lead_id": flt.lead_id}
        with self._reader() as s:
            names = repo.person_names(s)
            rows = repo.search(s, **filters, offset=offset, limit=limit)  # type: ignore[arg-type]
            return [self._view(uc, names) for uc in rows], repo.count_filtered(s, **filters)

    def count_matching(self, flt: RegisterFilter | None = None) -> int:
        """How many use cases the filters let through (counted in the database)."""
        flt = flt or RegisterFilter()
        with self._reader() as s:
            return repo.count_filtered(s, text=flt.text, families=flt.families, stages=flt.stages,
                                       directions=flt.directions, lead_id=flt.lead_id)

    def choices(self) -> builtins.list[UseCaseChoice]:
        """Every use case as a selector needs it (id, reference, title, lead), by reference: one light
        query, not the full views with their sources and risks."""
        with self._reader() as s:
            return [UseCaseChoice(*row) for row in repo.choices(s)]

    def choices_named(self, references: Sequence[str], *,
                      lead_id: int | None = None) -> builtins.list[UseCaseChoice]:
        """The use cases named by ``references`` that exist (led by ``lead_id`` when given), in that order."""
        with self._reader() as s:
            return [UseCaseChoice(*row) for row in repo.choices_by_reference(s, references, lead_id)]

    def choices_of(self, ids: Sequence[int]) -> builtins.list[UseCaseChoice]:
        """The use cases ``ids`` as a selector or a table's column needs them, by reference."""
        with self._reader() as s:
            return [UseCaseChoice(*row) for row in repo.choices_by_id(s, ids)]

    def find_choices(self, text: str, *, lead_id: int | None = None, limit: int = 50) -> builtins.list[UseCaseChoice]:
        """The use cases whose reference or title holds every word of ``text``, by reference, ``limit`` at
        most (led by ``lead_id`` when given): a selector's search over the whole register."""
        with self._reader() as s:
            return [UseCaseChoice(*row) for row in repo.find_choices(s, text, limit, lead_id)]

    def short_choices(self, *, recent: Sequence[str] = (), own_id: int | None = None,
                      prefer_ids: Sequence[int] | None = None, lead_id: int | None = None,
                      limit: int = 50) -> builtins.list[UseCaseChoice]:
        """A selector's list before any search, ``limit`` at most: the ``recent`` references, then the cases
        ``own_id`` leads, then those among ``prefer_ids``, then the first by reference (each led by
        ``lead_id`` when given). A few small indexed queries, never the whole register."""
        out: dict[int, UseCaseChoice] = {}

        def add(rows: builtins.list[tuple[int, str, str, int | None]]) -> None:
            for row in rows:
                if len(out) < limit:
                    out.setdefault(row[0], UseCaseChoice(*row))

        with self._reader() as s:
            add(repo.choices_by_reference(s, builtins.list(recent), lead_id))
            if own_id is not None and lead_id in (None, own_id) and len(out) < limit:
                add(repo.first_choices(s, limit, lead_id=own_id))
            if prefer_ids and len(out) < limit:
                add(repo.first_choices(s, limit, lead_id=lead_id, ids=prefer_ids))
            if len(out) < limit:
                add(repo.first_choices(s, limit, lead_id=lead_id))
        return builtins.list(out.values())

    def summary(self) -> PortfolioSummary:
        with self._reader() as s:
            totals = repo.totals(s)
        out = PortfolioSummary(total=sum(n for _, _, n, _, _ in totals))
        for stage, family, n, build, run in totals:
            out.by_stage[stage] = out.by_stage.get(stage, 0) + n
            out.by_family[family] = out.by_family.get(family, 0) + n
            if stage != Stage.RETIRED.value:
                out.build_cost += float(build or 0.0)
                out.run_cost_per_year += float(run or 0.0)
        return out

    def attention(self, principal: Principal, today: dt.date | None = None) -> builtins.list[AttentionItem]:
        """What needs this person's attention in the register, most urgent first: only the rows that
        call for it are read (pilots ending, unmitigated high risks, sources without legal ground)."""
        today = today or dt.date.today()
        items: list[AttentionItem] = []
        lead = principal.person_id if principal.roles == frozenset({Role.PROJECT_LEAD}) else None
        with self._reader() as s:
            for uc_id, ref, title, end in repo.ending_pilots(s, today + dt.timedelta(days=30), lead):
                days = (end - today).days
                items.append(AttentionItem(uc_id, ref, title, f"Expérimentation échue depuis {-days} jour(s) : "
                                           "évaluation attendue.", "error") if days < 0 else
                             AttentionItem(uc_id, ref, title, f"Expérimentation se terminant dans {days} jour(s).",
                                           "warning"))
            if principal.has(Role.COMPLIANCE, Role.PROJECT_LEAD, Role.ADMIN, Role.DIRECTOR):
                for uc_id, ref, title, likelihood, severity, description in repo.unmitigated_risks(s, 10, lead):
                    band = "critique" if risk_level(likelihood, severity) == "critical" else "élevé"
                    items.append(AttentionItem(uc_id, ref, title, f"Risque {band} sans mesure d'atténuation : "
                                               f"« {description[:80]} ».", "error"))
                for uc_id, ref, title, name, no_basis, no_exception in repo.unfounded_sources(s, lead):
                    if no_basis:
                        items.append(AttentionItem(uc_id, ref, title, f"Source « {name} » : données personnelles "
                                                   "sans base légale.", "warning"))
                    if no_exception:
                        items.append(AttentionItem(uc_id, ref, title, f"Source « {name} » : données sensibles sans "
                                                   "exception de l'art. 9(2) RGPD.", "warning"))
        order = {"error": 0, "warning": 1, "info": 2}
        return sorted(items, key=lambda i: (order[i.severity], i.reference))

    # ---- use cases ------------------------------------------------------------------------

    def create(self, principal: Principal, data: dict[str, Any], *, today: dt.date | None = None) -> UseCaseView:
        return self.get(self.create_many(principal, [(data, None)], today=today)[0])

    def create_many(self, principal: Principal, items: builtins.list[tuple[dict[str, Any], dict[str, Any] | None]], *,
                    today: dt.date | None = None,
                    then: Callable[[Session, builtins.list[int]], None] | None = None) -> builtins.list[int]:
        """Create every use case of ``items`` (fields, audit details) in one transaction, all or nothing;
        each creation is audited with its details (an import names its file and line). Returns the ids.
        The fields may include the « Transparence » section's (:class:`TransparencyFields`). ``then`` runs
        in the same transaction with the new ids (a need turned into an idea is linked to it there)."""
        require(principal, Action.CREATE_USE_CASE)
        validated = [(validate(SheetFields, data, SHEET_LABELS | PARAMETER_LABELS), details)
                     for data, details in items]
        ids: list[int] = []
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)  # the reference number is read then written: serialise creators
            year = (today or dt.date.today()).year
            for fields, details in validated:
                self._check_people(s, fields)
                uc = UseCase(
                    reference=repo.next_reference(s, year),
                    stage=Stage.IDEA.value,
                    created_by_id=principal.person_id or None,
                    lead_id=fields.lead_id if fields.lead_id is not None else _default_lead(principal),
                    **fields.model_dump(exclude={"lead_id"}),
                )
                s.add(uc)
                s.flush()
                # the transparency section is audited only where the creation fills it
                empty = {k for k, v in fields.model_dump(include=set(TransparencyFields.model_fields)).items()
                         if v in (None, [])}
                after = fields.model_dump(mode="json", exclude=empty) | {"reference": uc.reference,
                                                                          "lead_id": uc.lead_id}
                audit.append(s, principal, "create", "use_case", uc.id, use_case_id=uc.id, after=after,
                             details=details)
                ids.append(uc.id)
            if then is not None:
                then(s, ids)
        return ids

    def update(self, principal: Principal, use_case_id: int, expected_version: int,
               data: dict[str, Any]) -> UseCaseView:
        with editing.edit(self._writer, principal, Action.EDIT_USE_CASE,
                          load=lambda s: repo.get(s, use_case_id),
                          not_found=editing.use_case_not_found(use_case_id),
                          use_case=lambda s, uc: uc, stale=_stale("Ce cas d'usage")) as e:
            s, uc = e.session, e.row
            fields = validate(UseCaseFields, data, USE_CASE_LABELS)
            clears_lead = uc.lead_id is not None and fields.lead_id is None
            if clears_lead:  # the case would be nobody's own: a decision of the direction
                require(principal, Action.CLEAR_LEAD)
            e.check_version(expected_version)
            self._check_people(s, fields)
            before_all = UseCaseFields.model_validate(_row(uc, UseCaseFields.model_fields)).model_dump(mode="json")
            after_all = fields.model_dump(mode="json")
            if not audit.diff(before_all, after_all)[1]:  # nothing changed: nothing written
                return self._view(uc, repo.person_names(s))
            for k, v in fields.model_dump().items():
                setattr(uc, k, v)
            s.flush()
            e.record_change("clear_lead" if clears_lead else "update", "use_case", uc.id, before_all, after_all)
        return self.get(use_case_id)

    def update_transparency(self, principal: Principal, use_case_id: int, expected_version: int,
                            data: dict[str, Any]) -> UseCaseView:
        """Save the sheet's « Transparence » section (every field of :class:`TransparencyFields`, given
        whole): same role, version check and audited difference as :meth:`update`."""
        with editing.edit(self._writer, principal, Action.EDIT_USE_CASE,
                          load=lambda s: repo.get(s, use_case_id),
                          not_found=f"Cas d'usage n° {use_case_id} introuvable.",
                          use_case=lambda s, uc: uc, stale=_stale("Ce cas d'usage")) as e:
            uc = e.row
            fields = validate(TransparencyFields, data, TRANSPARENCY_LABELS | PARAMETER_LABELS)
            e.check_version(expected_version)
            before_all = TransparencyFields.model_validate(transparency_fields_of(uc)).model_dump(mode="json")
            after_all = fields.model_dump(mode="json")
            if not audit.diff(before_all, after_all)[1]:  # nothing changed: nothing written
                return self._view(uc, repo.person_names(e.session))
            for k, v in fields.model_dump().items():
                setattr(uc, k, v or None if k in ("parameters", "operations") else v)
            e.session.flush()
            e.record_change("update", "use_case", uc.id, before_all, after_all)
        return self.get(use_case_id)

    def _check_people(self, s: Session, fields: UseCaseFields) -> None:
        problems = []
        for name in ("sponsor_id", "lead_id"):
            pid = getattr(fields, name)
            if pid is not None and people_repo.get(s, pid) is None:
                problems.append(f"Champ « {USE_CASE_LABELS[name]} » : personne n° {pid} inconnue.")
        if problems:
            raise InvalidInput(problems)

    # ---- data sources -----------------------------------------------------------------------

    def add_data_source(self, principal: Principal, use_case_id: int, data: dict[str, Any]) -> DataSourceView:
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.MANAGE_DATA_SOURCES)
            fields = validate(DataSourceFields, data, DATA_SOURCE_LABELS)
            return DataSourceView.model_validate(_add(s, principal, uc, DataSource, fields, "data_source"))

    def _editing_source(self, principal: Principal, source_id: int) -> Any:
        return editing.edit(self._writer, principal, Action.MANAGE_DATA_SOURCES,
                            load=lambda s: repo.data_source(s, source_id),
                            not_found=f"Source de données n° {source_id} introuvable.",
                            use_case=lambda s, ds: self._use_case(s, ds.use_case_id),
                            stale=_stale("Cette source de données"))

    def update_data_source(self, principal: Principal, source_id: int, expected_version: int,
                           data: dict[str, Any]) -> DataSourceView:
        with self._editing_source(principal, source_id) as e:
            # a basis written before the list of art. 6(1) stays valid until it is changed
            fields = validate(DataSourceFields, data, DATA_SOURCE_LABELS,
                              context={"kept_legal_basis": e.row.legal_basis})
            e.check_version(expected_version)
            _apply(e, fields, "data_source")
            return DataSourceView.model_validate(e.row)

    def delete_data_source(self, principal: Principal, source_id: int, expected_version: int) -> None:
        with self._editing_source(principal, source_id) as e:
            _delete(e, expected_version, DataSourceFields, "data_source")

    # ---- risks ------------------------------------------------------------------------------

    def add_risk(self, principal: Principal, use_case_id: int, data: dict[str, Any]) -> RiskView:
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.MANAGE_RISKS)
            fields = validate(RiskFields, data, RISK_LABELS)
            self._check_owner(s, fields)
            return RiskView.model_validate(_add(s, principal, uc, Risk, fields, "risk"))

    def _editing_risk(self, principal: Principal, risk_id: int) -> Any:
        return editing.edit(self._writer, principal, Action.MANAGE_RISKS,
                            load=lambda s: repo.risk(s, risk_id), not_found=f"Risque n° {risk_id} introuvable.",
                            use_case=lambda s, risk: self._use_case(s, risk.use_case_id),
                            stale=_stale("Ce risque"))

    def update_risk(self, principal: Principal, risk_id: int, expected_version: int,
                    data: dict[str, Any]) -> RiskView:
        with self._editing_risk(principal, risk_id) as e:
            fields = validate(RiskFields, data, RISK_LABELS)
            e.check_version(expected_version)
            self._check_owner(e.session, fields)
            _apply(e, fields, "risk")
            return RiskView.model_validate(e.row)

    def delete_risk(self, principal: Principal, risk_id: int, expected_version: int) -> None:
        with self._editing_risk(principal, risk_id) as e:
            _delete(e, expected_version, RiskFields, "risk")

    def _check_owner(self, s: Session, fields: RiskFields) -> None:
        if fields.owner_id is not None and people_repo.get(s, fields.owner_id) is None:
            raise InvalidInput([f"Champ « {RISK_LABELS['owner_id']} » : personne n° {fields.owner_id} inconnue."])


def _add(s: Session, principal: Principal, uc: UseCase, row_type: type[Any], fields: BaseModel, kind: str) -> Any:
    """Add a data source or a risk to a use case, audited in the same transaction."""
    row = row_type(use_case_id=uc.id, **fields.model_dump())
    s.add(row)
    s.flush()
    audit.append(s, principal, "create", kind, row.id, use_case_id=uc.id, after=fields.model_dump(mode="json"))
    return row


def _apply(e: editing.Edit[Any], fields: BaseModel, kind: str) -> None:
    """Set a data source's or a risk's fields and audit those that changed."""
    before_all = type(fields).model_validate(_row(e.row, type(fields).model_fields),
                                             context=_STORED).model_dump(mode="json")
    for k, v in fields.model_dump().items():
        setattr(e.row, k, v)
    e.session.flush()
    e.record_change("update", kind, e.row.id, before_all, fields.model_dump(mode="json"))


def _delete(e: editing.Edit[Any], expected_version: int, model: type[BaseModel], kind: str) -> None:
    """Delete a data source or a risk at the version shown, keeping its fields in the audit event."""
    e.check_version(expected_version)
    before = model.model_validate(_row(e.row, model.model_fields), context=_STORED).model_dump(mode="json")
    row_id = e.row.id
    e.session.delete(e.row)
    e.record("delete", kind, row_id, before=before)


def _default_lead(principal: Principal) -> int | None:
    """A project lead who registers a use case leads it unless they name someone else."""
    return principal.person_id if principal.has(Role.PROJECT_LEAD) and principal.person_id else None
