"""The Dutch Algorithm Register export (publication standard 1.0) of the demo's published entries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from policies.vocabulary import PublicDomain
from portal.services import algoritmeregister as nl
from portal.services import build_services
from portal.services.people import SYSTEM

STATUSES = {"In ontwikkeling", "In gebruik", "Buiten gebruik"}
PUBLICATION = {"Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes"}


def test_every_domain_has_a_dutch_theme():
    assert set(nl.CATEGORY) == set(PublicDomain)
    assert len(nl.THEMES) == 16


def test_the_demo_register_exports_in_the_dutch_standard(demo_template: Path, tmp_path: Path):
    shutil.copy(demo_template, tmp_path / "vigie.db")
    svc = build_services(f"sqlite:///{tmp_path / 'vigie.db'}", data_dir=tmp_path)
    out = svc.public_register.export(SYSTEM, "algoritmeregister_json")
    published = {e.reference: e for e in svc.public_register.public_entries()}
    svc.db.dispose()
    assert out.filename == "algoritmeregister-v1.0.json" and out.rows == len(published) >= 5
    doc = json.loads(out.data)
    assert doc["standard_version"] == "1.0"
    for algo in doc["algorithms"]:
        assert list(algo) == list(nl.ATTRIBUTES)
        entry = published[algo["source_id"]]
        assert algo["name"] == entry.record["name"] and algo["organization"] == entry.record["administration"]
        assert all(algo[name] for name in nl.REQUIRED), algo
        assert algo["status"] in STATUSES and algo["publication_category"] in PUBLICATION
        assert set(algo["category"]) <= nl.THEMES and len(algo["category"]) <= 3
        assert len(algo["description_short"]) <= 350 and entry.record["purpose"].startswith(
            algo["description_short"].rstrip("…"))
        assert algo["goal"].startswith(entry.record["purpose"])
        # what the snapshot cannot answer is empty and listed, never invented
        empty = doc["empty_fields"][algo["source_id"]]
        assert {"begin_date", "process_index_url"} <= set(empty)
        assert all(algo[name] in (None, []) for name in empty if name in algo)
        # the sheet's « Transparence » section, as published
        assert algo["proportionality"] == entry.record["proportionality"] != ""
        assert algo["url"] == entry.record["product_page"] and algo["tags"] == entry.record["keywords"]
        assert entry.record["dpia_summary"] in algo["impacttoetsen"] and entry.record["aia_url"] in algo["impacttoetsen"]
        assert algo["methods_and_models"] == entry.record["methods_and_models"]
        assert algo["publiccode"] == (entry.record["codebase_url"] or None)


def test_the_publication_category_follows_the_ai_act_class_and_individual_decisions():
    import datetime as dt

    from policies.vocabulary import AiActClass, Stage

    day = dt.date(2026, 3, 1)
    base = {"name": "Attribution des places en crèche", "administration": "Ville de Test", "purpose": "x" * 500,
            "contact": "dpo@ville.test", "stage": Stage.DEPLOYED.label, "domain": PublicDomain.FAMILY_YOUTH.label}
    high = nl.algorithm(base | {"ai_act_class": AiActClass.HIGH.label, "individual_decisions": "oui"},
                        first_published=day, last_published=day)
    individual = nl.algorithm(base | {"individual_decisions": "oui"}, first_published=day, last_published=day)
    other = nl.algorithm(base | {"individual_decisions": "non", "stage": Stage.SUSPENDED.label},
                         first_published=day, last_published=day)
    assert high["publication_category"] == "Hoog-risico AI-systeem"
    assert individual["publication_category"] == "Impactvolle algoritmes"
    assert other["publication_category"] == "Overige algoritmes" and other["status"] == "Buiten gebruik"
    assert individual["category"] == ["Sociale zekerheid"] and individual["status"] == "In gebruik"
    assert len(individual["description_short"]) == 350 and individual["description_short"].endswith("…")
    assert "begin_date" in nl.missing(individual) and "name" not in nl.missing(individual)
