"""French first, English available: UI strings and French formats for numbers and dates."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from policies import french

LANGUAGES = {"fr": "Français", "en": "English"}

#: French UI text -> English. A text missing here is shown in French.
EN: dict[str, str] = {
    "Portefeuille": "Portfolio",
    "Registre": "Register",
    "Fiche cas d'usage": "Use-case sheet",
    "Nouveau cas d'usage": "New use case",
    "Administration": "Administration",
    "Pilotage": "Steering",
    "Gouvernance": "Governance",
    "Se déconnecter": "Sign out",
    "Langue": "Language",
    "Mode démonstration": "Demo mode",
    "Cas d'usage": "Use cases",
    "Ce qui demande votre attention": "What needs your attention",
    "Activité récente": "Recent activity",
    "Répartition par étape": "By stage",
    "Répartition par famille": "By family",
    "Rechercher": "Search",
    "Famille": "Family",
    "Étape": "Stage",
    "Direction": "Directorate",
    "Enregistrer": "Save",
    "Vue d'ensemble": "Overview",
    "Sources de données": "Data sources",
    "Risques": "Risks",
    "Valeur et coûts": "Value and cost",
    "Historique": "History",
    "Registre public": "Public register",
    "Registre public des algorithmes": "Public register of algorithms",
    "Personnes et rôles": "People and roles",
    "Bonjour": "Hello",
    # governance
    "Conformité": "Compliance",
    "Questionnaire": "Questionnaire",
    "Questionnaire de classification": "Classification questionnaire",
    # portfolio
    "Priorisation": "Prioritisation",
    "Priorisation du portefeuille": "Portfolio prioritisation",
    "Scénarios": "Scenarios",
    "Pondérations de priorisation": "Prioritisation weights",
    "Valeur et priorité": "Value and priority",
    "Classement": "Ranking",
    "Matrice valeur × faisabilité": "Value × feasibility matrix",
    "Répartition": "Breakdown",
    "Feuille de route": "Roadmap",
    "Budget": "Budget",
    "Bénéfices": "Benefits",
    # analysis
    "Analyses": "Analyses",
    "Lancer une analyse": "Run an analysis",
    "Rouvrir une exécution": "Reopen a run",
    "Comparer deux exécutions": "Compare two runs",
}


def lang() -> str:
    return st.session_state.get("lang", "fr")


def t(text: str) -> str:
    """``text`` in the reader's language (French is the source language)."""
    return EN.get(text, text) if lang() == "en" else text


def fmt_int(value: float | int | None) -> str:
    return french.integer(value)


def fmt_number(value: float | None, decimals: int = 1) -> str:
    return french.number(value, decimals)


def fmt_money(value: float | None) -> str:
    return french.money(value)


def fmt_date(value: dt.date | dt.datetime | None) -> str:
    return french.date(value)
