"""Portfolio exports: an Excel workbook (portfolio and scenarios) and the board report (HTML or PDF).

Both are built from the same frames as the pages (:class:`PortfolioService`), so the numbers agree;
every export is an audited event. User text is escaped in HTML and written as text in Excel.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from policies.access import require
from policies.prioritisation import charts as pcharts
from policies.prioritisation import compare
from policies.prioritisation._format import fr_eur, fr_number
from policies.prioritisation.scenario import BUDGET_BASIS_FR, STATUS_FR
from policies.vocabulary import Action, Principal
from portal.services.audit import AuditService
from portal.services.exports import XLSX_MIME, ExportFile
from portal.services.portfolio.fields import BENEFIT_LABELS, BUDGET_LABELS, RANKED_COLUMNS_FR, ScenarioOutcome
from portal.services.portfolio.service import PortfolioService
from portal.services.spreadsheet import to_xlsx_bytes

RANKED_ORDER = ["rank", "reference", "title", "stage", "family", "direction", "priority", "value", "feasibility",
                "risk_penalty", "risk_class", "impact_level", "cost", "build_cost", "run_cost_per_year",
                "effort_days", "completeness", "missing", "weights_version"]
EUR = "#,##0 €"
NUM1 = "0.0"
SELECTED_FR = {k: RANKED_COLUMNS_FR[k] for k in ("reference", "title", "stage", "priority", "build_cost",
                                               "run_cost_per_year")} | {
    "scenario_cost": "Coût retenu pour le scénario (€)", "effort_days": RANKED_COLUMNS_FR["effort_days"]}
BUDGET_FR = {"year": BUDGET_LABELS["year"], "reference": RANKED_COLUMNS_FR["reference"],
             "title": RANKED_COLUMNS_FR["title"]} | {k: BUDGET_LABELS[k] for k in ("voted", "committed", "spent")}
BENEFITS_FR = {"reference": RANKED_COLUMNS_FR["reference"], "title": RANKED_COLUMNS_FR["title"],
               "indicator": BENEFIT_LABELS["indicator"], "unit": BENEFIT_LABELS["unit"],
               "baseline": "Référence initiale", "target": "Cible", "measured_value": "Mesuré",
               "measured_on": "Mesuré le", "rate": "Gain atteint (% de l'attendu)"}
PDF_MIME = "application/pdf"
HTML_MIME = "text/html"


def ranked_fr(df: pd.DataFrame) -> pd.DataFrame:
    out = df[RANKED_ORDER].copy()
    out["eligible"] = df["eligible"].map({True: "oui", False: "non"})
    out["completeness"] = (df["completeness"] * 100).round(0)
    out["rank"] = out["rank"].astype(object).where(out["rank"].notna(), None)
    return out.rename(columns=RANKED_COLUMNS_FR | {"completeness": "Critères renseignés (%)"})


def scenario_totals(out: ScenarioOutcome) -> pd.DataFrame:
    r = out.result
    rows = [
        ("Budget annuel (€)", out.params.budget),
        ("Base budgétaire", BUDGET_BASIS_FR[r.budget_basis]),
        ("Budget disponible (€)", r.available_budget),
        ("Capacité (jours-personne)", out.params.capacity_days),
        ("Cas d'usage retenus", len(r.selected_ids)),
        ("Valeur totale (somme des priorités)", round(r.total_value, 2)),
        ("Coût total (€)", r.total_cost),
        ("Budget restant (€)", r.budget_left),
        ("Charge totale (jours-personne)", r.total_effort),
        ("Capacité restante (jours-personne)", r.capacity_left),
        ("Statut de la résolution", STATUS_FR[r.status]),
        ("Cas candidats", out.candidates),
        ("Cas imposés", ", ".join(out.params.must_do) or "—"),
        ("Cas écartés", ", ".join(out.params.excluded) or "—"),
        ("Groupes exclusifs", " ; ".join(" / ".join(g) for g in out.params.exclusive_groups) or "—"),
        ("Version des pondérations", out.weights_version),
    ]
    return pd.DataFrame(rows, columns=["Élément", "Valeur"])


def comparison_frame(outs: Sequence[ScenarioOutcome], *, as_text: bool = False) -> pd.DataFrame:
    """Scenarios side by side (``policies.prioritisation.compare``); ``as_text``: French-formatted cells."""
    names = _unique_names(outs)
    df = compare({n: o.result for n, o in zip(names, outs, strict=True)})
    df = df.reset_index()
    df = df.rename(columns={df.columns[0]: "Section", df.columns[1]: "Élément"})
    if as_text:
        for col in df.columns[2:]:
            df[col] = [_fmt(v) for v in df[col]]
    return df


def _unique_names(outs: Sequence[ScenarioOutcome]) -> list[str]:
    names: list[str] = []
    for o in outs:
        n, i = o.params.name, 2
        while n in names:
            n, i = f"{o.params.name} ({i})", i + 1
        names.append(n)
    return names


@dataclass
class PortfolioExports:
    portfolio: PortfolioService
    audit: AuditService

    # ---- workbook -------------------------------------------------------------------------------

    def workbook(self, principal: Principal, scenarios: Sequence[ScenarioOutcome] = ()) -> ExportFile:
        """Ranked portfolio, scenarios (totals and chosen use cases), comparison, budget, benefits, weights."""
        require(principal, Action.EXPORT_REGISTER)
        ranked = self.portfolio.ranked()
        sheets: dict[str, pd.DataFrame] = {"Classement": ranked_fr(ranked)}
        names = _unique_names(scenarios)
        for i, (name, out) in enumerate(zip(names, scenarios, strict=True), start=1):
            sheets[f"Scénario {i} - synthèse"] = scenario_totals(out).assign(Scénario=name)
            sheets[f"Scénario {i} - cas retenus"] = out.selected.rename(columns=SELECTED_FR)
        if len(scenarios) > 1:
            sheets["Comparaison"] = comparison_frame(scenarios)
        sheets["Budget"] = self.portfolio.budget_lines().drop(columns="use_case_id").rename(columns=BUDGET_FR)
        sheets["Budget par année"] = self.portfolio.budget_by_year().rename(columns=BUDGET_FR)
        sheets["Bénéfices"] = self.portfolio.benefits()[list(BENEFITS_FR)].rename(columns=BENEFITS_FR)
        w = self.portfolio.weights()
        sheets["Pondérations"] = _weights_frame(w.model_dump(mode="json"))
        formats = {c: EUR for c in (*RANKED_COLUMNS_FR.values(), *SELECTED_FR.values(), *BUDGET_FR.values())
                   if c.endswith("(€)")}
        formats |= {RANKED_COLUMNS_FR[c]: NUM1 for c in ("priority", "value", "feasibility")} | {"Priorité": NUM1}
        data = to_xlsx_bytes(sheets, title="Portefeuille IA — priorisation et scénarios", number_formats=formats)
        self.audit.record(principal, "export", "portfolio", "xlsx",
                          details={"rows": len(ranked), "scenarios": [o.params.name for o in scenarios],
                                   "weights_version": w.version})
        return ExportFile(f"portefeuille-ia-{dt.date.today():%Y%m%d}.xlsx", data, XLSX_MIME, len(ranked))

    # ---- board report ----------------------------------------------------------------------------

    def report(self, principal: Principal, fmt: str, scenarios: Sequence[ScenarioOutcome] = (),
               today: dt.date | None = None) -> ExportFile:
        """The board report in French, as print-ready ``html`` or ``pdf``; audited."""
        require(principal, Action.EXPORT_REGISTER)
        if fmt not in ("html", "pdf"):
            raise ValueError(f"format de rapport inconnu : {fmt}")
        today = today or dt.date.today()
        content = self.report_content(scenarios, today)
        if fmt == "html":
            data = render_html(content).encode("utf-8")
            out = ExportFile(f"rapport-portefeuille-ia-{today:%Y%m%d}.html", data, HTML_MIME, content["count"])
        else:
            out = ExportFile(f"rapport-portefeuille-ia-{today:%Y%m%d}.pdf", render_pdf(content), PDF_MIME,
                             content["count"])
        self.audit.record(principal, "export", "portfolio_report", fmt,
                          details={"rows": content["count"], "scenarios": [o.params.name for o in scenarios],
                                   "weights_version": content["weights_version"]})
        return out

    def report_content(self, scenarios: Sequence[ScenarioOutcome], today: dt.date) -> dict[str, Any]:
        """Everything the report shows, as plain tables and charts (shared by HTML and PDF)."""
        ranked = self.portfolio.ranked()
        matrix = self.portfolio.matrix_frame()
        roadmap = self.portfolio.roadmap_frame(today)
        by_year = self.portfolio.budget_by_year()
        benefits = self.portfolio.benefits()
        top = ranked.head(15)
        tables: list[tuple[str, list[str], list[list[str]]]] = [(
            "Classement des cas d'usage (15 premiers)",
            ["Rang", "Référence", "Intitulé", "Étape", "Priorité", "Valeur", "Faisabilité", "Risque", "Coût 1re année"],
            [[_rank(r.rank), r.reference, r.title, r.stage, fr_number(r.priority, 1), fr_number(r.value, 1),
              fr_number(r.feasibility, 1), fr_number(-r.risk_penalty, 1), fr_eur(r.cost)] for r in top.itertuples()],
        )]
        for name, out in zip(_unique_names(scenarios), scenarios, strict=True):
            tables.append((f"Scénario « {name} » — synthèse", ["Élément", "Valeur"],
                           [[e, _fmt(v)] for e, v in scenario_totals(out).itertuples(index=False)]))
            tables.append((f"Scénario « {name} » — cas retenus",
                           ["Référence", "Intitulé", "Priorité", "Coût retenu", "Charge (j)"],
                           [[r.reference, r.title, fr_number(r.priority, 1), fr_eur(r.scenario_cost),
                             fr_number(r.effort_days or 0)] for r in out.selected.itertuples()]))
        if len(scenarios) > 1:
            cmp = comparison_frame(scenarios, as_text=True)
            tables.append(("Comparaison des scénarios", list(cmp.columns),
                           [[_fmt(v) for v in row] for row in cmp.itertuples(index=False)]))
        tables.append(("Budget par année", ["Année", "Voté", "Engagé", "Dépensé"],
                       [[str(int(r.year)), fr_eur(r.voted), fr_eur(r.committed), fr_eur(r.spent)]
                        for r in by_year.itertuples()]))
        tables.append(("Bénéfices attendus et mesurés", ["Référence", "Indicateur", "Référence initiale", "Cible",
                                                          "Mesuré", "Gain atteint"],
                       [[r.reference, r.indicator, f"{fr_number(r.baseline, 1)} {r.unit}".strip(),
                         f"{fr_number(r.target, 1)} {r.unit}".strip(),
                         f"{fr_number(r.measured_value, 1)} {r.unit}".strip(),
                         "—" if r.rate is None or pd.isna(r.rate) else f"{fr_number(r.rate)} %"]
                        for r in benefits.itertuples()]))
        overdue = roadmap[roadmap["overdue"]]
        charts: list[tuple[str, alt.TopLevelMixin]] = []
        if not matrix.empty:
            charts.append(("Valeur × faisabilité", pcharts.value_feasibility_matrix(matrix)
                           .properties(width=520, height=360)))
        if not by_year.empty:
            charts.append(("Budget par année", pcharts.budget_by_year(by_year).properties(width=520, height=220)))
        if not roadmap.empty:
            charts.append(("Feuille de route", pcharts.roadmap(roadmap, today).properties(width=520)))
        if not benefits.empty:
            charts.append(("Bénéfices", pcharts.benefits(benefits).properties(width=420)))
        eligible = ranked[ranked["eligible"]]
        summary = [
            f"{len(ranked)} cas d'usage actifs au portefeuille, dont {len(eligible)} planifiables.",
            f"Coût de première année cumulé : {fr_eur(float(ranked['cost'].sum()))}.",
            f"Budget voté {', '.join(f'{int(r.year)} : {fr_eur(r.voted)}' for r in by_year.itertuples())}."
            if not by_year.empty else "Aucune ligne budgétaire saisie.",
            (f"{len(overdue)} expérimentation(s) en retard : {', '.join(overdue['reference'])}."
             if len(overdue) else "Aucune expérimentation en retard."),
        ]
        for out in scenarios:
            summary.append(f"Scénario « {out.params.name} » : {out.result.summary_fr()}")
        return {"title": "Portefeuille d'intelligence artificielle — rapport à l'exécutif",
                "date": f"{today:%d/%m/%Y}", "weights_version": self.portfolio.weights().version,
                "summary": summary, "tables": tables, "charts": charts, "count": len(ranked)}


def _rank(v: Any) -> str:
    return "—" if v is None or pd.isna(v) else str(int(v))


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "oui" if v else "non"
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        v = v.item()
    if isinstance(v, int):
        return fr_number(v)
    if isinstance(v, float):
        if pd.isna(v):
            return ""
        return fr_number(v, 0 if abs(v) >= 1000 or v == int(v) else 2)
    return "" if v is None else str(v)


def _weights_frame(w: dict[str, Any]) -> pd.DataFrame:
    rows = []

    def walk(prefix: str, node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(f"{prefix}.{k}" if prefix else k, v)
        else:
            rows.append({"Paramètre": prefix, "Valeur": ", ".join(node) if isinstance(node, list) else node})

    walk("", w)
    return pd.DataFrame(rows)


# ---- rendering ------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #1b1b1b; font-size: 10.5pt; }
h1 { font-size: 17pt; color: #1F3A5F; margin-bottom: 2px; }
h2 { font-size: 13pt; color: #1F3A5F; border-bottom: 1px solid #1F3A5F; margin-top: 18px; }
.meta { color: #555; margin-bottom: 12px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; page-break-inside: auto; }
th { background: #1F3A5F; color: #fff; text-align: left; padding: 3px 5px; font-size: 9pt; }
td { border-bottom: 1px solid #ddd; padding: 3px 5px; font-size: 9pt; vertical-align: top; }
tr { page-break-inside: avoid; }
figure { margin: 8px 0 14px; page-break-inside: avoid; }
figcaption { font-weight: bold; color: #1F3A5F; margin-bottom: 4px; }
.note { color: #555; font-size: 8.5pt; }
"""


