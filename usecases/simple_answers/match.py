"""French text normalisation and TF-IDF matching (words + character n-grams), pure and deterministic."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['’]", re.I)
_TOKEN = re.compile(r"[a-z0-9]+")
_STOP_TEXT = """
a au aux avec ce ces cet cette dans de des du elle elles en est et etre eux il ils je la le les leur leurs lui ma
mais me meme mes moi mon ne nos notre nous on ou par pas pour qu que qui sa se ses si son sur ta te tes toi ton tu
un une vos votre vous y ai as avons avez ont sont suis es etes etait sera peut peuvent faut fait faire comment
quand quel quelle quels quelles quoi ou est-ce bonjour merci madame monsieur svp plait sil cela ca ceci tout tous
toute toutes tres plus moins aussi bien donc alors car comme dont sans sous chez entre vers
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
_SUFFIXES = ("issements", "issement", "ements", "ement", "ations", "ation", "atrices", "atrice", "ateurs", "ateur",
             "ances", "ance", "ences", "ence", "ites", "ite", "ives", "ive", "ifs", "if", "euses", "euse", "eurs", "eur",
             "iques", "ique", "ismes", "isme", "istes", "iste", "ments", "ment", "ees", "ee", "es", "er", "ez", "e", "s",
             "x")


def fold(text: str) -> str:
    """Lower case, no accents, no elisions (« l'état » -> « etat »)."""
    text = _ELISION.sub(" ", str(text).lower())
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def stem(word: str) -> str:
    """Light French stemmer: one inflectional or derivational suffix, stem of 3 letters at least."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    return [stem(t) for t in _TOKEN.findall(fold(text)) if t not in STOPWORDS and len(t) > 1]


def analyse(text: str) -> str:
    """The normalised text the vectorisers see."""
    return " ".join(tokens(text))


class Matcher:
    """Cosine similarity of TF-IDF vectors: half stemmed words (and pairs), half character 3-5-grams."""

    def __init__(self, normalise: bool = True) -> None:
        self.normalise = normalise
        pre = analyse if normalise else (lambda s: str(s).lower())
        self.words = TfidfVectorizer(preprocessor=pre, token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2),
                                     sublinear_tf=True, min_df=1, dtype=np.float64)
        self.chars = (TfidfVectorizer(preprocessor=pre, analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                      min_df=1, dtype=np.float64) if normalise else None)

    def fit(self, documents: list[str]) -> Matcher:
        self.words.fit(documents)
        if self.chars is not None:
            self.chars.fit(documents)
        return self

    def vectors(self, texts: list[str]) -> sparse.csr_matrix:
        w = self.words.transform(texts)
        if self.chars is None:
            return w.tocsr()
        # each block is L2-normalised: scaling by 1/sqrt(2) keeps the stacked vector of unit length
        return sparse.hstack([w, self.chars.transform(texts)]).tocsr() * (1 / np.sqrt(2))

    @staticmethod
    def similarity(queries: sparse.csr_matrix, documents: sparse.csr_matrix) -> np.ndarray:
        return np.asarray((queries @ documents.T).todense())
