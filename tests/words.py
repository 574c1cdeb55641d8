"""Words no person should read on the portal: English interface words (Streamlit's own among them),
internal identifiers (module keys, rule-set ids, raw column names), ISO dates and leftovers such as
« nan » or « None ».

``unwanted_words(text)`` is the one entry point; the AppTest walk (``tests/ui/test_no_internal_words.py``)
and the browser tests both use it.
"""

from __future__ import annotations

import re
from functools import cache

#: English words and Streamlit's own widget texts, matched as whole words, case-insensitively.
ENGLISH = (
    "Choose an option", "Select all", "Deselect all", "Upload", "Browse files", "Drag and drop",
    "per file", "Page not found", "No results", "No options to select", "Add row", "Download",
    "Search", "Clear all", "Press Enter", "Submit", "Loading", "Running", "Limit", "Error",
    "Warning", "Show more", "Fullscreen", "View fullscreen", "Link to heading", "Rerun",
    "Settings", "Close", "Cancel", "Delete", "Save", "Yes", "No data", "Unknown", "Empty",
)

#: Leftovers of a missing or raw value, matched case-sensitively as whole words (« Non » is French).
RAW_VALUES = ("None", "nan", "NaN", "NaT", "True", "False", "null", "undefined", "<NA>")

#: Words that are abbreviations spelt as a name or a lower-case level (« Aipd » for « AIPD »).
MISSPELT = ("Aipd", "Crpa", "Rgpd", "Dpo", "niveau i", "niveau ii", "niveau iii", "niveau iv")

#: Internal phrasing: pointers to the code, module versions, rule-set ids.
INTERNAL = ("(voir README)", "README", "module demography", "v1.0", "ai_act@", "rgpd@", "crpa@",
            "gates@", "YYYY/MM/DD", "MM/DD/YYYY")

#: Raw output columns of the analysis modules (English names that must be shown translated).
#: (« code », « date », « population », « usage » are French too: they are not listed.)
RAW_COLUMNS = ("forecast", "lower", "upper", "year", "value", "count", "share", "capacity", "rate",
               "mean", "median", "predicted", "actual", "residual", "month", "week")

#: An ISO date (2026-12-03) or date-time: users read « 3 déc. 2026 » or « 03/12/2026 ».
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
#: A snake_case identifier (``facility_usage``, ``request_routing``), never French prose; a file's name
#: (« velos_mai_2012.csv ») is the person's own.
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.[A-Za-z0-9]{2,4}\b)")
#: Text between guillemets names the person's own data (a file, the columns it must have: « count »):
#: English and raw names are allowed there, internal identifiers and raw values are not.
QUOTED = re.compile(r"«[^»]{0,200}»")
#: Module keys that are French words too (« maintenance ») are not identifiers on their own.
FRENCH_KEYS = {"maintenance"}


@cache
def module_keys() -> tuple[str, ...]:
    """The analysis modules' keys, from the registry (``demography``, ``facility_usage``, …)."""
    from usecases import registry

    return tuple(registry.load())


def _word(w: str, flags: int = 0) -> tuple[str, re.Pattern[str]]:
    """``w`` as a whole word (not inside another word, an e-mail or a rule-set id)."""
    left = r"(?<![\w@])" if w[0].isalnum() else ""
    right = r"(?![\w@])" if w[-1].isalnum() else ""
    return w, re.compile(left + re.escape(w) + right, flags)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Checked outside guillemets only."""
    return tuple([_word(w, re.IGNORECASE) for w in ENGLISH] + [_word(w) for w in RAW_COLUMNS])


@cache
def _strict_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Checked everywhere."""
    keys = [k for k in module_keys() if k not in FRENCH_KEYS]
    return tuple(_word(w) for w in (*RAW_VALUES, *MISSPELT, *INTERNAL, *keys))


def unwanted_words(text: str) -> list[str]:
    """The forbidden words found in ``text``, each once: English and raw names (outside guillemets),
    internal identifiers and raw values (anywhere), ISO dates, snake_case identifiers."""
    unquoted = QUOTED.sub(" ", text)
    found = [w for w, pattern in _strict_patterns() if pattern.search(text)]
    found += [w for w, pattern in _patterns() if pattern.search(unquoted)]
    found += sorted(set(ISO_DATE.findall(text)))
    found += sorted({m for m in SNAKE.findall(unquoted) if m not in found})
    return found
