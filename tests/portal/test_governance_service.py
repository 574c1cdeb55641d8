"""GovernanceService on real databases (SQLite and PostgreSQL): gates enforced in the service,
authority by level, immutable decisions, evidence checksums, reviews, access checks."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from policies.vocabulary import AiActClass, ImpactLevel, RiskProfile, Stage
from portal.db.models import Classification, ObligationRecord, UseCase
from portal.demo.governance import ORGANISATION
from portal.services.errors import InvalidInput, PermissionDenied
from tests.portal.gates import walk_to
from tests.portal.governance_fixtures import HIGH_RISK, MINIMAL, SOCIAL_SCORING, TODAY, make_use_case, settle


@pytest.fixture
def gov(services, tmp_path):  # type: ignore[no-untyped-def]
    services.governance.data_dir = tmp_path / "data"
    return services.governance


def _to_framing(services, people, uc_id):  # type: ignore[no-untyped-def]
    req = services.governance.request_gate(people["lead"], uc_id, Stage.FRAMING, today=TODAY)
    services.governance.decide(people["compliance"], req.id, "approve", reasons="Cadrage accepté.", today=TODAY)


def test_classify_records_results_history_and_obligations(services, people, gov):
    uc = make_use_case(services, people["lead"])
    first = gov.classify(people["lead"], uc.id, **MINIMAL)
    assert first.risk_class is AiActClass.MINIMAL and not first.validated  # a lead's classification waits
    assert gov.classification_of(uc.id) == RiskProfile(AiActClass.MINIMAL, ImpactLevel.I)
    second = gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    assert second.number == 2 and second.validated
    assert second.risk_class is AiActClass.HIGH and second.dpia_required and second.fria_required
    assert gov.classification_of(uc.id) == RiskProfile(AiActClass.HIGH, ImpactLevel.III)
    assert [c.number for c in gov.classification_history(uc.id)] == [2, 1]
    assert any(r["article"].startswith("RIA") or "annexe III" in r["article"].lower() or r["rule_id"]
               == "AIA-ANX3-5A" for r in second.reasons())
    assert second.impact_drivers() and second.impact_drivers()[0]["points"] >= 3
    ids = {o.obligation_id for o in gov.obligations(uc.id)}
    assert {"OBL-RGPD-DPIA", "OBL-AIA-FRIA", "OBL-CRPA-MENTION"} <= ids
    # back to minimal: the high-risk duties are kept in the history as no longer applicable
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    dropped = {o.obligation_id for o in gov.obligations(uc.id, include_dropped=True) if not o.applicable}
    assert "OBL-AIA-FRIA" in dropped
    assert [e.action for e in services.audit.history_of(uc.id)].count("classify") == 3
    assert gov.classification_of(999_999) == RiskProfile()


def test_unknown_answers_are_refused_in_french(services, people, gov):
    uc = make_use_case(services, people["lead"])
    with pytest.raises(InvalidInput) as exc:
        gov.classify(people["compliance"], uc.id, ai_act={"is_ai_system": True, "couleur": "bleu"},
                     impact={"people_affected": "beaucoup"})
    text_ = "\n".join(exc.value.problems)
    assert "question inconnue « couleur »" in text_
    assert "Réponse inconnue « beaucoup »" in text_
    with services.db.reader() as s:
        assert s.scalar(select(Classification)) is None


def test_moving_past_the_pilot_gate_without_dpia_and_fria_fails_with_the_missing_conditions(services, people, gov):
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    _to_framing(services, people, uc.id)
    req = gov.request_gate(people["lead"], uc.id, "pilot", motive="Six mois avec la commission.", today=TODAY)
    assert req.pending
    assert any("AIPD" in m for m in req.missing) and any("AIDF" in m for m in req.missing)
    with pytest.raises(InvalidInput) as exc:
        gov.decide(people["director"], req.id, "approve", reasons="", act_number="A-1", act_date=TODAY, today=TODAY)
    problems = exc.value.problems
    assert problems[0] == "Passage à l'étape « Expérimentation » impossible : conditions manquantes."
    assert "L'analyse d'impact relative à la protection des données (AIPD) requise n'est pas réalisée." in problems
    assert any("droits fondamentaux (AIDF)" in p for p in problems)
    assert services.register.get(uc.id).stage is Stage.FRAMING
    # the DPIA and the FRIA done: the executive's decision, with its act, moves the use case
    settle(services, people["compliance"], uc.id, {"OBL-RGPD-DPIA", "OBL-AIA-FRIA"})
    assert gov.check(uc.id, "pilot", today=TODAY).allowed
    with pytest.raises(InvalidInput) as exc:
        gov.decide(people["director"], req.id, "approve", today=TODAY)
    assert "numéro et sa date" in exc.value.problems[0]
    done = gov.decide(people["director"], req.id, "approve", reasons="Délibération du bureau.",
                      act_number="ARR-2026-118", act_date=TODAY, today=TODAY)
    assert done.decision is not None and done.decision.stage_after is Stage.PILOT
    assert done.decision.policy_version.startswith("ai_act@")
    assert services.register.get(uc.id).stage is Stage.PILOT
    assert services.audit.verify().ok


def test_authority_rises_with_the_impact_level(services, people, gov):
    low = make_use_case(services, people["lead"], title="Comptages vélo", personal=False, risk=(2, 2))
    gov.classify(people["compliance"], low.id, **MINIMAL)
    _to_framing(services, people, low.id)
    req = gov.request_gate(people["lead"], low.id, "pilot", today=TODAY)
    assert req.authority.value == "head_of_service"
    assert gov.can_decide(people["compliance"], req)
    gov.decide(people["compliance"], req.id, "approve", reasons="ok", today=TODAY)
    assert services.register.get(low.id).stage is Stage.PILOT

    high = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], high.id, **HIGH_RISK)
    _to_framing(services, people, high.id)
    settle(services, people["compliance"], high.id, {"OBL-RGPD-DPIA", "OBL-AIA-FRIA"})
    req = gov.request_gate(people["lead"], high.id, "pilot", today=TODAY)
    assert req.authority.value == "executive" and not gov.can_decide(people["compliance"], req)
    with pytest.raises(PermissionDenied, match="Exécutif"):
        gov.decide(people["compliance"], req.id, "approve", reasons="ok", today=TODAY)
    with pytest.raises(PermissionDenied):
        gov.decide(people["lead"], req.id, "approve", reasons="ok", today=TODAY)
    assert services.register.get(high.id).stage is Stage.FRAMING


def test_gate_decisions_and_requests_are_immutable_in_the_database(services, people, gov):
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    _to_framing(services, people, uc.id)
    for statement in ("UPDATE gate_decision SET decision = 'refuse'", "DELETE FROM gate_decision",
                      "UPDATE gate_request SET to_stage = 'deployed'", "DELETE FROM gate_request"):
        with pytest.raises(DBAPIError, match="append-only"), services.db.writer.begin() as s:
            s.execute(text(statement))
    req = gov.requests(uc.id)[0]
    assert req.decision is not None and req.decision.decision.value == "approve"
    with pytest.raises(InvalidInput, match="déjà été décidée"):
        gov.decide(people["compliance"], req.id, "refuse", reasons="Changement d'avis", today=TODAY)


def test_prohibited_practice_never_leaves_the_idea_stage(services, people, gov):
    uc = make_use_case(services, people["lead"], title="Notation comportementale des usagers")
    gov.classify(people["compliance"], uc.id, **SOCIAL_SCORING)
    assert gov.classification_of(uc.id).ai_class is AiActClass.PROHIBITED
    req = gov.request_gate(people["lead"], uc.id, "framing", today=TODAY)
    assert any("article 5" in m for m in req.missing)
    with pytest.raises(InvalidInput) as exc:
        gov.decide(people["director"], req.id, "approve", reasons="", today=TODAY)
    assert any("Pratique interdite par l'article 5" in p for p in exc.value.problems)
    with pytest.raises(InvalidInput, match="Motifs"):
        gov.decide(people["director"], req.id, "refuse", today=TODAY)
    gov.decide(people["director"], req.id, "refuse", reasons="Notation sociale interdite (art. 5-1-c).",
               today=TODAY)
    assert services.register.get(uc.id).stage is Stage.IDEA
    messages = [i.message for i in gov.attention(people["director"], today=TODAY)]
    assert any("refusé" in m and "Notation sociale" in m for m in messages)


def test_the_stage_moves_one_step_at_a_time_and_only_through_the_gates(services, people, gov):
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    with pytest.raises(InvalidInput, match="une à une"):
        gov.request_gate(people["lead"], uc.id, "pilot", today=TODAY)
    view = services.register.get(uc.id)
    with pytest.raises(InvalidInput, match="champ inconnu"):
        services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {"stage": "deployed"})
    assert services.register.get(uc.id).stage is Stage.IDEA


def test_only_the_governance_service_writes_a_stage():
    root = Path(__file__).resolve().parents[2] / "portal"
    writers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if ".stage = " in p.read_text(encoding="utf-8"))
    assert writers == ["services/governance/gates.py"], writers


def _piloting(services, people, gov):  # type: ignore[no-untyped-def]
    """A minimal-risk use case without personal data, its pilot approved by compliance."""
    uc = make_use_case(services, people["lead"], personal=False, risk=(2, 2))
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    _to_framing(services, people, uc.id)
    req = gov.request_gate(people["lead"], uc.id, "pilot", today=TODAY)
    gov.decide(people["compliance"], req.id, "approve", reasons="ok", today=TODAY)
    return uc


def test_suspension_withdrawal_and_resumption_are_recorded(services, people, gov):
    uc = _piloting(services, people, gov)
    with pytest.raises(InvalidInput, match="motif"):
        gov.suspend(people["director"], uc.id, "  ", today=TODAY)
    with pytest.raises(PermissionDenied):
        gov.suspend(people["lead"], uc.id, "Incident", today=TODAY)
    gov.suspend(people["director"], uc.id, "Incident de sécurité chez le prestataire.", today=TODAY)
    assert services.register.get(uc.id).stage is Stage.SUSPENDED
    with pytest.raises(InvalidInput, match="Expérimentation"):
        gov.request_gate(people["lead"], uc.id, "evaluation", today=TODAY)
    back = gov.request_gate(people["lead"], uc.id, "pilot", motive="Incident clos.", today=TODAY)
    assert back.kind == "resume"
    gov.decide(people["compliance"], back.id, "approve", reasons="Reprise.", today=TODAY)
    assert services.register.get(uc.id).stage is Stage.PILOT
    gov.withdraw(people["compliance"], uc.id, "Gain insuffisant.", today=TODAY)
    assert services.register.get(uc.id).stage is Stage.RETIRED
    with pytest.raises(InvalidInput, match="retiré"):
        gov.withdraw(people["director"], uc.id, "Encore", today=TODAY)
    kinds = [r.kind for r in gov.requests(uc.id)]
    assert kinds.count("suspend") == 1 and kinds.count("retire") == 1
    assert {"suspend", "withdraw"} <= {e.action for e in services.audit.history_of(uc.id)}


def test_access_checks(services, people, gov):
    uc = make_use_case(services, people["lead"])
    with pytest.raises(PermissionDenied):
        gov.classify(people["reader"], uc.id, **MINIMAL)
    with pytest.raises(PermissionDenied):
        gov.classify(people["lead2"], uc.id, **MINIMAL)  # not their project
    gov.classify(people["lead"], uc.id, **MINIMAL)
    with pytest.raises(PermissionDenied):
        gov.validate_classification(people["lead"], uc.id)
    assert gov.validate_classification(people["compliance"], uc.id).validated
    with pytest.raises(PermissionDenied):
        gov.request_gate(people["lead2"], uc.id, "framing", today=TODAY)
    with pytest.raises(PermissionDenied):
        gov.request_gate(people["compliance"], uc.id, "framing", today=TODAY)
    req = gov.request_gate(people["lead"], uc.id, "framing", today=TODAY)
    with pytest.raises(InvalidInput, match="déjà en attente"):
        gov.request_gate(people["director"], uc.id, "framing", today=TODAY)
    for who in ("reader", "admin", "lead"):
        with pytest.raises(PermissionDenied):
            gov.decide(people[who], req.id, "approve", reasons="ok", today=TODAY)
    ob = gov.obligations(uc.id)[0]
    with pytest.raises(PermissionDenied):
        gov.update_obligation(people["reader"], ob.id, ob.version, status="done")
    with pytest.raises(PermissionDenied):
        gov.record_review(people["lead"], uc.id, today=TODAY)


def test_obligation_tracking_and_overdue(services, people, gov):
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    ob = next(o for o in gov.obligations(uc.id) if o.obligation_id == "OBL-RGPD-DPIA")
    with pytest.raises(InvalidInput, match="justifiée"):
        gov.update_obligation(people["lead"], ob.id, ob.version, status="not_applicable", justification=" ")
    late = gov.update_obligation(people["lead"], ob.id, ob.version, status="in_progress",
                                 owner_id=people["compliance"].person_id, due_date=TODAY - dt.timedelta(days=3))
    assert late.owner_name == "Test compliance" and late.overdue(TODAY)
    assert [o.obligation_id for _, _, o in gov.overdue_obligations(TODAY)] == ["OBL-RGPD-DPIA"]
    with pytest.raises(Exception, match="modifiée"):
        gov.update_obligation(people["lead"], ob.id, ob.version, status="done")  # stale version
    gov.update_obligation(people["lead"], ob.id, late.version, status="done")
    assert gov.overdue_obligations(TODAY) == []
    with services.db.reader() as s:
        assert s.get(ObligationRecord, ob.id).status == "done"


def test_evidence_file_is_kept_with_its_sha256(services, people, gov, tmp_path):
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    ob = next(o for o in gov.obligations(uc.id) if o.obligation_id == "OBL-RGPD-DPIA")
    content = b"%PDF-1.7\n" + "AIPD — logement social, version signée\n".encode() * 50
    ev = gov.add_evidence_file(people["lead"], ob.id, "../../AIPD logement.pdf", content, note="v1")
    assert ev.sha256 == hashlib.sha256(content).hexdigest() and ev.size == len(content)
    stored = list((tmp_path / "data" / "evidence").rglob("*"))
    files = [p for p in stored if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == content
    assert files[0].is_relative_to(tmp_path / "data") and ".." not in files[0].name
    assert gov.verify_evidence(ev.id)
    name, data, ok = gov.evidence_file(ev.id)
    assert name == "AIPD logement.pdf" and data == content and ok
    files[0].write_bytes(content + b"falsifie")
    assert not gov.verify_evidence(ev.id)
    link = gov.add_evidence_link(people["compliance"], ob.id, "https://ged.example/aipd/42")
    assert link.sha256 == hashlib.sha256(b"https://ged.example/aipd/42").hexdigest()
    assert gov.verify_evidence(link.id)
    with pytest.raises(InvalidInput, match="Lien"):
        gov.add_evidence_link(people["compliance"], ob.id, "javascript:alert(1)")
    with pytest.raises(InvalidInput, match="vide"):
        gov.add_evidence_file(people["lead"], ob.id, "vide.pdf", b"")
    with pytest.raises(PermissionDenied):
        gov.add_evidence_file(people["lead2"], ob.id, "x.pdf", b"x")
    assert len(gov.obligations(uc.id)[0].evidence) + 0 >= 0
    assert {e.kind for o in gov.obligations(uc.id) for e in o.evidence} == {"file", "link"}


def test_periodic_review_cadence_and_overdue(services, people, gov):
    uc = make_use_case(services, people["lead"], personal=False, risk=(2, 2))
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    _to_framing(services, people, uc.id)
    for to, att in (("pilot", {}), ("evaluation", {"evaluation_report_started": True})):
        req = gov.request_gate(people["lead"], uc.id, to, attestations=att, today=TODAY)
        gov.decide(people["compliance"], req.id, "approve", reasons="ok", today=TODAY)
    settle(services, people["compliance"], uc.id)
    req = gov.request_gate(people["lead"], uc.id, "deployed", attestations={"evaluation_done": True,
                                                                           "agents_trained": True}, today=TODAY)
    assert req.missing == []
    deployed_on = TODAY - dt.timedelta(days=800)
    gov.decide(people["compliance"], req.id, "approve", reasons="ok", decided_on=deployed_on, today=TODAY)
    status = gov.review_status(uc.id, TODAY)
    assert status is not None and status.cadence_months == 24 and status.overdue
    assert [r.use_case_id for r in gov.overdue_reviews(TODAY)] == [uc.id]
    assert gov.review_labels(TODAY)[uc.reference].startswith("En retard")
    assert any("Revue périodique en retard" in i.message for i in gov.attention(people["director"], TODAY))
    with pytest.raises(InvalidInput, match="futur"):
        gov.record_review(people["compliance"], uc.id, reviewed_on=TODAY + dt.timedelta(days=1), today=TODAY)
    gov.record_review(people["compliance"], uc.id, reviewed_on=TODAY, outcome="continue", today=TODAY)
    status = gov.review_status(uc.id, TODAY)
    assert not status.overdue and status.due_date == dt.date(2028, 11, 26)


def test_crpa_mention_and_explanation_from_the_sheet(services, people, gov):
    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    with pytest.raises(InvalidInput, match="administration, contact"):
        gov.crpa_mention(uc.id)  # the collectivité's name and contact are not set yet
    services.organisation.update(people["admin"], 0, ORGANISATION)
    mention = gov.crpa_mention(uc.id)
    assert ORGANISATION["name"] in mention
    assert "« Priorisation des demandes de logement social »" in mention
    assert "L311-3-1" in mention and "Demandes de logement social (SNE)" in mention
    template = gov.crpa_explanation(uc.id)
    assert "R311-3-1-2" in template and "## 2. Données traitées et leurs sources" in template


def test_use_case_rows_are_not_touched_by_reads(services, people, gov):
    uc = make_use_case(services, people["lead"])
    with services.db.reader() as s:
        version = s.get(UseCase, uc.id).version
    gov.portfolio(TODAY)
    gov.attention(people["director"], TODAY)
    gov.check(uc.id, "framing", today=TODAY)
    with services.db.reader() as s:
        assert s.get(UseCase, uc.id).version == version


def test_concurrent_deciders_record_one_decision(db_url, services, people, gov):
    import threading

    from portal.services import build_services

    uc = make_use_case(services, people["lead"])
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    req = gov.request_gate(people["lead"], uc.id, "framing", today=TODAY)
    n = 6
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()
    engines = [build_services(db_url) for _ in range(n)]

    def decide(i: int) -> None:
        who = people["compliance"] if i % 2 else people["director"]
        try:
            barrier.wait(timeout=30)
            engines[i].governance.decide(who, req.id, "approve" if i % 3 else "refuse", reasons=f"Décideur {i}",
                                         today=TODAY)
            result = "ok"
        except InvalidInput as exc:
            result = "refused" if "déjà été décidée" in exc.problems[0] else f"other: {exc.problems}"
        except BaseException as exc:
            result = f"error: {exc!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.db.dispose()
    assert sorted(outcomes) == ["ok"] + ["refused"] * (n - 1), outcomes
    assert len([r for r in gov.requests(uc.id) if r.decision]) == 1
    assert services.audit.verify().ok


def test_sync_obligations_follows_a_new_personal_data_source(services, people, gov):
    uc = make_use_case(services, people["lead"], personal=False, risk=(2, 2))
    gov.classify(people["compliance"], uc.id, **MINIMAL)
    assert "OBL-RGPD-LEGAL-BASIS" not in {o.obligation_id for o in gov.obligations(uc.id)}
    services.register.add_data_source(people["lead"], uc.id, {"name": "Fichier des usagers", "origin": "internal",
                                                              "personal_data": True, "legal_basis": None})
    with pytest.raises(PermissionDenied):
        gov.sync_obligations(people["reader"], uc.id)
    changes = gov.sync_obligations(people["lead"], uc.id)
    assert "OBL-RGPD-LEGAL-BASIS" in changes["added"]
    assert "OBL-RGPD-LEGAL-BASIS" in {o.obligation_id for o in gov.obligations(uc.id)}
    assert "sync" in {e.action for e in services.audit.history_of(uc.id)}


def test_the_art9_exception_recorded_on_a_source_reaches_the_rgpd_check(services, people, gov):
    uc = make_use_case(services, people["lead"], art9=None, risk=(2, 2))
    walk_to(services, people, uc.id, Stage.FRAMING)
    sources = lambda: gov.preview(uc.id, **MINIMAL).rgpd.sources  # noqa: E731
    assert sources().missing_art9_exception == ["Demandes de logement social"] and not sources().ok
    gate = gov.check(uc.id, "pilot", today=TODAY)
    assert "GATE-PIL-10" in gate.failed
    assert any("« Demandes de logement social » (données sensibles) sans exception de l'art. 9(2)" in m
               for m in gate.missing)
    ds = services.register.get(uc.id).data_sources[0]
    services.register.update_data_source(people["lead"], ds.id, ds.version,
                                         {**ds.model_dump(include={"name", "producer", "origin", "personal_data",
                                                                   "sensitive_data", "legal_basis"}),
                                          "art9_exception": "9(2)(g)"})
    assert sources().ok and sources().art9_exceptions == ["9(2)(g)"]
    assert "GATE-PIL-10" not in gov.check(uc.id, "pilot", today=TODAY).failed
    recorded = gov.classify(people["compliance"], uc.id, **MINIMAL)
    assert recorded.result["rgpd"]["sources"]["art9_exceptions"] == ["9(2)(g)"]


def test_deployment_reads_the_evaluation_report_from_its_record_not_from_an_attestation(services, people, gov):
    from portal.db.models import ObligationRecord

    uc = _piloting(services, people, gov)
    # the report begun (obligation in progress) opens the evaluation stage without an attestation
    (report,) = [o for o in gov.obligations(uc.id) if o.obligation_id == "OBL-GOV-EVALUATION"]
    gov.update_obligation(people["lead"], report.id, report.version, status="in_progress")
    assert gov.check(uc.id, "evaluation", today=TODAY).allowed
    req = gov.request_gate(people["lead"], uc.id, "evaluation", today=TODAY)
    gov.decide(people["compliance"], req.id, "approve", reasons="ok", today=TODAY)
    attested = {"evaluation_done": True, "agents_trained": True}
    # the agents' training is the AI-literacy obligation's record, not the requester's word either
    assert {"GATE-DEP-01", "GATE-DEP-04"} <= set(gov.check(uc.id, "deployed", today=TODAY,
                                                            attestations=attested).failed)
    assert gov.attestations_for(uc.id) == {}  # nothing left to attest: both are records here
    settle(services, people["compliance"], uc.id,
           {o.obligation_id for o in gov.obligations(uc.id)} - {"OBL-GOV-EVALUATION"})
    check = gov.check(uc.id, "deployed", today=TODAY, attestations=attested)
    # saying it is done is not enough: the report is a record (and still a pending obligation)
    assert check.failed == ["GATE-DEP-01", "GATE-DEP-03"]
    settle(services, people["compliance"], uc.id, {"OBL-GOV-EVALUATION"})
    assert gov.check(uc.id, "deployed", today=TODAY, attestations={"agents_trained": True}).allowed
    # a use case classified before the obligation existed keeps the attestation
    with services.db.writer.begin() as s:
        s.execute(delete(ObligationRecord).where(ObligationRecord.use_case_id == uc.id,
                                                 ObligationRecord.obligation_id == "OBL-GOV-EVALUATION"))
    assert "GATE-DEP-01" in gov.check(uc.id, "deployed", today=TODAY, attestations={"agents_trained": True}).failed
    assert gov.check(uc.id, "deployed", today=TODAY, attestations=attested).allowed
    assert list(gov.attestations_for(uc.id)) == ["evaluation_report_started", "evaluation_done"]
