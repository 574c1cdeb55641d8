"""The difficulty score: a weighted sum of standardised measures, squashed to 0-100.

Weights, means and scales are learnt by ``validation.py`` on one half of the Wikipedia/Vikidia
pairs and shipped in ``weights.json``; the other half is only used to report accuracy.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib.resources import files

from usecases.readability.text import TextMeasures

#: feature name -> French label (used in the README and in the reasons given for a text)
FEATURES: dict[str, str] = {
    "words_per_sentence": "mots par phrase",
    "syllables_per_word": "syllabes par mot",
    "long_word_share": "part des mots de plus de 6 lettres",
    "rare_share": "part des mots rares",
    "passives_per_sentence": "voix passives par phrase",
    "nominalisations_per_100": "nominalisations pour 100 mots",
    "jargon_per_100": "expressions administratives pour 100 mots",
    "commas_per_sentence": "virgules et parenthèses par phrase",
}


def features(m: TextMeasures) -> dict[str, float]:
    return {
        "words_per_sentence": m.words_per_sentence,
        "syllables_per_word": m.syllables_per_word,
        "long_word_share": m.long_words / m.words if m.words else 0.0,
        "rare_share": m.rare_share,
        "passives_per_sentence": m.passives / m.sentences if m.sentences else 0.0,
        "nominalisations_per_100": m.per_100_words(m.nominalisations + m.support_verbs),
        "jargon_per_100": m.per_100_words(m.jargon),
        "commas_per_sentence": m.commas / m.sentences if m.sentences else 0.0,
    }


@lru_cache(maxsize=1)
def weights() -> dict[str, dict[str, float]]:
    """{"weight": {...}, "mean": {...}, "scale": {...}} as written by the validation."""
    raw = files("usecases.readability").joinpath("weights.json").read_text(encoding="utf-8")
    return json.loads(raw)


def linear(feats: dict[str, float], w: dict[str, dict[str, float]] | None = None) -> float:
    w = w or weights()
    return sum(w["weight"][k] * (feats[k] - w["mean"][k]) / w["scale"][k] for k in w["weight"])


def difficulty(feats: dict[str, float], w: dict[str, dict[str, float]] | None = None) -> float:
    """0-100, higher = harder; 50 = the average text of the training pairs."""
    x = max(-30.0, min(30.0, linear(feats, w)))
    return 100 / (1 + math.exp(-x))


def contributions(feats: dict[str, float], w: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    w = w or weights()
    return {k: w["weight"][k] * (feats[k] - w["mean"][k]) / w["scale"][k] for k in w["weight"]}
