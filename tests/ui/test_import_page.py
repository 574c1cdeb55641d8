"""The inventory import page through AppTest on the demo: mapping, preview, import."""

from __future__ import annotations

import pytest

from portal.db.models import UseCase
from portal.services import build_services
from tests.rows import count_rows

PAGE = "app_pages/import_inventory.py"
CSV = ("Réf;Nom du projet;Pôle;Catégorie;Coût annuel\n"
       "A1;Tri automatique du courrier entrant;Direction générale;Relation usagers;1 200,50\n"
       "A2;Prévision des effectifs de cantine;Direction de l'éducation;Services opérationnels;\n"
       "A3;Chatbot;Direction des sports;Famille inventée;\n").encode("latin-1")


def test_a_reader_cannot_open_the_import_page(app_as):
    at = app_as("reader")
    with pytest.raises(Exception):  # noqa: B017 - the page is not in a reader's navigation
        at.switch_page(PAGE).run()


def test_lead_maps_previews_and_imports_the_valid_rows(app_as, demo_url, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    before = count_rows(demo_url, UseCase)
    at = app_as("project_lead").switch_page(PAGE).run()
    assert not at.exception
    assert at.info and "Choisissez un fichier" in at.info[0].value
    at.session_state["inv_file"] = ("inventaire.csv", CSV)
    at.run()
    assert not at.exception
    # « Nom du projet » is not a known title header: the person says which column holds the title
    assert at.selectbox(key="inv_col_title").value == "(aucune)"
    assert at.selectbox(key="inv_col_direction").value == "Pôle"
    assert any("Colonne(s) obligatoire(s) introuvable(s)" in e.value for e in at.error)
    at.selectbox(key="inv_col_title").set_value("Nom du projet")
    next(b for b in at.button if b.label == "Appliquer la correspondance").click().run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Lignes lues"] == "3" and metrics["Prêtes"] == "2" and metrics["À corriger"] == "1"
    problems = " ".join(m.value for m in at.markdown)
    assert "Ligne 4" in problems and "Catégorie" in problems and "Famille inventée" in problems
    # all or nothing refuses, nothing written
    at.button(key="inv_run").click().run()
    assert any("Rien n'a été enregistré" in e.value for e in at.error)
    assert count_rows(demo_url, UseCase) == before
    # the valid rows only
    at.radio(key="inv_mode").set_value("valid")
    at.button(key="inv_run").click().run()
    assert not at.exception
    assert count_rows(demo_url, UseCase) == before + 2
    assert any("2 cas d'usage créé(s), 1 refusée(s)" in s.value for s in at.success)


def test_lead_saves_the_mapping_and_it_comes_back(app_as, demo_url, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    at = app_as("project_lead").switch_page(PAGE).run()
    at.session_state["inv_file"] = ("inventaire.csv", CSV)
    at.run()
    at.selectbox(key="inv_col_title").set_value("Nom du projet")
    next(b for b in at.button if b.label == "Appliquer la correspondance").click().run()
    at.button(key="inv_save_mapping").click().run()
    assert not at.exception
    again = app_as("project_lead").switch_page(PAGE).run()
    again.session_state["inv_file"] = ("autre.csv", CSV)
    again.run()
    assert not again.exception
    assert again.selectbox(key="inv_col_title").value == "Nom du projet"
    assert any("Correspondance enregistrée" in c.value for c in again.caption)


def test_the_new_use_case_form_shows_a_likely_duplicate_and_the_person_decides(app_as, demo_url):
    svc = build_services(demo_url)
    existing = next(v for v in svc.register.list() if v.title.startswith("Projection démographique"))
    svc.db.dispose()
    before = count_rows(demo_url, UseCase)
    at = app_as("project_lead").switch_page("app_pages/new_use_case.py").run()
    at.text_input(key="new_title").set_value(existing.title.replace("communes", "communes du territoire"))
    at.selectbox(key="new_family").set_value(at.selectbox(key="new_family").options[2])
    at.text_input(key="new_direction").set_value("Direction de l'éducation")
    at.button[0].click().run()
    assert not at.exception
    assert any("Un cas d'usage proche existe déjà" in w.value for w in at.warning)
    assert count_rows(demo_url, UseCase) == before  # nothing created yet: the person decides
    at.button(key="new_cancel_duplicate").click().run()
    assert not any("proche existe" in w.value for w in at.warning) and count_rows(demo_url, UseCase) == before
    next(b for b in at.button if b.label == "Enregistrer le cas d'usage").click().run()
    assert any("Un cas d'usage proche existe déjà" in w.value for w in at.warning), [b.label for b in at.button]
    at.button(key="new_confirm_duplicate").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert count_rows(demo_url, UseCase) == before + 1


def test_a_likely_duplicate_in_the_file_is_shown_with_its_sheet(app_as, demo_url, tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    svc = build_services(demo_url)
    existing = svc.register.list()[0]
    svc.db.dispose()
    data = f"Intitulé;Famille;Direction\n{existing.title};operations;{existing.direction}\n".encode()
    at = app_as("director").switch_page(PAGE).run()
    at.session_state["inv_file"] = ("inventaire.csv", data)
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Doublons probables"] == "1"
    table = at.dataframe[0].value
    assert list(table["Statut"]) == ["doublon probable"] and existing.reference in table["Doublons probables"][0]
