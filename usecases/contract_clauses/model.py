"""The shipped clause-type model: TF-IDF (words and characters) then one linear scorer per CUAD type.

Stage 1 scores every clause for every type (one linear SVM per type, see ``train.py``); a contract's
score for a type is its best clause's margin. The stage-2 slot (a linear map of the 41 best-clause
margins, optionally with whole-document scores) is kept for the file format; the shipped model
sets it to the identity, so a document score is the sigmoid of its best clause's margin, compared
with a per-type threshold. The weights are plain arrays (``model.npz``) and vocabularies
(``model.json``): no pickle, no training at run time; ``train.py`` rebuilds them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, cast

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

WORD = {"analyzer": "word", "ngram_range": (1, 2), "lowercase": True}
CHAR = {"analyzer": "char_wb", "ngram_range": (3, 5), "lowercase": True}


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    x = counts.astype(np.float64).tocsr()
    x.data = 1.0 + np.log(x.data)  # sublinear tf
    x = x @ sp.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


@dataclass
class Vectoriser:
    word_vocab: list[str]
    char_vocab: list[str]
    word_idf: np.ndarray
    char_idf: np.ndarray

    def __post_init__(self) -> None:
        self._word = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.word_vocab)}, **WORD)
        self._char = CountVectorizer(vocabulary={t: i for i, t in enumerate(self.char_vocab)}, **CHAR)

    @property
    def size(self) -> int:
        return len(self.word_vocab) + len(self.char_vocab)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        w = _tfidf(self._word.transform(texts), self.word_idf)
        c = _tfidf(self._char.transform(texts), self.char_idf)
        return sp.hstack([w, c], format="csr")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass
class ClauseModel:
    types: list[str]
    vectoriser: Vectoriser
    #: stage 1: (features x types) weights and (types,) intercepts
    weights: np.ndarray
    bias: np.ndarray
    #: stage 2: (types x types) weights on the best-clause logits, (types,) intercepts
    stack_weights: np.ndarray
    stack_bias: np.ndarray
    #: per-type decision thresholds on the document score (``document_scores``)
    thresholds: np.ndarray
    meta: dict
    #: optional whole-document scorer on the same features, (features x types) and (types,)
    doc_weights: np.ndarray | None = None
    doc_bias: np.ndarray | None = None

    def clause_logits(self, texts: list[str]) -> np.ndarray:
        """(clauses x types) stage-1 logits."""
        if not texts:
            return np.zeros((0, len(self.types)))
        x = self.vectoriser.transform(texts)
        return np.asarray(x @ self.weights) + self.bias

    @staticmethod
    def best(logits: np.ndarray, n_types: int) -> np.ndarray:
        return logits.max(axis=0) if len(logits) else np.full(n_types, -30.0)

    def stack_features(self, best: np.ndarray, texts: list[str]) -> np.ndarray:
        """Stage-2 inputs: best-clause logits, then whole-document logits when the model has them."""
        if self.doc_weights is None:
            return best
        doc = np.asarray(self.vectoriser.transform(texts) @ self.doc_weights) + self.doc_bias
        return np.hstack([best, doc])

    def document_scores(self, clause_logits: np.ndarray, text: str) -> np.ndarray:
        """(types,) score (0 to 1) that the contract holds a clause of each type."""
        best = self.best(clause_logits, len(self.types))[None, :]
        return _sigmoid(self.stack_features(best, [text]) @ self.stack_weights + self.stack_bias)[0]

    def save(self, folder) -> None:
        np.savez_compressed(
            folder / "model.npz",
            weights=self.weights.astype(np.float16), bias=self.bias,
            word_idf=self.vectoriser.word_idf.astype(np.float32),
            char_idf=self.vectoriser.char_idf.astype(np.float32),
            stack_weights=self.stack_weights, stack_bias=self.stack_bias, thresholds=self.thresholds,
            **cast(dict[str, Any], {} if self.doc_weights is None else
               {"doc_weights": self.doc_weights.astype(np.float16), "doc_bias": self.doc_bias}),
        )
        payload = {"types": self.types, "word_vocab": self.vectoriser.word_vocab,
                   "char_vocab": self.vectoriser.char_vocab, "meta": self.meta}
        (folder / "model.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


@lru_cache(maxsize=1)
def shipped() -> ClauseModel:
    """The model shipped with the package (trained by ``train.py`` on the 400 CUAD contracts)."""
    here = resources.files(__package__)
    payload = json.loads(here.joinpath("model.json").read_text(encoding="utf-8"))
    with here.joinpath("model.npz").open("rb") as fh:
        arrays = dict(np.load(fh))
    vec = Vectoriser(payload["word_vocab"], payload["char_vocab"],
                     arrays["word_idf"].astype(np.float64), arrays["char_idf"].astype(np.float64))
    doc = arrays.get("doc_weights")
    return ClauseModel(payload["types"], vec, arrays["weights"].astype(np.float32), arrays["bias"],
                       arrays["stack_weights"], arrays["stack_bias"], arrays["thresholds"], payload["meta"],
                       None if doc is None else doc.astype(np.float32), arrays.get("doc_bias"))
