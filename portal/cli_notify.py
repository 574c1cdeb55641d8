"""``vigie notify …``: send what is due (for cron) and show the state of the deliveries.

``due`` is safe to run as often as wanted and from two machines at once: nothing is ever sent twice,
and a refused send waits for its backoff delay before it is tried again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any


def _services():  # type: ignore[no-untyped-def]
    from portal.services import build_services
    from portal.settings import get_settings

    return build_services(get_settings().database_url)


def cmd_notify_due(args: argparse.Namespace) -> int:
    services = _services()
    try:
        sync, sent = services.notifications.run_due()
    finally:
        services.db.dispose()
    print(f"{sync.events_read} événement(s) lu(s), {sync.notifications} notification(s) créée(s), "
          f"{sync.deliveries} envoi(s) préparé(s).")
    print(f"{sent.sent} envoyé(s), {sent.retry_later} à réessayer, {sent.failed} abandonné(s).")
    return 1 if sent.failed else 0


def cmd_notify_status(args: argparse.Namespace) -> int:
    from portal.services.people import SYSTEM

    services = _services()
    try:
        report = services.notifications.status(SYSTEM)
    finally:
        services.db.dispose()
    print(f"Courriel : {'configuré' if report.email_configured else 'non configuré (VIGIE_SMTP_HOST)'} ; "
          f"webhook : {'configuré' if report.webhook_configured else 'non configuré'} ; "
          f"journal d'audit lu jusqu'à l'événement n° {report.cursor}.")
    for (channel, status), count in sorted(report.counts.items()):
        print(f"  {channel:<8} {status:<8} {count}")
    for d in report.failing:
        nxt = "abandonné" if d.status == "failed" else f"prochain essai {_fr(d.next_attempt_at)}"
        print(f"  envoi n° {d.id} ({d.channel}, {d.attempts} essai(s), {nxt}) : {d.last_error}")
    return 2 if any(d.status == "failed" for d in report.failing) else 0


def _fr(when: dt.datetime) -> str:
    return when.astimezone().strftime("%d/%m/%Y %H:%M")


def add_notify_commands(sub: Any) -> None:
    notify = sub.add_parser("notify", help="notifications : courriels, récapitulatifs et webhook").add_subparsers(
        dest="notify_command", required=True)
    notify.add_parser("due", help="envoyer ce qui est dû (pour cron ; sans risque de doublon)").set_defaults(
        func=cmd_notify_due)
    notify.add_parser("status", help="état des envois ; ceux en échec et pourquoi").set_defaults(
        func=cmd_notify_status)


if __name__ == "__main__":  # pragma: no cover
    sys.exit("Utiliser : vigie notify due | status")
