"""Notifications on SQLite and PostgreSQL, against a real SMTP server (aiosmtpd) and a real HTTP
receiver on loopback: who gets what, immediate or digest, never twice across a restart, retried
with backoff when refused, given up visibly, and the inbox's own rules."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from policies import notifications as rules
from policies.access import PermissionDenied
from policies.vocabulary import Role, Stage
from portal.db.models import AuditEvent, Notification, NotificationDelivery
from portal.services.errors import InvalidInput, NotFound
from portal.services.notifications import NotificationService
from portal.services.people import SYSTEM
from portal.settings import NotifySettings, load_settings
from tests.portal.gates import walk_to
from tests.portal.governance_fixtures import make_use_case
from tests.portal.receivers import SmtpServer, WebhookServer

ROOT = Path(__file__).resolve().parents[2]
PARIS = ZoneInfo("Europe/Paris")
BASE = "https://vigie.ville.test"


def notifier(services, smtp: SmtpServer | None = None, webhook: WebhookServer | None = None) -> NotificationService:
    """A new service instance over the same database (as a restarted process would build)."""
    config = NotifySettings(base_url=BASE, smtp_host="127.0.0.1" if smtp else "", smtp_port=smtp.port if smtp else 25,
                            smtp_security="none", smtp_from="vigie@ville.test", smtp_timeout=10,
                            webhook_url=webhook.url if webhook else "")
    return NotificationService(services.db.reader, services.db.writer, config, review_due=lambda today: {
        i: r.due_date for i, r in services.governance.review_statuses(today).items()})


def at_paris(hour: int, day: dt.date | None = None) -> dt.datetime:
    day = day or dt.datetime.now(PARIS).date()
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS).astimezone(dt.UTC)


def email_of(people, key: str) -> str:
    return f"{key}@test.invalid"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def webhook():
    with WebhookServer() as server:
        yield server


@pytest.fixture
def pair_module():
    """The two-input test module of the analysis tests, registered for one test only."""
    from tests.portal.test_analysis_service import _PairModule
    from usecases import registry

    registry.register(_PairModule)
    yield
    registry._modules.pop(_PairModule.key, None)


@pytest.fixture
def piloted(services, people):
    """A use case led by ``lead``, sponsored by ``director``, taken to the pilot stage through real gates."""
    uc = make_use_case(services, people["lead"], title="Orientation des demandes vers le bon service")
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {
        "sponsor_id": people["director"].person_id, "automation": "recommendation",
        "human_role": "L'agent valide chaque orientation proposée.", "decisions_per_year": 12000,
        "public_concerned": "Usagers du guichet"})
    walk_to(services, people, uc.id, Stage.PILOT)
    return services.register.get(uc.id)


def test_each_event_reaches_the_people_it_concerns_by_email(services, people, piloted, smtp):
    n = notifier(services, smtp)
    n.run_due()  # the walk to the pilot: requests decided before anyone was told are not "to decide"
    assert not any("Demande de passage à décider" in str(m["Subject"]) for m in smtp.inbox.messages)
    assert len(smtp.inbox.subjects(email_of(people, "lead"))) == 2  # the two approvals
    smtp.inbox.messages.clear()
    gov = services.governance
    req = gov.request_gate(people["lead"], piloted.id, Stage.EVALUATION, motive="Bilan",
                           attestations={"evaluation_report_started": True})
    n.run_due()
    # gate requested: the deciders of its authority (director, compliance), never the lead who asked
    assert [len(smtp.inbox.subjects(email_of(people, k))) for k in ("director", "compliance", "lead")] == [1, 1, 0]
    assert all("Demande de passage à décider" in m["Subject"] for m in smtp.inbox.messages)
    smtp.inbox.messages.clear()
    # more events: a send-back, a role change, a contestation on the published entry, a suspension
    gov.decide(people["compliance"], req.id, "send_back", reasons="Bilan incomplet.", session_date=dt.date.today())
    reader = services.people.get(people["reader"].person_id)
    services.people.set_roles(people["admin"], reader.id, [Role.READER, Role.PROJECT_LEAD], reader.version)
    from tests.portal.test_public_register import _answers

    _answers(services, people, piloted.id, individual_decision=True, main_processing=True)
    services.public_register.publish(people["compliance"], piloted.id)
    services.public_reports.submit({"reference": piloted.reference, "kind": "objection",
                                    "message": "Je conteste l'orientation de ma demande, M. Dupont.",
                                    "contact": "usager@example.org"})
    gov.suspend(people["director"], piloted.id, "Contestation à instruire")

    sync, sent = n.run_due()
    assert sync.notifications > 0 and sent.sent == len(smtp.inbox.messages) and sent.failed == 0
    ref = piloted.reference
    subjects = {k: smtp.inbox.subjects(email_of(people, k)) for k in people}

    def got(who: str, label: str) -> int:
        return sum(label in s and (ref in s or "rôles" in s) for s in subjects[who])

    # sent back: the lead (also the requester: once) and the sponsor; not the decider
    assert got("lead", "renvoyée pour compléments") == 1 and got("director", "renvoyée pour compléments") == 1
    assert got("compliance", "renvoyée pour compléments") == 0
    # the role change: only the person concerned
    assert got("reader", "Vos rôles dans Vigie ont changé") == 1
    assert sum("rôles" in s for k in people if k != "reader" for s in subjects[k]) == 0
    # the contestation is urgent, told to compliance, the lead and the sponsor, without its content
    contest = [m for m in smtp.inbox.messages if "Contestation" in str(m["Subject"])]
    assert sorted(str(m["To"]).split("<")[1].rstrip(">") for m in contest) == sorted(
        email_of(people, k) for k in ("compliance", "lead", "director"))
    for m in contest:
        body = m.get_content()
        assert str(m["Subject"]).startswith("[Vigie — urgent]")
        assert "Dupont" not in body and "usager@example.org" not in body
        assert f"{BASE}/public_register" in body
    # the suspension: lead and compliance (the director suspended it himself)
    assert got("lead", "Cas d'usage suspendu ou retiré") == 1 and got("compliance", "Cas d'usage suspendu") == 1
    assert got("director", "Cas d'usage suspendu ou retiré") == 0
    # plain French, the link to the sheet, nobody else's data
    one = smtp.inbox.to(email_of(people, "lead"))[0]
    body = one.get_content()
    assert body.startswith("Bonjour Test lead,") and f"{BASE}/sheet?ref={ref}" in body
    assert one["Message-ID"].endswith("@vigie.notifications>") and one["Auto-Submitted"] == "auto-generated"
    # every send audited; lead2, who has nothing to do with it, got nothing
    with services.db.reader() as s:
        audited = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "send_notification"))
    assert audited == sent.sent + 2 + 2 + 2  # with the approvals and the request before
    assert subjects["lead2"] == []
    # the same items are in each inbox
    inbox = n.inbox(people["compliance"])
    assert n.unread_count(people["compliance"]) == len(inbox) == len(subjects["compliance"]) + 1
    assert all(i.link.startswith(("sheet?ref=", "public_register")) for i in inbox)


def test_an_analysis_run_in_the_background_tells_who_launched_it_and_the_lead(services, people, smtp, pair_module):
    from tests.conftest import use_case_data

    n = notifier(services, smtp)
    uc = services.register.create(people["lead"], use_case_data(title="Carte scolaire"))
    services.analysis.bind(people["lead"], uc.id, "demography")
    services.analysis.wait(services.analysis.start_run(people["compliance"], uc.id, use_sample=True))
    other = services.register.create(people["lead"], use_case_data(title="Renouvellement des réseaux"))
    services.analysis.bind(people["lead"], other.id, "test_pair")
    from portal.services.analysis import UploadedFile

    files = {"assets": UploadedFile("a.csv", b"asset;age\nA1;10\n"),
             "failures": UploadedFile("f.csv", b"asset;failures\nA1;2\n")}
    failed = services.analysis.wait(services.analysis.start_run(people["lead"], other.id, files,
                                                                params={"factor": 200}))
    assert failed.status == "failed"
    n.run_due()
    assert smtp.inbox.subjects(email_of(people, "compliance")) == [f"[Vigie] Analyse terminée — {uc.reference} Carte scolaire"]
    assert sorted(smtp.inbox.subjects(email_of(people, "lead"))) == [
        f"[Vigie] Analyse en échec — {other.reference} Renouvellement des réseaux",
        f"[Vigie] Analyse terminée — {uc.reference} Carte scolaire"]


def test_a_restart_never_sends_twice(services, people, piloted, smtp, db_url):
    first = notifier(services, smtp)
    first.run_due()
    count = len(smtp.inbox.messages)
    assert count > 0
    # a new service instance, as after a restart: nothing new to send
    again = notifier(services, smtp)
    sync, sent = again.run_due()
    assert (sync.notifications, sent.sent) == (0, 0) and len(smtp.inbox.messages) == count
    # a new process (`vigie notify due`), twice: one new event, one new message, once
    reader = services.people.get(people["reader"].person_id)
    services.people.set_roles(people["admin"], reader.id, [Role.READER, Role.COMPLIANCE], reader.version)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "VIGIE_DATABASE_URL": db_url, "VIGIE_ENV": "test",
           "VIGIE_SMTP_HOST": "127.0.0.1", "VIGIE_SMTP_PORT": str(smtp.port), "VIGIE_SMTP_SECURITY": "none",
           "VIGIE_BASE_URL": BASE, "VIGIE_SECRETS_FILE": str(ROOT / "tests" / "no-such-secrets.toml")}
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "portal.cli", "notify", "due"], env=env, cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    assert len(smtp.inbox.messages) == count + 1
    assert "rôles" in str(smtp.inbox.messages[-1]["Subject"])
    assert "0 envoyé(s)" in out.stdout
    status = subprocess.run([sys.executable, "-m", "portal.cli", "notify", "status"], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert status.returncode == 0, status.stderr
    assert f"email    sent     {count + 1}" in status.stdout and "Courriel : configuré" in status.stdout


def test_two_senders_at_once_send_each_message_once(services, people, piloted, smtp):
    import threading

    now = dt.datetime.now(dt.UTC)
    notifier(services, smtp).sync(now)
    senders = [notifier(services, smtp) for _ in range(2)]
    start = threading.Barrier(2)
    reports = []

    def run(n: NotificationService) -> None:
        start.wait()
        reports.append(n.deliver(now))

    threads = [threading.Thread(target=run, args=(n,)) for n in senders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with services.db.reader() as s:
        total = s.scalar(select(func.count()).select_from(NotificationDelivery))
    assert total > 1 and sum(r.sent for r in reports) == total == len(smtp.inbox.messages)
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == total


def test_a_person_deactivated_before_the_send_is_not_written_to(services, people, piloted, smtp):
    n = notifier(services, smtp)
    now = dt.datetime.now(dt.UTC)
    n.sync(now)
    services.people.set_active(people["admin"], people["lead"].person_id, False)
    report = n.deliver(now)
    assert smtp.inbox.to(email_of(people, "lead")) == [] and report.failed == 2
    assert smtp.inbox.to(email_of(people, "director"))


def test_a_refusing_server_is_retried_with_backoff_then_accepted(services, people, piloted, smtp):
    n = notifier(services, smtp)
    now = dt.datetime.now(dt.UTC)
    n.sync(now)
    with services.db.reader() as s:
        total = s.scalar(select(func.count()).select_from(NotificationDelivery))
    smtp.inbox.refuse = total + 1  # every message refused once, the first one twice
    report = n.deliver(now)
    assert (report.sent, report.retry_later) == (0, total) and smtp.inbox.messages == []
    status = n.status(people["admin"])
    assert len(status.failing) == total and all("451" in (d.last_error or "") for d in status.failing)
    assert n.deliver(now).sent == 0  # not due again before its delay: nothing tried
    assert smtp.inbox.refused == total
    first_delay = rules.backoff(1)
    assert first_delay is not None
    report = n.deliver(now + first_delay)  # one is refused again, the others go
    assert (report.sent, report.retry_later) == (total - 1, 1)
    second = rules.backoff(2)
    assert second is not None
    report = n.deliver(now + first_delay + second)
    assert (report.sent, report.retry_later) == (1, 0)
    assert len(smtp.inbox.messages) == total  # each exactly once
    assert len({m["Message-ID"] for m in smtp.inbox.messages}) == total
    assert n.status(people["admin"]).failing == []
    with pytest.raises(PermissionDenied):
        n.status(people["compliance"])


def test_a_delivery_refused_past_every_delay_is_given_up_visibly_and_can_be_retried(services, people, piloted, smtp):
    n = notifier(services, smtp)
    now = dt.datetime.now(dt.UTC)
    n.sync(now)
    smtp.inbox.refuse = 10_000
    t = now
    for _ in range(rules.max_attempts()):
        n.deliver(t)
        t += dt.timedelta(days=1)
    assert smtp.inbox.messages == []
    status = n.status(people["admin"])
    assert status.failing and all(d.status == "failed" and d.attempts == rules.max_attempts() for d in status.failing)
    with services.db.reader() as s:
        gave_up = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "notification_failed"))
    assert gave_up == len(status.failing)
    assert n.deliver(t).sent == 0  # given up: not tried again on its own
    smtp.inbox.refuse = 0
    with pytest.raises(PermissionDenied):
        n.retry(people["lead"], status.failing[0].id)
    n.retry(people["admin"], status.failing[0].id, now=t)
    assert n.deliver(t).sent == 1 and len(smtp.inbox.messages) == 1


def test_a_permanent_refusal_is_not_retried(services, people, piloted, smtp):
    n = notifier(services, smtp)
    smtp.inbox.refuse, smtp.inbox.code = 10_000, "550 5.1.1 Boîte inconnue"
    report = n.deliver(n.sync() and dt.datetime.now(dt.UTC))
    assert report.failed > 0 and report.retry_later == 0
    assert all("550" in (d.last_error or "") for d in n.status(people["admin"]).failing)


def test_the_digest_preference_groups_the_day_but_an_urgent_item_goes_at_once(services, people, piloted, smtp):
    n = notifier(services, smtp)
    n.set_preference(people["compliance"], mode="digest", email_enabled=True)
    n.set_preference(people["admin"], mode="immediate", email_enabled=False, person_id=people["lead"].person_id)
    early, later = at_paris(5), at_paris(8)
    services.governance.request_gate(people["lead"], piloted.id, Stage.EVALUATION, motive="Bilan",
                                     attestations={"evaluation_report_started": True})
    n.run_due(early)
    compliance, lead, director = (email_of(people, k) for k in ("compliance", "lead", "director"))
    assert smtp.inbox.to(compliance) == []  # before the digest hour
    assert smtp.inbox.to(lead) == []  # e-mail turned off by an administrator
    assert smtp.inbox.to(director)  # immediate
    waiting = len(n.inbox(people["compliance"]))
    assert waiting > 0 and len(n.inbox(people["lead"])) > 0  # the inboxes fill either way
    n.run_due(later)
    (digest,) = smtp.inbox.to(compliance)
    assert digest["Subject"] == f"[Vigie] Récapitulatif du {later.astimezone(PARIS):%d/%m/%Y} : {waiting} notification(s)"
    body = digest.get_content()
    assert body.count(f"{BASE}/sheet?ref={piloted.reference}") == waiting
    n.run_due(later + dt.timedelta(hours=1))
    notifier(services, smtp).run_due(later + dt.timedelta(hours=2))
    assert len(smtp.inbox.to(compliance)) == 1  # one digest a day, across restarts
    # an urgent contestation does not wait for tomorrow's digest
    from tests.portal.test_public_register import _answers

    _answers(services, people, piloted.id, individual_decision=True, main_processing=True)
    services.public_register.publish(people["compliance"], piloted.id)
    services.public_reports.submit({"reference": piloted.reference, "kind": "objection",
                                    "message": "Je conteste cette décision automatisée."})
    n.run_due(later + dt.timedelta(hours=3))
    assert [str(m["Subject"]).startswith("[Vigie — urgent] Contestation") for m in smtp.inbox.to(compliance)] == [
        False, True]
    assert smtp.inbox.to(lead) == []


def test_preferences_and_inbox_belong_to_their_person(services, people, piloted):
    n = notifier(services)
    n.sync()
    mine = n.inbox(people["lead"])
    assert mine
    with pytest.raises(NotFound):
        n.mark_done(people["director"], mine[0].id)  # someone else's item: as if absent
    done = n.mark_done(people["lead"], mine[0].id)
    assert done.done and len(n.inbox(people["lead"])) == len(mine) - 1
    assert len(n.inbox(people["lead"], include_done=True)) == len(mine)
    assert n.mark_all_read(people["lead"]) == len(mine) - 1
    assert n.unread_count(people["lead"]) == 0
    with pytest.raises(PermissionDenied):  # refused before the input is even looked at
        n.set_preference(people["lead"], mode="hebdo", email_enabled=True, person_id=people["director"].person_id)
    assert n.set_preference(people["admin"], mode="digest", email_enabled=True,
                            person_id=people["director"].person_id).mode_fr == "Un récapitulatif par jour"
    assert n.preference(people["director"]).mode == "digest"
    with pytest.raises(InvalidInput, match="Fréquence des courriels"):
        n.set_preference(people["lead"], mode="hebdo", email_enabled=True)
    with pytest.raises(PermissionDenied):
        n.inbox(SYSTEM.__class__(person_id=99, display_name="Sans rôle", roles=frozenset()))
    with services.db.reader() as s:
        actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "notification")))
    assert actions == {"mark_done", "mark_read"}
    with services.db.reader() as s:
        changed = s.scalars(select(AuditEvent).where(AuditEvent.action == "set_notification_preference")).all()
    assert [(e.actor_id, e.entity_id) for e in changed] == [(people["admin"].person_id,
                                                            str(people["director"].person_id))]
    # no e-mail server configured: the inbox still fills, nothing is queued for e-mail
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(NotificationDelivery)) == 0


def test_due_dates_remind_then_escalate_to_the_general_direction(services, people, piloted):
    n = notifier(services)
    gov = services.governance
    end = piloted.end_date
    assert end is not None
    ob = next(o for o in gov.obligations(piloted.id))
    gov.update_obligation(people["compliance"], ob.id, ob.version, status="in_progress",
                          owner_id=people["lead2"].person_id, due_date=end)

    def kinds(who: str) -> list[str]:
        return sorted(i.kind for i in n.inbox(people[who]) if i.kind not in ("gate_requested", "gate_decided"))

    soon = end - dt.timedelta(days=rules.soon_days("obligation") - 1)
    n.sync(at_paris(9, soon))
    assert kinds("lead2") == ["obligation_due_soon"]
    assert kinds("lead") == ["pilot_ending"] and kinds("director") == ["pilot_ending"]  # sponsor
    n.sync(at_paris(9, soon + dt.timedelta(days=1)))  # the same day's state: nothing new
    assert kinds("lead2") == ["obligation_due_soon"]
    n.sync(at_paris(9, end + dt.timedelta(days=1)))
    assert kinds("lead2") == ["obligation_due_soon", "obligation_overdue"]
    assert kinds("compliance") == ["obligation_overdue", "pilot_ended"]
    assert kinds("director") == ["pilot_ended", "pilot_ending"]
    late = end + dt.timedelta(days=rules.escalation_days() + 1)
    n.sync(at_paris(9, late))
    assert kinds("director") == ["escalation", "escalation", "pilot_ended", "pilot_ending"]
    assert kinds("lead2") == ["obligation_due_soon", "obligation_overdue"]  # escalation is the direction's
    escalations = [i for i in n.inbox(people["director"]) if i.kind == "escalation"]
    assert all(i.urgency == "urgent" and end.strftime("%d/%m/%Y") in i.body for i in escalations)
    # a deployed use case's periodic review: reminded to its lead and compliance, then escalated
    other = make_use_case(services, people["lead"], title="Tri du courrier entrant")
    walk_to(services, people, other.id, Stage.DEPLOYED)
    due = services.governance.review_status(other.id).due_date
    n.sync(at_paris(9, due + dt.timedelta(days=1)))
    mine = [i for i in n.inbox(people["lead"]) if i.use_case_id == other.id and i.kind.startswith("review")]
    assert [i.kind for i in mine] == ["review_overdue"] and due.strftime("%d/%m/%Y") in mine[0].body
    assert any(i.kind == "review_overdue" and i.use_case_id == other.id for i in n.inbox(people["compliance"]))
    # a request left undecided past the delay goes before the general direction too
    req = gov.request_gate(people["lead"], piloted.id, Stage.EVALUATION, motive="Bilan",
                           attestations={"evaluation_report_started": True})
    n.sync(at_paris(9, req.requested_at.date() + dt.timedelta(days=rules.gate_pending_days() + 1)))
    assert "gate_waiting" in kinds("director") and "gate_waiting" not in kinds("compliance")


def test_the_webhook_gets_one_post_per_event_retried_and_never_twice(services, people, piloted, webhook):
    webhook.refuse = 1
    n = notifier(services, webhook=webhook)
    now = dt.datetime.now(dt.UTC)
    n.sync(now)
    report = n.deliver(now)
    events = report.sent + report.retry_later
    assert report.retry_later == 1 and webhook.refused == 1
    delay = rules.backoff(1)
    assert delay is not None
    assert n.deliver(now + delay).sent == 1
    notifier(services, webhook=webhook).run_due(now + 2 * delay)  # a restart sends nothing again
    assert len(webhook.posts) == events
    with services.db.reader() as s:
        keys = set(s.scalars(select(Notification.source_key)))
    assert events == len(keys)  # one post per event, however many people it tells
    assert len({p["key"] for p in webhook.posts}) == events
    post = webhook.posts[0]
    assert post["type"].startswith("application/json")
    assert {"text", "kind", "urgency", "title", "link"} <= set(post["json"])
    assert post["json"]["link"].startswith(f"{BASE}/sheet?ref=")
    # a role change is personal: not posted to the shared channel
    reader = services.people.get(people["reader"].person_id)
    services.people.set_roles(people["admin"], reader.id, [Role.READER, Role.DIRECTOR], reader.version)
    n.run_due(now + 3 * delay)
    assert len(webhook.posts) == events and any(i.kind == "role_changed" for i in n.inbox(people["reader"]))


def test_smtp_credentials_come_from_the_secrets_file_unless_the_environment_says(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[smtp]\nhost = "smtp.ville.test"\nuser = "vigie"\npassword = "s3cret"\nsecurity = "tls"\n'
                       '[notifications]\nwebhook_url = "https://chat.ville.test/hooks/abc"\n', encoding="utf-8")
    cfg = load_settings({"VIGIE_SECRETS_FILE": str(secrets)}).notify
    assert (cfg.smtp_host, cfg.smtp_user, cfg.smtp_password, cfg.smtp_security, cfg.smtp_port) == (
        "smtp.ville.test", "vigie", "s3cret", "tls", 465)
    assert cfg.webhook_url == "https://chat.ville.test/hooks/abc" and cfg.email_enabled
    cfg = load_settings({"VIGIE_SECRETS_FILE": str(secrets), "VIGIE_SMTP_PASSWORD": "env", "VIGIE_SMTP_PORT": "2525",
                         "VIGIE_BASE_URL": "https://ia.ville.test/"}).notify
    assert (cfg.smtp_password, cfg.smtp_port, cfg.base_url) == ("env", 2525, "https://ia.ville.test")
    from portal.settings import SettingsError

    with pytest.raises(SettingsError, match="VIGIE_SMTP_SECURITY"):
        load_settings({"VIGIE_SECRETS_FILE": str(secrets), "VIGIE_SMTP_SECURITY": "ssl3"})


def test_rules_file_is_versioned_and_every_kind_names_known_recipients():
    data = rules.rules()
    assert str(data["version"]).strip() and data["rules"]
    for kind, raw in data["kinds"].items():
        assert raw["urgency"] in rules.URGENCIES, kind
        assert raw["to"] and set(raw["to"]) <= set(rules.RECIPIENTS), kind
    assert rules.recipients("gate_decided", {"lead": [3], "sponsor": [4], "requester": [3]}, actor_id=4) == [3]
    assert rules.recipients("analysis_finished", {"actor": [5], "lead": [3]}, actor_id=5) == [3, 5]
    today = dt.date(2026, 12, 3)
    assert rules.due_state(today + dt.timedelta(days=20), today, 14, 14) is None
    assert rules.due_state(today + dt.timedelta(days=14), today, 14, 14) == "soon"
    assert rules.due_state(today - dt.timedelta(days=1), today, 14, 14) == "overdue"
    assert rules.due_state(today - dt.timedelta(days=15), today, 14, 14) == "escalated"
    assert rules.backoff(0) is None and rules.backoff(rules.max_attempts()) is None
    delays = [rules.backoff(i) for i in range(1, rules.max_attempts())]
    assert all(a is not None and b is not None and a < b for a, b in itertools.pairwise(delays))


def test_monitoring_alerts_and_a_suspension_proposal_of_the_demo_reach_the_lead_and_compliance(
        demo_template, tmp_path, smtp):
    """The demo portfolio runs real drift checks; what they raised is e-mailed to whom it concerns."""
    import shutil

    from portal.services import build_services

    target = tmp_path / "demo.db"
    shutil.copy(demo_template, target)
    services = build_services(f"sqlite:///{target}")
    try:
        with services.db.reader() as s:
            events = s.execute(select(AuditEvent.action, AuditEvent.use_case_id, AuditEvent.actor_id).where(
                AuditEvent.action.in_(["raise_alert", "propose_suspension"]))).all()
        assert {e.action for e in events} == {"raise_alert", "propose_suspension"}
        people = {p.id: p for p in services.people.list(active_only=True) if p.roles}
        compliance = {p.email for p in people.values() if Role.COMPLIANCE in p.roles}
        directors = {p.email for p in people.values() if Role.DIRECTOR in p.roles}
        expected: dict[str, list[str]] = {}
        for action, uc_id, actor in events:
            uc = services.register.get(uc_id)
            to = {people[uc.lead_id].email} | compliance
            label = "Alerte de suivi"
            if action == "propose_suspension":
                to |= directors | ({people[uc.sponsor_id].email} if uc.sponsor_id in people else set())
                label = "[Vigie — urgent] Suspension proposée par le suivi"
            for address in to - {people[actor].email if actor in people else None}:
                expected.setdefault(address, []).append(f"{label} — {uc.reference}")
        notifier(services, smtp).run_due()
        for address, subjects in expected.items():
            got = [s for s in smtp.inbox.subjects(address) if "Alerte de suivi" in s or "Suspension proposée" in s]
            assert len(got) == len(subjects), address
            for want in subjects:
                assert any(want in s for s in got), (want, got)
    finally:
        services.db.dispose()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd: implicit TLS is TLS
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_the_relay_is_reached_over_verified_tls_with_a_login(services, people, piloted, tmp_path, security):
    from tests.portal.receivers import SecureSmtpServer

    server = SecureSmtpServer(tmp_path, security, "vigie", "s3cret")
    with server:
        def service(password: str, cafile: str) -> NotificationService:
            return NotificationService(services.db.reader, services.db.writer, NotifySettings(
                base_url=BASE, smtp_host="127.0.0.1", smtp_port=server.port, smtp_security=security,
                smtp_user="vigie", smtp_password=password, smtp_cafile=cafile, smtp_timeout=10))

        now = dt.datetime.now(dt.UTC)
        unknown_ca = service("s3cret", "")  # the server's certificate is signed by an authority nobody trusts
        unknown_ca.sync(now)
        assert unknown_ca.deliver(now).retry_later > 0 and server.inbox.messages == [] and server.logins == []
        assert all("CERTIFICATE_VERIFY_FAILED" in (d.last_error or "") for d in unknown_ca.status(people["admin"]).failing)
        delay = rules.backoff(1)
        assert delay is not None
        wrong = service("mauvais", str(server.ca))
        report = wrong.deliver(now + delay)
        assert report.sent == 0 and report.retry_later > 0 and server.logins[-1] == "vigie:refusé"
        second = rules.backoff(2)
        assert second is not None
        report = service("s3cret", str(server.ca)).deliver(now + delay + second)
        assert report.sent == len(server.inbox.messages) > 0 and server.logins[-1] == "vigie:ok"
