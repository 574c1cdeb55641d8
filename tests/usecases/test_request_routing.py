"""request_routing: routing on the sample, threshold choice, validation figures and bad input (fast)."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from usecases import headless, registry
from usecases.loading import InvalidInput
from usecases.request_routing import model
from usecases.request_routing import validation as val

PACKAGE = Path(val.__file__).parent
MODULE = registry.get("request_routing")


@pytest.fixture(scope="module")
def result():
    return MODULE.run(MODULE.sample_inputs(), MODULE.params_model())


def test_sample_requests_are_routed_or_left_to_an_agent(result):
    routing = result.tables["routing"]
    assert list(routing.columns) == ["id", "text", "predicted_service", "confidence", "routed", "decision",
                                     "alternatives", "terms"]
    assert len(routing) == 62  # the 2022 projects, whose service the sample leaves empty
    threshold = result.metrics["seuil_confiance"]
    assert (routing.loc[routing["routed"], "confidence"] >= threshold).all()
    assert (routing.loc[~routing["routed"], "confidence"] < threshold).all()
    assert 0 < routing["routed"].sum() < len(routing)
    assert routing["alternatives"].str.count(r"\(").eq(2).all()
    assert routing["terms"].str.len().gt(0).all()
    assert (routing.loc[~routing["routed"], "decision"] == "laissée à un agent").all()
    # the threshold reaches the target precision on the latest part of the history
    assert result.metrics["validation_precision_pct"] >= 90
    assert set(result.tables) == {"routing", "service_quality", "confusion", "coverage_precision"}
    assert result.tables["confusion"]["demandes"].sum() == result.metrics["validation_demandes"]


def test_sample_routes_school_yards_to_the_school_directorate(result):
    routing = result.tables["routing"]
    schools = routing[routing["text"].str.contains("cour", case=False) & routing["text"].str.contains("école",
                                                                                                       case=False)]
    assert len(schools)
    assert (schools["predicted_service"] == "Direction des Affaires Scolaires").mean() >= 0.8
    # the terms quote the request's own words (not the stems) and the categories by name
    assert any("écoles" in t.split(", ") for t in schools["terms"])
    assert routing["terms"].str.contains("thematique = ").any()


def test_threshold_is_the_lowest_reaching_the_target_precision():
    confidence = np.array([0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    correct = np.array([True, True, True, False, True, False])
    curve = model.precision_curve(confidence, correct)
    assert curve["precision"].tolist() == pytest.approx([1, 1, 1, 0.75, 0.8, 4 / 6])
    assert model.choose_threshold(curve, 0.9) == (0.8, 0.5, 1.0)
    assert model.choose_threshold(curve, 0.8) == (0.6, 5 / 6, 0.8)
    none = model.precision_curve(np.array([0.9, 0.8]), np.array([False, False]))
    assert model.choose_threshold(none, 0.9)[:2] == (1.0, 0.0)


def test_time_split_holds_out_the_latest_periods():
    df = pd.DataFrame({"t": [2015] * 6 + [2016] * 3 + [2017] * 1})
    early, late = model.time_split(df, "t", 0.2)
    assert late.tolist() == [6, 7, 8, 9]
    assert early.tolist() == list(range(6))
    _early, late = model.time_split(pd.DataFrame({"t": [1] * 9 + [2]}), None, 0.2)
    assert late.tolist() == [8, 9]


def test_readme_table_matches_validation_json():
    report = json.loads((PACKAGE / "validation.json").read_text(encoding="utf-8"))
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert val.table(report) in readme
    main = report["paris_2021_2022"]
    best = main["module_categories"]
    flat = " ".join(readme.split())
    assert f"exactitude de {val._p(best['exactitude'])}" in flat
    assert f"route {val._p(best['routees_seuil'])} des projets avec une précision de {val._p(best['precision_seuil'])}" \
        in flat
    assert best["exactitude"] > main["tfidf_car_lr"]["exactitude"] > main["majoritaire"]["exactitude"]


def test_majority_baseline_recomputed(shared_data):
    report = json.loads((PACKAGE / "validation.json").read_text(encoding="utf-8"))
    paris = val.load_paris(shared_data)
    assert report["paris_2022"]["historique"] == int((paris["edition"] <= 2021).sum())
    again = val.majority(paris[paris["edition"] <= 2019], paris[paris["edition"] >= 2021])
    assert again == report["paris_2021_2022"]["majoritaire"]


def _write(tmp_path: Path, content: bytes, name: str = "demandes.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _run(tmp_path: Path, content: bytes):
    return headless.analyse_to_dir("request_routing", {"": _write(tmp_path, content)}, {}, tmp_path / "out")


HISTORY = "".join(f"h{i};{text} {i};{service}\n" for i in range(6) for text, service in (
    ("Nid de poule sur la chaussée rue", "Voirie"), ("Inscription à l'école maternelle", "Écoles"),
    ("Poubelles non ramassées devant l'immeuble", "Propreté")))


def test_cp1252_file_runs_and_keeps_accents(tmp_path):
    content = ("id;text;service\n" + HISTORY + "r1;Trou dans la chaussée;\nr2;Inscription école;\n").encode("cp1252")
    result = _run(tmp_path, content)
    routing = result.tables["routing"].set_index("id")
    assert routing.at["r1", "text"] == "Trou dans la chaussée"
    assert routing.at["r1", "predicted_service"] == "Voirie"
    assert routing.at["r2", "predicted_service"] == "Écoles"
    assert (tmp_path / "out" / "routing.csv").exists()


@pytest.mark.parametrize(("content", "expected"), [
    (b"id;message;service\n1;Bonjour;Voirie\n", "Colonne manquante : « text »"),
    (b"id;text;service\n1;Trou dans la chaussee;\n2;Bonjour;\n", "Colonne « service » : aucune valeur renseignée"),
    ("id;text;service\n" + "".join(f"{i};Trou {i};Voirie\n" for i in range(5)) + "9;Trou;\n",
     "Un seul service dans l'historique (« Voirie »)"),
    (b"\x00\x01\x02\x03binary" * 50, "n'est pas un fichier texte"),
])
def test_bad_input_gets_a_french_message_and_writes_nothing(tmp_path, content, expected):
    data = content.encode("utf-8") if isinstance(content, str) else content
    with pytest.raises(InvalidInput) as info:
        _run(tmp_path, data)
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert not (tmp_path / "out").exists()


def test_empty_history_is_named_when_run_directly():
    frame = pd.DataFrame({"id": ["1", "2"], "text": ["Trou", "Bruit"], "service": [None, None]})
    with pytest.raises(InvalidInput) as info:
        MODULE.run({"requests": frame}, MODULE.params_model())
    assert "Historique vide" in info.value.problems[0]


def test_file_over_20_mb_is_refused(tmp_path):
    big = b"id;text;service\n" + b"1;" + b"a" * (20 * 1024 * 1024) + b";Voirie\n"
    with pytest.raises(InvalidInput) as info:
        _run(tmp_path, big)
    assert "trop volumineux" in info.value.problems[0]
    assert not (tmp_path / "out").exists()


# --- the run's own check against its simplest baselines (issue 14) -----------------------------------

def test_run_reports_its_accuracy_against_the_simplest_baselines(result):
    m = result.metrics
    assert 0 <= m["validation_exactitude_majoritaire_pct"] <= 100
    assert 0 <= m["validation_exactitude_tfidf_simple_pct"] <= 100
    best = max(m["validation_exactitude_majoritaire_pct"], m["validation_exactitude_tfidf_simple_pct"])
    assert m["validation_bat_les_references"] == float(m["validation_exactitude_pct"] > best)
    assert m["validation_bat_les_references"] == 1  # on the Paris sample the router beats both
    note = result.notes[0].replace("\u00a0", " ")
    assert note.startswith("Sur vos données, ce routage fait mieux que les références simples (exactitude ")
    assert f"{m['validation_exactitude_majoritaire_pct']:.1f} % en proposant toujours".replace(".", ",") in note
    assert f"{int(m['validation_demandes'])} demandes récentes de l'historique" in note


def test_run_says_so_when_it_does_not_beat_the_majority_class():
    rng = np.random.default_rng(3)
    words = np.array(["voirie", "parc", "école", "bruit", "trottoir", "lumière", "banc", "arbre", "vélo", "mur"])
    rows = [{"id": f"R{i}", "text": " ".join(rng.choice(words, 4)), "service": "Voirie" if rng.random() < 0.8
             else "Espaces verts", "edition": 2015 + i // 40} for i in range(200)]
    df = pd.DataFrame(rows).astype({"edition": str})
    result = MODULE.run({"requests": df}, MODULE.params_model(use_categories=False))
    m = result.metrics
    assert m["validation_exactitude_pct"] <= m["validation_exactitude_majoritaire_pct"]
    assert m["validation_bat_les_references"] == 0
    assert result.notes[0].startswith("Sur vos données, ce routage ne fait pas mieux qu'une référence simple")
    assert "un agent doit relire les propositions" in result.notes[0]


def test_readme_quotes_the_sample_run_baseline_check(result):
    import re

    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    quote = re.search(r"« (Sur vos données, ce routage .*?) »", readme, re.S).group(1)
    assert " ".join(quote.split()) == result.notes[0].replace("\u00a0", " ")
