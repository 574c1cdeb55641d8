"""Portfolio exports: an Excel workbook (portfolio and scenarios) and the board report (HTML or PDF).

Both are built from the same frames as the pages (:class:`PortfolioService`), so the numbers agree;
every export is an audited event. User text is escaped in HTML and written as text in Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import pandas as pd

from policies.access import require
from policies.prioritisation import charts as pcharts
from policies.prioritisation import compare
from policies.prioritisation._format import fr_eur, fr_number
from policies.prioritisation.scenario import BUDGET_BASIS_FR, FIGURE_FR, STATUS_FR
from policies.vocabulary import Action, Principal, Stage
from portal.services.audit import AuditService
from portal.services.exports import XLSX_MIME, ExportFile
from portal.services.organisation import UNNAMED
from portal.services.portfolio.fields import BENEFIT_LABELS, BUDGET_LABELS, RANKED_COLUMNS_FR, ScenarioOutcome
from portal.services.portfolio.report_render import render_html, render_pdf
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
    #: The collectivité named on the board report, as its administrator set it.
    organisation_name: Callable[[], str] = lambda: UNNAMED
    #: Summary lines and blocks on people (residents, needs, elected officials), added after the benefits.
    people_sections: Callable[[], tuple[list[str], list[dict[str, Any]]]] | None = None

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
        """Everything the report shows, in reading order, as plain tables and charts (shared by HTML and PDF).

        ``blocks`` is a list of ``{"kind": "chart", "caption", "chart"}`` and ``{"kind": "table",
        "caption", "header", "rows", "note"}``; the matrix's points carry the numbers of the ranking table.
        """
        ranked = self.portfolio.ranked()
        everything = self.portfolio.ranked(tuple(s.value for s in Stage)).set_index("reference")
        matrix = self.portfolio.matrix_frame()
        roadmap = self.portfolio.roadmap_frame(today)
        by_year = self.portfolio.budget_by_year()
        benefits = self.portfolio.benefits()
        weights = self.portfolio.weights()
        numbers = {ref: i for i, ref in enumerate(ranked["reference"], start=1)}
        blocks: list[dict[str, Any]] = []
        if not matrix.empty:
            matrix = matrix.assign(number=[numbers[r] for r in matrix["reference"]])
            blocks.append(_chart("Valeur × faisabilité (numéros : classement ci-dessous)",
                                 pcharts.value_feasibility_matrix(matrix, label="number")
                                 .properties(width=520, height=340)))
        blocks.append(_table(
            "Classement des cas d'usage",
            ["N°", "Référence", "Intitulé", "Étape", "Priorité", "Valeur", "Faisabilité", "Risque", "Coût 1re année"],
            [[str(numbers[r.reference]), r.reference, r.title, r.stage, fr_number(r.priority, 1),
              fr_number(r.value, 1), fr_number(r.feasibility, 1), fr_number(-r.risk_penalty, 1),
              fr_eur(None if pd.isna(r.build_cost) or pd.isna(r.run_cost_per_year) else r.cost)]
             for r in ranked.itertuples()],
            "Le numéro est celui du point de la matrice ; il suit le rang de priorité. Les cas non planifiables "
            "(classe de risque exclue) viennent en dernier. Risque : pénalité retirée de la priorité. " + METHOD_NOTE))
        incomplete = _incomplete_sheets(ranked, weights.missing)
        if incomplete:
            blocks.append(_table("Fiches à compléter", ["Référence", "Intitulé", "Chiffres manquants", "Traitement"],
                                 incomplete, "Un chiffre non saisi n'est jamais compté pour zéro à l'insu du "
                                 "lecteur : voir, pour chaque scénario, le sort de ces cas."))
        for name, out in zip(_unique_names(scenarios), scenarios, strict=True):
            blocks += self._scenario_blocks(name, out, everything)
        if len(scenarios) > 1:
            cmp = comparison_frame(scenarios, as_text=True)
            blocks.append(_table("Comparaison des scénarios", list(cmp.columns),
                                 [[_fmt(v) for v in row] for row in cmp.itertuples(index=False)]))
        if not by_year.empty:
            blocks.append(_chart("Budget par année", pcharts.budget_by_year(by_year).properties(width=520, height=220)))
        blocks.append(_table("Budget par année (montants)", ["Année", "Voté", "Engagé", "Dépensé"],
                             [[str(int(r.year)), fr_eur(r.voted), fr_eur(r.committed), fr_eur(r.spent)]
                              for r in by_year.itertuples()]))
        if not roadmap.empty:
            blocks.append(_chart("Feuille de route", pcharts.roadmap(roadmap, today).properties(width=520)))
        if not benefits.empty:
            blocks.append(_chart("Bénéfices", pcharts.benefits(benefits).properties(width=420)))
        blocks.append(_table("Bénéfices attendus et mesurés", ["Référence", "Indicateur", "Référence initiale",
                                                                "Cible", "Mesuré", "Gain atteint"],
                             [[r.reference, r.indicator, f"{fr_number(r.baseline, 1)} {r.unit}".strip(),
                               f"{fr_number(r.target, 1)} {r.unit}".strip(),
                               f"{fr_number(r.measured_value, 1)} {r.unit}".strip(),
                               "—" if r.rate is None or pd.isna(r.rate) else f"{fr_number(r.rate)} %"]
                              for r in benefits.itertuples()]))
        people_summary, people_blocks = self.people_sections() if self.people_sections else ([], [])
        blocks += people_blocks
        overdue = roadmap[roadmap["overdue"]]
        eligible = ranked[ranked["eligible"]]
        summary = [
            f"{len(ranked)} cas d'usage actifs au portefeuille, dont {len(eligible)} planifiables.",
            f"Coût de première année cumulé : {fr_eur(float(ranked['cost'].sum()))}"
            + (" (coûts non saisis exclus)." if ranked["build_cost"].isna().any()
               or ranked["run_cost_per_year"].isna().any() else "."),
            f"Budget voté {', '.join(f'{int(r.year)} : {fr_eur(r.voted)}' for r in by_year.itertuples())}."
            if not by_year.empty else "Aucune ligne budgétaire saisie.",
            (f"{len(overdue)} expérimentation(s) en retard : {', '.join(overdue['reference'])}."
             if len(overdue) else "Aucune expérimentation en retard."),
        ]
        summary += people_summary
        if incomplete:
            summary.append(f"{len(incomplete)} fiche(s) à compléter : {', '.join(r[0] for r in incomplete)}.")
        for out in scenarios:
            extra = [n for n in out.notes if n not in out.result.incomplete_fr()]
            summary.append(" ".join([f"Scénario « {out.params.name} » : {out.result.summary_fr()}", *extra]))
        return {"organisation": self.organisation_name(),
                "title": "Portefeuille d'intelligence artificielle — rapport à l'exécutif",
                "date": f"{today:%d/%m/%Y}", "weights_version": weights.version,
                "summary": summary, "blocks": blocks, "count": len(ranked)}

    def _scenario_blocks(self, name: str, out: ScenarioOutcome, everything: pd.DataFrame) -> list[dict[str, Any]]:
        """A scenario's synthesis, chosen cases, exclusions and cases with missing figures."""
        blocks = [
            _table(f"Scénario « {name} » — synthèse", ["Élément", "Valeur"],
                   [[e, _fmt(v)] for e, v in scenario_totals(out).itertuples(index=False)]),
            _table(f"Scénario « {name} » — cas retenus", ["Référence", "Intitulé", "Priorité", "Coût retenu",
                                                         "Charge (j)"],
                   [[r.reference, r.title, fr_number(r.priority, 1), fr_eur(r.scenario_cost),
                     fr_number(r.effort_days)] for r in out.selected.itertuples()],
                   None if len(out.selected) else "Aucun cas d'usage retenu."),
        ]
        if out.params.excluded:
            stages = {Stage(s).label for s in out.params.stages}
            rows = []
            for ref in out.params.excluded:
                known = ref in everything.index
                stage = everything.loc[ref, "stage"] if known else "—"
                if not known:
                    remark = "inconnu"
                elif not everything.loc[ref, "eligible"]:
                    remark = "non planifiable de toute façon"
                elif stage not in stages and ref not in out.params.must_do:
                    remark = "hors des étapes candidates de toute façon"
                else:
                    remark = "retiré du calcul par la direction"
                rows.append([ref, everything.loc[ref, "title"] if known else "", stage, remark])
            blocks.append(_table(f"Scénario « {name} » — cas écartés", ["Référence", "Intitulé", "Étape",
                                                                       "Effet"], rows))
        if out.result.incomplete:
            blocks.append(_table(f"Scénario « {name} » — cas à compléter",
                                 ["Référence", "Intitulé", "Chiffres manquants", "Traitement"],
                                 [[i.id, i.title, i.missing_fr, i.treatment_fr] for i in out.result.incomplete],
                                 "Ces cas n'ont pas été comptés comme gratuits : laissés hors du calcul, ils y "
                                 "entreront quand leur fiche sera complète ; imposés, leurs chiffres manquants "
                                 "sont comptés pour zéro et le coût ou la charge du scénario sont sous-estimés "
                                 "d'autant."))
        return blocks


