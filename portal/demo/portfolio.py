"""The demo portfolio's scores, budget lines (2025–2027) and measured benefits, loaded through the services.

Scores are the 8 criteria (1–5) then the effort in person-days. Budget lines exist for the use cases
that were funded (pilot, evaluation, deployed, suspended, retired); benefits for the ones evaluated
or deployed, measured against the KPI baseline and target of their sheet.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from policies.vocabulary import Principal, Stage
from portal.services.portfolio import CRITERION_CODES

if TYPE_CHECKING:
    from portal.services import Services

#: title -> (service, efficiency, strategy, reuse, data, technical, skills, vendor dependency, effort days)
SCORES: dict[str, tuple[int, int, int, int, int, int, int, int, float]] = {
    "Projection démographique des communes pour la carte scolaire": (4, 3, 5, 4, 5, 4, 4, 2, 40),
    "Fréquentation des pistes cyclables et des équipements": (3, 3, 4, 4, 4, 4, 4, 2, 35),
    "Détection d'anomalies de consommation énergétique des bâtiments": (2, 5, 5, 4, 4, 4, 3, 2, 45),
    "Assistant conversationnel pour les questions simples des habitants": (5, 4, 4, 3, 3, 3, 2, 5, 120),
    "Routage automatique des demandes des usagers vers le bon service": (4, 5, 4, 4, 4, 4, 3, 3, 70),
    "Information publique accessible : réécriture en français facile à lire": (5, 3, 4, 5, 4, 3, 3, 3, 30),
    "Planification des interventions techniques de voirie": (4, 4, 3, 3, 3, 3, 3, 3, 90),
    "Maintenance prédictive du réseau d'eau potable": (4, 5, 5, 4, 3, 3, 3, 3, 110),
    "Prévision des flux d'usagers dans les piscines et médiathèques": (3, 3, 3, 4, 4, 4, 4, 2, 30),
    "Repérage des clauses sensibles dans les contrats et marchés": (2, 4, 4, 4, 3, 3, 3, 4, 60),
    "Suivi de la performance des délégataires de l'eau potable": (3, 4, 5, 4, 4, 4, 4, 2, 35),
    "Analyse de l'équilibre économique des délégations de service public": (2, 4, 4, 4, 3, 4, 3, 2, 40),
    "Priorisation des demandes de logement social": (4, 4, 4, 3, 2, 3, 2, 3, 100),
    "Notation comportementale des usagers pour l'attribution des aides": (1, 3, 1, 1, 2, 3, 2, 4, 150),
    "Aide à l'instruction des demandes d'aides sociales facultatives": (4, 4, 3, 3, 2, 3, 2, 3, 80),
    "Analyse des dépenses de fonctionnement au regard des villes comparables": (2, 3, 5, 5, 5, 4, 4, 1, 25),
    "Traduction automatique à l'accueil des services": (4, 2, 3, 3, 3, 4, 3, 5, 20),
    "Détection des dépôts sauvages par analyse d'images": (3, 3, 2, 3, 2, 2, 2, 4, 60),
}

#: title -> [(year, voted, committed, spent)]
BUDGET: dict[str, list[tuple[int, float, float, float]]] = {
    "Projection démographique des communes pour la carte scolaire": [
        (2025, 18000, 18000, 17200), (2026, 3000, 3000, 2500), (2027, 3000, 0, 0)],
    "Fréquentation des pistes cyclables et des équipements": [(2026, 14500, 12000, 8300), (2027, 2500, 0, 0)],
    "Détection d'anomalies de consommation énergétique des bâtiments": [
        (2025, 10000, 9500, 9500), (2026, 7000, 6500, 5100), (2027, 2000, 0, 0)],
    "Assistant conversationnel pour les questions simples des habitants": [
        (2026, 69000, 60000, 41000), (2027, 24000, 0, 0)],
    "Routage automatique des demandes des usagers vers le bon service": [
        (2025, 36000, 35000, 34600), (2026, 6000, 6000, 5500), (2027, 6000, 0, 0)],
    "Maintenance prédictive du réseau d'eau potable": [(2026, 48000, 40000, 22000), (2027, 8000, 0, 0)],
    "Repérage des clauses sensibles dans les contrats et marchés": [
        (2025, 8000, 8000, 7600), (2026, 24000, 22000, 19800), (2027, 12000, 0, 0)],
    "Suivi de la performance des délégataires de l'eau potable": [
        (2025, 3000, 3000, 3000), (2026, 3000, 3000, 2700), (2027, 3000, 0, 0)],
    "Analyse des dépenses de fonctionnement au regard des villes comparables": [
        (2026, 10500, 10500, 9900), (2027, 1500, 0, 0)],
    "Traduction automatique à l'accueil des services": [(2025, 6000, 6000, 5000), (2026, 6000, 3000, 3000)],
    "Détection des dépôts sauvages par analyse d'images": [(2025, 4000, 4000, 3800)],
}

#: title -> measured value of the sheet's KPI at evaluation, and days before today it was measured
BENEFITS: dict[str, tuple[float, int]] = {
    "Projection démographique des communes pour la carte scolaire": (4.4, 60),
    "Détection d'anomalies de consommation énergétique des bâtiments": (175, 35),
    "Routage automatique des demandes des usagers vers le bon service": (0.7, 90),
    "Repérage des clauses sensibles dans les contrats et marchés": (4.9, 45),
    "Suivi de la performance des délégataires de l'eau potable": (81, 120),
    "Analyse des dépenses de fonctionnement au regard des villes comparables": (22, 15),
}


def seed_portfolio(services: Services, actor: Principal, today: dt.date | None = None) -> dict[str, int]:
    """Scores, budget lines and benefit measures for the demo use cases; returns counts."""
    today = today or dt.date.today()
    by_title = {u.title: u for u in services.register.list()}
    counts = {"scores": 0, "budget_lines": 0, "benefits": 0}
    for title, spec in SCORES.items():
        uc = by_title.get(title)
        if uc is None:
            continue
        lead = services.people.principal(uc.lead_id) if uc.lead_id else None
        data = dict(zip(CRITERION_CODES, spec[:8], strict=True)) | {"effort_days": spec[8]}
        services.portfolio.set_score(lead or actor, uc.id, data)
        counts["scores"] += 1
    for title, lines in BUDGET.items():
        uc = by_title.get(title)
        if uc is None:
            continue
        for year, voted, committed, spent in lines:
            services.portfolio.set_budget_line(actor, uc.id, {"year": year, "voted": voted, "committed": committed,
                                                              "spent": spent})
            counts["budget_lines"] += 1
    for title, (measured, days_ago) in BENEFITS.items():
        uc = by_title.get(title)
        if uc is None or not uc.kpi_name or uc.kpi_target is None:
            continue
        if uc.stage not in (Stage.EVALUATION, Stage.DEPLOYED):
            continue
        lead = services.people.principal(uc.lead_id) if uc.lead_id else None
        services.portfolio.add_benefit_measure(lead or actor, uc.id, {
            "indicator": uc.kpi_name, "unit": uc.kpi_unit, "baseline": uc.kpi_baseline, "target": uc.kpi_target,
            "measured": measured, "measured_on": today - dt.timedelta(days=days_ago),
            "note": "Mesure de l'évaluation (démonstration)"})
        counts["benefits"] += 1
    return counts
