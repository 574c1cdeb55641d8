"""On the demo portfolio, the ranked table, the matrix, the workbook, the report and the scenario agree."""

from __future__ import annotations

import datetime as dt
import io
import re

import pdfplumber
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from policies.prioritisation._format import fr_eur, fr_number
from portal.db.models import AuditEvent
from portal.demo import seed_demo
from portal.services import build_services
from portal.services.people import SYSTEM
from tests.conftest import use_case_data

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def demo(services):  # type: ignore[no-untyped-def]
    seed_demo(services, SYSTEM, today=TODAY)
    return services


def _director(services):  # type: ignore[no-untyped-def]
    pid = next(p.id for p in services.people.list() if p.subject == "claire.martin")
    return services.people.principal(pid)


def _sheet_rows(wb, name: str) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    ws = wb[name]
    rows = list(ws.iter_rows(min_row=4, values_only=True))  # title, date, blank, then the header
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


def test_numbers_agree_across_views(demo):
    me = _director(demo)
    ranked = demo.portfolio.ranked()
    matrix = demo.portfolio.matrix_frame().set_index("reference")
    by_ref = ranked.set_index("reference")
    # matrix == ranked table
    for col in ("value", "feasibility", "priority", "cost"):
        assert matrix[col].to_dict() == by_ref[col].to_dict()
    # every explanation adds up to the ranked priority
    for r in ranked.itertuples():
        exp = demo.portfolio.explain(int(r.use_case_id))
        assert sum(ln.contribution for ln in exp.breakdown.lines) == pytest.approx(r.priority)

    out = demo.portfolio.run_scenario({"name": "Budget 2027", "budget": 120000, "capacity_days": 300})
    tight = demo.portfolio.run_scenario({"name": "Budget serré", "budget": 60000, "capacity_days": 150})
    # scenario totals == sum of the chosen use cases in the ranked table
    chosen = by_ref.loc[list(out.result.selected_ids)]
    assert out.result.total_value == pytest.approx(chosen["priority"].sum())
    assert out.result.total_cost == pytest.approx(chosen["cost"].sum())
    assert out.result.total_effort == pytest.approx(chosen["effort_days"].sum())
    assert out.result.total_cost <= 120000 and out.result.total_effort <= 300

    # workbook == ranked table and scenario
    wbf = demo.portfolio_exports.workbook(me, [out, tight])
    wb = load_workbook(io.BytesIO(wbf.data))
    assert {"Classement", "Scénario 1 - synthèse", "Scénario 1 - cas retenus", "Comparaison", "Budget",
            "Budget par année", "Bénéfices", "Pondérations"} <= set(wb.sheetnames)
    rows = _sheet_rows(wb, "Classement")
    assert [r["Référence"] for r in rows] == list(ranked["reference"])
    for r in rows:
        assert r["Priorité"] == pytest.approx(by_ref.loc[r["Référence"], "priority"])
        assert r["Coût première année (€)"] == pytest.approx(by_ref.loc[r["Référence"], "cost"])
    picked = _sheet_rows(wb, "Scénario 1 - cas retenus")
    assert sorted(r["Référence"] for r in picked) == sorted(out.result.selected_ids)
    assert sum(r["Coût retenu pour le scénario (€)"] for r in picked) == pytest.approx(out.result.total_cost)
    summary = {r["Élément"]: r["Valeur"] for r in _sheet_rows(wb, "Scénario 1 - synthèse")}
    assert summary["Coût total (€)"] == pytest.approx(out.result.total_cost)
    assert summary["Valeur totale (somme des priorités)"] == pytest.approx(out.result.total_value, abs=0.01)
    budget = {r["Année"]: r["Voté (€)"] for r in _sheet_rows(wb, "Budget par année")}
    assert budget == demo.portfolio.budget_by_year().set_index("year")["voted"].to_dict()

    # report (HTML) == the same figures, French formatted
    html = demo.portfolio_exports.report(me, "html", [out, tight], today=TODAY).data.decode("utf-8")
    top = ranked.iloc[0]
    assert f"<td>{top.reference}</td>" in html and f"<td>{fr_number(top.priority, 1)}</td>" in html
    assert out.result.summary_fr().replace("'", "&#x27;") in html
    for y in demo.portfolio.budget_by_year().itertuples():
        assert f"<td>{int(y.year)}</td><td>{fr_eur(y.voted)}</td>" in html
    assert html.count("<svg") >= 4  # matrix, budget, roadmap, benefits

    pdf = demo.portfolio_exports.report(me, "pdf", [out], today=TODAY)
    assert pdf.data.startswith(b"%PDF") and len(pdf.data) > 20_000
    with demo.db.reader() as s:
        kinds = [(e.entity, e.entity_id) for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "export")
                                                            .order_by(AuditEvent.seq))]
    assert kinds == [("portfolio", "xlsx"), ("portfolio_report", "html"), ("portfolio_report", "pdf")]


