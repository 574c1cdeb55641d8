"""Notifications: derive them from the audit trail and the due dates, fill each person's inbox, and
send e-mails (immediate or daily digest) and webhook posts, once each, retrying failures.

``sync`` reads the audit events after a stored cursor and scans the due dates, and records the
notifications and the deliveries they call for; ``deliver`` sends what is due. Both are safe to run
again and from two processes at once: a notification is unique per (recipient, source), a delivery
per idempotency key, and a try is taken by a compare-and-set on its attempt count.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from policies import notifications as rules
from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.base import utcnow
from portal.db.models import (
    Notification,
    NotificationCursor,
    NotificationDelivery,
    NotificationPreference,
)
from portal.repositories import notifications as repo
from portal.services import audit
from portal.services.errors import InvalidInput, NotFound, PermissionDenied
from portal.services.notifications import channels, derive
from portal.settings import NotifySettings

#: The actor of the audit events the sending job writes.
SENDER = Principal(person_id=0, display_name="Notifications (vigie notify)", roles=frozenset())
CURSOR = "audit"
MODES = {"immediate": "Chaque notification par courriel, aussitôt", "digest": "Un récapitulatif par jour"}
BATCH = 500


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    label_fr: str
    title: str
    body: str
    link: str
    urgency: str
    use_case_id: int | None
    created_at: dt.datetime
    read: bool
    done: bool


@dataclass(frozen=True)
class PreferenceView:
    person_id: int
    mode: str
    email_enabled: bool

    @property
    def mode_fr(self) -> str:
        return MODES[self.mode]


@dataclass(frozen=True)
class DeliveryView:
    id: int
    channel: str
    idempotency_key: str
    recipient_id: int | None
    subject: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class SyncReport:
    events_read: int
    notifications: int
    deliveries: int


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    retry_later: int
    failed: int


@dataclass(frozen=True)
class StatusReport:
    counts: dict[tuple[str, str], int]
    failing: list[DeliveryView]
    cursor: int
    email_configured: bool
    webhook_configured: bool


def _view(n: Notification) -> NotificationView:
    try:
        label = rules.kind_rule(n.kind).label_fr
    except KeyError:
        label = n.kind
    return NotificationView(n.id, n.kind, label, n.title, n.body, n.link, n.urgency, n.use_case_id, n.created_at,
                            n.read_at is not None, n.done_at is not None)


def _delivery_view(d: NotificationDelivery) -> DeliveryView:
    return DeliveryView(d.id, d.channel, d.idempotency_key, d.recipient_id, d.subject, d.status, d.attempts,
                        d.next_attempt_at, d.last_error, d.sent_at)


class NotificationService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], config: NotifySettings,
                 *, review_due: Callable[[dt.date], dict[int, dt.date]] | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self.config = config
        #: use case id -> next periodic review date (governance owns the cadence)
        self._review_due = review_due or (lambda _today: {})

    # ---- deriving ---------------------------------------------------------------------------

    def _facts(self, s: Session) -> derive.Facts:
        people = {p.id: derive.PersonFacts(p.id, p.display_name, p.email,
                                           frozenset(a.role for a in p.roles if a.revoked_at is None), p.active)
                  for p in repo.people(s)}
        cases = {u.id: derive.UseCaseFacts(u.id, u.reference, u.title, u.lead_id, u.sponsor_id, u.stage, u.end_date)
                 for u in repo.use_cases(s)}

        def gate(request_id: int) -> derive.GateFacts | None:
            g = repo.gate_request(s, request_id)
            return None if g is None else derive.GateFacts(g.id, g.use_case_id, g.from_stage, g.to_stage, g.authority,
                                                          g.requested_by_id, g.requested_at.date(),
                                                          decided=repo.is_decided(s, g.id))

        return derive.Facts(people, cases, gate)

    def sync(self, now: dt.datetime | None = None) -> SyncReport:
        """Turn new audit events and the due dates of ``now`` into notifications and deliveries."""
        now = now or utcnow()
        today = rules.local_today(now)
        reviews = self._review_due(today)
        self._ensure_cursor()
        with self._writer.begin() as s:
            cur = repo.cursor(s, CURSOR, lock=True)  # one deriver at a time (PostgreSQL; SQLite: BEGIN IMMEDIATE)
            assert cur is not None
            facts = self._facts(s)
            drafts: list[derive.Draft] = []
            read = 0
            oldest = now - rules.backfill()
            while True:
                events = repo.events_after(s, cur.last_seq, BATCH)
                if not events:
                    break
                for ev in events:
                    read += 1
                    if ev.at >= oldest:
                        payload = json.loads(ev.payload or "{}")
                        drafts += derive.from_event(ev.action, ev.entity, ev.entity_id, ev.use_case_id, ev.actor_id,
                                                    payload, ev.seq, facts)
                cur.last_seq = events[-1].seq
            drafts += self._due_drafts(s, facts, today, reviews)
            created = self._record(s, drafts, now)
            planned = self._plan_emails(s, facts, now)
            return SyncReport(read, created, planned)

    def _ensure_cursor(self) -> None:
        try:
            with self._writer.begin() as s:
                if repo.cursor(s, CURSOR) is None:
                    s.add(NotificationCursor(name=CURSOR, last_seq=0))
        except IntegrityError:
            pass  # another process made it first

    @staticmethod
    def _due_drafts(s: Session, facts: derive.Facts, today: dt.date,
                    reviews: dict[int, dt.date]) -> list[derive.Draft]:
        from policies.obligations import is_settled

        out: list[derive.Draft] = []
        live = {i: uc for i, uc in facts.use_cases.items() if uc.stage != "retired"}
        for rec in repo.obligations_with_due_date(s):
            uc = live.get(rec.use_case_id)
            if uc is not None and rec.due_date is not None and not is_settled(rec.status, rec.justification):
                out += derive.obligation_drafts(rec.id, rec.title_fr, rec.owner_id, rec.due_date, uc, today, facts)
        for uc_id, due in reviews.items():
            if uc_id in live:
                out += derive.review_drafts(due, live[uc_id], today, facts)
        for uc in live.values():
            out += derive.pilot_drafts(uc, today, facts)
        for g in repo.pending_gate_requests(s):
            if g.use_case_id in live:
                gate = derive.GateFacts(g.id, g.use_case_id, g.from_stage, g.to_stage, g.authority, g.requested_by_id,
                                        g.requested_at.date())
                out += derive.waiting_gate_drafts(gate, live[g.use_case_id], today, facts)
        return out

    def _record(self, s: Session, drafts: list[derive.Draft], now: dt.datetime) -> int:
        have = repo.existing_keys(s, sorted({d.source_key for d in drafts}))
        excluded = rules.webhook_kinds_excluded()
        created = 0
        for d in drafts:
            fresh = [r for r in d.recipients if (r, d.source_key) not in have]
            for rid in fresh:
                s.add(Notification(recipient_id=rid, kind=d.kind, source_key=d.source_key, use_case_id=d.use_case_id,
                                   link=d.link, title=d.title, body=d.body, urgency=d.urgency, created_at=now))
                have.add((rid, d.source_key))
                created += 1
            if fresh and self.config.webhook_url and d.kind not in excluded:
                key = f"webhook:{d.source_key}"
                if repo.delivery_by_key(s, key) is None:
                    url = f"{self.config.base_url}/{d.link}"
                    s.add(NotificationDelivery(
                        channel="webhook", idempotency_key=key, recipient_id=None, address="webhook",
                        subject=d.title, body=f"{d.title}\n{d.body}\n{url}",
                        payload={"text": f"{d.title}\n{d.body}\n{url}", "kind": d.kind, "urgency": d.urgency,
                                 "title": d.title, "link": url},
                        status="pending", attempts=0, next_attempt_at=now, created_at=now))
        s.flush()
        return created

    def _plan_emails(self, s: Session, facts: derive.Facts, now: dt.datetime) -> int:
        """Attach each open notification to an e-mail: its own (immediate, or urgent), or the person's
        digest of the day once the digest hour has come."""
        if not self.config.email_enabled:
            return 0
        prefs = repo.preferences(s)
        waiting: dict[int, list[Notification]] = defaultdict(list)
        for n in repo.awaiting_email(s, now - rules.backfill()):
            waiting[n.recipient_id].append(n)
        day = rules.digest_day(now)
        planned = 0
        for pid, items in waiting.items():
            person = facts.people.get(pid)
            pref = prefs.get(pid)
            if person is None or not person.reachable or not person.email or (pref and not pref.email_enabled):
                continue
            digest = pref is not None and pref.mode == "digest"
            for n in items:
                if digest and n.urgency != "urgent":
                    continue
                n.email_delivery_id = self._new_delivery(s, "email", f"email:{n.id}", person, now,
                                                         *self._immediate_text(person, n)).id
                planned += 1
            later = [n for n in items if digest and n.urgency != "urgent"]
            if later and day is not None and repo.delivery_by_key(s, f"digest:{pid}:{day.isoformat()}") is None:
                d = self._new_delivery(s, "digest", f"digest:{pid}:{day.isoformat()}", person, now,
                                       *self._digest_text(person, later, day))
                for n in later:
                    n.email_delivery_id = d.id
                planned += 1
        s.flush()
        return planned

    @staticmethod
    def _new_delivery(s: Session, channel: str, key: str, person: derive.PersonFacts, now: dt.datetime,
                      subject: str, body: str) -> NotificationDelivery:
        d = NotificationDelivery(channel=channel, idempotency_key=key, recipient_id=person.id,
                                 address=person.email or "", subject=subject[:300], body=body, payload={},
                                 status="pending", attempts=0, next_attempt_at=now, created_at=now)
        s.add(d)
        s.flush()
        return d

    def _immediate_text(self, person: derive.PersonFacts, n: Notification) -> tuple[str, str]:
        prefix = "[Vigie — urgent]" if n.urgency == "urgent" else "[Vigie]"
        base = self.config.base_url
        body = (f"Bonjour {person.name},\n\n{n.title}\n\n{n.body}\n\nOuvrir dans Vigie : {base}/{n.link}\n\n"
                f"--\nMessage automatique de Vigie. Vos notifications et vos préférences : {base}/inbox\n")
        return f"{prefix} {n.title}", body

    def _digest_text(self, person: derive.PersonFacts, items: list[Notification], day: dt.date) -> tuple[str, str]:
        base = self.config.base_url
        lines = [f"Bonjour {person.name},", "", f"Ce qui vous concerne dans Vigie ({len(items)} notification(s)) :", ""]
        for n in items:
            lines += [f"- {n.title}", f"  {n.body}", f"  {base}/{n.link}", ""]
        lines += ["--", f"Récapitulatif quotidien de Vigie. Vos notifications et vos préférences : {base}/inbox", ""]
        return f"[Vigie] Récapitulatif du {day:%d/%m/%Y} : {len(items)} notification(s)", "\n".join(lines)

    # ---- sending ----------------------------------------------------------------------------

    def deliver(self, now: dt.datetime | None = None) -> DeliveryReport:
        """Send every delivery that is due; a failure is tried again later (backoff), then given up."""
        now = now or utcnow()
        sent = retry = failed = 0
        with self._reader() as s:
            due = [(d.id, d.attempts) for d in repo.due_deliveries(s, now, limit=1000)]
        for delivery_id, attempts in due:
            lease = rules.backoff(attempts + 1) or dt.timedelta(days=1)
            with self._writer.begin() as s:
                if not repo.claim(s, delivery_id, attempts, now + lease):
                    continue  # another process took this try
                d = s.get(NotificationDelivery, delivery_id)
                assert d is not None
                snapshot = (d.channel, d.idempotency_key, d.address, d.subject, d.body, dict(d.payload or {}),
                            d.recipient_id)
            error: channels.SendError | None = None
            try:
                self._send(*snapshot)
            except channels.SendError as exc:
                error = exc
            outcome = self._settle(delivery_id, attempts + 1, error, now)
            sent += outcome == "sent"
            retry += outcome == "pending"
            failed += outcome == "failed"
        return DeliveryReport(sent, retry, failed)

    def _send(self, channel: str, key: str, address: str, subject: str, body: str, payload: dict[str, Any],
              recipient_id: int | None) -> None:
        if channel == "webhook":
            if not self.config.webhook_url:
                raise channels.SendError("aucune adresse de webhook configurée (VIGIE_NOTIFY_WEBHOOK_URL)")
            channels.post_webhook(self.config.webhook_url, payload, key=key)
            return
        if not self.config.email_enabled:
            raise channels.SendError("aucun serveur SMTP configuré (VIGIE_SMTP_HOST)")
        with self._reader() as s:
            person = repo.people_by_id(s, recipient_id) if recipient_id is not None else None
            if person is None or not person.active:  # deactivated since the message was prepared
                raise channels.SendError("destinataire désactivé ou supprimé", permanent=True)
            name = person.display_name
        msg = channels.build_email(self.config, to=address, to_name=name, subject=subject, body=body, key=key)
        channels.send_email(self.config, msg)

    def _settle(self, delivery_id: int, attempts: int, error: channels.SendError | None, now: dt.datetime) -> str:
        with self._writer.begin() as s:
            d = s.get(NotificationDelivery, delivery_id)
            assert d is not None
            details = {"channel": d.channel, "key": d.idempotency_key, "recipient_id": d.recipient_id,
                       "attempts": attempts}
            if error is None:
                d.status, d.sent_at, d.last_error = "sent", utcnow(), None
                s.flush()
                audit.append(s, SENDER, "send_notification", "notification_delivery", d.id, details=details)
                return "sent"
            d.last_error = str(error)[:2000]
            delay = None if error.permanent else rules.backoff(attempts)
            if delay is None:
                d.status = "failed"
                s.flush()
                audit.append(s, SENDER, "notification_failed", "notification_delivery", d.id,
                             details={**details, "error": d.last_error})
                return "failed"
            d.next_attempt_at = now + delay
            return "pending"

    def run_due(self, now: dt.datetime | None = None) -> tuple[SyncReport, DeliveryReport]:
        """What ``vigie notify due`` does: derive, then send."""
        now = now or utcnow()
        return self.sync(now), self.deliver(now)

    # ---- the inbox --------------------------------------------------------------------------

    @staticmethod
    def _signed_in(principal: Principal) -> int:
        if not principal.roles or not principal.person_id:
            raise PermissionDenied("Action refusée : il faut être connecté avec un rôle pour avoir des notifications.")
        return principal.person_id

    def inbox(self, principal: Principal, *, include_done: bool = False, limit: int = 200) -> list[NotificationView]:
        """The signed-in person's own notifications, newest first."""
        pid = self._signed_in(principal)
        with self._reader() as s:
            return [_view(n) for n in repo.inbox(s, pid, include_done=include_done, limit=limit)]

    def unread_count(self, principal: Principal) -> int:
        if not principal.roles or not principal.person_id:
            return 0
        with self._reader() as s:
            return repo.unread_count(s, principal.person_id)

    def mark_done(self, principal: Principal, notification_id: int) -> NotificationView:
        pid = self._signed_in(principal)
        with self._writer.begin() as s:
            n = s.get(Notification, notification_id)
            if n is None or n.recipient_id != pid:  # someone else's: as if it did not exist
                raise NotFound(f"Notification n° {notification_id} introuvable.")
            if n.done_at is None:
                now = utcnow()
                n.done_at, n.read_at = now, n.read_at or now
                s.flush()
                audit.append(s, principal, "mark_done", "notification", n.id, use_case_id=n.use_case_id,
                             details={"kind": n.kind})
            return _view(n)

    def mark_all_read(self, principal: Principal) -> int:
        pid = self._signed_in(principal)
        with self._writer.begin() as s:
            rows = repo.unread(s, pid)
            now = utcnow()
            for n in rows:
                n.read_at = now
            if rows:
                s.flush()
                audit.append(s, principal, "mark_read", "notification", pid, details={"count": len(rows)})
            return len(rows)

    # ---- preferences ------------------------------------------------------------------------

    def preference(self, principal: Principal, person_id: int | None = None) -> PreferenceView:
        pid = self._pref_target(principal, person_id)
        with self._reader() as s:
            p = s.get(NotificationPreference, pid)
            return PreferenceView(pid, p.mode, p.email_enabled) if p else PreferenceView(pid, "immediate", True)

    def set_preference(self, principal: Principal, *, mode: str, email_enabled: bool,
                       person_id: int | None = None) -> PreferenceView:
        """A person sets their own preference; an administrator may set anyone's. Audited."""
        pid = self._pref_target(principal, person_id)
        if mode not in MODES:
            raise InvalidInput([f"Champ « Fréquence des courriels » : valeur non prévue « {mode} » ; valeurs "
                                f"possibles : {', '.join(MODES)}."])
        with self._writer.begin() as s:
            if repo.people_by_id(s, pid) is None:
                raise NotFound(f"Personne n° {pid} introuvable.")
            p = s.get(NotificationPreference, pid)
            before = {"mode": p.mode, "email_enabled": p.email_enabled} if p else {"mode": "immediate",
                                                                                   "email_enabled": True}
            if p is None:
                p = NotificationPreference(person_id=pid)
                s.add(p)
            p.mode, p.email_enabled = mode, bool(email_enabled)
            s.flush()
            after = {"mode": mode, "email_enabled": bool(email_enabled)}
            if before != after:
                audit.append(s, principal, "set_notification_preference", "person", pid, before=before, after=after)
            return PreferenceView(pid, mode, bool(email_enabled))

    def _pref_target(self, principal: Principal, person_id: int | None) -> int:
        own = self._signed_in(principal)
        if person_id is None or person_id == own:
            return own
        require(principal, Action.MANAGE_PEOPLE)
        return person_id

    # ---- administration ---------------------------------------------------------------------

    def status(self, principal: Principal) -> StatusReport:
        """What administrators watch: deliveries by channel and status, the failing ones with their error."""
        require(principal, Action.MANAGE_PEOPLE)
        with self._reader() as s:
            cur = repo.cursor(s, CURSOR)
            return StatusReport(
                counts=repo.delivery_counts(s),
                failing=[_delivery_view(d) for d in repo.deliveries(s, failing_only=True)],
                cursor=cur.last_seq if cur else 0,
                email_configured=self.config.email_enabled,
                webhook_configured=bool(self.config.webhook_url),
            )

    def retry(self, principal: Principal, delivery_id: int, now: dt.datetime | None = None) -> DeliveryView:
        """Put a given-up delivery back in the queue (after the administrator fixed the cause). Audited."""
        require(principal, Action.MANAGE_PEOPLE)
        with self._writer.begin() as s:
            d = s.get(NotificationDelivery, delivery_id)
            if d is None:
                raise NotFound(f"Envoi n° {delivery_id} introuvable.")
            if d.status != "failed":
                raise InvalidInput([f"L'envoi n° {delivery_id} n'est pas en échec (état : {d.status})."])
            d.status, d.attempts, d.next_attempt_at = "pending", 0, now or utcnow()
            s.flush()
            audit.append(s, principal, "retry_notification", "notification_delivery", d.id,
                         details={"channel": d.channel, "key": d.idempotency_key})
            return _delivery_view(d)
