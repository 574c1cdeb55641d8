"""``vigie backup``, ``vigie restore`` and ``vigie import``: moving a whole database, and bringing in
the inventory a collectivité already keeps. Acting principal: the system (an administrator)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from portal.cli import refused
from portal.settings import get_settings


def _backup_service():  # type: ignore[no-untyped-def]
    from portal.db.session import Database
    from portal.services.backup import BackupService

    settings = get_settings()
    if settings.database_url.startswith("sqlite:///") and ":memory:" not in settings.database_url:
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return BackupService(Database(settings.database_url), settings.data_dir)


def _archive_command(operation: str, path: Path, refused: str) -> int:
    """Run ``backup`` or ``restore`` of the backup service as the system, and print its report."""
    from portal.services.errors import InvalidInput
    from portal.services.people import SYSTEM

    service = _backup_service()
    try:
        report = getattr(service, operation)(SYSTEM, path)
    except InvalidInput as exc:
        return refused(exc, refused)
    finally:
        service.db.dispose()
    print(report.message())
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    return _archive_command("backup", Path(args.out), "Sauvegarde impossible")


def cmd_restore(args: argparse.Namespace) -> int:
    return _archive_command("restore", Path(args.file), "Rien n'a été restauré")


def cmd_import(args: argparse.Namespace) -> int:
    """Use cases from a spreadsheet or a Eurocities register: preview, then all or nothing, or the valid rows."""
    import json

    from portal.services import build_services
    from portal.services.errors import InvalidInput
    from portal.services.inventory_import import ColumnMapping
    from portal.services.people import SYSTEM

    path = Path(args.file)
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 1
    services = build_services(get_settings().database_url)
    importer = services.inventory_import
    data = path.read_bytes()
    try:
        mapping = None
        if args.mapping:
            try:
                mapping = ColumnMapping.from_json(json.loads(Path(args.mapping).read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise InvalidInput([f"Correspondance illisible ({args.mapping}) : {exc}"]) from None
        if args.show_mapping:
            preview = importer.preview(SYSTEM, data, path.name, args.format, mapping)
            print(f"Correspondance {preview.mapping_source} ; en-têtes : {', '.join(preview.headers)}")
            print(json.dumps(preview.mapping.to_json(), ensure_ascii=False, indent=2))
            return 0
        report = importer.run(SYSTEM, data, path.name, args.format, mapping, all_or_nothing=not args.valid_only,
                              skip_duplicates=args.skip_duplicates, dry_run=args.dry_run)
        if args.save_mapping and not args.dry_run:
            importer.save_mapping(SYSTEM, args.format, report.preview.headers, report.preview.mapping)
    except InvalidInput as exc:
        return refused(exc, "Rien n'a été importé")
    finally:
        services.db.dispose()
    for line in report.lines():
        print(line)
    for row in report.preview.flagged:
        if row not in report.skipped_duplicates and row.ok:
            print(f"{row.where} : doublon probable de {' ; '.join(row.duplicates)} (importée quand même).")
    print(report.message())
    return 0


def add_inventory_commands(sub) -> None:  # type: ignore[no-untyped-def]
    p = sub.add_parser("backup", help="sauvegarder toute la base (tables, pièces, exécutions) dans une archive")
    p.add_argument("--out", required=True, help="archive à écrire (.zip)")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="restaurer une archive de sauvegarde dans une base vide")
    p.add_argument("file", help="archive écrite par vigie backup")
    p.set_defaults(func=cmd_restore)
    from portal.services.inventory_import import FORMATS

    p = sub.add_parser("import", help="importer des cas d'usage (tableur ou registre Eurocities)")
    p.add_argument("file", help="fichier CSV, Excel ou JSON")
    p.add_argument("--format", choices=FORMATS, required=True)
    p.add_argument("--mapping", help="correspondance des colonnes (JSON : {\"columns\": {champ: en-tête}, "
                                     "\"defaults\": {champ: valeur}})")
    p.add_argument("--dry-run", action="store_true", help="tout vérifier sans rien enregistrer")
    p.add_argument("--valid-only", action="store_true",
                   help="importer les lignes valides (par défaut : tout ou rien)")
    p.add_argument("--skip-duplicates", action="store_true", help="écarter les doublons probables")
    p.add_argument("--save-mapping", action="store_true", help="garder la correspondance pour les prochains fichiers")
    p.add_argument("--show-mapping", action="store_true", help="afficher la correspondance devinée (JSON) et s'arrêter")
    p.set_defaults(func=cmd_import)