def _chart(caption: str, chart: alt.TopLevelMixin) -> dict[str, Any]:
    return {"kind": "chart", "caption": caption, "chart": chart}


def _table(caption: str, header: list[str], rows: list[list[str]], note: str | None = None) -> dict[str, Any]:
    return {"kind": "table", "caption": caption, "header": header, "rows": rows, "note": note}


def _incomplete_sheets(ranked: pd.DataFrame, missing_rule: str) -> list[list[str]]:
    """Reference, title, what is missing and what follows, for every active use case with a gap."""
    assumed = ("note neutre 3/5 supposée pour les critères non notés" if missing_rule == "neutral"
               else "poids des critères non notés reporté sur les autres")
    out = []
    for r in ranked.itertuples():
        gaps, effects = [], []
        if r.completeness == 0:
            gaps.append(FIGURE_FR["value"])
        elif r.missing:
            gaps.append(f"critères non notés ({r.missing})")
            effects.append(assumed)
        gaps += [FIGURE_FR[f] for f in ("build_cost", "run_cost_per_year", "effort_days")
                 if getattr(r, f) is None or pd.isna(getattr(r, f))]
        if len(gaps) > len(effects):
            effects.insert(0, "hors des scénarios tant que non saisi, sauf s'il est imposé")
        if gaps:
            out.append([r.reference, r.title, ", ".join(gaps), " ; ".join(effects)])
    return out


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


METHOD_NOTE = ("La priorité est la somme pondérée de la valeur et de la faisabilité, moins la pénalité de risque "
               "(classe AI Act et niveau d'impact). Chaque scénario est une solution exacte (programmation linéaire "
               "en nombres entiers) sous les contraintes indiquées ; un cas dont un chiffre manque n'y entre que "
               "s'il est imposé.")
