"""Security: every service checks permission before it validates, and lists are bounded.

A refused caller must get « Action refusée », never a validation message that tells them about the
use case (its monitored column names, its modules, its obligations). Before the fix,
``upload_reference`` and ``bind`` (and the other calls below) validated first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.services.errors import InvalidInput, NotFound, PermissionDenied
from portal.services.schemas import MAX_TAGS
from tests.conftest import use_case_data
from tests.portal.governance_fixtures import MINIMAL, TODAY, make_use_case

BAD = {"title": "", "family": "nope"}
CALLS: dict[str, Callable[[Any, Any, dict[str, Any]], Any]] = {
    "update_use_case": lambda s, p, o: s.register.update(p, o["uc"].id, o["uc"].version, BAD),
    "add_data_source": lambda s, p, o: s.register.add_data_source(p, o["uc"].id, {"name": ""}),
    "update_data_source": lambda s, p, o: s.register.update_data_source(p, o["src"].id, 1, {"name": ""}),
    "add_risk": lambda s, p, o: s.register.add_risk(p, o["uc"].id, {"likelihood": 9}),
    "update_risk": lambda s, p, o: s.register.update_risk(p, o["risk"].id, 1, {"likelihood": 9}),
    "set_score": lambda s, p, o: s.portfolio.set_score(p, o["uc"].id, {"reuse": 99}),
    "add_benefit_measure": lambda s, p, o: s.portfolio.add_benefit_measure(p, o["uc"].id, {"indicator": ""}),
    "configure_monitoring": lambda s, p, o: s.monitoring.configure(p, o["uc"].id, {"columns": {}}),
    "upload_reference": lambda s, p, o: s.monitoring.upload_reference(p, o["uc"].id, b"\x00\x01garbage", "x.csv"),
    "record_outcomes": lambda s, p, o: s.monitoring.record_outcomes(p, o["uc"].id, b"\x00\x01", label="x",
                                                                     filename="r.csv"),
    "bind": lambda s, p, o: s.analysis.bind(p, o["uc"].id, "no_such_module"),
    "request_gate": lambda s, p, o: s.governance.request_gate(p, o["uc"].id, "framing",
                                                               attestations={"no_such": True}, today=TODAY),
    "decide": lambda s, p, o: s.governance.decide(p, 1, "maybe", today=TODAY),
    "update_obligation": lambda s, p, o: s.governance.update_obligation(p, o["ob"].id, o["ob"].version,
                                                                         status="no_such_status"),
    "add_evidence_file": lambda s, p, o: s.governance.add_evidence_file(p, o["ob"].id, "", b""),
    "add_evidence_link": lambda s, p, o: s.governance.add_evidence_link(p, o["ob"].id, "javascript:x"),
}


@pytest.fixture
def objects(services, people, tmp_path):  # type: ignore[no-untyped-def]
    services.governance.data_dir = tmp_path / "data"
    uc = make_use_case(services, people["lead"])
    services.governance.classify(people["lead"], uc.id, **MINIMAL)
    uc = services.register.get(uc.id)
    return {"uc": uc, "src": uc.data_sources[0], "risk": uc.risks[0],
            "ob": services.governance.obligations(uc.id)[0]}


def test_a_refused_caller_gets_the_refusal_not_the_validation(services, people, objects):
    for name, call in CALLS.items():
        for who in ("reader", "lead2"):
            if name == "decide" and who == "lead2":
                continue
            with pytest.raises(PermissionDenied):
                call(services, people[who], objects)
            # the owner (or the compliance officer for decisions) gets the validation message
        actor = people["compliance"] if name == "decide" else people["lead"]
        with pytest.raises((InvalidInput, NotFound)):
            call(services, actor, objects)


def test_the_number_of_tags_is_bounded(services, people):
    tags = ", ".join(f"t{i}" for i in range(MAX_TAGS + 1))
    with pytest.raises(InvalidInput, match=r"Mots-clés.*au plus"):
        services.register.create(people["lead"], use_case_data(tags=tags))
    ok = services.register.create(people["lead"], use_case_data(tags=tags.rsplit(",", 1)[0]))
    assert len(ok.tags) == MAX_TAGS


def test_scenario_lists_are_bounded(services):
    with pytest.raises(InvalidInput):
        services.portfolio.run_scenario({"budget": 1, "capacity_days": 1,
                                         "must_do": [f"UC-2026-{i:03d}" for i in range(1001)]})
