"""The public register of algorithms (CRPA L312-1-3) and its open-data export.

Each entry follows the Etalab inventory fields ("fiche pratique : l'inventaire des principaux
traitements algorithmiques"): administration, service, contact, update date; name, purpose, how and
when the algorithm takes part in the decision, level of automation, legal bases; number of decisions
per year, public concerned; data processed, their sources and collection, type of algorithm. Vigie
adds the EU AI Act class and the published rules' address.

A compliance officer or an administrator *publishes* an entry: the record is built from the sheet and
the latest classification, then kept as a snapshot, so the public text changes only when someone
publishes again. An entry whose sheet changed since is flagged "à republier". Withdrawing keeps the
history. Every publication, withdrawal and export is an audited event.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from policies.access import require
from policies.vocabulary import Action, AiActClass, Principal, Stage
from portal.db.models import PublicRegisterEntry
from portal.repositories import governance as governance_repo
from portal.repositories import public_register as repo
from portal.repositories import register as register_repo
from portal.services import algoritmeregister, audit, editing, eurocities, organisation
from portal.services.audit import AuditService
from portal.services.cache import Followed
from portal.services.errors import InvalidInput
from portal.services.exports import ExportFile
from portal.services.governance import GovernanceService
from portal.services.register import RegisterService
from portal.services.schemas import ParameterFields, UseCaseView
from portal.services.spreadsheet import to_csv_bytes
from usecases import registry

#: The record's fields, in the Etalab inventory's order, with their French headings.
FIELDS: dict[str, str] = {
    "reference": "Référence",
    "administration": "Nom de l'administration concernée",
    "service": "Direction ou service porteur",
    "contact": "Contact",
    "updated_on": "Date de mise à jour des informations",
    "name": "Nom de l'algorithme",
    "domain": "Domaine d'action publique",
    "purpose": "Finalité de l'algorithme",
    "role_in_decision": "Comment et quand l'algorithme intervient dans la décision",
    "automation": "Niveau d'automatisation de la décision",
    "legal_bases": "Fondements juridiques",
    "decisions_per_year": "Nombre de décisions par an",
    "individual_decisions": "Fonde des décisions individuelles",
    "public_concerned": "Public concerné",
    "data": "Données traitées",
    "data_sources": "Source des données",
    "collection": "Mode de collecte des données",
    "algorithm_type": "Type d'algorithme",
    "provider": "Conception",
    "stage": "Étape",
    "ai_act_class": "Classe au règlement européen sur l'IA",
    "rules_url": "Règles publiées (adresse)",
    # the sheet's « Transparence » section: what the Eurocities standard and the Dutch register ask besides
    "keywords": "Mots-clés",
    "contact_phone": "Téléphone du contact",
    "proportionality": "Proportionnalité",
    "training_data": "Données d'entraînement",
    "data_bias": "Biais des données",
    "technical_description": "Description technique",
    "methods_and_models": "Méthodes et modèles",
    "parameters": "Paramètres traités et pondération",
    "operations": "Opérations effectuées",
    "performance": "Performance",
    "alternatives_considered": "Alternatives envisagées",
    "product_information": "Informations sur le produit",
    "codebase_url": "Code source (adresse)",
    "product_page": "Page du produit (adresse)",
    "dpia_summary": "Analyse d'impact relative à la protection des données (AIPD) : synthèse",
    "dpia_url": "AIPD (adresse)",
    "aia_summary": "Analyse d'impact algorithmique : synthèse",
    "aia_url": "Analyse d'impact algorithmique (adresse)",
    "monitoring_summary": "Suivi du fonctionnement",
    "rollback": "Retour arrière",
    "remark": "Remarque",
}
#: The record's fields copied as they are from the sheet's « Transparence » section.
TRANSPARENCY_TEXTS = ("contact_phone", "proportionality", "training_data", "data_bias", "technical_description",
                      "methods_and_models", "performance", "alternatives_considered", "product_information",
                      "codebase_url", "product_page", "dpia_summary", "dpia_url", "aia_summary", "aia_url",
                      "monitoring_summary", "rollback", "remark")
#: What a published entry may not leave empty (the CRPA mention and the Etalab fiche need them).
REQUIRED = ("administration", "service", "contact", "purpose", "role_in_decision", "automation")

#: What ``export`` produces (file name, type): Etalab fields in CSV or JSON, or the Eurocities standard v0.3.1.
EXPORT_FILES: dict[str, tuple[str, str]] = {
    "csv": ("registre-public-algorithmes.csv", "text/csv"),
    "json": ("registre-public-algorithmes.json", "application/json"),
    "eurocities_json": (f"registre-algorithmes-eurocities-v{eurocities.VERSION}.json", "application/json"),
    "eurocities_csv": (f"registre-algorithmes-eurocities-v{eurocities.VERSION}.csv", "text/csv"),
    # the Dutch Algorithm Register's publication standard
    "algoritmeregister_json": (f"algoritmeregister-v{algoritmeregister.VERSION}.json", "application/json"),
}
EXPORT_FORMATS = tuple(EXPORT_FILES)

#: What an audit event without a use case may change in every record: the collectivité's name and
#: contact (``organisation``), everything (a restore of the ``database``).
GLOBAL_ENTITIES = ("organisation", "database")

#: Stages at which the algorithm takes part in real decisions.
IN_USE = (Stage.PILOT, Stage.EVALUATION, Stage.DEPLOYED)

COLLECTION_FR = {"internal": "données produites par la collectivité", "partner": "données transmises par un partenaire",
                 "open_data": "données ouvertes"}


#: Rubriques written in sentences, checked for readability before publishing.
READABLE_FIELDS = ("purpose", "role_in_decision", "automation", "public_concerned", "data", "data_sources",
                   "collection", "legal_bases")


@dataclass(frozen=True)
class EntryView:
    use_case_id: int
    reference: str
    title: str
    published: bool
    record: dict[str, Any]
    published_at: dt.datetime | None
    published_by: str | None
    stale: bool  # the sheet or classification changed after the publication
    #: The CRPA questionnaire says the rules must be published (individual decisions, main processing)…
    crpa_publication: bool
    #: …and the algorithm is in use (pilot, evaluation, deployed): publication is due now.
    required: bool
    in_use: bool = False  # at a stage where it takes part in real decisions

    @property
    def listed(self) -> bool:
        """Whether the signed-in register lists it: published, due under the CRPA, or in use."""
        return self.published or self.crpa_publication or self.in_use

    @property
    def state(self) -> str:
        return state_of(self)


@dataclass(frozen=True)
class EntryRow:
    """A listed use case as the register's table shows it: no record built."""

    use_case_id: int
    reference: str
    title: str
    published: bool
    published_at: dt.datetime | None
    published_by: str | None
    stale: bool
    crpa_publication: bool
    required: bool

    @property
    def state(self) -> str:
        return state_of(self)


