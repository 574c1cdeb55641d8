"""The « Transparence » section of the demo sheets: every published use case (and the social housing
one, whose decisions are individual) fills it, so the demo's register exports complete and its
CRPA explanation letters leave only the person's own values to report.

Addresses point at the fictional collectivité's site (``.example``: reserved, they resolve nowhere).
"""

from __future__ import annotations

from typing import Any

_SITE = "https://www.agglo-val-de-loire.example"
_PHONE = "02 47 00 00 00"


def _links(slug: str, *, dpia: bool = False, code: bool = True) -> dict[str, str | None]:
    """The addresses of one sheet; without an AIPD (no personal data), the register of processings says so."""
    out = {
        "product_page": f"{_SITE}/algorithmes/{slug}",
        # a supplier's closed product has no public code: the export lists the field as empty
        "codebase_url": f"https://code.agglo-val-de-loire.example/numerique/{slug}" if code else None,
        "dpia_url": f"{_SITE}/donnees-personnelles/aipd-{slug}.pdf" if dpia
        else f"{_SITE}/donnees-personnelles/registre-des-traitements",
        "aia_url": f"{_SITE}/algorithmes/{slug}/analyse-d-impact",
    }
    if not dpia:
        out["dpia_summary"] = ("Sans objet : aucune donnée personnelle n'est traitée, une AIPD n'est pas requise "
                               "(RGPD art. 35) ; le registre des traitements le mentionne.")
    return out


