"""Tables as people read them: French column headers for the raw names a module or a chart writes
(``population_derniere``, ``forecast``), dates as « 03/12/2026 », yes/no in French, empty cells empty."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pandas as pd

from policies import french

#: Words of raw column names, in French (accents restored); a word not listed is kept as it is.
COLUMN_WORDS = {
    "year": "année", "annee": "année", "forecast": "prévision", "prevision": "prévision", "lower": "borne basse",
    "upper": "borne haute", "count": "nombre", "value": "valeur", "share": "part", "rate": "taux",
    "mean": "moyenne", "median": "médiane", "predicted": "prédit", "prediction": "prédiction", "actual": "constaté",
    "residual": "résidu", "month": "mois", "week": "semaine", "name": "nom", "group": "groupe", "label": "libellé",
    "amount": "montant", "text": "", "fr": "", "start": "début", "end": "fin", "debut": "début",
    "derniere": "dernière", "dernier": "dernier", "frequente": "fréquenté", "ferie": "férié", "pct": "(%)",
    "naif": "naïf", "periode": "période", "precision": "précision", "routed": "routée", "correct": "correcte",
    "capacity": "capacité", "category": "catégorie", "score": "score", "status": "statut", "duree": "durée",
    "evolution": "évolution", "ecart": "écart", "reference": "référence", "categorie": "catégorie",
    "equipement": "équipement", "cout": "coût", "depense": "dépense", "depenses": "dépenses", "recette": "recette",
    "element": "élément", "decision": "décision", "confidence": "confiance", "terms": "termes",
    "alternatives": "autres services possibles", "mase": "MASE", "mae": "MAE", "id": "n°", "date": "date", "total": "total",
}
#: Whole raw names whose word-by-word reading would be clumsy.
COLUMN_NAMES = {"predicted_service": "Service proposé", "predicted": "Prédit", "id": "N°"}
_RAW = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$")


def column_title(name: object) -> str:
    """« borne_haute » → « Borne haute », « forecast » → « Prévision »; a header already written for people
    (« Cas d'usage ») is kept as it is."""
    text = str(name)
    if not _RAW.match(text):
        return text
    if text in COLUMN_NAMES:
        return COLUMN_NAMES[text]
    words = [COLUMN_WORDS.get(w, w) for w in text.split("_")]
    title = " ".join(w for w in words if w)
    return title[:1].upper() + title[1:] if title else text


def _cell(value: Any) -> Any:
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, dt.datetime | pd.Timestamp) or (isinstance(value, str) and _ISO.match(value)):
        return _moment(pd.Timestamp(value))
    if isinstance(value, dt.date):
        return french.date(value)
    return value


def _moment(ts: pd.Timestamp) -> str:
    """A data's date (naive, at midnight: « 02/06/2012 »), or a moment in local time."""
    if ts.tzinfo is not None:
        return french.date(ts.to_pydatetime())
    return ts.strftime("%d/%m/%Y" if (ts.hour, ts.minute, ts.second) == (0, 0, 0) else "%d/%m/%Y %H:%M")


def readable(table: pd.DataFrame, *, blank_numbers: bool = False) -> pd.DataFrame:
    """A copy of ``table`` with French headers, dates and yes/no; numbers stay numbers (sortable), a missing
    one blank only with ``blank_numbers`` (for ``st.table``; ``st.dataframe`` takes a placeholder)."""
    out = table.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series) and getattr(series.dt, "tz", None) is None:
            midnight = series.dropna().dt.normalize().eq(series.dropna()).all()
            out[col] = series.dt.strftime("%d/%m/%Y" if midnight else "%d/%m/%Y %H:%M").fillna("").astype(object)
        elif pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series) or \
                series.dtype == object:
            out[col] = series.map(_cell).astype(object)
        elif blank_numbers and pd.api.types.is_float_dtype(series) and series.isna().any():
            out[col] = series.astype(object).where(series.notna(), "")
    out.columns = [column_title(c) for c in out.columns]
    return out
