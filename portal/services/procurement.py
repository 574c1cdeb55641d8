"""Bought and delegated AI: the contract and the supplier's documents, kept as evidence with their SHA-256.

Files go where the obligations' evidence goes (``evidence/uc<id>/`` under the data folder), through the
same allow-list of document types (:mod:`portal.services.evidence_types`). A document is never edited
or removed: a newer one of the same kind is added. The pilot and deployment gates of a high-risk bought
system read which kinds are on file (:mod:`policies.suppliers`, gates.yaml GATE-PIL-11 and GATE-DEP-07).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from policies import suppliers
from policies.vocabulary import Action, AiActClass, Principal
from portal.db.models import SupplierContract, SupplierDocument, UseCase
from portal.repositories import deployment as repo
from portal.repositories import governance as governance_repo
from portal.services import audit, editing
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.evidence_files import file_problems, read_stored, stored

STALE_CONTRACT = "Le contrat a été modifié par quelqu'un d'autre : rechargez la fiche."


@dataclass(frozen=True)
class ContractView:
    id: int
    use_case_id: int
    reference: str
    supplier: str
    start_date: dt.date
    end_date: dt.date | None
    renewal: str
    notice_days: int | None
    notes: str | None
    updated_by_name: str
    version: int

    @property
    def renewal_fr(self) -> str:
        return suppliers.RENEWALS.get(self.renewal, self.renewal)


@dataclass(frozen=True)
class SupplierDocumentView:
    id: int
    kind: str
    source: str  # file, link
    filename: str | None
    url: str | None
    sha256: str
    size: int | None
    reference: str | None
    note: str | None
    added_by_name: str
    added_at: dt.datetime

    @property
    def kind_fr(self) -> str:
        return suppliers.SUPPLIER_DOCUMENTS[self.kind][0]


@dataclass(frozen=True)
class ProcurementView:
    use_case_id: int
    bought: bool
    high_risk: bool
    contract: ContractView | None
    documents: list[SupplierDocumentView]
    missing: list[str]  # French names of the supplier's documents not on file

    @property
    def gates_check_documents(self) -> bool:
        return self.bought and self.high_risk


class ProcurementService(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], data_dir: Path) -> None:
        self._reader = reader
        self._writer = writer
        self.data_dir = Path(data_dir)

    def view(self, use_case_id: int) -> ProcurementView:
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            cl = governance_repo.latest_classification(s, uc.id)
            contract = repo.contract(s, uc.id)
            docs = [_document_view(d) for d in repo.documents(s, uc.id)]
            return ProcurementView(
                use_case_id=uc.id, bought=suppliers.is_bought(uc.provider_type),
                high_risk=bool(cl and cl.risk_class == AiActClass.HIGH.value),
                contract=_contract_view(contract) if contract else None, documents=docs,
                missing=suppliers.missing_documents(d.kind for d in docs),
            )

    def save_contract(self, principal: Principal, use_case_id: int, expected_version: int | None,
                      fields: dict[str, Any]) -> ContractView:
        """Create or edit the contract (reference, supplier, dates, renewal)."""
        with self._reader() as s:  # permission before validation
            self._owned_use_case(s, principal, use_case_id, Action.MANAGE_PROCUREMENT)
        clean = _contract_fields(fields)
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.MANAGE_PROCUREMENT)
            row = repo.contract(s, uc.id)
            if row is None:
                if expected_version:
                    raise StaleEdit(STALE_CONTRACT)
                row = SupplierContract(use_case_id=uc.id, updated_by_name=principal.display_name, **clean)
                s.add(row)
                s.flush()
                audit.append(s, principal, "create", "supplier_contract", row.id, use_case_id=uc.id, after=clean)
                return _contract_view(row)
            if expected_version is not None and row.version != expected_version:
                raise StaleEdit(STALE_CONTRACT)
            before = {k: getattr(row, k) for k in clean}
            for k, v in clean.items():
                setattr(row, k, v)
            row.updated_by_name = principal.display_name
            s.flush()
            b, a = audit.diff(before, clean)
            if a:
                audit.append(s, principal, "update", "supplier_contract", row.id, use_case_id=uc.id, before=b, after=a)
            return _contract_view(row)

    def add_document_file(self, principal: Principal, use_case_id: int, kind: str, filename: str, data: bytes, *,
                          reference: str | None = None, note: str | None = None) -> SupplierDocumentView:
        """Keep a supplier's document under the data folder with its SHA-256 (allow-listed types only)."""
        with self._reader() as s:  # permission before validation
            self._owned_use_case(s, principal, use_case_id, Action.MANAGE_PROCUREMENT)
        problems = _kind_problems(kind)
        problems += file_problems(filename, data)
        if problems:
            raise InvalidInput(problems)
        # the file is removed again if the row that points to it is not committed
        with stored(self.data_dir, use_case_id, filename, data) as f, self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.MANAGE_PROCUREMENT)
            row = SupplierDocument(use_case_id=uc.id, kind=kind, source="file", filename=f.filename,
                                   stored_path=f.stored_path, sha256=f.sha256, size=f.size,
                                   **_extra(reference, note), added_by_id=principal.person_id,
                                   added_by_name=principal.display_name)
            return self._added(s, principal, uc, row, {"file": row.filename, "size": f.size})

    def add_document_link(self, principal: Principal, use_case_id: int, kind: str, url: str, *,
                          reference: str | None = None, note: str | None = None) -> SupplierDocumentView:
        """A document the supplier publishes (e.g. the EU database's public page), kept as a link."""
        with self._reader() as s:  # permission before validation
            self._owned_use_case(s, principal, use_case_id, Action.MANAGE_PROCUREMENT)
        url = (url or "").strip()
        problems = _kind_problems(kind)
        if not re.fullmatch(r"https?://\S+", url) or len(url) > 1000:
            problems.append(f"Champ « Lien » : adresse web attendue (http:// ou https://) (reçu : « {url} »).")
        if problems:
            raise InvalidInput(problems)
        with self._writer.begin() as s:
            uc = self._owned_use_case(s, principal, use_case_id, Action.MANAGE_PROCUREMENT)
            row = SupplierDocument(use_case_id=uc.id, kind=kind, source="link", url=url,
                                   sha256=hashlib.sha256(url.encode("utf-8")).hexdigest(), **_extra(reference, note),
                                   added_by_id=principal.person_id, added_by_name=principal.display_name)
            return self._added(s, principal, uc, row, {"url": url})

    @staticmethod
    def _added(s: Session, principal: Principal, uc: UseCase, row: SupplierDocument,
               what: dict[str, Any]) -> SupplierDocumentView:
        s.add(row)
        s.flush()
        audit.append(s, principal, "add_document", "supplier_document", row.id, use_case_id=uc.id,
                     after={"kind": row.kind, "sha256": row.sha256, "reference": row.reference} | what)
        return _document_view(row)

    def document_file(self, document_id: int) -> tuple[str, bytes, bool]:
        """(file name, content, checksum still matches) of a supplier's document kept as a file."""
        with self._reader() as s:
            row = s.get(SupplierDocument, document_id)
            if row is None or row.source != "file" or not row.stored_path:
                raise NotFound(f"Document n° {document_id} introuvable.")
            data, intact = read_stored(self.data_dir, row.stored_path, row.sha256,
                                       f"Le fichier du document n° {document_id} est absent du dossier de données.")
            return row.filename or Path(row.stored_path).name, data, intact


