"""Train the clause-type model on CUAD and write ``model.npz`` + ``model.json`` next to this file.

    python -m usecases.contract_clauses.train /work/shared/data

Thresholds and stage 2 are fitted on out-of-fold scores of the training contracts only
(``INNER_FOLDS``-fold split by contract); ``validation.py`` calls ``fit`` on each outer fold.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import KFold

from usecases.contract_clauses import cuad, segment
from usecases.contract_clauses.model import CHAR, WORD, ClauseModel, Vectoriser

INNER_FOLDS = 4
SEED = 0
ALPHA = 5e-4
EPOCHS = 12
C_STACK = 0.3
C_DOC = 4.0
#: add a whole-document scorer's logits to stage 2
DOC_LEVEL = False
MAX_WORD = 30_000
MAX_CHAR = 40_000


def fit_vectoriser(texts: list[str]) -> Vectoriser:
    w = TfidfVectorizer(min_df=2, max_features=MAX_WORD, **WORD).fit(texts)
    c = TfidfVectorizer(min_df=3, max_features=MAX_CHAR, **CHAR).fit(texts)
    wv = sorted(w.vocabulary_, key=w.vocabulary_.get)
    cv = sorted(c.vocabulary_, key=c.vocabulary_.get)
    return Vectoriser(wv, cv, w.idf_.copy(), c.idf_.copy())


def fit_clauses(vec: Vectoriser, clauses: pd.DataFrame, types: list[str]) -> tuple[np.ndarray, np.ndarray]:
    x = vec.transform(clauses["text"].tolist())
    weights = np.zeros((vec.size, len(types)))
    bias = np.full(len(types), -10.0)
    for j, t in enumerate(types):
        y = clauses[t].to_numpy()
        if y.sum() == 0:
            continue
        lr = SGDClassifier(loss="log_loss", alpha=ALPHA, class_weight="balanced", max_iter=EPOCHS, tol=None,
                           random_state=SEED)
        lr.fit(x, y)
        weights[:, j] = lr.coef_[0]
        bias[j] = lr.intercept_[0]
    return weights, bias


def fit_docs(vec: Vectoriser, texts: list[str], labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = vec.transform(texts)
    weights = np.zeros((vec.size, labels.shape[1]))
    bias = np.zeros(labels.shape[1])
    for j in range(labels.shape[1]):
        y = labels[:, j]
        if y.min() == y.max():
            bias[j] = 10.0 if y.min() == 1 else -10.0
            continue
        lr = LogisticRegression(C=C_DOC, class_weight="balanced", solver="liblinear").fit(x, y)
        weights[:, j] = lr.coef_[0]
        bias[j] = lr.intercept_[0]
    return weights, bias


def segments(texts: list[str]) -> list[list[str]]:
    return [[t[a:b] for a, b in segment.split(t)] for t in texts]


def best_logits(vec: Vectoriser, weights: np.ndarray, bias: np.ndarray, docs: list[list[str]]) -> np.ndarray:
    flat = [s for d in docs for s in d]
    logits = np.asarray(vec.transform(flat) @ weights) + bias if flat else np.zeros((0, len(bias)))
    out, pos = np.full((len(docs), len(bias)), -30.0), 0
    for i, d in enumerate(docs):
        if d:
            out[i] = logits[pos:pos + len(d)].max(axis=0)
        pos += len(d)
    return out


def best_threshold(y: np.ndarray, p: np.ndarray) -> float:
    """Threshold maximising F1 on out-of-fold scores (midpoint between neighbouring scores)."""
    if y.sum() == 0:
        return 0.5
    order = np.sort(np.unique(p))
    cands = np.concatenate([[0.5], (order[:-1] + order[1:]) / 2]) if len(order) > 1 else np.array([0.5])
    best_t, best_f = 0.5, -1.0
    for t in cands:
        pred = p >= t
        tp = float((pred & (y == 1)).sum())
        f = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f > best_f + 1e-12:
            best_t, best_f = float(t), f
    return best_t


def fit_stack(feats: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stage-2 weights, intercepts and thresholds (on its own out-of-fold scores) from training docs only."""
    n_types = labels.shape[1]
    sw, sb, th = np.zeros((feats.shape[1], n_types)), np.zeros(n_types), np.full(n_types, 0.5)
    inner_f1 = np.ones(n_types)
    inner = KFold(INNER_FOLDS, shuffle=True, random_state=SEED + 1)
    for j in range(n_types):
        y = labels[:, j]
        if y.min() == y.max():
            sb[j] = 30.0 if y.min() == 1 else -30.0
            continue
        oof = np.zeros(len(y))
        for tr, te in inner.split(feats):
            if y[tr].min() == y[tr].max():
                oof[te] = y[tr].mean()
                continue
            lr = LogisticRegression(C=C_STACK, class_weight="balanced", solver="liblinear").fit(feats[tr], y[tr])
            oof[te] = lr.predict_proba(feats[te])[:, 1]
        th[j] = best_threshold(y, oof)
        inner_f1[j] = _f1(y, oof >= th[j])
        lr = LogisticRegression(C=C_STACK, class_weight="balanced", solver="liblinear").fit(feats, y)
        sw[:, j] = lr.coef_[0]
        sb[j] = lr.intercept_[0]
    fit_stack.inner_f1 = inner_f1  # type: ignore[attr-defined]  # for model selection on training contracts
    return sw, sb, th


