"""The demo's deployment in waves and its bought high-risk system, through the real services.

* The routing of residents' requests (deployed) rolls out in four waves read from its monitoring: the
  central reception and the annex town halls (launched, criteria met), half of the online requests
  (launched, then rolled back: the agents overrode too many suggestions and the requests drifted), and
  all online requests, whose go/no-go is still to decide.
  Its rollback plan says how the agents return to manual routing, who decides and in how long.
* The social-housing prioritisation, bought from the vendor of the housing-demand software (Annex III
  point 5(a), high risk), has its contract and the four documents its supplier owes the deployer on
  file with their checksums, before its pilot gate is requested.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from policies.rulebook import load_rules
from portal.demo.monitoring import DEPLOYED_TITLE

if TYPE_CHECKING:
    from policies.vocabulary import Principal
    from portal.services import Services

HOUSING_TITLE = "Priorisation des demandes de logement social"
DIRECTOR = "claire.martin"

ROLLBACK_PLAN = {
    "procedure": "Désactiver la suggestion de service dans le logiciel de relation usagers (paramètre « routage "
                 "assisté ») : les agents d'accueil reprennent l'orientation manuelle avec la grille d'orientation "
                 "de 2022, toujours tenue à jour. Les demandes en cours gardent le service déjà choisi.",
    "decider": "Directrice générale des services, sur proposition du chef de projet ou de la conformité",
    "delay_days": 1,
}
#: (label, scope kind, scope, share, start offset in days, outcome periods, criteria)
WAVES: tuple[tuple[str, str, str | None, float | None, int, list[str], list[dict[str, Any]]], ...] = (
    ("Accueil central de l'hôtel d'agglomération", "service", "Accueil central", None, -420, ["2023 S1"],
     [{"metric": "accuracy", "bound": "min", "threshold": 80},
      {"metric": "override_rate", "bound": "max", "threshold": 20}]),
    ("Mairies annexes", "territory", "Communes de la première couronne", None, -240, ["2023 S2"],
     [{"metric": "accuracy", "bound": "min", "threshold": 80},
      {"metric": "override_rate", "bound": "max", "threshold": 20}]),
    ("Moitié des demandes en ligne", "share_cases", "Formulaire en ligne", 50, -30, ["2024"],
     [{"metric": "accuracy", "bound": "min", "threshold": 75},
      {"metric": "override_rate", "bound": "max", "threshold": 25},
      {"metric": "drift_share", "bound": "max", "threshold": 50}]),
    ("Toutes les demandes en ligne", "share_cases", "Formulaire en ligne", 100, 60, [],
     [{"metric": "accuracy", "bound": "min", "threshold": 75},
      {"metric": "override_rate", "bound": "max", "threshold": 25}]),
)

CONTRACT = {"reference": "MP-2025-HAB-017", "supplier": "Éditeur du logiciel de gestion de la demande",
            "renewal": "express", "notice_days": 90,
            "notes": "Marché à procédure adaptée, lot 2 « aide à la cotation » ; hébergement en France."}
#: kind -> (file name, reference, text of the demo document)
DOCUMENTS = {
    "instructions": ("notice-utilisation-aide-cotation-v3.txt", "version 3.2",
                     "Notice d'utilisation du module d'aide à la cotation (version 3.2).\n"
                     "Finalité prévue : proposer un ordre d'examen des demandes de logement social selon les "
                     "critères légaux ; la décision reste à la commission d'attribution.\n"
                     "Contrôle humain : chaque proposition est vérifiée par un instructeur formé.\n"),
    "conformity": ("declaration-ue-conformite.txt", "DC-2025-044",
                   "Déclaration UE de conformité (article 47 du règlement sur l'IA), établie par le fournisseur "
                   "pour le module d'aide à la cotation, version 3.\n"),
    "role_statement": ("declaration-role-article-25.txt", None,
                       "Le fournisseur reste fournisseur au sens du règlement sur l'IA : la collectivité ne met pas "
                       "son nom sur le système, ne le modifie pas substantiellement et l'utilise pour sa finalité "
                       "prévue (article 25).\n"),
}
EU_DATABASE = ("https://ai-act-database.ec.europa.eu.example/systemes/EU-HR-2025-0117", "EU-HR-2025-0117")


def _case(services: Services, title: str) -> Any:
    return next((uc for uc in services.register.list() if uc.title == title), None)


def seed_procurement(services: Services, people: dict[str, Principal | None], today: dt.date) -> dict[str, int]:
    """The housing prioritisation's contract and supplier's documents (before its pilot gate is asked)."""
    uc = _case(services, HOUSING_TITLE)
    if uc is None or uc.lead_id is None:
        return {}
    lead = next(p for p in people.values() if p is not None and p.person_id == uc.lead_id)
    proc = services.procurement
    proc.save_contract(lead, uc.id, None, CONTRACT | {"start_date": today - dt.timedelta(days=300),
                                                      "end_date": today + dt.timedelta(days=1160)})
    for kind, (name, reference, text) in DOCUMENTS.items():
        proc.add_document_file(lead, uc.id, kind, name, text.encode("utf-8"), reference=reference)
    url, number = EU_DATABASE
    proc.add_document_link(lead, uc.id, "eu_registration", url, reference=number,
                           note="Fiche publique de la base de données de l'UE")
    return {"supplier_documents": len(DOCUMENTS) + 1}


def seed_deployment(services: Services, people: dict[str, Principal | None], today: dt.date) -> dict[str, int]:
    """The routing's rollback plan, three waves and their decisions (after its monitoring is seeded)."""
    uc = _case(services, DEPLOYED_TITLE)
    director = people.get(DIRECTOR)
    if uc is None or uc.lead_id is None or director is None:
        return {}
    lead = next(p for p in people.values() if p is not None and p.person_id == uc.lead_id)
    dep = services.deployment
    dep.save_rollback_plan(lead, uc.id, None, ROLLBACK_PLAN | {"tested_on": today - dt.timedelta(days=430)},
                           today=today)
    waves = []
    for label, kind, scope, share, start, periods, criteria in WAVES:
        waves.append(dep.add_wave(lead, uc.id, {
            "label": label, "scope_kind": kind, "scope": scope, "share": share,
            "start_date": today + dt.timedelta(days=start), "periods": periods, "criteria": criteria}))
    plan = dep.plan(uc.id)
    reasons = ("Plan de retour arrière prêt et essayé.", "Critères de l'accueil central atteints.",
               "Critères des mairies annexes atteints.")
    for n, (wave, why) in enumerate(zip(waves[:3], reasons, strict=True), start=1):
        on = wave.start_date - dt.timedelta(days=7)
        dep.decide_wave(director, wave.id, wave.version, "go", reasons=why, decided_on=on, today=today,
                        **_act(plan, on, n))
    third = dep.plan(uc.id).waves[2]
    on = min(today, third.start_date + dt.timedelta(days=20))
    dep.decide_wave(director, third.id, third.version, "roll_back",
                    reasons="Sur les demandes en ligne, les agents ont repris plus de 40 % des suggestions et la "
                            "nature des demandes a changé : retour à l'orientation manuelle le temps de réapprendre "
                            "la grille des services sur les demandes de 2024.",
                    decided_on=on, today=today, **_act(plan, on, 4))
    return {"deployment_waves": len(waves), "wave_decisions": 4}


def _act(plan: Any, on: dt.date, n: int) -> dict[str, Any]:
    """The act a decision recorded by the director names when its authority decides by an act."""
    if plan.authority.value in load_rules("gates")["reference_required"]:
        return {"act_number": f"ARR-{on.year}-{100 + n:03d}", "act_date": on}
    return {}
