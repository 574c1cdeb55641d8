"""Accessibility in a real browser: axe-core on every page, as each role and for the public, and a
keyboard-only path (sign in, open a use-case sheet, record a risk) without the mouse.

One portal is started for the module. axe's serious and critical violations fail the test; the others
are written to ``var/axe-report.md`` and must be among those the accessibility statement declares
(``portal.ui.accessibility.KNOWN_ISSUES``), so the statement never says less than the check finds.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.demo.data import COLLECTIVITE
from portal.services import build_services
from portal.ui.accessibility import KNOWN_ISSUES
from tests.conftest import skip_or_fail
from tests.e2e.browser import ROOT, chromium_path, demo_sign_in, launch, open_sheet, running_portal, settle

pytestmark = pytest.mark.browser

#: WCAG 2.0 and 2.1, levels A and AA (what the RGAA 4.1 follows), plus axe's best practices.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}
#: Violations of Streamlit's own markup that the portal's code cannot change, by rule id and selector
#: (decision record 0074). Empty: every one axe found so far was fixed in the portal.
EXCLUDED: dict[str, tuple[str, ...]] = {}
BLOCKING = ("serious", "critical")
#: The demo people and their roles: the director, the project lead, the compliance officer, the admin.
PEOPLE = ("Claire Martin", "Sophie Leroy", "Nadia Benali", "Lucie Garnier")
REPORT = ROOT / "var" / "axe-report.md"


@pytest.fixture(scope="module")
def portal_url(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[tuple[str, str]]:
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    path = tmp_path_factory.mktemp("a11y") / "vigie.db"
    shutil.copy(demo_template, path)
    db = f"sqlite:///{path}"
    with running_portal({"VIGIE_DATABASE_URL": db, "VIGIE_ENV": "demo"}) as url:
        yield url, db


@pytest.fixture(scope="module")
def browser(portal_url: tuple[str, str]) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()


def _excluded(rule: str, target: list[str]) -> bool:
    return any(sel in " ".join(target) for sel in EXCLUDED.get(rule, ()))


def _audit(page: Any, name: str, axe: Any, results: dict[str, list[dict[str, Any]]]) -> None:
    settle(page)
    page.wait_for_timeout(500)  # charts draw after the run ends
    found = axe.run(page, options=AXE_OPTIONS).response["violations"]
    kept = []
    for v in found:
        nodes = [n for n in v["nodes"] if not _excluded(v["id"], n["target"])]
        if nodes:
            kept.append({"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(nodes),
                         "targets": [" ".join(n["target"]) for n in nodes[:3]],
                         "summary": nodes[0].get("failureSummary", "").replace("\n", " ")})
    results[name] = kept


def _sidebar_pages(page: Any) -> list[str]:
    links = page.locator('[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')
    return [links.nth(i).get_attribute("href") or "" for i in range(links.count())]


def _write_report(results: dict[str, list[dict[str, Any]]]) -> None:
    lines = ["# axe-core sur chaque page", "", "| page | règle | impact | éléments | exemple |", "| --- | --- | --- | --- | --- |"]
    for name, violations in results.items():
        if not violations:
            lines.append(f"| {name} | aucune | | | |")
        for v in violations:
            lines.append(f"| {name} | {v['id']} | {v['impact']} | {v['nodes']} | `{v['targets'][0]}` |")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_page_has_no_serious_or_critical_axe_violation(portal_url, browser):
    from axe_playwright_python.sync_playwright import Axe

    url, _ = portal_url
    axe = Axe()
    results: dict[str, list[dict[str, Any]]] = {}
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    # the public: the sign-in page, the register and one published sheet, at a phone's width too
    page.goto(url, wait_until="networkidle")
    page.get_by_role("button", name="Se connecter (démonstration)").wait_for()
    _audit(page, "connexion", axe, results)
    assert page.evaluate("document.documentElement.lang") == "fr"
    page.goto(f"{url}/registre-public?ref=UC-2026-001", wait_until="networkidle")  # one sheet open
    page.get_by_role("heading", name="UC-2026-001", exact=False).wait_for()
    _audit(page, "registre public, une fiche ouverte", axe, results)
    assert page.title() == f"Registre public des algorithmes — Vigie — {COLLECTIVITE}"
    phone = browser.new_page(viewport={"width": 360, "height": 800})
    phone.set_default_timeout(60_000)
    phone.goto(f"{url}/registre-public", wait_until="networkidle")
    phone.get_by_role("heading", name="Registre public des algorithmes").wait_for()
    _audit(phone, "registre public (360 px)", axe, results)
    # nothing wider than the phone's screen: no sideways scrolling of the page itself
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.close()
    for person in PEOPLE:
        page.close()
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        demo_sign_in(page, url, person)
        for href in _sidebar_pages(page):
            page.locator(f'[data-testid="stSidebar"] a[href="{href}"]').click()
            name = href.rsplit("/", 1)[-1] or "home"
            _audit(page, f"{person} / {name}", axe, results)
        if person == "Sophie Leroy":  # her own use case: every tab of the sheet with its forms
            open_sheet(page, "UC-2026-001")
            tabs = page.get_by_role("tab")
            for i in range(tabs.count()):
                label = tabs.nth(i).inner_text().strip()
                tabs.nth(i).click()
                settle(page)  # the sheet draws a tab when it opens (decision record 0088)
                _audit(page, f"{person} / sheet UC-2026-001 / {label}", axe, results)
    page.close()
    _write_report(results)
    blocking = {name: [v for v in vs if v["impact"] in BLOCKING] for name, vs in results.items()}
    blocking = {name: vs for name, vs in blocking.items() if vs}
    assert not blocking, f"axe: serious or critical violations (report: {REPORT}):\n" + "\n".join(
        f"{name}: {v['id']} ({v['impact']}) {v['targets']} — {v['summary']}" for name, vs in blocking.items() for v in vs)
    undeclared = {v["id"] for vs in results.values() for v in vs} - set(KNOWN_ISSUES)
    assert not undeclared, f"axe found {sorted(undeclared)}, which the accessibility statement does not declare"
    assert len(results) > 3 * len(PEOPLE)  # every role's pages were visited


def _focused(page: Any) -> str:
    """What has the keyboard focus: its role or tag, then its label, text or value."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        if (!e || e === document.body) return '';
        const label = e.getAttribute('aria-label') || (e.labels && e.labels.length ? e.labels[0].innerText : '')
            || e.innerText || e.value || '';
        const kind = e.getAttribute('role') || (e.tagName === 'INPUT' ? e.type : e.tagName.toLowerCase());
        return kind + '|' + label.replace(/\\s+/g, ' ').trim();
    }""")


def _tab_to(page: Any, wanted: str, limit: int = 150) -> str:
    """Press Tab until the focused element's description contains ``wanted``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = _focused(page)
        if wanted in now:
            return now
    raise AssertionError(f"« {wanted} » never took the keyboard focus")


