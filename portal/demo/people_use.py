"""The demo's people around the use cases: needs from the services (one became the swimming-pool idea,
some answered, some open, one declined, one merged), agents using the deployed use cases with their
training and feedback, and residents' measures against their baseline. Loaded through the services."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from policies.vocabulary import Principal

if TYPE_CHECKING:
    from portal.services import Services
    from portal.services.schemas import UseCaseView

ROUTING = "Routage automatique des demandes des usagers vers le bon service"
DEMOGRAPHY = "Projection démographique des communes pour la carte scolaire"
DELEGATES = "Suivi de la performance des délégataires de l'eau potable"
WATER = "Maintenance prédictive du réseau d'eau potable"

#: use case title -> (who submitted, the need) : that use case was born from the need, turned into an idea
NEED_ORIGINS: dict[str, tuple[str, dict[str, str]]] = {
    "Prévision des flux d'usagers dans les piscines et médiathèques": ("thomas.bernard", {
        "title": "Adapter les plannings d'accueil des piscines à l'affluence",
        "difficulty": "Les plannings des maîtres-nageurs et des agents d'accueil sont faits à l'estime : files "
                      "d'attente le mercredi, agents désœuvrés le mardi matin.",
        "frequency": "weekly", "beneficiaries": "Les nageurs et les familles ; les agents d'accueil",
        "service": "Service des sports"}),
}

#: (who submitted, need, triage): triage is ("link", lead, title), ("decline", who, answer), ("merge", who, index)
NEEDS: list[tuple[str, dict[str, str], tuple[str, str, Any] | None]] = [
    ("claire.martin", {
        "title": "Orienter les demandes écrites des habitants vers le bon service",
        "difficulty": "L'accueil relit chaque courriel et formulaire pour l'envoyer au bon service ; "
                      "un sur cinq fait un détour avant d'arriver.",
        "frequency": "daily", "beneficiaries": "Les habitants qui écrivent à la mairie", "service": "Accueil"},
     ("link", "karim.haddad", ROUTING)),
    ("julie.moreau", {
        "title": "Anticiper les casses de canalisations",
        "difficulty": "Les casses sont réparées dans l'urgence ; le renouvellement des conduites suit l'âge "
                      "plutôt que le risque.",
        "frequency": "monthly", "beneficiaries": "Les abonnés du service de l'eau", "service": "Eau et assainissement"},
     ("link", "julie.moreau", WATER)),
    ("jean.roux", {
        "title": "Répondre aux questions répétitives sur les inscriptions scolaires",
        "difficulty": "En août, le standard de l'éducation reçoit des centaines d'appels sur les mêmes pièces "
                      "à fournir ; les familles attendent au téléphone.",
        "frequency": "yearly", "beneficiaries": "Les familles", "service": "Éducation"}, None),
    ("thomas.bernard", {
        "title": "Repérer les signalements en double sur la voirie",
        "difficulty": "Un même nid-de-poule est signalé dix fois par l'application citoyenne ; chaque "
                      "signalement ouvre un bon d'intervention.",
        "frequency": "daily", "beneficiaries": "Les équipes de voirie ; les habitants qui signalent",
        "service": "Voirie"}, None),
    ("julie.moreau", {
        "title": "Regrouper les signalements identiques de l'application citoyenne",
        "difficulty": "Les doublons de signalements encombrent la file des interventions.",
        "frequency": "daily", "beneficiaries": "Les équipes de voirie", "service": "Propreté urbaine"},
     ("merge", "julie.moreau", 3)),
    ("sophie.leroy", {
        "title": "Rédiger automatiquement les arrêtés de circulation",
        "difficulty": "Chaque arrêté temporaire de circulation est rédigé à la main à partir d'un modèle.",
        "frequency": "weekly", "beneficiaries": "Le service de la réglementation", "service": "Réglementation"},
     ("decline", "claire.martin", "Un modèle de document avec champs à remplir répond au besoin sans IA ; "
                                  "la rédaction d'un acte reste le fait d'un agent.")),
]

#: title -> [(service, agents)]
GROUPS: dict[str, list[tuple[str, int]]] = {
    ROUTING: [("Accueil", 12), ("Relation usagers", 8)],
    DEMOGRAPHY: [("Éducation", 3), ("Urbanisme", 2)],
    DELEGATES: [("Eau et assainissement", 4)],
}
#: title -> [(days ago, title, trainer, service, attendees, hours)]
TRAININGS: dict[str, list[tuple[int, str, str, str, list[str], float]]] = {
    ROUTING: [
        (200, "Comprendre et corriger l'orientation proposée", "Direction du numérique", "Accueil",
         ["Awa Diallo", "Mehdi Rahmani", "Sandrine Lopez", "Paul Girard", "Inès Martin", "Lucas Robert"], 3.0),
        (120, "Signaler une orientation erronée et en dire la raison", "Karim Haddad", "Relation usagers",
         ["Chloé Fontaine", "Yanis Bouzid", "Emma Lefèvre", "Hugo Mercier"], 2.0)],
    DEMOGRAPHY: [(300, "Lire une projection et son intervalle", "Sophie Leroy", "Éducation",
                  ["Nathalie Roche", "Olivier Blanc", "Camille Vidal"], 2.5)],
    DELEGATES: [(150, "Indicateurs du délégataire : lecture et limites", "Julie Moreau", "Eau et assainissement",
                 ["Antoine Perrin", "Léa Dumas", "Bruno Caron", "Sarah Colin"], 2.0)],
}
#: title -> [(months ago, service, suggestions, useful, wrong, overridden, {reason: count}, comment)]
FEEDBACK: dict[str, list[tuple[int, str, int, int, int, int, dict[str, int], str]]] = {
    ROUTING: [
        (3, "Accueil", 1480, 1250, 120, 150, {"suggestion_wrong": 110, "missing_information": 25,
                                               "agent_judgement": 15}, "Les demandes mêlant deux sujets sont mal orientées."),
        (2, "Accueil", 1510, 1310, 95, 128, {"suggestion_wrong": 90, "missing_information": 28, "agent_judgement": 10},
         "Mieux depuis l'ajout des demandes d'urbanisme."),
        (1, "Accueil", 1495, 1330, 80, 112, {"suggestion_wrong": 75, "missing_information": 27, "agent_judgement": 10},
         ""),
        (1, "Relation usagers", 620, 540, 30, 52, {"suggestion_wrong": 28, "agent_judgement": 24},
         "Les agents écartent la suggestion quand l'usager est déjà suivi par un service."),
    ],
}
#: title -> [(kind, indicator, unit, baseline, higher is better, source, [values, oldest first, one per month])]
RESIDENTS: dict[str, list[tuple[str, str, str, float, bool, str, list[float]]]] = {
    ROUTING: [
        ("response_time", "Délai de première réponse aux demandes écrites", "jours", 6.2, False,
         "Logiciel de gestion de la relation usagers", [4.8, 3.9, 3.1]),
        ("complaints", "Réclamations pour demande mal orientée", "par mois", 48, False,
         "Registre des réclamations", [35, 22, 18]),
        ("satisfaction", "Satisfaction des usagers (enquête après réponse)", "/10", 6.1, True,
         "Enquête en ligne, 300 répondants par mois environ", [6.6, 7.0, 7.2]),
    ],
    DELEGATES: [
        ("response_time", "Délai de réparation des fuites signalées", "heures", 36, False,
         "Rapport mensuel du délégataire", [33, 30]),
    ],
}


def _month(today: dt.date, months_ago: int) -> str:
    index = today.year * 12 + today.month - 1 - months_ago
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def create_use_case(services: Services, ids: dict[str, int], lead: Principal, fields: dict[str, Any],
                    today: dt.date) -> UseCaseView:
    """A demo use case: born from a service's need (turned into an idea by its lead) where the demo says so,
    else created in the register as a person would."""
    origin = NEED_ORIGINS.get(fields["title"])
    if origin is None:
        return services.register.create(lead, fields, today=today)
    submitter = services.people.principal(ids[origin[0]])
    assert submitter is not None
    need = services.needs.submit(submitter, origin[1])
    return services.register.get(services.needs.turn_into_idea(lead, need.id, need.version, fields, today=today))


def seed_people_use(services: Services, ids: dict[str, int], today: dt.date) -> dict[str, int]:
    """Needs, user groups, training sessions, agents' feedback and residents' measures; returns counts."""
    by_title = {u.title: u for u in services.register.list()}
    counts = {"needs": len(NEED_ORIGINS) + _needs(services, ids, by_title), "training_sessions": 0,
              "agent_feedback": 0, "resident_measures": 0}
    for title in GROUPS:
        uc = by_title.get(title)
        lead = services.people.principal(uc.lead_id) if uc and uc.lead_id else None
        if uc is not None and lead is not None:
            for key, n in _agents_and_residents(services, lead, uc.id, title, today).items():
                counts[key] += n
    return counts


def _needs(services: Services, ids: dict[str, int], by_title: dict[str, UseCaseView]) -> int:
    submitted = []
    for who, data, triage in NEEDS:
        need = services.needs.submit(services.people.principal(ids[who]), data)  # type: ignore[arg-type]
        submitted.append(need)
        if triage is None:
            continue
        verb, actor_key, target = triage
        actor = services.people.principal(ids[actor_key])
        assert actor is not None
        if verb == "link" and target in by_title:
            services.needs.link_to_use_case(actor, need.id, by_title[target].id, need.version)
        elif verb == "merge":
            services.needs.merge(actor, need.id, submitted[target].id, need.version)
        elif verb == "decline":
            services.needs.decline(actor, need.id, need.version, target)
    return len(submitted)


def _agents_and_residents(services: Services, lead: Principal, use_case_id: int, title: str,
                          today: dt.date) -> dict[str, int]:
    counts = {"training_sessions": 0, "agent_feedback": 0, "resident_measures": 0}
    for service, agents in GROUPS[title]:
        services.adoption.set_user_group(lead, use_case_id, {"service": service, "agents": agents})
    for days, name, trainer, service, attendees, hours in TRAININGS.get(title, []):
        services.adoption.record_training(lead, use_case_id, {
            "held_on": today - dt.timedelta(days=days), "title": name, "trainer": trainer, "service": service,
            "attendees": attendees, "hours": hours})
        counts["training_sessions"] += 1
    for months, service, n, useful, wrong, over, reasons, comment in FEEDBACK.get(title, []):
        services.adoption.record_feedback(lead, use_case_id, {
            "period": _month(today, months), "service": service, "n_suggestions": n, "n_useful": useful,
            "n_wrong": wrong, "n_overridden": over, "override_reasons": reasons, "comment": comment or None})
        counts["agent_feedback"] += 1
    for kind, indicator, unit, baseline, higher, source, values in RESIDENTS.get(title, []):
        for i, value in enumerate(values):
            services.residents.record(lead, use_case_id, {
                "kind": kind, "indicator": indicator, "unit": unit, "period": _month(today, len(values) - i),
                "baseline": baseline, "value": value, "higher_is_better": higher, "source": source})
            counts["resident_measures"] += 1
    return counts