def test_exports_are_safe_from_formula_and_html_injection(services, people):
    evil = services.register.create(people["lead"], use_case_data(title="=HYPERLINK(\"http://x\")<script>x</script>"))
    services.portfolio.set_score(people["lead"], evil.id, {"reuse": 3})
    wb = load_workbook(io.BytesIO(services.portfolio_exports.workbook(people["director"]).data))
    cell = next(c for row in wb["Classement"].iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s"
    html = services.portfolio_exports.report(people["director"], "html").data.decode("utf-8")
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def _pdf_text_and_tables(data: bytes) -> tuple[str, list[list[list[str]]], float]:
    """The text, the tables and how far down the first page its content goes (share of the page, footer aside)."""
    with pdfplumber.open(io.BytesIO(data)) as doc:
        text = "\n".join(page.extract_text() or "" for page in doc.pages)
        tables = [t for page in doc.pages for t in page.extract_tables()]
        first = doc.pages[0]
        body = [c["bottom"] for c in first.chars if c["bottom"] < first.height - 40]
        filled = max(body) / first.height
    return text, tables, filled


def test_board_report_names_the_collectivite_exclusions_gaps_and_matrix_points(demo, db_url, monkeypatch):
    svc = build_services(db_url)
    try:
        admin = next(p for p in svc.people.list() if "admin" in [getattr(x, "value", x) for x in p.roles])
        org = svc.organisation.get()
        svc.organisation.update(svc.people.principal(admin.id), org.version,
                                org.model_dump(exclude={"version"}) | {"name": "Ville de Saint-Exemple-sur-Loire"})
        me = _director(svc)
        ranked = svc.portfolio.ranked()
        deployed = next(r.reference for r in ranked.itertuples() if r.stage == "Déployé")
        banned = next(r.reference for r in ranked.itertuples() if not r.eligible)
        lead = next(p for p in svc.people.list() if "project_lead" in [getattr(x, "value", x) for x in p.roles])
        no_effort = svc.register.create(svc.people.principal(lead.id), use_case_data(title="Charge jamais saisie"))
        svc.portfolio.set_score(me, no_effort.id, {"reuse": 4, "service_to_residents": 5})
        out = svc.portfolio.run_scenario({"name": "Budget 2027", "budget": 120000, "capacity_days": 300,
                                          "excluded": [deployed, banned]})
        tight = svc.portfolio.run_scenario({"name": "Budget serré", "budget": 60000, "capacity_days": 150})
        content = svc.portfolio_exports.report_content([out, tight], TODAY)
        active = svc.portfolio.ranked()["reference"].tolist()
        data = svc.portfolio_exports.report(me, "pdf", [out, tight], today=TODAY).data
    finally:
        svc.db.dispose()
    text, tables, filled = _pdf_text_and_tables(data)
    lines = text.splitlines()
    assert lines[0] == "Ville de Saint-Exemple-sur-Loire"
    assert filled > 0.85  # no half-empty first page
    # exclusions and the case whose effort was never entered, with what is missing and what was done
    excluded = next(t for t in tables if t[0] == ["Référence", "Intitulé", "Étape", "Effet"])
    assert [row[0] for row in excluded[1:]] == [deployed, banned]
    gaps = [t for t in tables if t[0] == ["Référence", "Intitulé", "Chiffres manquants", "Traitement"]]
    assert gaps and all(any(row[0] == no_effort.reference for row in t) for t in gaps)
    assert "charge (jours-personne)" in text and "laissé hors de l'optimisation" in text.replace("\n", " ")
    # the matrix's points carry the numbers of the ranking table, which keys them to the use cases
    chart = next(b["chart"] for b in content["blocks"] if b["kind"] == "chart" and "faisabilité" in b["caption"])
    spec = chart.to_dict()
    labelled = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert labelled and labelled[0]["encoding"]["text"]["field"] == "label_text"
    points = {(row["label_text"], row["reference"]) for rows in spec["datasets"].values() for row in rows
              if "label_text" in row}
    assert points == {(str(i), ref) for i, ref in enumerate(active, 1)}  # every active case, numbered in rank order
    keyed = {(row[0], row[1]) for t in tables if t[0][:2] == ["N°", "Référence"] for row in t[1:]}
    assert keyed == points
    # never « -0,0 » nor « -0 € »
    assert not re.search(r"(?<![\d,])-0(,0+)?(?![\d,])", text)
    # every cell reads as written: lines wrap between words, never inside one (« Valeu r »)
    def plain(s: str) -> str:
        return re.sub(r"[\s\u202f\u00a0]+", " ", s)

    written = {plain(c) for b in content["blocks"] if b["kind"] == "table"
               for c in (*b["header"], *(str(c) for row in b["rows"] for c in row))}
    for t in tables:
        for row in t:
            for cell in row:
                assert cell is None or plain(cell) in written, cell
    assert any(t[0][:9] == ["N°", "Référence", "Intitulé", "Étape", "Priorité", "Valeur", "Faisabilité", "Risque",
                            "Coût 1re\nannée"] for t in tables)
