"""The demo reaches its stages through real gates; the held and refused stories are there."""

from __future__ import annotations

from policies.vocabulary import AiActClass, GateDecision, Stage


def _by_title(services, word):  # type: ignore[no-untyped-def]
    return next(v for v in services.register.list() if word in v.title)


def test_every_demo_stage_is_reached_through_gate_decisions(demo_services):
    services = demo_services
    gov = services.governance
    for uc in services.register.list():
        decisions = [r.decision for r in gov.requests(uc.id) if r.decision]
        if uc.stage is Stage.IDEA:
            assert all(d.stage_after is Stage.IDEA for d in decisions)
            continue
        last_move = next(d for d in decisions if d.stage_after is not d.stage_before)
        assert last_move.stage_after is uc.stage, uc.reference
        assert last_move.decision in (GateDecision.APPROVE, GateDecision.APPROVE_WITH_CONDITIONS)
        assert gov.classification_of(uc.id).ai_class is not None
    assert {e.action for e in services.audit.recent(limit=1000)}.isdisjoint({"seed_stage"})
    assert services.audit.verify().ok


def test_high_risk_housing_is_held_at_the_pilot_gate_and_scoring_is_refused(demo_services):
    services = demo_services
    gov = services.governance
    housing = _by_title(services, "logement social")
    assert housing.stage is Stage.FRAMING
    assert gov.classification_of(housing.id).ai_class is AiActClass.HIGH
    held = [r for r in gov.pending_requests() if r.use_case_id == housing.id]
    assert len(held) == 1 and held[0].to_stage is Stage.PILOT
    assert any("(AIPD)" in m for m in held[0].missing) and any("(AIDF)" in m for m in held[0].missing)
    scoring = _by_title(services, "Notation comportementale")
    assert scoring.stage is Stage.IDEA and gov.classification_of(scoring.id).ai_class is AiActClass.PROHIBITED
    refused = gov.requests(scoring.id)[0].decision
    assert refused is not None and refused.decision is GateDecision.REFUSE and "article 5" in refused.reasons
    director = services.people.principal(next(p.id for p in services.people.list() if p.subject == "claire.martin"))
    messages = {(i.reference, i.message) for i in gov.attention(director)}
    assert any(ref == scoring.reference and "refusé" in m for ref, m in messages)
    assert any(ref == housing.reference and "(AIPD)" in m for ref, m in messages)
    assert [r.reference for r in gov.overdue_reviews()] == [_by_title(services, "délégataires de l'eau").reference]
    assert gov.overdue_obligations()
