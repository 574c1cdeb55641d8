"""Document-level validation on contracts held out from training, against a TF-IDF + LR baseline.

    python -m usecases.contract_clauses.validation /work/shared/data

Split: ``TEST_SHARE`` of the contracts (seeded draw) are held out; the model and its per-type thresholds
are fitted on the other contracts only (inner folds inside ``train.fit``). Measure: does the
contract hold a clause of type T, F1 per type on the held-out contracts, macro-F1 over the 41 CUAD
types. The baseline is a plain TF-IDF (words, 1-2 grams) with one
logistic regression per type on the whole contract text, threshold 0.5, on the same folds.
Writes ``validation.json`` next to this file (the README table and the test read it).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from usecases.contract_clauses import cuad, train

TEST_SHARE = 0.25
SEED = 42
RESULT = Path(__file__).parent / "validation.json"


def baseline(train_texts: list[str], train_y: np.ndarray, test_texts: list[str]) -> np.ndarray:
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    xtr, xte = vec.fit_transform(train_texts), vec.transform(test_texts)
    out = np.zeros((len(test_texts), train_y.shape[1]), dtype=int)
    for j in range(train_y.shape[1]):
        y = train_y[:, j]
        if y.min() == y.max():
            out[:, j] = y[0]
            continue
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(xtr, y)
        out[:, j] = lr.predict(xte)
    return out


def split(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the training and held-out contracts (seeded draw)."""
    order = np.random.RandomState(SEED).permutation(n)
    n_test = round(TEST_SHARE * n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def per_type_f1(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    return np.array([f1_score(y[:, j], pred[:, j], zero_division=0) for j in range(y.shape[1])])


def evaluate(data_dir: Path, log=print) -> dict:
    corpus = cuad.load(data_dir)
    names = corpus.documents["document"].tolist()
    texts = corpus.documents["text"].tolist()
    y = corpus.labels.loc[names, corpus.types].to_numpy()
    tr, te = split(len(names))
    t0 = time.time()
    model = train.fit(corpus, [names[i] for i in tr], log=log)
    proba = train.predict(model, [texts[i] for i in te])
    pred_model = (proba >= model.thresholds).astype(int)
    pred_base = baseline([texts[i] for i in tr], y[tr], [texts[i] for i in te])
    log(f"trained and predicted in {time.time() - t0:.0f} s")
    y = y[te]
    f_model, f_base = per_type_f1(y, pred_model), per_type_f1(y, pred_base)
    positives = y.sum(axis=0)
    # secondary figures: types with enough held-out positives for a stable F1 (the 41-type figure is the measure)
    frequent = {f"macro_f1_{k}plus": {"types": int((positives >= k).sum()),
                                      "model": round(float(f_model[positives >= k].mean()), 3),
                                      "baseline": round(float(f_base[positives >= k].mean()), 3)}
                for k in (10, 20)}
    return {
        **frequent,
        "contracts": len(names), "train_contracts": len(tr), "test_contracts": len(te), "seed": SEED,
        "types": len(corpus.types),
        "macro_f1_model": round(float(f_model.mean()), 3),
        "macro_f1_baseline": round(float(f_base.mean()), 3),
        "per_type": {t: {"test_positives": int(y[:, j].sum()), "f1_model": round(float(f_model[j]), 3),
                         "f1_baseline": round(float(f_base[j]), 3)} for j, t in enumerate(corpus.types)},
    }


def main(argv: list[str]) -> None:
    data = Path(argv[0]) if argv else Path("../shared/data")
    res = evaluate(data)
    RESULT.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{res['contracts']} contracts: {res['train_contracts']} for training, {res['test_contracts']} held out; "
          f"{res['types']} CUAD types")
    print(f"{'type':40s} {'pos':>4s} {'model':>6s} {'base':>6s}")
    for t, r in res["per_type"].items():
        print(f"{t:40s} {r['test_positives']:4d} {r['f1_model']:6.3f} {r['f1_baseline']:6.3f}")
    for k in (10, 20):
        f = res[f"macro_f1_{k}plus"]
        print(f"macro-F1 over the {f['types']} types with >= {k} held-out positives: "
              f"model {f['model']:.3f}  baseline {f['baseline']:.3f}")
    gain = res["macro_f1_model"] - res["macro_f1_baseline"]
    print(f"macro-F1  model {res['macro_f1_model']:.3f}  baseline {res['macro_f1_baseline']:.3f}  (+{gain:.3f})")


if __name__ == "__main__":
    main(sys.argv[1:])