def _kind_problems(kind: str) -> list[str]:
    if kind in suppliers.SUPPLIER_DOCUMENTS:
        return []
    names = " ; ".join(name for name, _ in suppliers.SUPPLIER_DOCUMENTS.values())
    return [f"Champ « Document » : valeur non prévue « {kind} » ; documents possibles : {names}."]


def _extra(reference: str | None, note: str | None) -> dict[str, str | None]:
    return {"reference": (reference or "").strip()[:200] or None, "note": (note or "").strip() or None}


def _bounded(fields: dict[str, Any], key: str, label: str, limit: int, problems: list[str]) -> str:
    value = str(fields.get(key) or "").strip()
    if not value:
        problems.append(f"Champ « {label} » : obligatoire.")
    elif len(value) > limit:
        problems.append(f"Champ « {label} » : {limit} caractères au plus.")
    return value


def _notice(raw: Any, problems: list[str]) -> int | None:
    if raw in ("", None):
        return None
    try:
        notice = int(str(raw).strip())
        if notice < 0:
            raise ValueError(notice)
        return notice
    except ValueError:
        problems.append(f"Champ « Préavis (jours) » : nombre entier de jours attendu (reçu : « {raw} »).")
        return None


def _contract_fields(fields: dict[str, Any]) -> dict[str, Any]:
    problems: list[str] = []
    reference = _bounded(fields, "reference", "Référence du contrat", 100, problems)
    supplier = _bounded(fields, "supplier", "Fournisseur ou délégataire", 200, problems)
    start, end = fields.get("start_date"), fields.get("end_date") or None
    if not isinstance(start, dt.date):
        problems.append("Champ « Début du contrat » : date obligatoire.")
    if end is not None and not isinstance(end, dt.date):
        problems.append("Champ « Fin du contrat » : date attendue.")
    elif isinstance(start, dt.date) and end is not None and end < start:
        problems.append("Champ « Fin du contrat » : ne peut pas précéder le début du contrat.")
    renewal = fields.get("renewal") or "none"
    if renewal not in suppliers.RENEWALS:
        problems.append(f"Champ « Reconduction » : valeur non prévue « {renewal} ».")
    notice = _notice(fields.get("notice_days"), problems)
    if problems:
        raise InvalidInput(problems)
    return {"reference": reference, "supplier": supplier, "start_date": start, "end_date": end, "renewal": renewal,
            "notice_days": notice, "notes": str(fields.get("notes") or "").strip() or None}


def _contract_view(row: SupplierContract) -> ContractView:
    return ContractView(id=row.id, use_case_id=row.use_case_id, reference=row.reference, supplier=row.supplier,
                        start_date=row.start_date, end_date=row.end_date, renewal=row.renewal,
                        notice_days=row.notice_days, notes=row.notes, updated_by_name=row.updated_by_name,
                        version=row.version)


def _document_view(row: SupplierDocument) -> SupplierDocumentView:
    return SupplierDocumentView(id=row.id, kind=row.kind, source=row.source, filename=row.filename, url=row.url,
                                sha256=row.sha256, size=row.size, reference=row.reference, note=row.note,
                                added_by_name=row.added_by_name, added_at=row.added_at)
