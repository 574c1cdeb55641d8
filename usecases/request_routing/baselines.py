"""The simplest baselines a routing run is checked against, on the user's own history.

Each run learns on the earlier part of the history and scores on its latest part (``model.time_split``);
the same split scores two baselines: the majority class (always the most frequent service of the earlier
part) and a plain TF-IDF (word unigrams and bigrams, no categories, no calibration) with a linear SVM.
The run reports the three accuracies and says in French whether the router beats them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from policies import french


def majority_accuracy(train_services: pd.Series, truth: np.ndarray) -> float:
    """Accuracy of always proposing the most frequent service of the training part."""
    if len(truth) == 0 or len(train_services) == 0:
        return math.nan
    top = str(train_services.astype(str).value_counts().index[0])
    return float((np.asarray(truth, dtype=object) == top).mean())


def plain_tfidf_accuracy(train_texts: pd.Series, train_services: pd.Series, test_texts: pd.Series,
                         truth: np.ndarray) -> float:
    """Accuracy of a plain word TF-IDF + linear SVM trained on the training part (text only)."""
    services = train_services.astype(str)
    if len(truth) == 0 or services.nunique() < 2:
        return math.nan
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    try:
        x = vec.fit_transform(train_texts.fillna("").astype(str))
    except ValueError:  # empty vocabulary
        return math.nan
    clf = LinearSVC().fit(x, services)
    predicted = clf.predict(vec.transform(test_texts.fillna("").astype(str)))
    return float((predicted == np.asarray(truth, dtype=object)).mean())


@dataclass(frozen=True)
class RoutingCheck:
    """Accuracy of the router and of its two baselines on the latest part of the user's history."""

    model: float
    majority: float
    tfidf: float
    n: int

    @property
    def available(self) -> bool:
        return self.n > 0 and math.isfinite(self.model)

    @property
    def best_baseline(self) -> float:
        values = [v for v in (self.majority, self.tfidf) if math.isfinite(v)]
        return max(values) if values else math.nan

    @property
    def beats_baselines(self) -> bool:
        return self.available and (not math.isfinite(self.best_baseline) or self.model > self.best_baseline)

    def sentence(self) -> str:
        if not self.available:
            return ("Sur vos données, la partie récente de l'historique ne permet pas de comparer le routage aux "
                    "références simples (service le plus fréquent, TF-IDF simple).")
        figures = (f"exactitude {french.percent(100 * self.model)} contre {french.percent(100 * self.majority)} en proposant "
                   f"toujours le service le plus fréquent et {french.percent(100 * self.tfidf)} avec un TF-IDF simple, sur "
                   f"{french.count(self.n, 'demande récente', 'demandes récentes')} de l'historique")
        if self.beats_baselines:
            return f"Sur vos données, ce routage fait mieux que les références simples ({figures})."
        return (f"Sur vos données, ce routage ne fait pas mieux qu'une référence simple ({figures}) : "
                "à utiliser avec prudence, un agent doit relire les propositions.")
