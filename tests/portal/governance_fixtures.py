"""Answers and a use case set-up shared by the governance tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal.demo.governance import HIGH, LOW, _ai, _crpa

TODAY = dt.date(2026, 11, 26)
HIGH_RISK = {
    "ai_act": _ai(supply="third_party", annex3=("5a",), profiling=True, persons=True),
    "rgpd": {"dpia_c1": True, "dpia_c7": True, "dpia_c9": True},
    "crpa": _crpa(individual=True, main=True),
    "impact": HIGH,
}
MINIMAL = {"ai_act": _ai(), "rgpd": {}, "crpa": _crpa(), "impact": LOW}
SOCIAL_SCORING = {"ai_act": _ai(supply="third_party", social_scoring=True), "rgpd": {}, "crpa": _crpa(),
                  "impact": HIGH}


def make_use_case(services: Any, lead: Any, *, title: str = "Priorisation des demandes de logement social",
                  personal: bool = True, risk: tuple[int, int] = (3, 5), mitigation: str | None = "Tests d'équité",
                  art9: str | None = "9(2)(g)"):
    uc = services.register.create(lead, {
        "title": title, "problem": "Ordonner l'examen des demandes selon les critères légaux.",
        "family": "decision_support", "direction": "Direction de l'habitat", "service": "Service logement",
        "kpi_name": "Délai d'examen", "kpi_baseline": 9, "kpi_target": 4,
        "end_date": TODAY + dt.timedelta(days=120),
    }, today=TODAY)
    services.register.add_data_source(lead, uc.id, {
        "name": "Demandes de logement social", "producer": "SNE", "origin": "partner", "personal_data": personal,
        "sensitive_data": personal, "legal_basis": "legal_obligation" if personal else None,
        "art9_exception": art9 if personal else None,
    })
    services.register.add_risk(lead, uc.id, {"category": "bias", "description": "Discrimination indirecte",
                                             "likelihood": risk[0], "severity": risk[1], "mitigation": mitigation})
    return uc


def settle(services: Any, actor: Any, use_case_id: int, ids: set[str] | None = None) -> None:
    for ob in services.governance.obligations(use_case_id):
        if ids is None or ob.obligation_id in ids:
            services.governance.update_obligation(actor, ob.id, ob.version, status="done")
