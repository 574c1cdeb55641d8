"""Notification rules (``rules/notifications.yaml``): who is told of what, reminders before a due
date, escalation to the general direction, and the retry delays of a failed send. Pure functions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from policies.rulebook import load_rules

#: Who a recipient token names, relative to the object of the notification.
RECIPIENTS: dict[str, str] = {
    "lead": "le chef de projet du cas d'usage",
    "sponsor": "son commanditaire",
    "requester": "la personne qui a demandé le passage",
    "actor": "la personne qui a lancé l'action",
    "subject_person": "la personne concernée",
    "deciders": "les personnes habilitées à décider ce passage (autorité d'approbation)",
    "compliance": "les responsables conformité",
    "director": "la direction générale",
    "owner": "le responsable de l'obligation (à défaut le chef de projet)",
}

URGENCIES = ("normal", "urgent")


class KindRule(NamedTuple):
    kind: str
    label_fr: str
    urgency: str
    to: tuple[str, ...]


def rules() -> dict[str, Any]:
    return load_rules("notifications")


def kind_rule(kind: str, data: Mapping[str, Any] | None = None) -> KindRule:
    data = data or rules()
    raw = data["kinds"].get(kind)
    if raw is None:
        raise KeyError(f"Type de notification inconnu : {kind}")
    return KindRule(kind, str(raw["label_fr"]), str(raw.get("urgency", "normal")), tuple(raw.get("to", ())))


def recipients(kind: str, concerned: Mapping[str, Iterable[int | None]], *, actor_id: int | None = None,
               data: Mapping[str, Any] | None = None) -> list[int]:
    """The person ids told of ``kind``: the union of the groups its rule names, taken from
    ``concerned`` (token -> ids), without the person who acted unless the rule names ``actor``."""
    rule = kind_rule(kind, data)
    out: set[int] = set()
    for token in rule.to:
        out |= {i for i in concerned.get(token, ()) if i is not None}
    if "actor" not in rule.to and actor_id is not None:
        out.discard(actor_id)
    out.discard(0)  # the command-line principal is nobody's inbox
    return sorted(out)


def due_state(due: dt.date, today: dt.date, soon_days: int, escalate_after_days: int) -> str | None:
    """``soon`` (within ``soon_days``), ``overdue`` (passed), ``escalated`` (passed by more than
    ``escalate_after_days``), or None (not yet near)."""
    late = (today - due).days
    if late > escalate_after_days:
        return "escalated"
    if late > 0:
        return "overdue"
    if -late <= soon_days:
        return "soon"
    return None


def soon_days(subject: str, data: Mapping[str, Any] | None = None) -> int:
    return int((data or rules())["due_soon_days"][subject])


def escalation_days(data: Mapping[str, Any] | None = None) -> int:
    return int((data or rules())["escalation"]["after_days"])


def gate_pending_days(data: Mapping[str, Any] | None = None) -> int:
    return int((data or rules())["escalation"]["gate_pending_days"])


def backoff(attempts: int, data: Mapping[str, Any] | None = None) -> dt.timedelta | None:
    """Delay before the next try after ``attempts`` failed tries; None once every delay is spent."""
    delays = list((data or rules())["retry"]["backoff_minutes"])
    if attempts < 1 or attempts > len(delays):
        return None
    return dt.timedelta(minutes=float(delays[attempts - 1]))


def max_attempts(data: Mapping[str, Any] | None = None) -> int:
    return len((data or rules())["retry"]["backoff_minutes"]) + 1


def digest_day(now: dt.datetime, data: Mapping[str, Any] | None = None) -> dt.date | None:
    """The local day whose digest may leave at ``now`` (None before the digest hour)."""
    from zoneinfo import ZoneInfo

    cfg = (data or rules())["digest"]
    local = now.astimezone(ZoneInfo(str(cfg["timezone"])))
    return local.date() if local.hour >= int(cfg["hour"]) else None


def local_today(now: dt.datetime, data: Mapping[str, Any] | None = None) -> dt.date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(str((data or rules())["digest"]["timezone"]))).date()


def webhook_kinds_excluded(data: Mapping[str, Any] | None = None) -> frozenset[str]:
    return frozenset((data or rules()).get("webhook", {}).get("exclude", []))


def backfill(data: Mapping[str, Any] | None = None) -> dt.timedelta:
    return dt.timedelta(days=int((data or rules())["backfill_days"]))