#: Use-case title -> the section's fields, as :class:`portal.services.schemas.TransparencyFields` takes them.
TRANSPARENCY: dict[str, dict[str, Any]] = {
    "Projection démographique des communes pour la carte scolaire": {
        "contact_phone": _PHONE,
        "proportionality": "Une projection statistique commune par commune est le moyen le plus simple de "
                           "chiffrer les besoins à 10 ans ; elle ne traite aucune donnée personnelle et ne "
                           "fonde aucune décision individuelle.",
        "training_data": "Populations légales des communes de 1968 à 2021 (INSEE), harmonisées au code officiel "
                         "géographique le plus récent.",
        "data_bias": "Les fusions de communes faussent les séries longues : elles sont harmonisées avant calcul. "
                     "Les petites communes ont des projections plus incertaines, publiées avec leur intervalle.",
        "technical_description": "Pour chaque commune, une tendance est ajustée sur les recensements passés puis "
                                 "prolongée sur 10 ans ; un intervalle de confiance accompagne chaque projection.",
        "methods_and_models": "Modèles de tendance (régression linéaire et lissage exponentiel), choisis commune "
                              "par commune par validation sur les recensements les plus récents.",
        "performance": "Erreur de projection à 5 ans (WAPE) de 4,8 % sur les recensements 2011–2016.",
        "alternatives_considered": "Extrapolation manuelle du dernier recensement (pratique antérieure, sans "
                                   "mesure d'incertitude) ; modèle démographique par cohortes, jugé trop lourd "
                                   "pour l'usage.",
        "product_information": "Module « démographie » de Vigie, développé par la direction du numérique.",
        "aia_summary": "Aucune donnée personnelle ni décision individuelle ; risque principal : une projection "
                       "erronée orientant un investissement. Mesure : intervalles publiés et revue annuelle.",
        "monitoring_summary": "Erreur de projection recalculée à chaque nouveau recensement ; revue annuelle par "
                              "le service études et prospective.",
        "rollback": "Les projections éclairent un débat en conseil : on peut revenir à tout moment aux "
                    "estimations manuelles du service, sans effet pour les familles.",
        "remark": "Les projections sont publiées avec leurs intervalles dans le rapport de la carte scolaire.",
        **_links("projection-demographique"),
        "parameters": [
            {"name": "Population légale des recensements passés", "source": "INSEE", "weight": "déterminante"},
            {"name": "Tendance des dix dernières années", "source": "calcul du service",
             "weight": "forte"},
        ],
        "operations": ["Harmonisation des séries au code officiel géographique",
                       "Ajustement d'une tendance par commune", "Projection à 10 ans avec intervalle de confiance",
                       "Relecture par le service études et prospective"],
    },
    "Détection d'anomalies de consommation énergétique des bâtiments": {
        "contact_phone": _PHONE,
        "proportionality": "Comparer chaque bâtiment à ses pairs suffit à cibler les visites techniques ; aucune "
                           "donnée personnelle n'est traitée.",
        "training_data": "Relevés de consommation des trois dernières années et surfaces de l'inventaire du "
                         "patrimoine bâti.",
        "data_bias": "Des surfaces erronées faussent les ratios par m² : les valeurs aberrantes sont vérifiées "
                     "avec le service patrimoine avant toute alerte.",
        "technical_description": "La consommation par m² de chaque bâtiment est comparée à celle des bâtiments "
                                 "de même usage ; un écart marqué propose une visite au conseiller en énergie.",
        "methods_and_models": "Statistiques robustes par groupe d'usage (médiane et écart absolu médian).",
        "performance": "Sur 40 alertes de la phase d'évaluation, 31 ont conduit à une intervention justifiée.",
        "alternatives_considered": "Audit énergétique de tous les bâtiments (coût disproportionné) ; suivi des "
                                   "factures seules (repère les dérives trop tard).",
        "product_information": "Module « fonctionnement des équipements » de Vigie.",
        "aia_summary": "Pas de donnée personnelle ; risque d'alerte injustifiée limité par la visite d'un "
                       "technicien avant tout travaux.",
        "monitoring_summary": "Part des alertes suivies d'une intervention justifiée, revue chaque trimestre.",
        "rollback": "Le conseiller en énergie revient au suivi des factures ; arrêt décidé par la direction "
                    "du patrimoine.",
        "remark": "Les résultats sont partagés avec les gestionnaires de chaque bâtiment.",
        **_links("anomalies-energie"),
        "parameters": [
            {"name": "Consommation annuelle par m²", "source": "fournisseurs d'énergie", "weight": "déterminante"},
            {"name": "Usage du bâtiment", "source": "inventaire du patrimoine", "weight": "définit le groupe de "
                                                                                         "comparaison"},
        ],
        "operations": ["Calcul de la consommation par m²", "Regroupement des bâtiments par usage",
                       "Repérage des écarts à la médiane du groupe", "Proposition de visite au conseiller en énergie"],
    },
    "Routage automatique des demandes des usagers vers le bon service": {
        "contact_phone": _PHONE,
        "proportionality": "Le routage ne tranche aucun droit : il oriente une demande, que le service destinataire "
                           "peut réaffecter en un clic. Il traite le seul texte de la demande, conservé 3 ans.",
        "training_data": "12 000 demandes des années 2023 et 2024 et le service qui les a finalement traitées.",
        "data_bias": "Les demandes rédigées de façon peu standard (FALC, langue étrangère) sont plus souvent mal "
                     "routées : le taux de réaffectation est suivi par canal et par quartier.",
        "technical_description": "Le texte de la demande est comparé aux demandes passées ; le service le plus "
                                 "probable est proposé, et une demande douteuse va à un agent d'accueil.",
        "methods_and_models": "Classification de texte (TF-IDF et régression logistique), réentraînée chaque année.",
        "performance": "91 % des demandes restent dans le service proposé (taux de réaffectation de 9 %).",
        "alternatives_considered": "Tri manuel par l'accueil (pratique antérieure, 3 jours de délai) ; formulaire "
                                   "à choix de service (les usagers ne connaissent pas l'organisation).",
        "product_information": "Module « routage des demandes » de Vigie.",
        "dpia_summary": "Données : texte des demandes, sans catégorie sensible recherchée. Risques : erreur de "
                        "routage retardant la réponse, mots d'urgence ignorés. Mesures : relecture des mots "
                        "d'urgence, réaffectation en un clic, conservation 3 ans.",
        "aia_summary": "Décision individuelle d'orientation revue par le service destinataire ; risque de biais "
                       "envers les demandes peu standard, suivi par canal et quartier.",
        "monitoring_summary": "Taux de réaffectation par service, canal et quartier, chaque mois ; revue "
                              "trimestrielle avec les services.",
        "rollback": "Retour au tri manuel par l'accueil en une journée, sur décision de la directrice de la "
                    "relation usagers.",
        "remark": "La mention explicite figure dans l'accusé de réception de chaque demande.",
        **_links("routage-demandes", dpia=True),
        "parameters": [
            {"name": "Mots de l'objet et du texte de la demande", "source": "demande de l'usager",
             "weight": "déterminante"},
            {"name": "Catégorie choisie par l'usager", "source": "formulaire en ligne", "weight": "moyenne"},
            {"name": "Mots d'urgence (danger, coupure, expulsion…)", "source": "liste tenue par l'accueil",
             "weight": "décisive : envoi à un agent"},
        ],
        "operations": ["Lecture de l'objet, du texte et de la catégorie de la demande",
                       "Recherche des mots d'urgence, qui envoient la demande à un agent",
                       "Calcul de la probabilité de chaque service",
                       "Affectation au service le plus probable, ou à l'accueil si l'écart est faible",
                       "Réaffectation possible par le service destinataire"],
    },
    "Repérage des clauses sensibles dans les contrats et marchés": {
        "contact_phone": _PHONE,
        "proportionality": "L'outil ne fait que surligner des clauses pour le juriste, qui lit tout le contrat ; "
                           "les pièces restent hébergées en France.",
        "training_data": "Modèle de l'éditeur, ajusté sur 300 contrats de la collectivité annotés par les juristes.",
        "data_bias": "Les contrats scannés de mauvaise qualité sont moins bien lus : l'outil signale les pages "
                     "illisibles.",
        "technical_description": "Le contrat est découpé en clauses ; chaque clause est classée par type "
                                 "d'enjeu (résiliation, pénalités, responsabilité, données) et surlignée.",
        "methods_and_models": "Modèle de langage de l'éditeur ajusté à la classification de clauses.",
        "performance": "Rappel de 88 % et précision de 75 % sur un échantillon de 50 contrats relus.",
        "alternatives_considered": "Listes de mots-clés (trop de bruit) ; relecture sans outil (pratique actuelle).",
        "product_information": "Solution d'analyse documentaire acquise par marché public (hébergement SecNumCloud).",
        "aia_summary": "Risque : une clause non surlignée donnant une fausse assurance. Mesure : relecture "
                       "intégrale maintenue et échantillon de contrôle mensuel.",
        "monitoring_summary": "Échantillon mensuel de contrats relus sans l'outil, comparé aux surlignages.",
        "rollback": "Le service revient à la relecture sans outil ; résiliation prévue au marché.",
        "remark": "Les entreprises cocontractantes peuvent demander les règles de l'outil au contact indiqué.",
        **_links("clauses-contrats", code=False),
        "parameters": [
            {"name": "Texte de chaque clause", "source": "contrat signé", "weight": "déterminante"},
            {"name": "Type de contrat", "source": "dossier du marché", "weight": "faible"},
        ],
        "operations": ["Reconnaissance du texte des pièces scannées", "Découpage du contrat en clauses",
                       "Classement de chaque clause par type d'enjeu", "Surlignage pour le juriste"],
    },
    "Suivi de la performance des délégataires de l'eau potable": {
        "contact_phone": _PHONE,
        "proportionality": "Des indicateurs publics et les rapports annuels suffisent à comparer les services ; "
                           "aucune donnée personnelle n'est traitée.",
        "training_data": "Sans objet : indicateurs calculés, aucun modèle entraîné.",
        "data_bias": "Les indicateurs SISPEA sont déclaratifs : ils sont rapprochés des rapports annuels.",
        "technical_description": "Les indicateurs de chaque service sont comparés à ceux des services de taille "
                                 "comparable et à leur propre historique.",
        "methods_and_models": "Tableaux d'indicateurs et comparaison à des seuils réglementaires.",
        "performance": "Tous les indicateurs des quatre contrats sont rapprochés des rapports annuels chaque année.",
        "alternatives_considered": "Lecture des seuls rapports annuels (pas de comparaison entre services).",
        "product_information": "Module « performance des délégations » de Vigie.",
        "aia_summary": "Pas de décision individuelle ; risque d'un indicateur inexact, rapproché des rapports.",
        "monitoring_summary": "Mise à jour annuelle à la publication SISPEA ; revue en comité de suivi.",
        "rollback": "Retour à la lecture des rapports annuels ; aucun effet pour les abonnés.",
        "remark": "Les écarts sont discutés avec chaque délégataire en comité de suivi.",
        **_links("performance-eau"),
        "parameters": [
            {"name": "Rendement du réseau", "source": "SISPEA", "weight": "forte"},
            {"name": "Prix de l'eau", "source": "SISPEA", "weight": "moyenne"},
            {"name": "Conformité sanitaire", "source": "rapports annuels des délégataires", "weight": "forte"},
        ],
        "operations": ["Collecte des indicateurs publiés", "Rapprochement avec les rapports annuels",
                       "Comparaison aux seuils réglementaires et aux services comparables"],
    },
    "Analyse des dépenses de fonctionnement au regard des villes comparables": {
        "contact_phone": _PHONE,
        "proportionality": "Données comptables publiques et agrégées ; l'analyse prépare un débat, elle ne "
                           "décide de rien.",
        "training_data": "Comptes consolidés des collectivités de 2015 à 2023 (OFGL).",
        "data_bias": "Les changements de périmètre comptable créent de faux écarts : une note de périmètre "
                     "accompagne chaque anomalie.",
        "technical_description": "Chaque poste de dépense est comparé à sa tendance et aux collectivités "
                                 "de même strate ; les écarts marqués sont listés pour les contrôleurs de gestion.",
        "methods_and_models": "Régression de tendance et comparaison par strate démographique.",
        "performance": "20 postes analysés avant le débat d'orientation budgétaire, contre 5 auparavant.",
        "alternatives_considered": "Comparaison manuelle de quelques postes (pratique antérieure).",
        "product_information": "Module « comptes des collectivités » de Vigie.",
        "aia_summary": "Pas de donnée personnelle ni de décision individuelle.",
        "monitoring_summary": "Revue des écarts par les contrôleurs de gestion à chaque exercice.",
        "rollback": "Retour aux comparaisons manuelles, sans effet pour les usagers.",
        "remark": "Les comparaisons sont jointes au rapport d'orientation budgétaire.",
        **_links("depenses-fonctionnement"),
        "parameters": [
            {"name": "Dépense par habitant de chaque poste", "source": "OFGL", "weight": "déterminante"},
            {"name": "Strate démographique", "source": "INSEE", "weight": "définit les comparables"},
        ],
        "operations": ["Collecte des comptes consolidés", "Calcul des dépenses par habitant",
                       "Comparaison à la tendance et à la strate", "Liste des écarts pour les contrôleurs de gestion"],
    },
    "Priorisation des demandes de logement social": {
        "contact_phone": _PHONE,
        "proportionality": "L'ordre proposé applique les critères de priorité légaux (CCH L441-1) ; la commission "
                           "d'attribution décide et voit les critères ayant pesé.",
        "training_data": "Sans objet : règles de priorité, aucun modèle entraîné.",
        "data_bias": "Risque de discrimination indirecte de certains quartiers ou situations familiales, à "
                     "mesurer avant mise en service.",
        "technical_description": "Chaque critère de priorité légal rempli ajoute des points ; les demandes sont "
                                 "présentées à la commission par total décroissant puis par ancienneté.",
        "methods_and_models": "Grille de cotation à points (règles explicites).",
        "performance": "À mesurer pendant l'expérimentation : concordance avec les priorités retenues par la "
                       "commission.",
        "alternatives_considered": "Examen par ancienneté seule (ne fait pas passer les situations urgentes).",
        "product_information": "Module de cotation du logiciel de gestion de la demande (éditeur, marché public).",
        "dpia_summary": "Données de santé et de handicap déclarées : AIPD en cours, exception de l'art. 9(2)(g).",
        "aia_summary": "Décisions individuelles d'accès au logement : haut risque au règlement européen sur l'IA ; "
                       "analyse d'impact sur les droits fondamentaux avant mise en service.",
        "monitoring_summary": "Concordance avec les décisions de la commission et écarts par quartier, chaque "
                              "trimestre.",
        "rollback": "Retour à l'examen par ancienneté, sur décision de la directrice générale des services.",
        "remark": "Projet en cadrage : la cotation sera publiée avant toute mise en service.",
        **_links("cotation-logement", dpia=True, code=False),
        "parameters": [
            {"name": "Situation de handicap ou de santé", "source": "déclaration du demandeur", "weight": "30 points"},
            {"name": "Logement indigne ou sur-occupé", "source": "déclaration et visite", "weight": "25 points"},
            {"name": "Violences conjugales", "source": "justificatif joint", "weight": "40 points"},
            {"name": "Ancienneté de la demande", "source": "SNE", "weight": "1 point par mois"},
        ],
        "operations": ["Lecture de la demande enregistrée au SNE",
                       "Attribution des points de chaque critère de priorité rempli",
                       "Classement par total de points puis par ancienneté",
                       "Présentation à la commission d'attribution, qui décide"],
    },
}
