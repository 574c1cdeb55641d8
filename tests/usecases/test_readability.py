"""readability: measures, suggestions, validation figures and bad input (fast: small texts only)."""

import json
from pathlib import Path

import pandas as pd
import pytest

from usecases import headless, registry
from usecases.loading import InvalidInput
from usecases.readability import score, text
from usecases.readability import validation as val

PACKAGE = Path(val.__file__).parent
MODULE = registry.get("readability")


@pytest.fixture(scope="module")
def sample_result():
    return MODULE.run(MODULE.sample_inputs(), MODULE.params_model())


def test_plain_versions_score_lower_than_administrative_ones(sample_result):
    texts = sample_result.tables["texts"].set_index("id")
    for hard, plain in (("courrier-01", "courrier-01-simple"), ("web-cantine", "web-cantine-simple"),
                        ("registre-routage", "registre-routage-simple"), ("wikipedia-eris", "vikidia-eris")):
        assert texts.at[hard, "score_difficulte"] > texts.at[plain, "score_difficulte"], hard
    first = sample_result.tables["a_reecrire"]["id"].head(4).tolist()
    assert "deliberation-07" in first and "courrier-01" in first
    assert not any(i.endswith("-simple") for i in first)


def test_suggestions_quote_the_sentence_with_a_plain_replacement(sample_result):
    sugg = sample_result.tables["suggestions"]
    row = sugg[(sugg["id"] == "courrier-01") & (sugg["element"].str.lower() == "afin de")].iloc[0]
    assert row["type"] == "expression administrative"
    assert "« pour »" in row["suggestion"]
    assert row["phrase"].startswith("M") or "Afin de" in row["phrase"]
    assert "Afin de permettre son instruction" in row["phrase"]
    kinds = set(sugg.loc[sugg["id"] == "courrier-01", "type"])
    assert {"phrase longue", "expression administrative", "nominalisation", "sigle"} <= kinds
    assert sugg.loc[sugg["id"] == "deliberation-07", "element"].eq("CCAS").any()


def test_kandel_moles_and_lix_formulas():
    m = text.measure("Le chat dort. Il fait beau dehors aujourd'hui.")
    assert m.sentences == 2 and m.words == 8
    assert m.kandel_moles == pytest.approx(207 - 1.015 * 4 - 73.6 * m.syllables / 8)
    assert m.lix == pytest.approx(4 + 100 * 1 / 8)  # « aujourd'hui » is the one word over 6 letters


def test_sentences_keep_abbreviations():
    assert len(text.sentences("M. Dupont a signé l'art. L. 2121-29. La séance est levée.")) == 2


def test_passive_voice_rules():
    assert text.passives("Votre demande a été transmise par le service.") == ["a été transmise"]
    assert text.passives("Les repas sont facturés chaque mois.")
    assert not text.passives("Il est venu hier.")
    assert not text.passives("Elle s'est inscrite en ligne.")
    assert not text.passives("L'entrée est gratuite.")


def test_acronyms_spelled_out_or_not():
    assert text.unexplained_acronyms("Le CCAS vous répond.") == ["CCAS"]
    assert text.unexplained_acronyms("Le centre communal d'action sociale (CCAS) vous répond. Le CCAS…") == []
    assert text.unexplained_acronyms("Le Centre Communal d'Action Sociale vous répond ; le CCAS aussi.") == []
    assert text.unexplained_acronyms("LA MAIRIE EST FERMÉE") == []


def test_jargon_longest_phrase_wins():
    found = text.jargon("En application des règles, afin de vous répondre, le cas échéant.")
    assert [p.lower() for p, _ in found] == ["en application des", "le cas échéant", "afin de"]
    assert dict((p.lower(), r) for p, r in found)["afin de"] == "pour"


def test_rare_words_ignore_names_and_imperatives():
    m = text.measure("Envoyez-les à Pierrefitte. Les chromatophores changent de couleur.", rare_zipf=2.5)
    assert m.rare_words == ["chromatophores"]


