"""The pieces that keep internal words off the screen: the forbidden-word check itself, tables as people
read them, rule versions and audit changes in French."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from portal.services.schemas import AuditEventView
from portal.ui.formats import fmt_rules, section_title
from portal.ui.history import change_text
from portal.ui.tables import column_title, readable
from tests.words import unwanted_words


def test_unwanted_words_finds_english_identifiers_and_raw_values():
    assert unwanted_words("Choose an option") == ["Choose an option"]
    assert "facility_usage" in unwanted_words("Module associé (facility_usage)")
    assert {"ai_act@", "rgpd@"} <= set(unwanted_words("règles ai_act@2026.11.1+rgpd@2026.10.2"))
    assert "2026-12-03" in unwanted_words("le 2026-12-03")
    assert unwanted_words("Aipd") == ["Aipd"] and unwanted_words("niveau ii") == ["niveau ii"]
    assert "README" in unwanted_words("validés (voir README)")
    assert "None" in unwanted_words("None") and "True" in unwanted_words("True")


def test_unwanted_words_spares_french_and_the_persons_own_data():
    assert unwanted_words("Nonne, Non, Niveau II, eau et maintenance") == []
    assert unwanted_words("colonnes : « year », « count » ; fichier « velos_mai_2012.csv »") == []
    assert unwanted_words("Cas d'usage · Fin · Date · Population") == []


def test_a_module_table_reads_in_french():
    table = pd.DataFrame({"year": [2024, 2025], "borne_haute": [1.5, None], "ferie": [True, False],
                          "date": pd.to_datetime(["2012-06-02", None]), "Cas d'usage": ["a", "b"]})
    shown = readable(table)
    assert list(shown.columns) == ["Année", "Borne haute", "Férié", "Date", "Cas d'usage"]
    assert list(shown["Férié"]) == ["oui", "non"] and list(shown["Date"]) == ["02/06/2012", ""]
    assert shown["Année"].tolist() == [2024, 2025]  # numbers stay numbers (sortable)
    assert readable(table, blank_numbers=True)["Borne haute"].tolist() == [1.5, ""]
    assert column_title("forecast") == "Prévision" and column_title("Déjà lisible") == "Déjà lisible"
    as_table = readable(table, blank_numbers=True)  # st.table has no placeholder for an empty number
    for cell in as_table.astype(str).to_numpy().ravel().tolist() + list(as_table.columns):
        assert unwanted_words(cell) == [], cell


def test_rule_versions_and_sections_read_in_french():
    assert fmt_rules("ai_act@2026.11.1+rgpd@2026.10.2") == "règlement IA 2026.11.1, RGPD 2026.10.2"
    assert section_title("AIPD") == "AIPD" and section_title("haut risque") == "Haut risque"


def test_an_audit_update_lists_its_changes_in_french():
    payload = {"before": {"stage": "idea", "build_cost": 22000.0, "version": 1},
               "after": {"stage": "framing", "build_cost": 25000.0, "version": 2}}
    ev = AuditEventView(seq=1, at=dt.datetime(2026, 12, 3, tzinfo=dt.UTC), actor_id=1, actor_name="Nadia",
                        action="update", entity="use_case", entity_id="7", use_case_id=7,
                        payload=json.dumps(payload), hash="0" * 64, prev_hash="0" * 64)
    text = change_text(ev)
    assert "Idée → Cadrage" in text and "22 000" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert unwanted_words(text) == []