def _arrow_to(page: Any, wanted: str, key: str = "ArrowDown", limit: int = 20) -> None:
    for _ in range(limit):
        if wanted in _focused(page):
            return
        page.keyboard.press(key)
    raise AssertionError(f"« {wanted} » not reached with {key}")


def test_a_project_lead_records_a_risk_with_the_keyboard_alone(portal_url, browser):
    url, db = portal_url
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(url, wait_until="networkidle")
    page.get_by_role("button", name="Se connecter (démonstration)").wait_for()
    # sign in: the radio group takes the focus, the arrows choose, Enter on the button sends
    _tab_to(page, "radio|")
    _arrow_to(page, "Sophie Leroy")
    page.keyboard.press("Space")
    _tab_to(page, "Se connecter (démonstration)")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Portefeuille").wait_for()
    settle(page)
    # the sheet, from the sidebar's links
    _tab_to(page, "Fiche cas d'usage")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("combobox", name="Cas d'usage").wait_for()
    _tab_to(page, "combobox|Cas d'usage")
    page.keyboard.type("UC-2026-002")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="UC-2026-002", exact=False).wait_for()
    settle(page)
    # the « Risques » tab: Tab reaches the selected tab, the arrows move along the tab list
    _tab_to(page, "tab|")
    _arrow_to(page, "Risques", key="ArrowRight")
    page.keyboard.press("Enter")
    page.get_by_text("Ajouter un risque").wait_for()  # waiting for the panel, not touching it
    _tab_to(page, "Ajouter un risque")
    page.keyboard.press("Enter")
    page.get_by_role("combobox", name="Catégorie *").wait_for()
    _tab_to(page, "Catégorie *")
    page.keyboard.press("ArrowDown")  # opens the list on its first option
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("Enter")
    page.get_by_role("option").first.wait_for(state="detached")  # and closed on the choice
    _tab_to(page, "Description *")
    page.keyboard.type("Biais de traitement relevé au clavier")
    _tab_to(page, "Vraisemblance (1–5) *")
    page.keyboard.type("3")
    _tab_to(page, "Gravité (1–5) *")
    page.keyboard.type("4")
    _tab_to(page, "button|Ajouter")
    page.keyboard.press("Enter")
    settle(page)
    refused = page.get_by_text("Rien n'a été enregistré")
    assert refused.count() == 0, refused.first.inner_text()
    page.get_by_text("Risque ajouté.").first.wait_for()
    page.close()
    services = build_services(db)
    try:
        sheet = services.register.get_by_reference("UC-2026-002")
        risks = [r for r in sheet.risks if r.description == "Biais de traitement relevé au clavier"]
    finally:
        services.db.dispose()
    assert len(risks) == 1 and (risks[0].likelihood, risks[0].severity) == (3, 4)