def test_readme_table_matches_validation_json():
    report = json.loads((PACKAGE / "validation.json").read_text(encoding="utf-8"))
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    for key, label in (("score", "score de difficulté (module)"), ("mots_par_phrase", "mots par phrase"),
                       ("longueur_moyenne_des_mots", "longueur moyenne des mots"),
                       ("kandel_moles", "Kandel–Moles seul")):
        r = report["results"][key]
        line = f"| {label} | {val._pct(r['wiki_plus_difficile'])} | {val._pct(r['accord_etiquette'])} |"
        assert line in readme, line
    results = report["results"]
    for baseline in ("mots_par_phrase", "longueur_moyenne_des_mots", "kandel_moles"):
        assert results["score"]["wiki_plus_difficile"] > results[baseline]["wiki_plus_difficile"]
        assert results["score"]["accord_etiquette"] > results[baseline]["accord_etiquette"]
    gap = report["gap_vs_words_per_sentence"]
    assert f"+{val._pct(gap['ecart_points']).replace(' %', ' points')}" in readme
    assert f"+{val._pct(gap['ic95_bas'])[:-2]} à +{val._pct(gap['ic95_haut'])[:-2]} points" in readme
    spacy_check = report["passive_vs_spacy"]
    if spacy_check is not None:
        assert (f"règles repèrent {spacy_check['passives_regles']} passifs, spaCy {spacy_check['passives_spacy']} ; "
                f"précision des règles {val._pct(spacy_check['precision_pct'])}, rappel "
                f"{val._pct(spacy_check['rappel_pct'])}") in " ".join(readme.split())
    weights = json.loads((PACKAGE / "weights.json").read_text(encoding="utf-8"))
    assert set(weights["weight"]) == set(score.FEATURES)


def test_validation_recomputes_on_held_out_subset(shared_data):
    """The first held-out pairs, scored with the shipped weights, give the stored figures."""
    report = json.loads((PACKAGE / "validation.json").read_text(encoding="utf-8"))
    _, test = val.split(val.load_pairs(shared_data))
    sub = test.head(report["check_first_n"])
    fw, fv = val.feature_table(sub["wiki"]), val.feature_table(sub["viki"])
    assert val.evaluate(sub, fw, fv, score.weights()) == report["check"]


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_headless_writes_the_three_tables(tmp_path):
    frame = MODULE.sample_inputs()["texts"]
    src = _write(tmp_path, "textes.csv", frame.to_csv(index=False, sep=";").encode("cp1252", errors="replace"))
    result = headless.analyse_to_dir("readability", {"": src}, {"top_n": 3}, tmp_path / "out")
    for name in ("texts", "suggestions", "a_reecrire"):
        assert (tmp_path / "out" / f"{name}.csv").exists()
    assert len(result.tables["a_reecrire"]) == 3
    # Windows-1252 reads as the UTF-8 sample does
    ref = MODULE.run(MODULE.sample_inputs(), MODULE.params_model()).tables["texts"]
    pd.testing.assert_series_equal(result.tables["texts"]["score_difficulte"], ref["score_difficulte"])


@pytest.mark.parametrize(("content", "expected"), [
    (b"id;titre;contenu\n1;a;b\n", "Colonne manquante : « text »"),
    (b"", "Le fichier est vide."),
    (b"id;title;text\n", "aucune ligne de données"),
    (b"\x00\x01\x02\xff\xfe\x00binary\x00\x00", "binaire"),
])
def test_bad_input_gets_a_french_message_and_writes_nothing(tmp_path, content, expected):
    src = _write(tmp_path, "textes.csv", content)
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("readability", {"": src}, {}, tmp_path / "out")
    assert expected in " ".join(info.value.problems)
    assert not (tmp_path / "out").exists()


def test_a_file_over_20_mb_is_refused(tmp_path):
    head = b"id;title;text\n1;t;"
    src = _write(tmp_path, "textes.csv", head + b"a" * (20 * 1024 * 1024 + 1 - len(head)))
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("readability", {"": src}, {}, tmp_path / "out")
    assert "trop volumineux" in info.value.problems[0] and "20,0 Mo" in info.value.problems[0]
    assert not (tmp_path / "out").exists()


def test_empty_texts_are_skipped_and_counted():
    df = pd.DataFrame({"id": ["a", "b"], "title": ["x", "y"], "text": ["Le chat dort.", None]})
    result = MODULE.run({"texts": df}, MODULE.params_model())
    assert result.metrics["textes"] == 1 and result.metrics["textes_vides"] == 1
