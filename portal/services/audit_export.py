"""The audit trail as a CSV or Excel file for compliance (filtered as on screen); the export is audited."""

from __future__ import annotations

import datetime as dt
from typing import Unpack

import pandas as pd

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.repositories.audit import AuditFilters
from portal.services.audit import AuditService
from portal.services.exports import XLSX_MIME, ExportFile
from portal.services.register import RegisterService
from portal.services.schemas import AuditEventView
from portal.services.spreadsheet import to_csv_bytes, to_xlsx_bytes

#: Exports are bounded so a request cannot exhaust the server; narrow the dates for more.
MAX_EXPORT_ROWS = 100_000

AUDIT_COLUMNS = ["N°", "Date (UTC)", "Par", "N° personne", "Action", "Objet", "N° objet", "Cas d'usage",
                 "Détail (avant/après)", "Empreinte précédente", "Empreinte"]


def audit_frame(events: list[AuditEventView], cases: dict[int, str]) -> pd.DataFrame:
    """One row per event; the hashes in full so the file can be checked against the chain."""
    rows = [{
        "N°": e.seq,
        "Date (UTC)": e.at.astimezone(dt.UTC).strftime("%d/%m/%Y %H:%M:%S"),
        "Par": e.actor_name,
        "N° personne": e.actor_id,
        "Action": e.action,
        "Objet": e.entity,
        "N° objet": e.entity_id,
        "Cas d'usage": cases.get(e.use_case_id, str(e.use_case_id)) if e.use_case_id else "",
        "Détail (avant/après)": e.payload,
        "Empreinte précédente": e.prev_hash,
        "Empreinte": e.hash,
    } for e in events]
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


class AuditExportService:
    def __init__(self, audit: AuditService, register: RegisterService) -> None:
        self._audit = audit
        self._register = register

    def export(self, principal: Principal, fmt: str, **filters: Unpack[AuditFilters]) -> ExportFile:
        """The trail as the audit page filters it, in CSV or Excel (at most MAX_EXPORT_ROWS events)."""
        require(principal, Action.VIEW_AUDIT)
        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"format d'export inconnu : {fmt}")
        events = self._audit.events(principal, **(filters | {"limit": MAX_EXPORT_ROWS}))
        cases = {c.id: f"{c.reference} — {c.title}" for c in self._register.choices()}
        df = audit_frame(events, cases)
        if fmt == "csv":
            out = ExportFile("journal-audit.csv", to_csv_bytes(df), "text/csv", len(df))
        else:
            out = ExportFile("journal-audit.xlsx", to_xlsx_bytes({"Journal d'audit": df}, title="Journal d'audit"),
                             XLSX_MIME, len(df))
        shown = {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in filters.items() if v is not None}
        self._audit.record(principal, "export", "audit_event", fmt,
                           details={"rows": len(df), "format": fmt, "filter": shown})
        return out