#: An entry's state in the register's table, in the order of its filter.
STATES = ("publiée", "à republier", "publication obligatoire", "obligatoire dès l'expérimentation", "non publiée")


def state_of(e: EntryView | EntryRow) -> str:
    if e.published:
        return "à republier" if e.stale else "publiée"
    if e.required:
        return "publication obligatoire"
    return "obligatoire dès l'expérimentation" if e.crpa_publication else "non publiée"


@dataclass(frozen=True)
class RegisterCounts:
    """The signed-in register's counters."""

    listed: int
    published: int
    required_not_published: int  # due under the CRPA and in use, not published
    stale: int  # published, the sheet or classification changed since: à republier


@dataclass(frozen=True)
class PublicRow:
    """A published snapshot as the public list shows it (the full record is read for the one opened)."""

    use_case_id: int
    reference: str
    name: str
    domain: str
    service: str
    automation: str
    published_at: dt.datetime


@dataclass(frozen=True)
class PublicEntry:
    """A published snapshot as the public sees it."""

    reference: str
    name: str
    record: dict[str, Any]
    first_published_at: dt.datetime
    published_at: dt.datetime


class PublicRegisterService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], register: RegisterService,
                 governance: GovernanceService, audit_service: AuditService,
                 module_of: Callable[[int], str | None] | None = None,
                 modules_of: Callable[[], dict[int, str]] | None = None) -> None:
        self._module_of = module_of
        self._modules_of = modules_of  # every bound module's title by use case, for records built in bulk
        self._shown_rows: tuple[dict[int, EntryRow], frozenset[int], list[tuple[str, EntryRow]]] | None = None
        self._public_sorted: tuple[dict[int, PublicRow], list[PublicRow]] | None = None
        self._public = Followed(reader, lambda s: self._public_rows(s, None), lambda s, rows, changed: {
            **{i: r for i, r in rows.items() if i not in changed}, **self._public_rows(s, sorted(changed))},
            everything=("database",))
        # kept per process, brought up to date from the audit trail: what the signed-in list shows
        self._listed = Followed(reader, lambda s: self._listed_rows(s, None), lambda s, rows, changed: {
            **{i: r for i, r in rows.items() if i not in changed}, **self._listed_rows(s, sorted(changed))},
            everything=("database",))
        self._stale = Followed(reader, lambda s: self._stale_of(s, None), lambda s, stale, changed: frozenset(
            (stale - changed) | self._stale_of(s, sorted(changed))), everything=GLOBAL_ENTITIES)
        self._reader = reader
        self._writer = writer
        self._register = register
        self._governance = governance
        self._audit = audit_service

    # ---- the record ------------------------------------------------------------------------------

    def record(self, use_case_id: int, today: dt.date | None = None) -> dict[str, Any]:
        """The entry as it would be published now, from the sheet and the latest classification."""
        uc = self._register.get(use_case_id)
        cl = self._governance.classification(use_case_id)
        sheet = self._governance.crpa_sheet(use_case_id)  # the collectivité's name and contact, set once
        module = self._module_of(uc.id) if self._module_of is not None else None
        return build_record(uc, cl.crpa_answers if cl else {}, (cl.result.get("crpa", {}) if cl else {}),
                            cl.risk_class if cl else None, sheet["administration"], sheet["contact"], module, today)

    def readability(self, principal: Principal, use_case_id: int) -> dict[str, pd.DataFrame] | None:
        """The readability module's tables (``texts``, ``suggestions``) on the entry's written rubriques,
        as it would be published now; ``None`` when no rubrique has a sentence to check."""
        require(principal, Action.PUBLISH_REGISTER)
        record = self.record(use_case_id)
        texts = pd.DataFrame([{"id": FIELDS[k], "title": FIELDS[k], "text": record[k]} for k in READABLE_FIELDS
                              if isinstance(record.get(k), str) and len(record[k].split()) >= 5])
        if texts.empty:
            return None
        module = registry.get("readability")
        return module.run({"texts": texts}, module.params_model()).tables

    def missing(self, use_case_id: int) -> list[str]:
        rec = self.record(use_case_id)
        return [f"{FIELDS[k]} : à renseigner (fiche ou questionnaire CRPA)." for k in REQUIRED if not rec.get(k)]

    def standard_gaps(self, entry: EntryView) -> dict[str, list[str]]:
        """The attributes the entry (as shown: published, or as it would be) leaves empty in the Eurocities
        standard and the Dutch register, by standard, for the page: the sheet's section to complete."""
        day = (entry.published_at or dt.datetime.now(dt.UTC)).date()
        registration = eurocities.registration(entry.record, first_published=day, last_published=day)
        dutch = algoritmeregister.algorithm(entry.record, first_published=day, last_published=day)
        return {f"Eurocities (version {eurocities.VERSION})": _french(eurocities.empty_fields(registration)),
                f"registre néerlandais (version {algoritmeregister.VERSION})": _french(algoritmeregister.missing(dutch))}

    # ---- publish and withdraw ----------------------------------------------------------------------

    def publish(self, principal: Principal, use_case_id: int, today: dt.date | None = None) -> EntryView:
        require(principal, Action.PUBLISH_REGISTER)
        uc = self._register.get(use_case_id)
        problems = []
        if uc.stage is Stage.IDEA:
            problems.append("Un cas d'usage au stade de l'idée n'est pas publié : il n'est utilisé pour aucune décision.")
        cl = self._governance.classification(use_case_id)
        if cl is not None and cl.risk_class.value == "prohibited":
            problems.append("Une pratique interdite (RIA art. 5) n'est jamais mise en œuvre, donc jamais publiée.")
        problems += self.missing(use_case_id)
        if problems:
            raise InvalidInput([f"{uc.reference} — publication impossible.", *problems])
        record = {k: v for k, v in self.record(use_case_id, today).items() if not k.startswith("_")}
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)
            row = PublicRegisterEntry(use_case_id=use_case_id, action="publish", record=record,
                                      created_by_id=principal.person_id, created_by_name=principal.display_name)
            s.add(row)
            s.flush()
            audit.append(s, principal, "publish", "public_register_entry", row.id, use_case_id=use_case_id,
                         after=record)
        return self.entry(use_case_id)

    def withdraw(self, principal: Principal, use_case_id: int, reason: str) -> EntryView:
        require(principal, Action.PUBLISH_REGISTER)
        reason = (reason or "").strip()
        if not reason:
            raise InvalidInput(["Motif du retrait : obligatoire."])
        reference = self._register.get(use_case_id).reference
        with self._writer.begin() as s:
            audit.repo.lock_chain(s)  # one writer at a time: the check below stays true until commit
            latest = repo.latest_entry_of(s, use_case_id)
            if latest is None or latest.action != "publish":
                raise InvalidInput([f"{reference} n'est pas publié au registre public."])
            row = PublicRegisterEntry(use_case_id=use_case_id, action="withdraw", record={}, reason=reason[:2000],
                                      created_by_id=principal.person_id, created_by_name=principal.display_name)
            s.add(row)
            s.flush()
            audit.append(s, principal, "withdraw", "public_register_entry", row.id, use_case_id=use_case_id,
                         details={"reason": row.reason})
        return self.entry(use_case_id)

    # ---- reading ----------------------------------------------------------------------------------

    def entry(self, use_case_id: int) -> EntryView:
        with self._reader() as s:
            editing.use_case_or_not_found(s, use_case_id)
            latest = repo.latest_entry_of(s, use_case_id)
        return self._view(self._register.get(use_case_id), latest)

    def listed_entry(self, reference: str) -> EntryView | None:
        """The full entry of the use case with this reference, when the register lists it (published, or
        due under the CRPA, or in use); None otherwise. Only this one record is built."""
        with self._reader() as s:
            uc = register_repo.by_reference(s, reference)
            use_case_id = uc.id if uc is not None else None
        if use_case_id is None:
            return None
        view = self.entry(use_case_id)
        return view if view.listed else None

    def entries(self) -> list[EntryView]:
        """Every use case that is published, or that the CRPA requires to publish, or is in use, each with
        its full record: thousands of records on a large portfolio; the page reads :meth:`listing`."""
        with self._reader() as s:
            latest = repo.latest_entries(s)
        return [view for uc in self._register.list() if (view := self._view(uc, latest.get(uc.id))).listed]

    def published(self) -> list[EntryView]:
        return [e for e in self.entries() if e.published]

    def _view(self, uc: UseCaseView, latest: PublicRegisterEntry | None) -> EntryView:
        now = self.record(uc.id)
        crpa_publication = bool(now.pop("_publication_required"))
        required = crpa_publication and uc.stage in IN_USE
        published = latest is not None and latest.action == "publish"
        stale = published and latest is not None and differs(now, latest.record)
        return EntryView(
            use_case_id=uc.id, reference=uc.reference, title=uc.title, published=published,
            record=dict(latest.record) if published and latest else now,
            published_at=latest.created_at if published and latest else None,
            published_by=latest.created_by_name if published and latest else None,
            stale=stale, crpa_publication=crpa_publication, required=required, in_use=uc.stage in IN_USE,
        )

    # ---- the register as a list: counted and paged in the database --------------------------------

    def counts(self) -> RegisterCounts:
        """The page's counters, added up over the listed use cases (:meth:`listing`'s rows, no record built)."""
        rows, stale = self._listed.get(), self.stale_ids()
        return RegisterCounts(listed=len(rows), published=sum(r.published for r in rows.values()),
                              required_not_published=sum(r.required and not r.published for r in rows.values()),
                              stale=len(stale))

    def listing(self, state: str | None = None, text: str | None = None, offset: int = 0,
                limit: int | None = None) -> tuple[list[EntryRow], int]:
        """One page of the listed use cases by reference (no record built), and how many match in all;
        ``state`` is one of :data:`STATES`, ``text`` searches references and titles."""
        wanted = (text or "").strip().lower()
        out = [r for key, r in self._shown() if (not wanted or wanted in key) and (state is None or r.state == state)]
        return out[offset:None if limit is None else offset + limit], len(out)

    def _shown(self) -> list[tuple[str, EntryRow]]:
        """(what the search reads, row) of every listed use case by reference, staleness applied; sorted
        again only when the kept rows or the stale set changed."""
        rows, stale = self._listed.get(), self.stale_ids()
        kept = self._shown_rows
        if kept is None or kept[0] is not rows or kept[1] is not stale:
            kept = (rows, stale, [(f"{r.reference}\n{r.title}".lower(), replace(r, stale=r.use_case_id in stale))
                                  for r in sorted(rows.values(), key=lambda r: r.reference)])
            self._shown_rows = kept
        return kept[2]

    def listing_count(self, state: str | None = None, text: str | None = None) -> int:
        return self.listing(state, text, 0, 0)[1]

    def _listed_rows(self, s: Session, ids: list[int] | None) -> dict[int, EntryRow]:
        """The listed use cases (of ``ids`` when given) as the table shows them, staleness aside."""
        out = {}
        for uc_id, reference, title, stage, action, at, by, crpa_publication in repo.listing(
                s, [st.value for st in IN_USE], ids):
            published = action == "publish"
            out[uc_id] = EntryRow(
                use_case_id=uc_id, reference=reference, title=title, published=published,
                published_at=at if published else None, published_by=by if published else None, stale=False,
                crpa_publication=bool(crpa_publication), required=bool(crpa_publication) and Stage(stage) in IN_USE)
        return out

    def stale_ids(self) -> frozenset[int]:
        """The published use cases whose record as it would be published now differs from the published
        snapshot. The first call rebuilds every published record, in bulk (a few queries a chunk, no query
        per use case); later calls rebuild only the records of the use cases that an audited write named
        since, or all of them after a write that concerns every record (the organisation's name or
        contact, a restore)."""
        return self._stale.get()

    def _stale_of(self, s: Session, ids: list[int] | None) -> frozenset[int]:
        """Which published use cases (of ``ids`` when given) are stale, their records rebuilt in bulk."""
        latest = {r.use_case_id: r.record for r in repo.latest_publications(s, ids)}
        now = self._records_now(s, list(latest))
        return frozenset(i for i, record in latest.items() if i in now and differs(now[i], record))

    def _records_now(self, s: Session, ids: list[int], chunk: int = 500) -> dict[int, dict[str, Any]]:
        """:meth:`record` of many use cases, read in chunks."""
        org = organisation.current(s)
        modules = self._modules_of() if self._modules_of is not None else None
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            classified = governance_repo.latest_crpa(s, part)
            sources: dict[int, list[dict[str, Any]]] = {}
            for d in register_repo.data_source_rows(s, part):
                sources.setdefault(d["use_case_id"], []).append(d)
            for row in register_repo.use_case_rows(s, part):  # plain rows: no ORM objects, no risks
                view = UseCaseView.model_validate({**row, "data_sources": sources.get(row["id"], [])})
                answers, crpa, risk_class = classified.get(view.id, ({}, {}, None))
                module = modules.get(view.id) if modules is not None else (
                    self._module_of(view.id) if self._module_of is not None else None)
                out[view.id] = build_record(
                    view, answers, crpa, AiActClass(risk_class) if risk_class else None,
                    (org.name if org else "") or answers.get("administration") or "",
                    (org.contact if org else "") or answers.get("contact") or "", module)
        return out

    # ---- open-data export -------------------------------------------------------------------------

    def public_entries(self) -> list[PublicEntry]:
        """What the public sees without signing in: the published snapshots only, by reference.

        Read straight from ``public_register_entry`` (the latest row of each use case, when it is a
        publication), never from the sheets, so nothing internal or unpublished can leak."""
        with self._reader() as s:
            latest = repo.latest_publications(s)
            first = repo.first_published(s)
        out = [PublicEntry(reference=str(r.record.get("reference") or ""), name=str(r.record.get("name") or ""),
                           record=dict(r.record), first_published_at=first[r.use_case_id], published_at=r.created_at)
               for r in latest]
        return sorted(out, key=lambda e: e.reference)

    def public_listing(self, domain: str | None = None) -> list[PublicRow]:
        """The published snapshots as the public list shows them, by reference, without their full
        records (read from the JSON in the database); ``domain`` narrows to one public policy domain."""
        rows = self._public.get()
        kept = self._public_sorted
        if kept is None or kept[0] is not rows:  # sorted again only when the kept rows changed
            kept = self._public_sorted = (rows, sorted(rows.values(), key=lambda r: r.reference))
        return [r for r in kept[1] if domain is None or r.domain == domain]

    def _public_rows(self, s: Session, ids: list[int] | None) -> dict[int, PublicRow]:
        return {i: PublicRow(use_case_id=i, published_at=at, **{
            k: str(v or "") for k, v in zip(repo.PUBLIC_COLUMNS, values, strict=True)})
            for i, at, *values in repo.public_rows(s, ids=ids)}

    def public_domains(self) -> list[str]:
        """The public policy domains of the published snapshots, for the public list's filter."""
        return sorted({r.domain for r in self.public_listing() if r.domain})

    def public_entry(self, reference: str) -> PublicEntry | None:
        """One published snapshot, by its published reference; None when nothing is published under it."""
        with self._reader() as s:
            found = repo.public_rows(s, reference)
            if not found:
                return None
            use_case_id = found[0][0]
            row = repo.latest_publication_of(s, use_case_id)
            first = repo.first_published(s, [use_case_id])
        if row is None:
            return None
        return PublicEntry(reference=str(row.record.get("reference") or ""), name=str(row.record.get("name") or ""),
                           record=dict(row.record), first_published_at=first[use_case_id], published_at=row.created_at)

    def public_export(self, fmt: str) -> ExportFile:
        """The open-data files for anyone, signed in or not. Not audited: the published register is
        public information, and a download by the public changes nothing (like a page view)."""
        return self._export_file(fmt)

    def export(self, principal: Principal, fmt: str) -> ExportFile:
        """The published entries as CSV (French headings, `;`), JSON (field codes), or in the
        Eurocities standard v0.3.1 (``eurocities_json``, ``eurocities_csv``); audited.
        The register is public: anyone signed in may download it."""
        require(principal, Action.EXPORT_REGISTER)
        out = self._export_file(fmt)
        self._audit.record(principal, "export", "public_register", fmt, details={"rows": out.rows, "format": fmt})
        return out

    def _export_file(self, fmt: str) -> ExportFile:
        if fmt not in EXPORT_FILES:
            raise InvalidInput([f"Format d'export inconnu : « {fmt} » ({', '.join(EXPORT_FORMATS)})."])
        # Every export reads the published snapshots only: what the public page shows, and cheap.
        entries = self.public_entries()
        records = [e.record for e in entries]
        if fmt == "csv":
            data = to_csv_bytes(pd.DataFrame(records, columns=list(FIELDS)).rename(columns=FIELDS))
        elif fmt == "algoritmeregister_json":
            algorithms = [algoritmeregister.algorithm(e.record, first_published=e.first_published_at.date(),
                                                      last_published=e.published_at.date()) for e in entries]
            data = json.dumps(algoritmeregister.document(algorithms), ensure_ascii=False, indent=2).encode("utf-8")
        else:
            registrations = [eurocities.registration(e.record, first_published=e.first_published_at.date(),
                                                     last_published=e.published_at.date())
                             for e in entries] if fmt.startswith("eurocities") else []
            if fmt == "eurocities_csv":
                data = to_csv_bytes(pd.DataFrame(registrations, columns=list(eurocities.ATTRIBUTES)))
            elif fmt == "eurocities_json":
                data = json.dumps({"standard": "Algorithmic Transparency Standard (Eurocities)",
                                   "standard_version": eurocities.VERSION, "registrations": registrations,
                                   # per registration (by uuid), the attributes the sheet leaves empty
                                   "empty_fields": {r["uuid"]: eurocities.empty_fields(r) for r in registrations}},
                                  ensure_ascii=False, indent=2).encode("utf-8")
            else:
                data = json.dumps({"schema": "Vigie — inventaire des algorithmes publics (champs Etalab)",
                                   "fields": FIELDS, "entries": records},
                                  ensure_ascii=False, indent=2, default=str).encode("utf-8")
        filename, mime = EXPORT_FILES[fmt]
        return ExportFile(filename, data, mime, len(entries))


