"""Loading the demo portfolio through the same services a person would use."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from policies.access import require
from policies.vocabulary import Action, Principal, Stage
from portal.demo.data import DEMO_ISSUER, PEOPLE, USE_CASES
from portal.demo.governance import ORGANISATION
from portal.demo.people_use import create_use_case, seed_people_use
from portal.demo.transparency import TRANSPARENCY

if TYPE_CHECKING:
    from portal.services import Services


class AlreadySeeded(Exception):
    """The register already holds use cases: the demo portfolio is not loaded twice."""


def is_empty(services: Services) -> bool:
    return services.register.count() == 0


def seed_demo(services: Services, actor: Principal, today: dt.date | None = None) -> dict[str, int]:
    """Create the demo people and use cases; returns counts. Refuses a non-empty register."""
    require(actor, Action.MANAGE_PEOPLE)
    if not is_empty(services):
        raise AlreadySeeded("Le registre contient déjà des cas d'usage : démonstration non rechargée.")
    today = today or dt.date.today()
    org = services.organisation.get()
    services.organisation.update(actor, org.version if org else 0, ORGANISATION)
    ids: dict[str, int] = {}
    for key, fields in PEOPLE.items():
        existing = services.people.find_by_identity(DEMO_ISSUER, key)
        if existing is None:
            existing = services.people.create(
                actor, fields | {"email": f"{key}@demo.vigie.invalid", "issuer": DEMO_ISSUER, "subject": key}
            )
        ids[key] = existing.id
    counts = {"people": len(ids), "use_cases": 0, "data_sources": 0, "risks": 0}
    leads: dict[str, Principal] = {}
    leads_by_id: dict[int, Principal] = {}
    for spec in USE_CASES:
        lead = services.people.principal(ids[spec["lead"]])
        assert lead is not None
        fields = {k: v for k, v in spec.items() if k not in {"lead", "sponsor", "stage", "start", "end", "sources",
                                                             "risks"}}
        fields |= {
            "lead_id": ids[spec["lead"]],
            "sponsor_id": ids[spec["sponsor"]],
            "start_date": today + dt.timedelta(days=spec["start"]) if spec["start"] is not None else None,
            "end_date": today + dt.timedelta(days=spec["end"]) if spec["end"] is not None else None,
        }
        uc = create_use_case(services, ids, lead, fields, today)  # one was born from a service's need
        if uc.title in TRANSPARENCY:  # the « Transparence » section, as the project lead fills it
            uc = services.register.update_transparency(lead, uc.id, uc.version, TRANSPARENCY[uc.title])
        leads[uc.title] = lead
        leads_by_id[uc.id] = lead
        counts["use_cases"] += 1
        for src in spec["sources"]:
            services.register.add_data_source(lead, uc.id, src)
            counts["data_sources"] += 1
        for risk in spec["risks"]:
            owner = risk.get("owner")
            data = {k: v for k, v in risk.items() if k != "owner"} | {"owner_id": ids[owner] if owner else None}
            services.register.add_risk(lead, uc.id, data)
            counts["risks"] += 1
    # governance: every use case reaches its stage through classifications and gate decisions
    from portal.demo.deployment import seed_deployment, seed_procurement
    from portal.demo.governance import govern_demo

    principals = {key: services.people.principal(pid) for key, pid in ids.items()}
    counts |= seed_procurement(services, principals, today)  # before the housing pilot gate is asked
    govern_demo(services, ids, USE_CASES, today)
    # --- portfolio ---
    from portal.demo.portfolio import seed_portfolio
    counts |= seed_portfolio(services, actor, today)
    # analysis: bound modules, runs on the samples, one reference each
    from portal.demo.analysis import seed_demo_analysis

    counts["analysis_runs"] = seed_demo_analysis(services, leads_by_id)
    # public register: the compliance officer has published the algorithms in use for decisions
    from portal.demo.governance import COMPLIANCE

    officer = services.people.principal(ids[COMPLIANCE])
    assert officer is not None
    for view in services.register.list():
        if view.stage in (Stage.DEPLOYED, Stage.EVALUATION):
            services.public_register.publish(officer, view.id, today)
            counts["public_register"] = counts.get("public_register", 0) + 1
    # --- monitoring: real reference and current batches, alerts, a suspension proposal ---
    from portal.demo.monitoring import seed_monitoring

    counts |= seed_monitoring(services, leads)
    counts |= seed_deployment(services, principals, today)  # its waves read the monitoring seeded above
    # --- the people around the use cases: needs, agents (groups, training, feedback), residents ---
    counts |= seed_people_use(services, ids, today)
    return counts


def demo_people(services: Services) -> list[tuple[str, int]]:
    """(subject, person id) of the demo accounts present in the database."""
    return [(p.subject, p.id) for p in services.people.list() if p.issuer == DEMO_ISSUER and p.subject]
