"""The four tasks of a week with Vigie, end to end in headless Chromium, as the new-user guide
(docs/guide.md) tells them: each screen they pass through is read for English or internal words, and
photographed for the guide when ``VIGIE_SCREENSHOTS`` names a folder
(``VIGIE_SCREENSHOTS=docs/guide pytest tests/e2e/test_tasks.py`` renews the guide's images).

1. A project lead registers a crèche-enrolment forecast, classifies it and asks for the first gate.
2. A compliance officer validates the classification, decides the gate on behalf of the head of service
   and publishes an entry of the public register.
3. The director plans under a budget and takes the board report.
4. A project lead follows a deployed case: drops the month's batch and handles the alert it raises."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from portal.services import build_services
from tests.e2e.browser import demo_sign_in, open_sheet, settle, signed_in
from tests.words import unwanted_words

pytestmark = pytest.mark.browser

VIEW = {"width": 1366, "height": 900}
PAGE = {"viewport": VIEW, "locale": "fr-FR"}  # a French browser, as the staff use
TITLE = "Prévision des inscriptions en crèche"
# what a person reads: the page's visible text (innerText skips what CSS hides) without the names of
# Material icons (« edit », « quiz »), which are ligatures drawn as pictures
VISIBLE_TEXT = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const icons = new Set([...app.querySelectorAll('*')]
    .filter(e => e.children.length === 0 && getComputedStyle(e).fontFamily.includes('Material'))
    .map(e => e.textContent.trim()).filter(t => t));
  return app.innerText.split('\\n').map(line => {
    for (const icon of icons) { line = line.replace(new RegExp('(?<![\\\\w-])' + icon + '(?![\\\\w-])', 'g'), ''); }
    return line;
  }).join('\\n');
}"""


class Screens:
    """Each screen a task passes through: read for unwanted words, photographed for the guide."""

    def __init__(self, page, task: str, tmp_path: Path,  # type: ignore[no-untyped-def]
                 own_words: frozenset[str] = frozenset()) -> None:
        """``own_words``: the person's own words the screens may show bare, e.g. their file's column names
        on a chart's axis."""
        self.page, self.task, self.own_words = page, task, own_words
        self.folder = Path(os.environ.get("VIGIE_SCREENSHOTS") or tmp_path)
        self.folder.mkdir(parents=True, exist_ok=True)

    def look(self, step: str, *, shot: bool = True) -> None:
        settle(self.page)
        text = self.page.evaluate(VISIBLE_TEXT)
        words = [w for w in unwanted_words(text) if w not in self.own_words]
        lines = [line for line in text.splitlines() if set(unwanted_words(line)) - self.own_words]
        assert not words, f"{self.task}, {step} : mots anglais ou internes à l'écran : {words}, dans {lines}"
        if shot:
            self.page.screenshot(path=str(self.folder / f"{self.task}-{step}.png"))


def submit(page, button, done: str) -> None:  # type: ignore[no-untyped-def]
    """Click ``button`` once the page is idle and wait for the confirmation ``done``. A click that lands
    while a rerun replaces the button is lost, as it would be for a person, who clicks again: so does this,
    twice at most, and only while the button is still there unconfirmed."""
    for attempt in range(3):
        settle(page)
        if attempt and not button.is_visible():
            break
        button.click()
        try:
            page.get_by_text(done).first.wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            continue
    page.get_by_text(done).first.wait_for()


def choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` in the select box ``label`` as a keyboard user does: open, type, Enter."""
    page.get_by_role("combobox", name=label).click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option).wait_for()
    page.keyboard.press("Enter")


def _answer_the_questionnaire(page, tab: str, yes: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Answer each yes/no question of a questionnaire tab: « Oui » where its text holds one of ``yes``,
    « Non » elsewhere; validate the section until no new question appears."""
    page.get_by_role("tab", name=tab).click()
    panel = page.get_by_role("tabpanel", name=tab)
    for _ in range(4):
        unanswered = [group for group in panel.get_by_role("radiogroup").all()
                      if group.get_by_role("radio", name="Sans réponse").is_checked()]
        for group in unanswered:
            text = group.locator("xpath=ancestor::*[@data-testid='stRadio'][1]").inner_text()
            answer = "Oui" if any(word in text for word in yes) else "Non"
            group.get_by_text(answer, exact=True).click()
        panel.get_by_role("button", name="Valider la section").click()
        settle(page)
        if not unanswered:
            return


def _the_lead_registers_classifies_and_asks(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    screens = Screens(page, "1-chef-de-projet", tmp_path)
    screens.look("portefeuille")
    page.get_by_role("link", name="Nouveau cas d'usage").click()
    page.get_by_label("Titre *").fill(TITLE)
    page.get_by_label("Problème auquel il répond").fill(
        "Anticiper les demandes de places en crèche par quartier pour préparer la rentrée.")
    choose(page, "Famille *", "Aide à la décision et pilotage")
    page.get_by_label("Direction *").fill("Petite enfance")
    choose(page, "Niveau d'automatisation", "Recommandation à un agent")
    screens.look("nouveau-cas")
    submit(page, page.get_by_role("button", name="Enregistrer le cas d'usage"), "Cas d'usage enregistré.")
    screens.look("fiche")

    page.get_by_role("tab", name="Gouvernance").click()
    settle(page)
    page.get_by_text("Ouvrir le questionnaire de classification").click()
    page.get_by_role("heading", name="Questionnaire de classification").wait_for()
    settle(page)
    # a forecast that infers its results from data: an AI system, recommending to an agent
    for tab in ("Règlement IA", "RGPD", "CRPA", "Niveau d'impact"):
        _answer_the_questionnaire(page, tab, yes=("infère-t-il",))
    screens.look("questionnaire")
    page.get_by_role("tab", name="Résultat").click()
    submit(page, page.get_by_role("button", name="Enregistrer la classification"), "Classification enregistrée")
    screens.look("classification")

    page.get_by_role("link", name="Retour à la fiche").first.click()
    page.get_by_role("heading", name=TITLE, exact=False).wait_for()
    page.get_by_role("tab", name="Gouvernance").click()
    settle(page)
    page.get_by_text("Demander le passage à l'étape « Cadrage »").click()
    page.get_by_label("Motif de la demande").fill("Besoin confirmé par la direction de la petite enfance.")
    submit(page, page.get_by_role("button", name="Envoyer la demande"), "Demande envoyée")
    screens.look("demande")


def _compliance_validates_decides_and_publishes(page, tmp_path: Path, reference: str,  # type: ignore[no-untyped-def]
                                                to_publish: int) -> None:
    screens = Screens(page, "2-conformite", tmp_path)
    page.get_by_role("link", name="Conformité").click()
    page.get_by_role("heading", name="Conformité").wait_for()
    screens.look("file-d-attente")
    page.get_by_text(f"{reference} — {TITLE}", exact=False).first.click()  # the classification to validate
    settle(page)
    submit(page, page.get_by_role("button", name="Valider").first, "Classification validée")
    settle(page)
    # the request's bordered box: the innermost block that holds its heading
    request = page.get_by_test_id("stVerticalBlock").filter(
        has=page.get_by_role("heading", name=f"{reference} — {TITLE}")).last
    request.get_by_text("Décider").click()
    request.get_by_text("Approuver", exact=True).click()
    request.get_by_label("Motifs").fill("Besoin avéré, données agrégées par quartier, sans donnée personnelle.")
    # the first gate is the head of service's: the officer records it on their behalf, with the meeting
    request.get_by_role("spinbutton", name="ou : décision prise en séance le").first.click()
    page.keyboard.type("01122026")
    screens.look("decision")
    submit(page, request.get_by_role("button", name="Enregistrer la décision"), "Décision enregistrée.")
    screens.look("decision-enregistree", shot=False)

    page.get_by_role("link", name="Registre public").click()
    page.get_by_role("heading", name="Registre public des algorithmes").wait_for()
    settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 35 * to_publish + 17)  # the entry's row
    publish = page.get_by_role("button", name="Publier la fiche")
    publish.wait_for()
    settle(page)
    publish.scroll_into_view_if_needed()  # the entry as it will be published, above its button
    screens.look("registre-public")
    submit(page, publish, "publié au registre public")
    screens.look("fiche-publiee", shot=False)


def test_a_case_from_registration_to_its_first_gate_then_a_published_entry(demo_db: str, tmp_path: Path):
    """Tasks 1 and 2: the project lead's request reaches the compliance officer, who decides it."""
    services = build_services(demo_db)
    entries = services.public_register.entries()
    to_publish = next(i for i, e in enumerate(entries) if not e.published and e.crpa_publication)
    published_ref = entries[to_publish].reference
    services.db.dispose()
    with signed_in(demo_db, "Chef de projet", **PAGE, timeout=60_000) as page:
        _the_lead_registers_classifies_and_asks(page, tmp_path)
        services = build_services(demo_db)
        uc = next(u for u in services.register.list() if u.title == TITLE)
        pending = [r for r in services.governance.pending_requests() if r.reference == uc.reference]
        services.db.dispose()
        assert pending and pending[0].to_stage.label == "Cadrage"

        page.get_by_role("button", name="Se déconnecter").click()
        demo_sign_in(page, page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2], "Conformité")
        _compliance_validates_decides_and_publishes(page, tmp_path, uc.reference, to_publish)
    services = build_services(demo_db)
    decided = services.governance.requests(uc.id)[0]
    classification = services.governance.classification(uc.id)
    entry = next(e for e in services.public_register.entries() if e.reference == published_ref)
    services.db.dispose()
    assert classification is not None and classification.validated
    assert decided.decision is not None and decided.decision.decision.value == "approve"
    assert entry.published


def test_the_director_plans_under_a_budget_and_takes_the_board_report(demo_db: str, tmp_path: Path):
    """Task 3: the matrix, a sheet opened from its bubble, a scenario under a budget, the workbook and
    the board report."""
    services = build_services(demo_db)
    top = services.portfolio.ranked().iloc[0].reference
    services.db.dispose()
    with signed_in(demo_db, "Direction générale", **PAGE, accept_downloads=True, timeout=60_000) as page:
        screens = Screens(page, "3-direction", tmp_path)
        page.get_by_role("link", name="Priorisation").click()
        page.get_by_role("heading", name="Priorisation du portefeuille").wait_for()
        screens.look("priorisation")
        page.get_by_role("tab", name="Matrice valeur × faisabilité").click()
        # Vega's SVG marks carry an accessible label naming the fields, the reference included
        bubble = page.locator(f'.vega-embed svg path[aria-label*="Référence: {top};"]').first
        bubble.wait_for()
        screens.look("matrice")
        bubble.hover()
        page.get_by_text("Niveau d'impact").first.wait_for(timeout=5_000)
        bubble.click()
        page.get_by_role("heading", name=f"{top} —").wait_for()

        page.get_by_role("link", name="Scénarios").click()
        page.get_by_role("heading", name="Scénarios").first.wait_for()
        page.get_by_label("Budget annuel (€)").fill("100000")
        page.get_by_role("button", name="Calculer le scénario").click()
        page.get_by_text("Cas retenus").first.wait_for()
        screens.look("scenario")

        page.get_by_role("button", name="Préparer le classeur Excel").click()
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name="Télécharger portefeuille-ia").click()
        workbook = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
        assert "Scénario 1 - cas retenus" in workbook.sheetnames

        page.get_by_role("button", name="Préparer le rapport PDF").click()
        with page.expect_download(timeout=90_000) as dl:
            page.get_by_role("button", name="Télécharger rapport-portefeuille-ia").click()
        assert Path(dl.value.path()).read_bytes().startswith(b"%PDF")
        screens.look("rapport", shot=False)


def test_a_project_lead_follows_a_deployed_case(tmp_path: Path, demo_db: str):
    """Task 4: the lead of UC-2026-002 drops this month's batch in the Suivi tab and runs the check: the
    result and the new alert, in one plain sentence, show at once; choosing it keeps its panel open."""
    services = build_services(demo_db)
    uc = services.register.get_by_reference("UC-2026-002")
    ref = services.monitoring.reference_frame(uc.id)
    services.db.dispose()
    batch = tmp_path / "lot-octobre.csv"
    ref.assign(count=ref["count"] * 3).to_csv(batch, index=False, sep=";", decimal=",")
    with signed_in(demo_db, "Chef de projet", **PAGE, timeout=60_000) as page:
        # the batch's columns (« site », « count ») are the lead's own words: a chart names them bare
        screens = Screens(page, "4-suivi", tmp_path, own_words=frozenset(ref.columns))
        page.get_by_role("link", name="Suivi").click()
        page.get_by_role("heading", name="Suivi").wait_for()
        screens.look("portefeuille-suivi")
        open_sheet(page, "UC-2026-002")
        page.get_by_role("tab", name="Suivi").click()
        settle(page)
        box = page.locator(f".st-key-mon_check_box_{uc.id}")
        box.get_by_text("Contrôler le lot du mois").wait_for()
        box.locator("input[type=file]").set_input_files(str(batch))
        box.get_by_label("Libellé du lot").fill("Extraction d'octobre")
        box.get_by_label("Libellé du lot").press("Enter")
        run = box.get_by_role("button", name="Lancer le contrôle")
        page.wait_for_function("b => !b.disabled", arg=run.element_handle())
        run.click()
        page.get_by_text("« Extraction d'octobre » enregistré").wait_for()
        settle(page)
        assert page.get_by_role("tab", name="Suivi").get_attribute("aria-selected") == "true"
        card = page.locator("[class*='st-key-mon_card_']").filter(has_text="Nouvelle").first
        card.get_by_text("Nouvelle").wait_for()
        card.scroll_into_view_if_needed()
        screens.look("controle")
        card.get_by_role("button", name="Traiter").click()
        settle(page)
        panel = page.locator("[class*='st-key-mon_card_']").filter(has_text="Traitement de l'alerte")
        panel.get_by_label("Note (analyse, action décidée)").fill("Extraction incomplète, relancée")
        panel.get_by_role("button", name="Prendre en compte").click()
        page.get_by_text("Alerte prise en compte : elle reste ouverte").wait_for()
        settle(page)
        # the panel is still open after saving
        assert page.get_by_role("button", name="Clore l'alerte").is_visible()
        page.get_by_role("button", name="Clore l'alerte").scroll_into_view_if_needed()
        screens.look("alerte")
    services = build_services(demo_db)
    runs = services.monitoring.runs(uc.id)
    acknowledged = [a for a in services.monitoring.alerts(uc.id) if a.status == "acknowledged"]
    services.db.dispose()
    assert runs[0].current_label == "Extraction d'octobre"
    assert acknowledged and acknowledged[0].note == "Extraction incomplète, relancée"
