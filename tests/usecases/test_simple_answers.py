"""simple_answers: matching on the sample, drafts, validation figures and bad input."""

import json
from pathlib import Path

import pandas as pd
import pytest

from usecases import headless, registry
from usecases.loading import InvalidInput
from usecases.simple_answers import match
from usecases.simple_answers import validation as val

PACKAGE = Path(val.__file__).parent
MODULE = registry.get("simple_answers")
#: the entry that answers each sample question (written with the sample); None: no entry does
EXPECTED = {"q01": "etat-civil-01", "q02": "dechets-01", "q03": "dechets-02", "q04": "ecole-01", "q05": "voirie-01",
            "q06": "urbanisme-01", "q07": "etat-civil-02", "q08": "sport-01", "q09": None, "q10": None,
            "q11": "elections-01", "q12": None}


@pytest.fixture(scope="module")
def answers() -> pd.DataFrame:
    return MODULE.run(MODULE.sample_inputs(), MODULE.params_model()).tables["answers"].set_index("id")


def test_drafts_only_point_to_the_right_entry_and_unanswerable_go_to_an_agent(answers):
    drafted = answers[~answers["needs_agent"]]
    assert len(drafted) >= 6
    for qid, row in drafted.iterrows():
        assert row["faq_id"] == EXPECTED[qid], qid
    for qid, expected in EXPECTED.items():
        if expected is None:
            assert answers.at[qid, "needs_agent"], qid
            assert answers.at[qid, "draft_answer"] == ""
    top1 = sum(answers.at[q, "faq_id"] == e for q, e in EXPECTED.items() if e)
    assert top1 == sum(1 for e in EXPECTED.values() if e)


def test_draft_quotes_the_faq_answer_and_says_an_agent_reviews_it(answers):
    text = answers.at["q01", "draft_answer"]
    assert "acte de naissance en ligne" in text and "ville-exemple.fr/etat-civil/acte-naissance" in text
    assert "à relire" in text
    assert 0 < answers.at["q01", "similarity"] <= 1
    assert answers.at["q01", "alternatives"].count("(") == 2


def test_normalisation_folds_accents_elisions_and_suffixes():
    assert match.tokens("L'inscription à l'école") == match.tokens("inscriptions ecole")
    assert "etat" in match.fold("l'État")


def test_readme_table_matches_validation_json():
    report = json.loads((PACKAGE / "validation.json").read_text(encoding="utf-8"))
    readme = (PACKAGE / "README.md").read_text(encoding="utf-8")
    assert val.table(report) in readme
    assert report["module"]["p_at_1"] > report["tfidf_brut"]["p_at_1"] > report["meme_ministere"]["p_at_1"]
    assert report["meme_ministere"]["p_at_1"] > report["hasard"]["p_at_1"]
    assert report["module"]["p_at_3"] > report["meme_ministere"]["p_at_3"]
    d = report["with_default_thresholds"]
    assert f"{val._pct(d['drafted_pct'])} des requêtes" in readme
    assert f"dans {val._pct(d['p_at_1_when_drafted'])} des cas" in readme
    gap = report["gap_vs_raw_p_at_1"]
    flat = " ".join(readme.split())
    assert (f"+{val._pct(gap['points'])[:-2]} points de précision à 1 sur le TF-IDF brut (intervalle à 95 % de "
            f"+{val._pct(gap['ic95_bas'])[:-2]} à +{val._pct(gap['ic95_haut'])[:-2]} points") in flat
    near = report["near_duplicates"]
    assert f"{val._pct(near['pct'])} des requêtes ont une quasi-copie" in flat
    assert f"la précision à 1 reste de {val._pct(near['p_at_1_without'])}" in flat


def test_validation_recomputes_on_the_first_queries(shared_data):
    report = json.loads((PACKAGE / "validation.json").read_text(encoding="utf-8"))
    frame = val.load_questions(shared_data)
    again = val.evaluate(frame[frame["date"] < pd.Timestamp(report["check_until"])], methods=("module",))
    assert again == report["check"]


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_headless_with_named_inputs(tmp_path):
    frames = MODULE.sample_inputs()
    paths = {n: _write(tmp_path, f"{n}.csv", f.to_csv(index=False, sep=";").encode("cp1252", errors="replace"))
             for n, f in frames.items()}
    result = headless.analyse_to_dir("simple_answers", paths, {}, tmp_path / "out")
    assert (tmp_path / "out" / "answers.csv").exists()
    assert list(result.tables["answers"].columns[:3]) == ["id", "text", "faq_id"]


@pytest.mark.parametrize(("faq", "expected"), [
    (b"faq_id;question\n1;a\n", "Colonne manquante : « answer »"),
    (b"", "Le fichier est vide."),
])
def test_bad_input_names_the_file_and_writes_nothing(tmp_path, faq, expected):
    paths = {"faq": _write(tmp_path, "faq.csv", faq),
             "questions": _write(tmp_path, "questions.csv", b"id;text\nq1;Bonjour\n")}
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("simple_answers", paths, {}, tmp_path / "out")
    assert any(p.startswith("faq.csv : ") and expected in p for p in info.value.problems)
    assert not (tmp_path / "out").exists()


def test_questions_without_text_column_are_refused(tmp_path):
    paths = {"faq": _write(tmp_path, "faq.csv", b"faq_id;question;answer\n1;a b;c d\n"),
             "questions": _write(tmp_path, "questions.csv", b"id;message\nq1;Bonjour\n")}
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("simple_answers", paths, {}, tmp_path / "out")
    assert "questions.csv : Colonne manquante : « text »" in info.value.problems


def test_one_entry_faq_and_empty_questions_still_run():
    faq = pd.DataFrame({"faq_id": ["a"], "question": ["Horaires de la mairie ?"], "answer": ["9 h - 17 h."]})
    questions = pd.DataFrame({"id": ["1", "2"], "text": ["Quels horaires pour la mairie ?", None]})
    result = MODULE.run({"faq": faq, "questions": questions}, MODULE.params_model())
    assert result.metrics["questions"] == 1
    assert result.tables["answers"]["faq_id"].tolist() == ["a"]
