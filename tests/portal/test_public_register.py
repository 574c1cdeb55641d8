"""The public register of algorithms on SQLite and PostgreSQL: who publishes, what is published,
snapshots that change only when republished, withdrawal, open-data export."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from policies.access import PermissionDenied
from policies.vocabulary import Stage
from portal.db.models import AuditEvent, PublicRegisterEntry
from portal.services.errors import InvalidInput
from portal.services.public_register import FIELDS
from tests.portal.gates import walk_to
from tests.portal.governance_fixtures import SOCIAL_SCORING, make_use_case


def _entries(services) -> int:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(PublicRegisterEntry))


def _answers(services, people, uc_id, **crpa):  # type: ignore[no-untyped-def]
    from tests.portal.governance_fixtures import MINIMAL

    answers = dict(MINIMAL)
    answers["crpa"] = dict(answers["crpa"]) | {"administration": "Ville de Test", "contact": "dpo@ville.test",
                                               "rules_url": "https://ville.test/algorithmes"} | crpa
    services.governance.classify(people["compliance"], uc_id, **answers)


def piloted_case(services, people, title: str, human_role: str):  # type: ignore[no-untyped-def]
    """A use case in pilot whose sheet and CRPA answers make it ready to publish."""
    uc = make_use_case(services, people["lead"], title=title)
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {
        "automation": "recommendation", "human_role": human_role,
        "decisions_per_year": 12000, "public_concerned": "Usagers du guichet"})
    _answers(services, people, uc.id, individual_decision=True, main_processing=True)
    walk_to(services, people, uc.id, Stage.PILOT)
    return uc


@pytest.fixture
def piloted(services, people):  # type: ignore[no-untyped-def]
    return piloted_case(services, people, "Orientation des demandes vers le bon service",
                        "L'agent valide chaque orientation proposée.")


def test_compliance_publishes_a_snapshot_with_the_etalab_fields(services, people, piloted):
    entry = services.public_register.entry(piloted.id)
    assert not entry.published and entry.required and entry.crpa_publication
    for who in ("lead", "director", "reader"):
        with pytest.raises(PermissionDenied):
            services.public_register.publish(people[who], piloted.id)
    assert _entries(services) == 0
    entry = services.public_register.publish(people["compliance"], piloted.id)
    assert entry.published and not entry.stale and entry.published_by == "Test compliance"
    rec = entry.record
    assert set(FIELDS) <= set(rec)
    assert rec["administration"] == "Ville de Test" and rec["contact"] == "dpo@ville.test"
    assert rec["automation"] == "Recommandation" or rec["automation"]
    assert rec["decisions_per_year"] == 12000 and rec["individual_decisions"] == "oui"
    assert "Demandes de logement social" in rec["data"] and rec["stage"] == Stage.PILOT.label
    with services.db.reader() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.entity == "public_register_entry")).all()
    assert [e.action for e in ev] == ["publish"] and ev[0].use_case_id == piloted.id


def test_the_public_text_changes_only_when_republished(services, people, piloted):
    services.public_register.publish(people["compliance"], piloted.id)
    view = services.register.get(piloted.id)
    services.register.update(people["lead"], piloted.id, view.version,
                             view.editable_fields() | {"decisions_per_year": 15000})
    entry = services.public_register.entry(piloted.id)
    assert entry.stale and entry.record["decisions_per_year"] == 12000  # the published text is unchanged
    again = services.public_register.publish(people["compliance"], piloted.id)
    assert not again.stale and again.record["decisions_per_year"] == 15000
    assert _entries(services) == 2  # history kept


def test_withdrawal_needs_a_reason_and_keeps_the_history(services, people, piloted):
    with pytest.raises(InvalidInput):
        services.public_register.withdraw(people["compliance"], piloted.id, "Retrait")  # not published
    services.public_register.publish(people["compliance"], piloted.id)
    with pytest.raises(InvalidInput) as exc:
        services.public_register.withdraw(people["compliance"], piloted.id, "  ")
    assert "Motif" in exc.value.problems[0]
    out = services.public_register.withdraw(people["admin"], piloted.id, "Traitement abandonné")
    assert not out.published and services.public_register.published() == []
    assert _entries(services) == 2


def test_ideas_prohibited_practices_and_incomplete_records_are_not_published(services, people):
    idea = make_use_case(services, people["lead"], title="Idée")
    _answers(services, people, idea.id)
    with pytest.raises(InvalidInput) as exc:
        services.public_register.publish(people["compliance"], idea.id)
    assert any("stade de l'idée" in p for p in exc.value.problems)
    scoring = make_use_case(services, people["lead"], title="Notation des usagers")
    services.governance.classify(people["compliance"], scoring.id, **SOCIAL_SCORING)
    with pytest.raises(InvalidInput) as exc:
        services.public_register.publish(people["compliance"], scoring.id)
    problems = " ".join(exc.value.problems)
    assert "pratique interdite" in problems and "Niveau d'automatisation de la décision : à renseigner" in problems
    assert _entries(services) == 0


def test_open_data_export_lists_published_entries_safely(services, people, piloted):
    view = services.register.get(piloted.id)
    services.register.update(people["lead"], piloted.id, view.version,
                             view.editable_fields() | {"public_concerned": "=HYPERLINK(\"http://x\")"})
    services.public_register.publish(people["compliance"], piloted.id)
    csv = services.public_register.export(people["reader"], "csv")
    text = csv.data.decode("utf-8-sig")
    assert csv.rows == 1 and "Nom de l'algorithme" in text and piloted.reference in text
    assert "'=HYPERLINK" in text or "\"'=HYPERLINK" in text  # a formula is neutralised, never run
    payload = json.loads(services.public_register.export(people["reader"], "json").data)
    assert payload["entries"][0]["reference"] == piloted.reference and payload["fields"] == FIELDS
    with pytest.raises(InvalidInput):
        services.public_register.export(people["reader"], "pdf")
    with services.db.reader() as s:
        exports = s.scalars(select(AuditEvent).where(AuditEvent.entity == "public_register")).all()
    assert [e.action for e in exports] == ["export", "export"]


def test_a_prohibited_practice_is_not_listed_as_to_publish(services, people):
    scoring = make_use_case(services, people["lead"], title="Notation des usagers")
    services.governance.classify(people["compliance"], scoring.id, **SOCIAL_SCORING)
    assert scoring.id not in {e.use_case_id for e in services.public_register.entries()}


# The standard's enumerations (Algoritmeregister/standard, _data/schema-v0_3_1.yaml).
EUROCITIES_ENUMS = {
    "status": {"planned", "design", "development", "pilot", "evaluation", "operational", "retired"},
    "risk_category": {"minimal risk", "limited risk", "high risk", "unacceptable"},
    "algorithm_type": {"self-learning", "rule-based", "hybrid"},
    "type": {"descriptive", "diagnostic", "predictive", "prescriptive"},
}


def test_eurocities_export_maps_the_published_snapshot(services, people, piloted):
    import datetime as dt

    from portal.services import eurocities

    services.public_register.publish(people["compliance"], piloted.id)
    # the sheet changes after publication: the export still says what was published
    view = services.register.get(piloted.id)
    services.register.update(people["lead"], piloted.id, view.version,
                             view.editable_fields() | {"title": "Titre modifié non publié"})
    export = services.public_register.export(people["reader"], "eurocities_json")
    payload = json.loads(export.data)
    assert payload["standard_version"] == "0.3.1" and export.rows == 1
    (reg,) = payload["registrations"]
    assert list(reg) == list(eurocities.ATTRIBUTES) and len(reg) == 50
    assert reg["name"] == "Orientation des demandes vers le bon service"
    assert reg["organization"] == "Ville de Test" and reg["country"] == "France" and reg["lang"] == "fr"
    assert reg["contact_email"] == "dpo@ville.test" and reg["contact_name"] is None
    assert reg["status"] == "pilot" and reg["type"] == "prescriptive"  # a recommendation to the agent
    assert reg["risk_category"] == "minimal risk"
    assert "L311-3-1" in reg["objection_procedure"]  # individual decisions: the CRPA rights are stated
    today = dt.date.today()
    assert reg["publication_date"] == reg["last_change_date"] == today.isoformat()
    assert reg["revision_date"] == eurocities._add_months(today, 12).isoformat()
    for attribute, allowed in EUROCITIES_ENUMS.items():
        assert reg[attribute] is None or reg[attribute] in allowed, attribute
    # the sheet's « Transparence » section is empty: its attributes are null and listed as empty
    empty = payload["empty_fields"][reg["uuid"]]
    assert {"proportionality", "rollback", "performance", "DPIA_description"} <= set(empty)
    assert empty == eurocities.empty_fields(reg) and all(reg[a] is None for a in empty)
    # the same entry keeps its identifier from one export to the next
    again = json.loads(services.public_register.export(people["reader"], "eurocities_json").data)
    assert again["registrations"][0]["uuid"] == reg["uuid"]
    # CSV: one column per attribute, in the standard's order
    text = services.public_register.export(people["reader"], "eurocities_csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == ";".join(eurocities.ATTRIBUTES)
    # withdrawn: no longer exported
    services.public_register.withdraw(people["compliance"], piloted.id, "fin de l'expérimentation")
    assert json.loads(services.public_register.export(people["reader"], "eurocities_json").data)[
        "registrations"] == []


def test_the_policy_domain_goes_from_the_sheet_to_the_published_entry_and_the_eurocities_export(
        services, people, piloted):
    def published_domain() -> str:
        (reg,) = json.loads(services.public_register.export(people["reader"], "eurocities_json").data)[
            "registrations"]
        return reg["domain"]

    services.public_register.publish(people["compliance"], piloted.id)
    assert published_domain() == "generic"  # the sheet does not say yet: the standard's catch-all
    view = services.register.get(piloted.id)
    with pytest.raises(InvalidInput, match="Domaine d'action publique"):
        services.register.update(people["lead"], piloted.id, view.version,
                                 view.editable_fields() | {"domain": "astrologie"})
    services.register.update(people["lead"], piloted.id, view.version, view.editable_fields() | {"domain": "housing"})
    assert published_domain() == "generic"  # published text changes only when republished
    services.public_register.publish(people["compliance"], piloted.id)
    assert services.public_register.public_entries()[0].record["domain"] == "Logement, urbanisme et cadre de vie"
    assert published_domain() == "housing, living and living environment"


def test_eurocities_revision_date_handles_month_ends():
    import datetime as dt

    from portal.services.eurocities import _add_months

    assert _add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert _add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)
    assert _add_months(dt.date(2026, 11, 26), 12) == dt.date(2027, 11, 26)


def test_the_cli_writes_the_open_data_export(services, people, piloted, db_url, monkeypatch, tmp_path, capsys):
    from portal.cli import main
    from portal.settings import get_settings

    monkeypatch.setenv("VIGIE_DATABASE_URL", db_url)
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        services.public_register.publish(people["compliance"], piloted.id)
        target = tmp_path / "registre.json"
        assert main(["public-register", "export", "--output", str(target)]) == 0
        assert "1 fiche(s) publiée(s)" in capsys.readouterr().out
        assert json.loads(target.read_text(encoding="utf-8"))["registrations"][0]["status"] == "pilot"
        with pytest.raises(SystemExit):  # an unknown format is refused by the parser, naming the choices
            main(["public-register", "export", "--format", "pdf"])
        assert "eurocities_csv" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()
    with services.db.reader() as s:
        exports = s.scalars(select(AuditEvent).where(AuditEvent.entity == "public_register")).all()
    assert [e.action for e in exports] == ["export"]


def test_the_public_sees_only_published_snapshots_and_downloads_unaudited(services, people, piloted):
    assert services.public_register.public_entries() == []
    services.public_register.publish(people["compliance"], piloted.id)
    view = services.register.get(piloted.id)
    services.register.update(people["lead"], piloted.id, view.version,
                             view.editable_fields() | {"title": "Titre interne non publié"})
    (entry,) = services.public_register.public_entries()
    assert entry.reference == piloted.reference and entry.name == "Orientation des demandes vers le bon service"
    assert entry.record["contact"] == "dpo@ville.test" and entry.first_published_at == entry.published_at
    with services.db.reader() as s:
        exports_before = s.scalar(select(func.count()).select_from(AuditEvent))
    out = services.public_register.public_export("eurocities_json")
    assert json.loads(out.data)["registrations"][0]["name"] == "Orientation des demandes vers le bon service"
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == exports_before  # nothing recorded
    with pytest.raises(InvalidInput):
        services.public_register.public_export("xml")
    services.public_register.withdraw(people["compliance"], piloted.id, "fin de l'expérimentation")
    assert services.public_register.public_entries() == []


def test_the_public_reports_on_a_published_entry_and_compliance_closes_it(services, people, piloted):
    report = {"reference": piloted.reference, "kind": "error", "message": "Le service porteur indiqué a changé.",
              "contact": "usager@example.org"}
    with pytest.raises(InvalidInput, match="n'est pas une fiche publiée"):
        services.public_reports.submit(report)  # not published yet
    services.public_register.publish(people["compliance"], piloted.id)
    for bad, expected in (({"message": "court"}, "Champ « Message »"),
                          ({"contact": "pas-une-adresse"}, "adresse électronique invalide"),
                          ({"kind": "spam"}, "Champ « Objet »")):
        with pytest.raises(InvalidInput, match=expected):
            services.public_reports.submit(report | bad)
    rid = services.public_reports.submit(report)
    (item,) = services.public_reports.attention(people["compliance"])
    assert item.severity == "warning" and "1 signalement(s) du public à traiter" in item.message
    services.public_reports.submit(report | {"kind": "objection", "contact": "", "message": "Je conteste ce tri."})
    (item,) = services.public_reports.attention(people["admin"])
    assert item.severity == "error" and "dont 1 contestation(s)" in item.message
    assert services.public_reports.attention(people["director"]) == []
    with pytest.raises(PermissionDenied):
        services.public_reports.reports(people["director"])
    queue = services.public_reports.reports(people["compliance"], open_only=True)
    assert [r.kind for r in queue] == ["objection", "error"] and queue[1].contact == "usager@example.org"
    with pytest.raises(PermissionDenied):
        services.public_reports.close(people["lead"], rid, "Corrigé")
    with pytest.raises(InvalidInput, match="Réponse apportée"):
        services.public_reports.close(people["compliance"], rid, " ")
    closed = services.public_reports.close(people["compliance"], rid, "Fiche corrigée et republiée.")
    assert closed.status == "closed" and closed.handled_at is not None
    with pytest.raises(InvalidInput, match="déjà clos"):
        services.public_reports.close(people["compliance"], rid, "encore")
    assert len(services.public_reports.reports(people["admin"], open_only=True)) == 1
    with services.db.reader() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.entity == "public_report")
                           .order_by(AuditEvent.seq)).all()
    assert [e.action for e in events] == ["report", "report", "close_report"]
    assert events[0].actor_name == "Public (formulaire du registre public)"
    assert "usager@example.org" not in events[0].payload  # the address stays out of the audit trail
    assert services.audit.verify().ok


def test_the_public_form_refuses_a_repeated_message_and_a_flood_storing_nothing(services, people, piloted):
    from portal.db.models import PublicReport

    services.public_register.publish(people["compliance"], piloted.id)
    report = {"reference": piloted.reference, "kind": "question", "message": "Quelles données sont utilisées ?"}
    services.public_reports.submit(report)
    # the same words again (case and spacing aside) on the same entry: received already, not stored twice
    with pytest.raises(InvalidInput, match="déjà été reçu"):
        services.public_reports.submit(report | {"message": "  quelles DONNÉES   sont utilisées ? "})
    services.public_reports.per_hour = 3
    services.public_reports.submit(report | {"message": "Une deuxième question, différente."})
    services.public_reports.submit(report | {"message": "Une troisième question, différente."})
    with pytest.raises(InvalidInput, match="dernière heure"):
        services.public_reports.submit(report | {"message": "Une quatrième question, différente."})
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PublicReport)) == 3
        assert len(s.scalars(select(AuditEvent).where(AuditEvent.action == "report")).all()) == 3
    # reports older than an hour no longer count
    with services.db.writer.begin() as s:
        for r in s.scalars(select(PublicReport)):
            r.created_at = r.created_at - dt.timedelta(minutes=61)
    services.public_reports.submit(report | {"message": "Une quatrième question, différente."})
    # 0 lifts the limit
    services.public_reports.per_hour = 0
    for n in range(4):
        services.public_reports.submit(report | {"message": f"Question numéro {n}, encore une autre."})


def test_the_hourly_limit_of_public_reports_is_a_setting():
    from portal.settings import SettingsError, load_settings

    assert load_settings({}).public_reports_per_hour == 30
    assert load_settings({"VIGIE_PUBLIC_REPORTS_PER_HOUR": "0"}).public_reports_per_hour == 0
    with pytest.raises(SettingsError, match="VIGIE_PUBLIC_REPORTS_PER_HOUR"):
        load_settings({"VIGIE_PUBLIC_REPORTS_PER_HOUR": "-1"})


def test_readability_check_before_publishing_is_for_publishers_and_reads_the_written_rubriques(
        services, people, piloted):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.public_register.readability(people["reader"], piloted.id)
    tables = services.public_register.readability(people["compliance"], piloted.id)
    assert tables is not None
    checked = set(tables["texts"]["id"])
    assert FIELDS["role_in_decision"] in checked  # « L'agent valide chaque orientation proposée. »
    assert checked <= {FIELDS[k] for k in ("purpose", "role_in_decision", "automation", "public_concerned", "data",
                                           "data_sources", "collection", "legal_bases")}


def _full_counts(entries):  # type: ignore[no-untyped-def]
    """The counters as the full computation (every entry built) gives them."""
    return (len(entries), sum(e.published for e in entries), sum(e.required and not e.published for e in entries),
            sum(e.stale for e in entries))


def test_the_listing_and_its_counters_equal_the_full_computation(services, people, piloted):
    other = piloted_case(services, people, "Tri du courrier entrant", "L'agent relit chaque tri proposé.")
    third = piloted_case(services, people, "Réponses aux questions fréquentes", "L'agent relit chaque réponse.")
    services.public_register.publish(people["compliance"], piloted.id)
    services.public_register.publish(people["compliance"], other.id)
    view = services.register.get(other.id)  # the sheet changes after the publication: à republier
    services.register.update(people["lead"], other.id, view.version, view.editable_fields() | {"decisions_per_year": 9})
    pr = services.public_register

    def check() -> None:
        full = pr.entries()
        counts = pr.counts()
        assert (counts.listed, counts.published, counts.required_not_published, counts.stale) == _full_counts(full)
        rows, total = pr.listing()
        assert total == len(full)
        assert [(r.reference, r.state, r.published_at, r.published_by, r.crpa_publication, r.required)
                for r in rows] == [(e.reference, e.state, e.published_at, e.published_by, e.crpa_publication,
                                    e.required) for e in full]

    check()
    states = {r.use_case_id: r.state for r in pr.listing()[0]}
    assert (states[piloted.id], states[other.id], states[third.id]) == ("publiée", "à republier",
                                                                        "publication obligatoire")
    # a republication, a withdrawal: the counters follow at once (the kept answers are dropped on write)
    services.public_register.publish(people["compliance"], other.id)
    services.public_register.withdraw(people["compliance"], piloted.id, "fin de l'expérimentation")
    check()
    assert pr.counts().stale == 0 and pr.counts().published == 1


def test_the_listing_filters_by_state_and_text_and_pages(services, people, piloted):
    other = piloted_case(services, people, "Tri du courrier entrant", "L'agent relit chaque tri proposé.")
    services.public_register.publish(people["compliance"], piloted.id)
    pr = services.public_register
    everything, total = pr.listing()
    assert [r.use_case_id for r in pr.listing(state="publiée")[0]] == [piloted.id]
    assert other.id in {r.use_case_id for r in pr.listing(state="publication obligatoire")[0]}
    assert pr.listing(state="à republier") == ([], 0)
    # the search reads references and titles, whatever the case
    assert [r.use_case_id for r in pr.listing(text="COURRIER")[0]] == [other.id]
    assert [r.use_case_id for r in pr.listing(text=services.register.get(piloted.id).reference)[0]] == [piloted.id]
    assert pr.listing_count(text="aucun traitement de ce nom") == 0
    # pages of one row, in the order of the whole list
    assert [pr.listing(offset=i, limit=1)[0][0] for i in range(total)] == everything
    assert pr.listing(offset=1, limit=1)[1] == total


def test_one_entry_is_opened_by_its_reference_when_the_register_lists_it(services, people, piloted):
    pr = services.public_register
    services.public_register.publish(people["compliance"], piloted.id)
    reference = services.register.get(piloted.id).reference
    entry = pr.listed_entry(reference)
    assert entry is not None and entry.published and entry.record["reference"] == reference
    idea = make_use_case(services, people["lead"], title="Une idée sans décision")  # not listed
    assert pr.listed_entry(services.register.get(idea.id).reference) is None
    assert pr.listed_entry("UC-0000-000") is None


def test_records_built_in_bulk_are_the_records_built_one_by_one(services, people, piloted):
    pr = services.public_register
    services.public_register.publish(people["compliance"], piloted.id)
    ids = [r.use_case_id for r in pr.listing()[0]]
    with services.db.reader() as s:
        bulk = pr._records_now(s, ids, chunk=2)
    assert set(bulk) == set(ids)
    for i in ids:
        assert {k: v for k, v in bulk[i].items() if k != "updated_on"} == {
            k: v for k, v in pr.record(i).items() if k != "updated_on"}


def test_the_public_listing_reads_the_published_snapshots_only(services, people, piloted):
    pr = services.public_register
    assert pr.public_listing() == [] and pr.public_entry("UC-0000-000") is None
    services.public_register.publish(people["compliance"], piloted.id)
    view = services.register.get(piloted.id)  # an unpublished change stays out of the public list
    services.register.update(people["lead"], piloted.id, view.version, view.editable_fields() | {"title": "Nouveau"})
    (row,) = pr.public_listing()
    (entry,) = pr.public_entries()
    assert (row.reference, row.name, row.domain, row.service, row.automation, row.published_at) == (
        entry.reference, entry.name, entry.record["domain"] or "", entry.record["service"],
        entry.record["automation"], entry.published_at)
    assert row.name != "Nouveau"
    assert pr.public_entry(entry.reference) == entry
    assert pr.public_listing(domain="aucun domaine") == []
    services.public_register.withdraw(people["compliance"], piloted.id, "fin de l'expérimentation")
    assert pr.public_listing() == [] and pr.public_entry(entry.reference) is None


def test_staleness_follows_each_write_without_rebuilding_what_did_not_change(services, people, piloted):
    other = piloted_case(services, people, "Tri du courrier entrant", "L'agent relit chaque tri proposé.")
    pr = services.public_register
    for uc in (piloted, other):
        services.public_register.publish(people["compliance"], uc.id)
    assert pr.stale_ids() == frozenset()
    # a data source removed leaves no row behind: its audited deletion names the use case
    (source,) = services.register.get(piloted.id).data_sources
    services.register.delete_data_source(people["lead"], source.id, source.version)
    assert pr.stale_ids() == {piloted.id} == {e.use_case_id for e in pr.entries() if e.stale}
    # the collectivité's name is in every record: every published entry is to republish
    org = services.organisation.get()
    services.organisation.update(people["admin"], org.version if org else 0, {"name": "Ville renommée"})
    assert pr.stale_ids() == {piloted.id, other.id} == {e.use_case_id for e in pr.entries() if e.stale}
    services.public_register.publish(people["compliance"], other.id)
    assert pr.stale_ids() == {piloted.id}


def test_a_followed_value_is_recomputed_for_the_use_cases_written_since_only(services, people, piloted):
    from portal.services.cache import Followed

    calls: list[object] = []
    followed = Followed(services.db.reader, lambda s: calls.append("all") or {},
                        lambda s, value, changed: calls.append(sorted(changed)) or value, everything=("organisation",))
    followed.get()
    followed.get()  # nothing written since: kept
    assert calls == ["all"]
    view = services.register.get(piloted.id)
    services.register.update(people["lead"], piloted.id, view.version, view.editable_fields() | {"title": "Autre"})
    followed.get()
    assert calls == ["all", [piloted.id]]
    org = services.organisation.get()
    services.organisation.update(people["admin"], org.version if org else 0, {"name": "Ville renommée"})
    followed.get()
    assert calls == ["all", [piloted.id], "all"]