def _f1(y: np.ndarray, pred: np.ndarray) -> float:
    tp = float((pred & (y == 1)).sum())
    return 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0


def fit(corpus: cuad.Corpus, documents: list[str], log=print) -> ClauseModel:
    """Train on ``documents`` (CUAD file names) only."""
    types = corpus.types
    docs = corpus.documents.set_index("document").loc[documents]
    clauses = corpus.clauses[corpus.clauses["document"].isin(set(documents))]
    labels = corpus.labels.loc[documents, types].to_numpy()
    segs = segments(docs["text"].tolist())
    # out-of-fold best-clause logits on the training contracts, for stage 2 and thresholds
    texts = docs["text"].tolist()
    oof = np.zeros((len(documents), 2 * len(types) if DOC_LEVEL else len(types)))
    inner = KFold(INNER_FOLDS, shuffle=True, random_state=SEED)
    for k, (tr, te) in enumerate(inner.split(documents)):
        t0 = time.time()
        names = {documents[i] for i in tr}
        sub = clauses[clauses["document"].isin(names)]
        vec = fit_vectoriser(sub["text"].tolist())
        w, b = fit_clauses(vec, sub, types)
        oof[te, :len(types)] = best_logits(vec, w, b, [segs[i] for i in te])
        if DOC_LEVEL:
            dw, db = fit_docs(vec, [texts[i] for i in tr], labels[tr])
            oof[te, len(types):] = np.asarray(vec.transform([texts[i] for i in te]) @ dw) + db
        log(f"  inner fold {k + 1}/{INNER_FOLDS}: {time.time() - t0:.0f} s")
    sw, sb, th = fit_stack(oof, labels)
    vec = fit_vectoriser(clauses["text"].tolist())
    w, b = fit_clauses(vec, clauses, types)
    dw, db = fit_docs(vec, texts, labels) if DOC_LEVEL else (None, None)  # type: ignore[assignment]
    meta = {"doc_level": DOC_LEVEL, "trained_on": len(documents), "inner_folds": INNER_FOLDS, "alpha": ALPHA, "epochs": EPOCHS, "C_stack": C_STACK}
    return ClauseModel(types, vec, w.astype(np.float32), b, sw, sb, th, meta,
                       None if dw is None else dw.astype(np.float32), db)


def predict(model: ClauseModel, texts: list[str]) -> np.ndarray:
    """(documents x types) stage-2 probabilities for raw contract texts."""
    segs = segments(texts)
    best = best_logits(model.vectoriser, model.weights, model.bias, segs)
    z = model.stack_features(best, texts) @ model.stack_weights + model.stack_bias
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def main(argv: list[str]) -> None:
    data = Path(argv[0]) if argv else Path("../shared/data")
    corpus = cuad.load(data)
    model = fit(corpus, corpus.documents["document"].tolist())
    folder = Path(__file__).parent
    model.save(folder)
    print(f"model written to {folder} ({model.vectoriser.size} features, {len(model.types)} types)")


if __name__ == "__main__":
    main(sys.argv[1:])