def _blank(value: Any) -> Any:
    return None if value in (None, "") else value


def parameters_record(parameters: Iterable[ParameterFields]) -> str:
    """The parameters as the register publishes them: « nom (source : …, pondération : …) », one a line."""
    out = []
    for p in parameters:
        details = ", ".join(f"{label} : {value}" for label, value in (("source", p.source), ("pondération", p.weight))
                            if value)
        out.append(f"{p.name} ({details})" if details else p.name)
    return "\n".join(out)


def operations_record(operations: Iterable[str]) -> str:
    """The operations, numbered, one a line."""
    return "\n".join(f"{i}. {op}" for i, op in enumerate(operations, start=1))


def build_record(uc: UseCaseView, answers: dict[str, Any] | None, crpa: dict[str, Any] | None,
                 risk_class: AiActClass | None, administration: str, contact: str, module: str | None,
                 today: dt.date | None = None) -> dict[str, Any]:
    """The record of a use case as it would be published now: its sheet, its latest classification's CRPA
    answers, results and AI Act class (None when never classified), the collectivité's name and contact,
    the title of the bound analysis module. One use case or thousands, the same text."""
    answers = answers or {}
    crpa = crpa or {}
    return {
        "reference": uc.reference,
        "administration": administration,
        "service": " — ".join(p for p in (uc.direction, uc.service) if p),
        "contact": contact,
        "updated_on": (today or dt.date.today()).isoformat(),
        "name": uc.title,
        "domain": uc.domain.label if uc.domain else "",
        "purpose": uc.problem or "",
        "role_in_decision": uc.human_role or "",
        "automation": uc.automation.label if uc.automation else "",
        "legal_bases": "; ".join(sorted({d.legal_basis for d in uc.data_sources if d.legal_basis})),
        "decisions_per_year": uc.decisions_per_year,
        # a flag that triggers a check founds the decisions taken after it (CRPA-09)
        "individual_decisions": "oui" if answers.get("individual_decision") or answers.get("flags_for_checks")
        else "non",
        "public_concerned": uc.public_concerned or "",
        "data": "; ".join(d.name for d in uc.data_sources),
        "data_sources": "; ".join(sorted({d.producer for d in uc.data_sources if d.producer})),
        "collection": "; ".join(sorted({COLLECTION_FR.get(d.origin.value, d.origin.value)
                                        for d in uc.data_sources})),
        "algorithm_type": _algorithm_type(uc, module),
        "provider": _provider(uc),
        "stage": uc.stage.label,
        "ai_act_class": risk_class.label if risk_class is not None else "non classé",
        "rules_url": answers.get("rules_url") or "",
        "keywords": ", ".join(uc.tags),
        **{k: getattr(uc, k) or "" for k in TRANSPARENCY_TEXTS},
        "parameters": parameters_record(uc.parameters),
        "operations": operations_record(uc.operations),
        # a prohibited practice is never implemented, so there is nothing to publish
        "_publication_required": bool(crpa.get("publication_required")) and risk_class is not AiActClass.PROHIBITED,
    }


