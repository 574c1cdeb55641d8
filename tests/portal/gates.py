"""Walk a test use case to a stage through the real governance gates (no shortcut writes a stage)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from policies.vocabulary import Principal, Stage
from tests.portal.governance_fixtures import MINIMAL, settle

FORWARD = [Stage.IDEA, Stage.FRAMING, Stage.PILOT, Stage.EVALUATION, Stage.DEPLOYED]
ATTESTATIONS = {"evaluation_report_started": True, "evaluation_done": True, "agents_trained": True}


def walk_to(services: Any, people: dict[str, Principal], use_case_id: int, target: Stage) -> None:
    """Classify as minimal risk, fill what the pilot gate asks, and have each step requested by the
    lead and approved by compliance; SUSPENDED goes through a pilot and a suspension decision."""
    gov, lead, compliance = services.governance, people["lead"], people["compliance"]
    if gov.classification(use_case_id) is None:
        gov.classify(compliance, use_case_id, **MINIMAL)
    view = services.register.get(use_case_id)
    fields = view.editable_fields()
    fields |= {"end_date": fields.get("end_date") or dt.date.today() + dt.timedelta(days=90),
               "kpi_name": fields.get("kpi_name") or "Délai de traitement",
               "kpi_baseline": fields.get("kpi_baseline") or 10, "kpi_target": fields.get("kpi_target") or 5}
    services.register.update(lead, use_case_id, view.version, fields)
    if not view.risks:
        services.register.add_risk(lead, use_case_id, {"category": "quality", "description": "Données incomplètes",
                                                       "likelihood": 2, "severity": 2,
                                                       "mitigation": "Contrôle mensuel des données"})
    settle(services, compliance, use_case_id)
    stop = Stage.PILOT if target is Stage.SUSPENDED else target
    current = services.register.get(use_case_id).stage
    for stage in FORWARD[FORWARD.index(current) + 1: FORWARD.index(stop) + 1]:
        req = gov.request_gate(lead, use_case_id, stage, motive="Test", attestations=ATTESTATIONS)
        decider = compliance if gov.can_decide(compliance, req) else people["director"]
        act = {"session_date": dt.date.today()} if gov.on_behalf(decider, req) else {}
        gov.decide(decider, req.id, "approve", reasons="Conditions réunies.", **act)
    if target is Stage.SUSPENDED:
        gov.suspend(people["director"], use_case_id, "Test de suspension")
    assert services.register.get(use_case_id).stage is target
