"""``vigie backup``, ``vigie restore`` and ``vigie import``: moving a whole database, and bringing in
the inventory a collectivité already keeps (issue 19). Acting principal: the system (an administrator)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal.settings import get_settings


def _backup_service():  # type: ignore[no-untyped-def]
    from portal.db.session import Database
    from portal.services.backup import BackupService

    settings = get_settings()
    if settings.database_url.startswith("sqlite:///") and ":memory:" not in settings.database_url:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return BackupService(Database(settings.database_url), settings.data_dir)


def _refused(exc: Exception, prefix: str = "Rien n'a été enregistré") -> int:
    problems = getattr(exc, "problems", None) or [str(exc)]
    print(f"{prefix} :\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
    return 1


def cmd_backup(args: argparse.Namespace) -> int:
    from portal.services.errors import InvalidInput
    from portal.services.people import SYSTEM

    service = _backup_service()
    try:
        report = service.backup(SYSTEM, Path(args.out))
    except InvalidInput as exc:
        return _refused(exc, "Sauvegarde impossible")
    finally:
        service.db.dispose()
    print(report.message())
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from portal.services.errors import InvalidInput
    from portal.services.people import SYSTEM

    service = _backup_service()
    try:
        report = service.restore(SYSTEM, Path(args.file))
    except InvalidInput as exc:
        return _refused(exc, "Rien n'a été restauré")
    finally:
        service.db.dispose()
    print(report.message())
    return 0


def add_inventory_commands(sub) -> None:  # type: ignore[no-untyped-def]
    p = sub.add_parser("backup", help="sauvegarder toute la base (tables, pièces, exécutions) dans une archive")
    p.add_argument("--out", required=True, help="archive à écrire (.zip)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restaurer une archive de sauvegarde dans une base vide")
    p.add_argument("file", help="archive écrite par vigie backup")
    p.set_defaults(func=cmd_restore)
