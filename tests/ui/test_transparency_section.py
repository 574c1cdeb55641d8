"""The sheet's « Transparence » section through the UI: the lead saves it, a bad address is refused in
French and writes nothing, a reader sees it without its form; the CRPA letter says it is complete."""

from __future__ import annotations

from portal.services import build_services

SHEET = "app_pages/sheet.py"


def _view(url: str, reference: str):  # type: ignore[no-untyped-def]
    svc = build_services(url)
    view = svc.register.get_by_reference(reference)
    svc.db.dispose()
    return view


def _open(app_as, role: str, reference: str, tab: str = "apercu"):  # type: ignore[no-untyped-def]
    at = app_as(role)
    at.query_params["ref"] = reference
    at.query_params["tab"] = tab  # only the open tab of the sheet is drawn
    return at.switch_page(SHEET).run()


def test_the_lead_saves_the_section_and_a_bad_address_writes_nothing(app_as, demo_url):
    before = _view(demo_url, "UC-2026-002")  # a pilot of the project lead, its section still empty
    at = _open(app_as, "project_lead", "UC-2026-002")
    assert not at.exception
    assert any("À compléter : " in c.value and "Retour arrière" in c.value for c in at.caption)
    key = f"transparency_{before.id}"
    at.text_input(key=f"{key}_codebase_url").set_value("gitlab interne")
    at.text_area(key=f"{key}_rollback").set_value("Retour au relevé manuel des compteurs.")
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "Rien n'a été enregistré" in errors
    assert "Champ « Code source (adresse) » : adresse web attendue" in errors and "gitlab interne" in errors
    assert _view(demo_url, "UC-2026-002").version == before.version
    at.text_input(key=f"{key}_codebase_url").set_value("https://code.agglo.example/velo")
    at.text_area(key=f"{key}_parameters").set_value("Comptage journalier ; compteurs ; déterminante")
    at.text_area(key=f"{key}_operations").set_value("Détection des séries nulles\nSignalement au service")
    at.button(key=f"{key}_submit").click().run()
    assert not at.exception and not at.error
    after = _view(demo_url, "UC-2026-002")
    assert after.version == before.version + 1
    assert after.rollback == "Retour au relevé manuel des compteurs."
    assert after.codebase_url == "https://code.agglo.example/velo"
    assert [p.weight for p in after.parameters] == ["déterminante"]
    assert after.operations == ("Détection des séries nulles", "Signalement au service")


def test_a_reader_sees_the_section_without_its_form(app_as):
    at = _open(app_as, "reader", "UC-2026-001")  # published: its section is complete
    assert not at.exception
    assert any("Section complète" in c.value for c in at.caption)
    assert [e.label for e in at.expander if "Transparence" in e.label] == ["Voir la section « Transparence »"]


def test_the_crpa_letter_says_it_is_complete_or_what_the_sheet_lacks(app_as, demo_url):
    svc = build_services(demo_url)
    refs = {v.title: v.reference for v in svc.register.list()}
    svc.db.dispose()
    at = _open(app_as, "compliance", refs["Priorisation des demandes de logement social"], "gouvernance")  # section filled
    assert not at.exception
    assert any("Modèle complet" in c.value for c in at.caption)
    assert not any("La fiche ne dit pas encore" in w.value for w in at.warning)
    at = _open(app_as, "compliance", refs["Fréquentation des pistes cyclables et des équipements"], "gouvernance")  # empty
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "La fiche ne dit pas encore" in warnings and "les opérations effectuées par le traitement" in warnings
