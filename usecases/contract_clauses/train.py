"""Train the clause-type model on CUAD and write ``model.npz`` + ``model.json`` next to this file.

    python -m usecases.contract_clauses.train /work/shared/data

Stage 1 is one linear SVM per CUAD type on the clauses the module itself cuts (``segment.split``)
from the training contracts, each labelled with the types of the expert passages it overlaps; a
contract's score for a type is its best clause's. Per-type thresholds maximise F1 on out-of-fold
scores of the training contracts only (``INNER_FOLDS``-fold split by contract). The stage-2 slot
of ``ClauseModel`` is the identity: a stacked second stage lowered the cross-validated F1 (see
the README, « Choix du modèle »). ``validation.py`` calls ``fit`` on the training contracts of its split.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC

from usecases.contract_clauses import cuad, segment
from usecases.contract_clauses.model import CHAR, WORD, ClauseModel, Vectoriser

INNER_FOLDS = 4
SEED = 0
#: SVM regularisation, chosen by 5-fold cross-validation on the training contracts (selection.md)
C_SVM = 0.3
#: train on the module's clauses (``segments``), the expert passages (``passages``) or ``both``
TRAIN_ON = "segments"
MAX_WORD = 30_000
MAX_CHAR = 40_000


def fit_vectoriser(texts: list[str]) -> Vectoriser:
    w = TfidfVectorizer(min_df=2, max_features=MAX_WORD, **WORD).fit(texts)
    c = TfidfVectorizer(min_df=3, max_features=MAX_CHAR, **CHAR).fit(texts)
    wv = sorted(w.vocabulary_, key=w.vocabulary_.get)
    cv = sorted(c.vocabulary_, key=c.vocabulary_.get)
    return Vectoriser(wv, cv, w.idf_.copy(), c.idf_.copy())


def segment_table(corpus: cuad.Corpus, documents: list[str]) -> pd.DataFrame:
    """The module's clauses of each contract, labelled with the types of the passages they overlap.

    ``cuad.load`` joins a contract's passages with one space, in order: offsets are recomputed here.
    """
    types = corpus.types
    texts = corpus.documents.set_index("document")["text"]
    by_doc = dict(tuple(corpus.clauses.groupby("document", sort=False)))
    rows = []
    for d in documents:
        passages = by_doc[d]
        starts = np.cumsum([0] + [len(p) + 1 for p in passages["text"]])[:-1]
        ends = starts + passages["text"].str.len().to_numpy()
        labels = passages[types].to_numpy()
        text = texts[d]
        for a, b in segment.split(text):
            hit = (np.minimum(b, ends) - np.maximum(a, starts)) > 0
            y = labels[hit].max(axis=0) if hit.any() else np.zeros(len(types), dtype=int)
            rows.append({"document": d, "text": text[a:b], **dict(zip(types, y.tolist(), strict=True))})
    return pd.DataFrame(rows, columns=["document", "text", *types])


def training_rows(corpus: cuad.Corpus, documents: list[str]) -> pd.DataFrame:
    parts = []
    if TRAIN_ON in ("segments", "both"):
        parts.append(segment_table(corpus, documents))
    if TRAIN_ON in ("passages", "both"):
        parts.append(corpus.clauses[corpus.clauses["document"].isin(set(documents))])
    return pd.concat(parts, ignore_index=True)


def fit_clauses(vec: Vectoriser, rows: pd.DataFrame, types: list[str]) -> tuple[np.ndarray, np.ndarray]:
    x = vec.transform(rows["text"].tolist())
    weights = np.zeros((vec.size, len(types)))
    bias = np.full(len(types), -10.0)
    for j, t in enumerate(types):
        y = rows[t].to_numpy()
        if y.min() == y.max():
            bias[j] = 10.0 if y.min() == 1 else -10.0
            continue
        svm = LinearSVC(C=C_SVM, class_weight="balanced", random_state=SEED).fit(x, y)
        weights[:, j] = svm.coef_[0]
        bias[j] = svm.intercept_[0]
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


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def fit(corpus: cuad.Corpus, documents: list[str], log=print) -> ClauseModel:
    """Train on ``documents`` (CUAD file names) only."""
    types = corpus.types
    texts = corpus.documents.set_index("document").loc[documents, "text"].tolist()
    labels = corpus.labels.loc[documents, types].to_numpy()
    segs = segments(texts)
    rows = training_rows(corpus, documents)
    # out-of-fold best-clause scores on the training contracts, for the per-type thresholds
    oof = np.full((len(documents), len(types)), -30.0)
    for k, (tr, te) in enumerate(KFold(INNER_FOLDS, shuffle=True, random_state=SEED).split(documents)):
        t0 = time.time()
        sub = rows[rows["document"].isin({documents[i] for i in tr})]
        vec = fit_vectoriser(sub["text"].tolist())
        w, b = fit_clauses(vec, sub, types)
        oof[te] = best_logits(vec, w, b, [segs[i] for i in te])
        log(f"  inner fold {k + 1}/{INNER_FOLDS}: {time.time() - t0:.0f} s")
    # thresholds on the probability scale of ``ClauseModel.document_scores`` (sigmoid of the best margin)
    thresholds = np.array([_sigmoid(np.array(best_threshold(labels[:, j], oof[:, j]))) if labels[:, j].sum()
                           else 0.5 for j in range(len(types))], dtype=float)
    vec = fit_vectoriser(rows["text"].tolist())
    w, b = fit_clauses(vec, rows, types)
    meta = {"trained_on": len(documents), "inner_folds": INNER_FOLDS, "classifier": "LinearSVC", "C": C_SVM,
            "train_on": TRAIN_ON, "stage2": "identity"}
    identity = np.eye(len(types))
    return ClauseModel(types, vec, w.astype(np.float32), b, identity, np.zeros(len(types)), thresholds, meta)


def predict(model: ClauseModel, texts: list[str]) -> np.ndarray:
    """(documents x types) document scores for raw contract texts."""
    best = best_logits(model.vectoriser, model.weights, model.bias, segments(texts))
    z = model.stack_features(best, texts) @ model.stack_weights + model.stack_bias
    return _sigmoid(z)


def main(argv: list[str]) -> None:
    data = Path(argv[0]) if argv else Path("../shared/data")
    corpus = cuad.load(data)
    model = fit(corpus, corpus.documents["document"].tolist())
    folder = Path(__file__).parent
    model.save(folder)
    print(f"model written to {folder} ({model.vectoriser.size} features, {len(model.types)} types)")


if __name__ == "__main__":
    main(sys.argv[1:])
