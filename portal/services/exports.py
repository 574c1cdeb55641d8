"""Exports of the register; each export is an audited event."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from policies.access import require
from policies.vocabulary import Action, Principal, risk_level
from portal.services.audit import AuditService
from portal.services.register import RegisterFilter, RegisterService
from portal.services.schemas import UseCaseView
from portal.services.spreadsheet import to_csv_bytes, to_xlsx_bytes

REGISTER_COLUMNS = {
    "reference": "Référence",
    "title": "Titre",
    "stage": "Étape",
    "family": "Famille",
    "direction": "Direction",
    "lead_name": "Chef de projet",
    "service": "Service",
    "sponsor_name": "Commanditaire",
    "provider": "Fournisseur",
    "automation": "Automatisation",
    "decisions_per_year": "Décisions par an",
    "personal_data": "Données personnelles",
    "high_risks": "Risques élevés ou critiques",
    "build_cost": "Coût de construction (€)",
    "run_cost_per_year": "Coût annuel (€)",
    "start_date": "Début",
    "end_date": "Fin",
    "tags": "Mots-clés",
}


def register_frame(views: list[UseCaseView]) -> pd.DataFrame:
    """One row per use case with French column names, as the register page and the exports show it."""
    rows = []
    for v in views:
        rows.append({
            "reference": v.reference,
            "title": v.title,
            "family": v.family.label,
            "direction": v.direction,
            "service": v.service or "",
            "stage": v.stage.label,
            "lead_name": v.lead_name or "",
            "sponsor_name": v.sponsor_name or "",
            "provider": (v.provider_type.label if v.provider_type else "")
            + (f" — {v.provider_name}" if v.provider_name else ""),
            "automation": v.automation.label if v.automation else "",
            "decisions_per_year": v.decisions_per_year,
            "personal_data": "oui" if any(d.personal_data for d in v.data_sources) else "non",
            "high_risks": sum(1 for r in v.risks if risk_level(r.likelihood, r.severity) in ("high", "critical")),
            "build_cost": v.build_cost,
            "run_cost_per_year": v.run_cost_per_year,
            "start_date": v.start_date,
            "end_date": v.end_date,
            "tags": ", ".join(v.tags),
        })
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS)).rename(columns=REGISTER_COLUMNS)


@dataclass(frozen=True)
class ExportFile:
    filename: str
    data: bytes
    mime: str
    rows: int


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportService:
    def __init__(self, register: RegisterService, audit: AuditService) -> None:
        self._register = register
        self._audit = audit

    def register(self, principal: Principal, fmt: str, flt: RegisterFilter | None = None) -> ExportFile:
        """The register (filtered as shown) as ``csv`` or ``xlsx``; the export is audited."""
        require(principal, Action.EXPORT_REGISTER)
        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"format d'export inconnu : {fmt}")
        df = register_frame(self._register.list(flt))
        if fmt == "csv":
            out = ExportFile("registre-ia.csv", to_csv_bytes(df), "text/csv", len(df))
        else:
            out = ExportFile(
                "registre-ia.xlsx",
                to_xlsx_bytes({"Registre": df}, title="Registre des cas d'usage d'IA",
                              number_formats={"Coût de construction (€)": "#,##0 €", "Coût annuel (€)": "#,##0 €"}),
                XLSX_MIME,
                len(df),
            )
        self._audit.record(principal, "export", "register", fmt, details={"rows": len(df), "format": fmt,
                                                                          "filter": _filter_dict(flt)})
        return out


def _filter_dict(flt: RegisterFilter | None) -> dict[str, object]:
    if flt is None:
        return {}
    return {k: v for k, v in flt.__dict__.items() if v}
