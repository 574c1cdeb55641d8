"""Demo: bind the decision-support demo use cases to their modules and store runs on the samples."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policies.vocabulary import Principal

if TYPE_CHECKING:
    from portal.services import Services

#: demo use-case title -> (module key, parameter sets run in order; the first run is the reference)
DEMO_BINDINGS: dict[str, tuple[str, list[dict[str, object]]]] = {
    "Projection démographique des communes pour la carte scolaire": ("demography", [{}, {"horizon_years": 5}]),
    "Fréquentation des pistes cyclables et des équipements": ("facility_usage", [{"public_holidays": "CA-QC"}]),
    "Prévision des flux d'usagers dans les piscines et médiathèques": (
        "facility_usage", [{"public_holidays": "CA-QC", "school_zone": "aucune", "horizon_days": 28}]),
    "Détection d'anomalies de consommation énergétique des bâtiments": ("operating_costs", [{}]),
    "Analyse des dépenses de fonctionnement au regard des villes comparables": ("municipal_accounts", [{}]),
    "Planification des interventions techniques de voirie": ("intervention_planning", [{"time_limit_s": 2.0}]),
    "Suivi de la performance des délégataires de l'eau potable": ("dsp_performance", [{}]),
    "Analyse de l'équilibre économique des délégations de service public": ("dsp_performance", [{}]),
    "Information publique accessible : réécriture en français facile à lire": ("readability", [{}]),
    "Assistant conversationnel pour les questions simples des habitants": ("simple_answers", [{}]),
    "Routage automatique des demandes des usagers vers le bon service": ("request_routing", [{}]),
    # the run checks its own ranking on the sample and says which one it keeps
    "Maintenance prédictive du réseau d'eau potable": ("maintenance", [{"crew_capacity": 20}]),
    "Repérage des clauses sensibles dans les contrats et marchés": ("contract_clauses", [{}]),
}


def seed_demo_analysis(services: Services, lead_of: dict[int, Principal]) -> int:
    """Bind, run on the shipped samples and mark the first run as the reference; returns the run count.

    ``lead_of`` maps a use-case id to its project lead, who acts (they may bind, run and choose the
    reference on the use cases they lead).
    """
    runs = 0
    by_title = {uc.title: uc for uc in services.register.list()}
    for title, (module_key, param_sets) in DEMO_BINDINGS.items():
        uc = by_title.get(title)
        if uc is None:
            continue
        lead = lead_of[uc.id]
        services.analysis.bind(lead, uc.id, module_key)
        first = None
        for params in param_sets:
            run = services.analysis.run(lead, uc.id, use_sample=True, params=params)
            first = first or run
            runs += 1
        if first is not None:
            services.analysis.set_reference(lead, first.id)
    return runs
