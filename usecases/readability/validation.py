"""Does the score rank texts as people write them for easier reading?

Data: 5,000 aligned sentence pairs from the French Wikipedia and Vikidia (written for 8-13 year
olds), WiViCo v2 (``../shared/data/readability/``). Half the pairs (random, seed 0) fit the weights
of the score (pairwise logistic regression on feature differences); the other half only measures:

- ``wiki_plus_difficile``: share of held-out pairs where the Wikipedia sentence gets the higher
  difficulty (ties count one half) — the editorial direction of the corpus;
- ``accord_etiquette``: agreement with the corpus's pair label (simplification / complexification),
  which comes from the authors' FlauBERT classifiers, not from people: agreement, not truth.

Baselines on the same pairs: words per sentence, mean word length (letters), Kandel–Moles alone.
``python -m usecases.readability.validation ../shared/data`` prints the table, writes
``weights.json`` (used by the module) and ``validation.json`` (checked by the tests).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from usecases.readability import score, text

PAIRS_FILE = Path("readability", "wivico_v2_pairs_sample.tsv")
PACKAGE = Path(__file__).parent
SEED = 0
#: held-out pairs recomputed by the test (first N of the test half)
CHECK_N = 150


def load_pairs(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(Path(data_dir, PAIRS_FILE), sep="\t", quoting=csv.QUOTE_NONE, dtype=str)
    out = pd.DataFrame({
        "wiki": raw.iloc[:, 0].fillna(""),
        "viki": raw.iloc[:, 1].fillna(""),
        "label": raw.iloc[:, 4].astype(int),  # 0: simplification (Vikidia simpler), 1: complexification
    })
    return out[(out["wiki"].str.strip() != "") & (out["viki"].str.strip() != "")].reset_index(drop=True)


def split(pairs: pd.DataFrame, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(seed).permutation(len(pairs))
    half = len(pairs) // 2
    return pairs.iloc[order[:half]].reset_index(drop=True), pairs.iloc[order[half:]].reset_index(drop=True)


def feature_table(texts: pd.Series) -> pd.DataFrame:
    rows = []
    for t in texts:
        m = text.measure(t)
        f = score.features(m)
        f["kandel_moles"] = m.kandel_moles
        f["mean_word_length"] = m.mean_word_length
        rows.append(f)
    return pd.DataFrame(rows)


def fit(fw: pd.DataFrame, fv: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Pairwise logistic regression: P(Wikipedia harder) from standardised feature differences."""
    from sklearn.linear_model import LogisticRegression

    names = list(score.FEATURES)
    both = pd.concat([fw[names], fv[names]])
    mean = both.mean()
    scale = both.std().replace(0, 1.0)
    d = ((fw[names] - mean) / scale - (fv[names] - mean) / scale).to_numpy()
    x = np.vstack([d, -d])
    y = np.r_[np.ones(len(d)), np.zeros(len(d))]
    model = LogisticRegression(fit_intercept=False, C=1.0, max_iter=1000).fit(x, y)
    return {
        "weight": {k: round(float(v), 6) for k, v in zip(names, model.coef_[0], strict=True)},
        "mean": {k: round(float(mean[k]), 6) for k in names},
        "scale": {k: round(float(scale[k]), 6) for k in names},
    }


def _pairwise(hard_wiki: np.ndarray, hard_viki: np.ndarray, label: np.ndarray) -> dict[str, float]:
    """Share of pairs ranking Wikipedia harder, and agreement with the model's pair label."""
    wiki_first = np.where(hard_wiki > hard_viki, 1.0, np.where(hard_wiki == hard_viki, 0.5, 0.0))
    agree = np.where(label == 0, wiki_first, 1 - wiki_first)
    return {"wiki_plus_difficile": round(float(wiki_first.mean() * 100), 1),
            "accord_etiquette": round(float(agree.mean() * 100), 1)}