def _svg(chart: alt.TopLevelMixin) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict(), format_locale="fr-FR")


def render_html(content: dict[str, Any]) -> str:
    """A self-contained, print-ready page: charts as inline SVG, every text escaped."""
    e = html.escape
    parts = [f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>{e(content['title'])}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{e(content['title'])}</h1>",
             f"<p class='meta'>Édité le {e(content['date'])} · pondérations version "
             f"{e(content['weights_version'])} · document généré par Vigie</p>",
             "<h2>Synthèse</h2><ul>" + "".join(f"<li>{e(s)}</li>" for s in content["summary"]) + "</ul>"]
    for caption, chart in content["charts"]:
        parts.append(f"<figure><figcaption>{e(caption)}</figcaption>{_svg(chart)}</figure>")
    for caption, header, rows in content["tables"]:
        parts.append(f"<h2>{e(caption)}</h2><table><thead><tr>"
                     + "".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>"
                     + "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
                     + "</tbody></table>")
    parts.append("<p class='note'>La priorité est la somme pondérée de la valeur et de la faisabilité, moins la "
                 "pénalité de risque (classe AI Act et niveau d'impact). Chaque scénario est une solution exacte "
                 "(programmation linéaire en nombres entiers) sous les contraintes indiquées.</p></body></html>")
    return "".join(parts)


FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def _font(pdf: Any) -> str:
    for d in FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "Helvetica"


def _latin1(text: str, font: str) -> str:
    if font != "Helvetica":
        return text
    for a, b in (("€", "EUR"), ("—", "-"), ("–", "-"), ("’", "'"), ("«", '"'), ("»", '"'), ("\u202f", " "),
                 ("×", "x"), ("œ", "oe")):
        text = text.replace(a, b)
    return text.encode("latin-1", "replace").decode("latin-1")


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height of a PNG, from its IHDR chunk."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def render_pdf(content: dict[str, Any]) -> bytes:
    """An A4 PDF: the same summary, charts (PNG) and tables as the HTML report."""
    import vl_convert as vlc
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    font = _font(pdf)

    def txt(s: str) -> str:
        return _latin1(s, font)

    pdf.set_title(txt(content["title"]))
    pdf.set_creator("Vigie")
    pdf.add_page()
    pdf.set_font(font, "B", 15)
    pdf.set_text_color(31, 58, 95)
    pdf.multi_cell(0, 8, txt(content["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, "", 9)
    pdf.set_text_color(85, 85, 85)
    pdf.cell(0, 6, txt(f"Édité le {content['date']} · pondérations version {content['weights_version']}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(27, 27, 27)

    def heading(s: str) -> None:
        pdf.ln(3)
        pdf.set_font(font, "B", 12)
        pdf.set_text_color(31, 58, 95)
        pdf.multi_cell(0, 7, txt(s), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(27, 27, 27)
        pdf.set_font(font, "", 9)

    heading("Synthèse")
    for s in content["summary"]:
        pdf.multi_cell(0, 5, txt(f"• {s}" if font != "Helvetica" else f"- {s}"), new_x="LMARGIN", new_y="NEXT")
    for caption, chart in content["charts"]:
        png = vlc.vegalite_to_png(chart.to_dict(), scale=2, format_locale="fr-FR")
        width_px, height_px = _png_size(png)
        w = min(180, pdf.epw)
        h = w * height_px / width_px
        if pdf.get_y() + h + 12 > pdf.page_break_trigger:  # keep the caption with its chart
            pdf.add_page()
        heading(caption)
        pdf.image(io.BytesIO(png), w=w)
    head_style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=(31, 58, 95))
    for caption, header, rows in content["tables"]:
        heading(caption)
        pdf.set_font(font, "", 7.5)
        if pdf.get_y() + 30 > pdf.page_break_trigger:
            pdf.add_page()
        widths = [max(6, max(len(w) for w in str(h).split()) + 1, min(40, max([0] + [len(str(r[j])) for r in rows])))
                  for j, h in enumerate(header)]
        with pdf.table(headings_style=head_style, line_height=4, text_align="LEFT",
                       col_widths=tuple(widths)) as table:
            r = table.row()
            for h in header:
                r.cell(txt(str(h)))
            for row in rows:
                r = table.row()
                for c in row:
                    r.cell(txt(str(c)))
    return bytes(pdf.output())