def differs(now: dict[str, Any], published: dict[str, Any]) -> bool:
    """Whether the record as it would be published now differs from the published snapshot (the update
    date aside); a field added to the record after the publication reads as empty, not as a change."""
    return any(_blank(now.get(k)) != _blank(published.get(k)) for k in FIELDS if k != "updated_on")


def _algorithm_type(uc: UseCaseView, module: str | None) -> str:
    if module:
        return f"modèle statistique ou d'apprentissage (module d'analyse « {module} »)"
    if uc.provider_name:
        return f"solution de {uc.provider_name} (type à préciser par le fournisseur)"
    return "à préciser"


def _provider(uc: UseCaseView) -> str:
    kind = uc.provider_type.label if uc.provider_type else ""
    return " — ".join(p for p in (kind, uc.provider_name or "") if p)


#: The French names of the export standards' attributes (Eurocities, Dutch register), for the page.
STANDARD_FIELDS_FR = {
    "standard_version": "version du standard", "uuid": "identifiant", "lang": "langue",
    "publication_date": "date de publication", "last_change_date": "date de dernière modification",
    "revision_date": "date de révision", "revision_note": "note de révision", "keywords": "mots-clés",
    "name": "nom", "organization": "organisation", "department": "direction", "country": "pays",
    "contact_email": "courriel de contact", "contact_phone": "téléphone du contact", "contact_name": "nom du contact",
    "description_short": "description courte", "website": "site web", "status": "statut", "remark": "remarque",
    "decision_making_process": "processus de décision", "domain": "domaine", "area": "territoire", "goal": "objectif",
    "impact": "impact", "risks": "risques", "risk_category": "catégorie de risque",
    "proportionality": "proportionnalité", "lawful_basis": "base légale", "documentation": "documentation",
    "training_data": "données d'entraînement", "source_data": "données sources", "data_bias": "biais des données",
    "connected_data_sources": "sources de données reliées", "DPIA_description": "AIPD : synthèse",
    "DPIA_url": "AIPD (adresse)", "description": "description technique", "algorithm_type": "type d'algorithme",
    "methods_and_models": "méthodes et modèles", "performance": "performance",
    "alternatives_considered": "alternatives envisagées", "product_information": "informations sur le produit",
    "codebase_url": "code source (adresse)", "product_page": "page du produit (adresse)",
    "AIA_description": "analyse d'impact algorithmique : synthèse", "AIA_url": "analyse d'impact algorithmique (adresse)",
    "type": "type", "monitoring": "suivi du fonctionnement", "human_intervention": "intervention humaine",
    "objection_procedure": "voies de recours", "rollback": "retour arrière", "category": "thème",
    "begin_date": "date de début", "end_date": "date de fin", "publication_category": "catégorie de publication",
    "url": "adresse", "lawful_basis_grouping": "base légale (regroupement)", "process_index_url": "registre des traitements (adresse)",
    "impacttoetsen": "analyses d'impact", "impacttoetsen_grouping": "analyses d'impact (regroupement)",
    "source_data_grouping": "données sources (regroupement)", "provider": "fournisseur",
    "publiccode": "description du code source public", "source_id": "référence", "tags": "mots-clés",
}


def _french(names: list[str]) -> list[str]:
    """Attribute names in French; « name (plus de 100 caractères) » keeps its note."""
    out = []
    for name in names:
        key, _, note = name.partition(" ")
        out.append(STANDARD_FIELDS_FR.get(key, key.replace("_", " ")) + (f" {note}" if note else ""))
    return out