def evaluate(test: pd.DataFrame, fw: pd.DataFrame, fv: pd.DataFrame,
             w: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    label = test["label"].to_numpy()
    sw = np.array([score.difficulty(r, w) for r in fw.to_dict("records")])
    sv = np.array([score.difficulty(r, w) for r in fv.to_dict("records")])
    return {
        "score": _pairwise(sw, sv, label),
        "mots_par_phrase": _pairwise(fw["words_per_sentence"].to_numpy(), fv["words_per_sentence"].to_numpy(), label),
        "longueur_moyenne_des_mots": _pairwise(fw["mean_word_length"].to_numpy(), fv["mean_word_length"].to_numpy(), label),
        # Kandel–Moles: higher = easier, so the harder text has the lower index
        "kandel_moles": _pairwise(-fw["kandel_moles"].to_numpy(), -fv["kandel_moles"].to_numpy(), label),
    }


def _wiki_first(hard_wiki: np.ndarray, hard_viki: np.ndarray) -> np.ndarray:
    return np.where(hard_wiki > hard_viki, 1.0, np.where(hard_wiki == hard_viki, 0.5, 0.0))


def gap_interval(fw: pd.DataFrame, fv: pd.DataFrame, w: dict[str, dict[str, float]],
                 rounds: int = 2000, seed: int = SEED) -> dict[str, float]:
    """Score minus words-per-sentence (share ranking Wikipedia harder, points), 95 % paired bootstrap."""
    sw = np.array([score.difficulty(r, w) for r in fw.to_dict("records")])
    sv = np.array([score.difficulty(r, w) for r in fv.to_dict("records")])
    diff = _wiki_first(sw, sv) - _wiki_first(fw["words_per_sentence"].to_numpy(), fv["words_per_sentence"].to_numpy())
    rng = np.random.default_rng(seed)
    boots = np.array([diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(rounds)]) * 100
    return {"ecart_points": round(float(diff.mean() * 100), 1),
            "ic95_bas": round(float(np.percentile(boots, 2.5)), 1),
            "ic95_haut": round(float(np.percentile(boots, 97.5)), 1)}


def passive_agreement(texts: list[str], n: int = 300, seed: int = SEED) -> dict[str, float] | None:
    """Rule-based passive detection against spaCy's parser (``aux:pass``), sentence by sentence, on
    ``n`` held-out sentences; None when spaCy and ``fr_core_news_sm`` are not installed (the module
    never needs them)."""
    try:
        import spacy

        nlp = spacy.load("fr_core_news_sm", disable=["ner"])
    except (ImportError, OSError):
        return None
    sents = [s for t in texts for s in text.sentences(t)]
    picked = [sents[i] for i in sorted(np.random.default_rng(seed).choice(len(sents), size=min(n, len(sents)),
                                                                           replace=False))]
    rules = np.array([bool(text.passives(s)) for s in picked])
    parser = np.array([any(tok.dep_ == "aux:pass" for tok in doc) for doc in nlp.pipe(picked)])
    both = float((rules & parser).sum())
    return {"phrases": len(picked), "passives_spacy": int(parser.sum()), "passives_regles": int(rules.sum()),
            "precision_pct": round(100 * both / max(int(rules.sum()), 1), 1),
            "rappel_pct": round(100 * both / max(int(parser.sum()), 1), 1),
            "accord_pct": round(100 * float((rules == parser).mean()), 1)}


def run(data_dir: Path) -> dict[str, Any]:
    pairs = load_pairs(data_dir)
    train, test = split(pairs)
    w = fit(feature_table(train["wiki"]), feature_table(train["viki"]))
    fw, fv = feature_table(test["wiki"]), feature_table(test["viki"])
    results = evaluate(test, fw, fv, w)
    check = evaluate(test.head(CHECK_N), fw.head(CHECK_N), fv.head(CHECK_N), w)
    return {
        "pairs": len(pairs), "train": len(train), "test": len(test),
        "test_label_simplification_pct": round(float((test["label"] == 0).mean() * 100), 1),
        "results": results, "gap_vs_words_per_sentence": gap_interval(fw, fv, w),
        "passive_vs_spacy": passive_agreement(list(test["wiki"]) + list(test["viki"])), "check_first_n": CHECK_N, "check": check, "weights": w,
    }


def table(report: dict[str, Any]) -> str:
    labels = {"score": "score de difficulté (module)", "mots_par_phrase": "mots par phrase",
              "longueur_moyenne_des_mots": "longueur moyenne des mots", "kandel_moles": "Kandel–Moles seul"}
    lines = ["| mesure | Wikipédia jugée plus difficile | accord avec l'étiquette du corpus |",
             "| --- | --- | --- |"]
    for key, label in labels.items():
        r = report["results"][key]
        lines.append(f"| {label} | {_pct(r['wiki_plus_difficile'])} | {_pct(r['accord_etiquette'])} |")
    return "\n".join(lines)


def _pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + " %"


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE.parents[1].parent / "shared" / "data"
    report = run(data)
    (PACKAGE / "weights.json").write_text(json.dumps(report["weights"], indent=2) + "\n", encoding="utf-8")
    (PACKAGE / "validation.json").write_text(
        json.dumps({k: v for k, v in report.items() if k != "weights"}, ensure_ascii=False, indent=2) + "\n",
        encoding="utf-8")
    print(f"{report['pairs']} paires ; poids appris sur {report['train']}, mesure sur {report['test']} "
          f"({report['test_label_simplification_pct']} % étiquetées simplification)")
    print(table(report))
    print("voix passive, règles contre spaCy :", report["passive_vs_spacy"])
    print("écart score − mots par phrase (IC 95 %, bootstrap apparié) :", report["gap_vs_words_per_sentence"])
    print(json.dumps(report["weights"]["weight"], indent=2))
