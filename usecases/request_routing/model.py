"""Calibrated text classifier for request routing, and the time-based choice of the routing threshold.

Features: TF-IDF of normalised words (accents and elisions folded, light stemming; 1-2 grams) and of
character 2-5-grams (``char_wb``), plus the optional category columns one-hot encoded. Classifier: a
linear SVM whose scores are turned into probabilities by sigmoid calibration (``CalibratedClassifierCV``,
3 folds). Pure and deterministic.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC

from usecases.simple_answers.match import analyse, tokens

#: vocabulary caps keep a run on a few thousand requests within seconds
MAX_WORD_FEATURES = 50_000
MAX_CHAR_FEATURES = 50_000
#: weight of the one-hot category block next to the two L2-normalised text blocks
CATEGORY_WEIGHT = 0.5
#: calibration folds (sigmoid fitted on out-of-fold scores)
FOLDS = 3


def _cat_frame(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return df[columns].astype("string").fillna("").astype(str) if columns else pd.DataFrame(index=df.index)


def _surface_forms(text: str) -> dict[str, str]:
    """Stem -> the first word of ``text`` with that stem, as written (lower case)."""
    out: dict[str, str] = {}
    for word in re.findall(r"\w+", str(text).lower()):
        for token in tokens(word):
            out.setdefault(token, word)
    return out


def _category_name(column: str, value: object) -> str:
    """How a category shows among the terms that drove a choice: « thematique = Sport »."""
    return f"{column} = {'autres valeurs' if value == 'infrequent_sklearn' else value}"


@dataclass
class Router:
    """Fit on history texts (and category columns), predict calibrated probabilities per service."""

    category_columns: tuple[str, ...] = ()
    C: float = 0.5

    def _features(self, texts: list[str], cats: pd.DataFrame, fit: bool) -> sparse.csr_matrix:
        if fit:
            self.words = TfidfVectorizer(preprocessor=analyse, token_pattern=r"(?u)\b\w+\b", ngram_range=(1, 2),
                                         sublinear_tf=True, max_features=MAX_WORD_FEATURES, dtype=np.float64)
            self.chars = TfidfVectorizer(preprocessor=analyse, analyzer="char_wb", ngram_range=(2, 5),
                                         sublinear_tf=True, max_features=MAX_CHAR_FEATURES, dtype=np.float64)
            blocks = [self.words.fit_transform(texts), self.chars.fit_transform(texts)]
            if self.category_columns:
                self.onehot = OneHotEncoder(handle_unknown="ignore", min_frequency=2,
                                            feature_name_combiner=_category_name)
                blocks.append(self.onehot.fit_transform(cats) * CATEGORY_WEIGHT)
        else:
            blocks = [self.words.transform(texts), self.chars.transform(texts)]
            if self.category_columns:
                blocks.append(self.onehot.transform(cats) * CATEGORY_WEIGHT)
        return sparse.hstack(blocks).tocsr()

    def feature_names(self) -> np.ndarray:
        names = [self.words.get_feature_names_out(),
                 np.array([f"«{c}»" for c in self.chars.get_feature_names_out()])]
        if self.category_columns:
            names.append(self.onehot.get_feature_names_out(list(self.category_columns)))
        return np.concatenate(names)

    def fit(self, df: pd.DataFrame, services: pd.Series) -> Router:
        y = services.astype(str).to_numpy()
        # calibration needs each service in every fold: services seen fewer than 3 times are left out
        names, counts = np.unique(y, return_counts=True)
        self.left_out = sorted(str(s) for s in names[counts < FOLDS])
        keep = ~np.isin(y, self.left_out)
        if len(np.unique(y[keep])) < 2:
            raise ValueError("fewer than two services with enough examples")
        df, y = df[keep], y[keep]
        x = self._features(df["text"].astype(str).tolist(), _cat_frame(df, list(self.category_columns)), fit=True)
        splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
        # ensemble=False: one sigmoid per service fitted on the out-of-fold scores, one SVM refitted on all rows
        # (three times fewer calibrations than the fold ensemble, for the same out-of-fold calibration)
        svm = LinearSVC(C=self.C, max_iter=5000, random_state=0)
        self.model = CalibratedClassifierCV(svm, method="sigmoid", cv=splitter, ensemble=False)
        with warnings.catch_warnings():
            # services seen once or twice: the calibration folds cannot all hold them (sklearn warns)
            warnings.simplefilter("ignore")
            self.model.fit(x, y)
        coefs = [c.estimator.coef_ for c in self.model.calibrated_classifiers_]
        coef = np.mean(coefs, axis=0)
        if coef.shape[0] == 1:  # binary: one row of scores for the second class
            coef = np.vstack([-coef[0], coef[0]])
        self.coef_ = coef
        self._names = self.feature_names()
        return self

    def transform(self, df: pd.DataFrame) -> sparse.csr_matrix:
        return self._features(df["text"].astype(str).tolist(), _cat_frame(df, list(self.category_columns)),
                              fit=False)

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(self.transform(df))

    def top_terms(self, x: sparse.csr_matrix, classes: np.ndarray, n: int = 5,
                  texts: list[str] | None = None) -> list[str]:
        """The features that add most to each row's score for the given class (readable words first).

        With ``texts``, a stemmed word is shown as the request wrote it (« ecol » -> « écoles »).
        """
        out = []
        index = {c: i for i, c in enumerate(self.model.classes_)}
        for row, cls in zip(range(x.shape[0]), classes, strict=True):
            start, end = x.indptr[row], x.indptr[row + 1]
            cols = x.indices[start:end]
            contrib = x.data[start:end] * self.coef_[index[cls], cols]
            order = np.argsort(-contrib, kind="stable")
            terms = [str(self._names[cols[j]]) for j in order if contrib[j] > 0]
            words = [t for t in terms if not t.startswith("«")]
            if texts is not None:
                surface = _surface_forms(texts[row])
                words = [" ".join(surface.get(part, part) for part in t.split(" ")) if " = " not in t else t
                         for t in words]
            chosen = (words + [t for t in terms if t.startswith("«")])[:n]
            out.append(", ".join(chosen))
        return out


def precision_curve(confidence: np.ndarray, correct: np.ndarray) -> pd.DataFrame:
    """Coverage and precision when routing every request whose confidence is at least each threshold."""
    order = np.argsort(-confidence, kind="stable")
    conf = confidence[order]
    ok = correct[order].astype(float)
    n = len(conf)
    rows = []
    for k in range(1, n + 1):
        if k < n and conf[k] == conf[k - 1]:
            continue  # ties: a threshold routes all of them or none
        rows.append({"seuil": float(conf[k - 1]), "couverture": k / n, "precision": float(ok[:k].mean()),
                     "routees": k})
    return pd.DataFrame(rows, columns=["seuil", "couverture", "precision", "routees"])


def choose_threshold(curve: pd.DataFrame, target: float) -> tuple[float, float, float]:
    """Lowest threshold whose routed requests reach ``target`` precision: (threshold, coverage, precision).

    When no threshold reaches it, nothing is routed: (1.0, 0.0, nan).
    """
    ok = curve[curve["precision"] >= target - 1e-12]
    if ok.empty:
        return 1.0, 0.0, float("nan")
    best = ok.iloc[-1]  # the curve runs from high thresholds (low coverage) to low ones
    return float(best["seuil"]), float(best["couverture"]), float(best["precision"])


def time_split(df: pd.DataFrame, time_column: str | None, share: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the earlier and the latest part of the history (latest period or last ``share`` rows)."""
    n = len(df)
    if time_column is not None:
        keys = df[time_column]
        periods = sorted(keys.dropna().unique())
        if len(periods) >= 2:
            # the latest periods, from the last one backwards, until they hold ``share`` of the history;
            # when the periods are too coarse for that (more than half the rows), the latest rows instead
            i = len(periods) - 1
            latest = (keys >= periods[i]).to_numpy()
            while latest.sum() < share * n and i > 1:
                i -= 1
                latest = (keys >= periods[i]).to_numpy()
            if latest.sum() <= 0.5 * n:
                return np.flatnonzero(~latest), np.flatnonzero(latest)
    cut = n - max(1, round(share * n))
    return np.arange(cut), np.arange(cut, n)
