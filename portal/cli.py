"""The ``vigie`` command: database set-up, demo data, audit checks, jobs and benchmarks.

Every command that changes data goes through the same services as the portal, acting as the
system principal (an administrator) unless stated otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from portal.settings import PROJECT_ROOT, get_settings

Handler = Callable[[argparse.Namespace], int]


def _services():  # type: ignore[no-untyped-def]
    from portal.services import build_services

    return build_services(get_settings().database_url)


def _ensure_dir(url: str) -> None:
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def cmd_init(args: argparse.Namespace) -> int:
    from portal.db.migrate import upgrade

    url = get_settings().database_url
    _ensure_dir(url)
    upgrade(url)
    print(f"Base de données à jour : {_safe_url(url)}")
    return 0


def cmd_seed_demo(args: argparse.Namespace) -> int:
    from portal.demo import AlreadySeeded, seed_demo
    from portal.services.people import SYSTEM

    services = _services()
    try:
        counts = seed_demo(services, SYSTEM)
    except AlreadySeeded as exc:
        if args.if_empty:
            print("Portefeuille de démonstration déjà chargé.")
            return 0
        print(exc, file=sys.stderr)
        return 1
    print("Portefeuille de démonstration chargé : "
          f"{counts['people']} personnes, {counts['use_cases']} cas d'usage, "
          f"{counts['data_sources']} sources de données, {counts['risks']} risques, "
          f"{counts.get('analysis_runs', 0)} exécutions d'analyse.")
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    report = _services().audit.verify()
    print(report.message())
    return 0 if report.ok else 2


def cmd_create_admin(args: argparse.Namespace) -> int:
    from portal.services.errors import InvalidInput
    from portal.services.people import SYSTEM

    services = _services()
    if args.issuer and args.subject:  # identity: already recorded at a first sign-in?
        pid, found = services.identity.ensure_admin(SYSTEM, name=args.name, email=args.email,
                                                    issuer=args.issuer, subject=args.subject)
        if found:
            print(f"Rôle administrateur accordé à la personne n° {pid} (déjà connue du portail).")
            return 0
    try:
        person = services.people.create(SYSTEM, {
            "display_name": args.name, "email": args.email, "issuer": args.issuer, "subject": args.subject,
            "roles": ["admin"],
        })
    except InvalidInput as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 1
    print(f"Administrateur créé : {person.display_name} (n° {person.id}).")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Start the portal (Streamlit) on STREAMLIT_SERVER_PORT, default 8501."""
    app = PROJECT_ROOT / "portal" / "streamlit_app.py"
    # security: Streamlit's /_stcore/metrics answers anyone; closed by default in production
    metrics = args.metrics if getattr(args, "metrics", "auto") != "auto" else (
        "closed" if get_settings().is_production else "open")
    launcher = ["-m", "portal.launcher"] if metrics == "closed" else ["-m", "streamlit"]
    cmd = [sys.executable, *launcher, "run", str(app), "--browser.gatherUsageStats", "false"]
    cmd += streamlit_hardening(get_settings(), os.environ)
    secrets_file = Path(os.environ.get("VIGIE_SECRETS_FILE") or PROJECT_ROOT / ".streamlit" / "secrets.toml")
    if get_settings().is_production and not secrets_file.is_file():
        print(f"Attention : production sans fichier de secrets ({secrets_file}) : personne ne pourra se "
              "connecter. Voir docs/production.md, section « Sign-in ».", file=sys.stderr)
    if args.headless:
        cmd += ["--server.headless", "true"]
    return subprocess.call(cmd, cwd=PROJECT_ROOT, env=os.environ.copy())


# ---- identity --------------------------------------------------------------------------

def streamlit_hardening(settings, environ) -> list[str]:  # type: ignore[no-untyped-def]
    """Streamlit options ``vigie run`` always sets: no error details in production, XSRF protection,
    the upload limit, a minimal toolbar, no telemetry, no static or agent endpoints; the secrets file
    named by VIGIE_SECRETS_FILE (default: .streamlit/secrets.toml)."""
    flags = [
        "--client.showErrorDetails", "none" if settings.is_production else "type",
        "--client.toolbarMode", "minimal",
        "--server.enableXsrfProtection", "true",
        "--server.enableCORS", "true",
        "--server.maxUploadSize", str(settings.max_upload_mb),
        "--server.maxMessageSize", str(max(settings.max_upload_mb * 2, 50)),
        "--server.enableStaticServing", "false",
        "--server.runOnSave", "false",
    ]
    secrets_file = environ.get("VIGIE_SECRETS_FILE", "").strip()
    if secrets_file:
        flags += ["--secrets.files", str(Path(secrets_file).resolve())]
    return flags


def cmd_grant_app_role(args: argparse.Namespace) -> int:
    from sqlalchemy import create_engine

    from portal.services.grants import GrantError, grant_app_role

    engine = create_engine(get_settings().database_url)
    password = os.environ.get(args.password_env) if args.password_env else None
    try:
        statements = grant_app_role(engine, args.role, password=password)
    except GrantError as exc:
        print(f"Refusé : {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print("\n".join(statements))
    print(f"Rôle applicatif « {args.role} » prêt : il ne peut ni modifier ni supprimer le journal d'audit.")
    return 0


def _add_identity_commands(sub) -> None:  # type: ignore[no-untyped-def]
    db = sub.add_parser("db", help="base de données").add_subparsers(dest="db_command", required=True)
    p = db.add_parser("grant-app-role",
                      help="PostgreSQL : créer/autoriser le rôle de l'application (journal d'audit en ajout seul)")
    p.add_argument("role")
    p.add_argument("--password-env", help="variable d'environnement contenant le mot de passe (rôle LOGIN)")
    p.set_defaults(func=cmd_grant_app_role)


def cmd_bench(args: argparse.Namespace) -> int:
    if args.scale:
        from portal.bench_scale import run_scale

        run_scale(args.scale_size, url=args.scale_database_url, repeat=args.repeat)
        return 0
    from portal.bench import daily_actions_report, run_benchmarks

    if args.actions:
        return daily_actions_report(1 if args.quick else 3)
    return run_benchmarks(quick=args.quick)


# --- monitoring ------------------------------------------------------------------


def refused(exc: Exception, prefix: str = "Rien n'a été enregistré") -> int:
    """Print a service's refusal in French (every problem it names) and return the exit code 1."""
    problems = getattr(exc, "problems", None) or [str(exc)]
    print(f"{prefix} :\n" + "\n".join(f"- {p}" for p in problems), file=sys.stderr)
    return 1


def existing_file(name: str) -> Path | None:
    """The file named on the command line, or None after saying it is missing."""
    path = Path(name)
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return None
    return path


def cmd_monitor_run(args: argparse.Namespace) -> int:
    """Check one current batch against the use case's reference; store the run and its alerts."""
    from portal.services.errors import InvalidInput, NotFound
    from portal.services.monitoring import describe_run
    from portal.services.people import SYSTEM

    services = _services()
    path = existing_file(args.current)
    if path is None:
        return 1
    try:
        uc = services.register.get_by_reference(args.use_case)
        res = services.monitoring.run_check(
            SYSTEM, uc.id, path.read_bytes(), filename=path.name, label=args.label or f"Fichier « {path.name} »",
            trigger="job", engine=args.engine, html_report=not args.no_report)
    except (InvalidInput, NotFound) as exc:
        return refused(exc)
    print(f"{uc.reference} : {describe_run(res)}.")
    for col in res.run.columns:
        score = "—" if col.score is None else f"{col.score:.3f}".replace(".", ",")
        print(f"  {col.column:<24} {col.method:<14} {score:>7}  seuil {col.threshold:.3f}".replace(".", ",")
              + ("  DÉRIVE" if col.drifted else ""))
    for alert in res.alerts:
        print(f"  alerte ({alert.severity}) : {alert.message}")
    return 0


def cmd_monitor_due(args: argparse.Namespace) -> int:
    """Every check that is due (for cron): run those whose current source is configured."""
    from portal.services.people import SYSTEM

    services = _services()
    if args.list:
        due = services.monitoring.due()
        for d in due:
            print(f"{d.reference} — {d.title} : dernier contrôle "
                  f"{d.last_check.strftime('%d/%m/%Y') if d.last_check else 'jamais'}")
        print(f"{len(due)} contrôle(s) dû(s).")
        return 0
    results = services.monitoring.run_due(SYSTEM)
    for due, outcome in results:
        print(f"{due.reference} : {outcome}")
    print(f"{len(results)} contrôle(s) dû(s) traité(s).")
    return 0


def cmd_monitor_outcomes(args: argparse.Namespace) -> int:
    """Record predictions against actuals (columns actual, prediction, optional overridden) per period."""
    from portal.services.errors import InvalidInput, NotFound, PermissionDenied

    services = _services()
    path = existing_file(args.file)
    if path is None:
        return 1
    try:
        uc = services.register.get_by_reference(args.use_case)
        actor = services.people.principal(uc.lead_id) if uc.lead_id else None
        if actor is None:
            raise NotFound(f"Le cas d'usage {uc.reference} n'a pas de chef de projet pour porter ces résultats.")
        alerts = services.monitoring.record_outcomes(
            actor, uc.id, path.read_bytes(), filename=path.name, label=args.label or f"Fichier « {path.name} »",
            kind=args.kind, period=args.period, territory=args.territory)
    except (InvalidInput, NotFound, PermissionDenied) as exc:
        return refused(exc)
    print(f"{uc.reference} : résultats enregistrés, {len(alerts)} alerte(s).")
    for alert in alerts:
        print(f"  alerte ({alert.severity}) : {alert.message}")
    return 0


# ---- analysis ---------------------------------------------------------------------------

def cmd_analyse(args: argparse.Namespace) -> int:
    """Run an analysis module on files, without the portal or its database."""
    import json

    from pydantic import ValidationError

    from portal.services.validation import french_problems
    from usecases import registry
    from usecases.headless import UNNAMED, analyse_to_dir, describe_modules
    from usecases.loading import InvalidInput

    if args.list:
        for m in describe_modules():
            print(f"{m['key']} (version {m['version']}) — {m['title']}")
            for inp in m["inputs"]:
                cols = ", ".join(c["name"] + ("" if c["required"] else " (facultative)") for c in inp["columns"])
                optional = "" if inp.get("required", True) else " (facultative)"
                print(f"  entrée « {inp['name']} »{optional} : {inp['title']} — colonnes : {cols}")
            print("  paramètres : " + ", ".join(f"{p['name']}={p['default']}" for p in m["params"]))
        return 0
    if not args.module or not args.input or not args.out:
        print("Usage : vigie analyse MODULE --input FICHIER [--input NOM=FICHIER …] [--params JSON] --out DOSSIER"
              " (ou vigie analyse --list)", file=sys.stderr)
        return 2
    paths: dict[str, Path] = {}
    for item in args.input:
        name, sep, path = item.partition("=")
        if sep and name and not Path(item).exists():
            paths[name] = Path(path)
        else:
            paths[UNNAMED] = Path(item)
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        print("Fichier introuvable : " + ", ".join(missing), file=sys.stderr)
        return 1
    try:
        params = json.loads(args.params) if args.params else {}
    except json.JSONDecodeError as exc:
        print(f"Paramètres JSON illisibles : {exc.msg} (colonne {exc.colno}).", file=sys.stderr)
        return 1
    try:
        result = analyse_to_dir(args.module, paths, params, Path(args.out))
    except registry.UnknownModule as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except InvalidInput as exc:
        print("Analyse non lancée :\n" + "\n".join(f"- {p}" for p in exc.problems), file=sys.stderr)
        return 1
    except ValidationError as exc:
        module = registry.get(args.module)
        labels = {n: f.title or n for n, f in module.params_model.model_fields.items()}
        print("Paramètres refusés :\n" + "\n".join(f"- {p}" for p in french_problems(exc, labels)), file=sys.stderr)
        return 1
    print(f"Analyse « {args.module} » terminée : metrics.json et {len(result.tables)} tables CSV dans {args.out}")
    return 0


def cmd_public_register_export(args: argparse.Namespace) -> int:
    """Write the published entries of the public register to a file (for data.gouv.fr, a city site,
    or a register that reads the Eurocities standard); audited like the page's export."""
    from portal.services.errors import InvalidInput
    from portal.services.people import SYSTEM

    try:
        out = _services().public_register.export(SYSTEM, args.format)
    except InvalidInput as exc:
        return refused(exc)
    target = Path(args.output) if args.output else Path(out.filename)
    target.write_bytes(out.data)
    print(f"{out.rows} fiche(s) publiée(s) écrite(s) dans {target} ({args.format}).")
    return 0


def cmd_budget_import(args: argparse.Namespace) -> int:
    """Budget lines from a finance export, all or nothing (the problems are listed by line)."""
    from portal.services.errors import InvalidInput
    from portal.services.people import SYSTEM

    path = Path(args.file)
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 1
    try:
        counts = _services().portfolio.import_budget_lines(SYSTEM, path.read_bytes(), path.name)
    except InvalidInput as exc:
        print(f"Rien n'a été importé ({path.name}) :\n" + "\n".join(f"- {p}" for p in exc.problems),
              file=sys.stderr)
        return 1
    print(f"Lignes budgétaires : {counts['created']} créée(s), {counts['updated']} modifiée(s), "
          f"{counts['unchanged']} inchangée(s).")
    return 0


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _add_setup_commands(sub: argparse._SubParsersAction) -> None:
    """init, seed-demo, audit verify, create-admin and run."""
    sub.add_parser("init", help="créer ou mettre à jour la base de données").set_defaults(func=cmd_init)

    p = sub.add_parser("seed-demo", help="charger le portefeuille de démonstration")
    p.add_argument("--if-empty", action="store_true", help="ne rien faire si le registre contient déjà des cas")
    p.set_defaults(func=cmd_seed_demo)

    audit = sub.add_parser("audit", help="journal d'audit").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="vérifier le chaînage du journal").set_defaults(func=cmd_audit_verify)

    p = sub.add_parser("create-admin", help="créer le premier administrateur")
    p.add_argument("--name", required=True)
    p.add_argument("--email")
    p.add_argument("--issuer", help="issuer OIDC de son fournisseur d'identité")
    p.add_argument("--subject", help="identifiant (sub) chez ce fournisseur")
    p.set_defaults(func=cmd_create_admin)

    p = sub.add_parser("run", help="démarrer le portail")
    p.add_argument("--headless", action="store_true")
    p.add_argument("--metrics", choices=["auto", "open", "closed"], default="auto",
                   help="point /_stcore/metrics de Streamlit (sans authentification) : fermé (404) ou ouvert ; "
                        "auto = fermé en production (VIGIE_ENV=production), ouvert ailleurs")
    p.set_defaults(func=cmd_run)


def _add_bench_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bench", help="mesurer les performances (ratios contre une référence)")
    p.add_argument("--quick", action="store_true", help="tailles réduites")
    p.add_argument("--actions", action="store_true",
                   help="seulement les actions courantes sur le portefeuille de démonstration (enregistrer, changer "
                        "de cas d'usage, ouvrir un onglet)")
    p.add_argument("--scale", action="store_true",
                   help="pages et services sur un grand portefeuille construit dans une base temporaire")
    p.add_argument("--scale-size", type=int, default=10_000, metavar="N",
                   help="cas d'usage du portefeuille (--scale ; 10 000 par défaut, le reste en proportion)")
    p.add_argument("--scale-database-url", metavar="URL",
                   help="base où construire (--scale ; vide, ou déjà construite : mesurée telle quelle ; "
                        "SQLite temporaire par défaut)")
    p.add_argument("--repeat", type=int, default=3, help="mesures par page ou appel (--scale ; la médiane)")
    p.set_defaults(func=cmd_bench)


def _add_monitor_commands(sub: argparse._SubParsersAction) -> None:
    """vigie monitor run | due | outcomes."""
    monitor = sub.add_parser("monitor", help="suivi : contrôles de dérive").add_subparsers(
        dest="monitor_command", required=True)
    p = monitor.add_parser("run", help="contrôler un lot courant contre la référence du cas d'usage")
    p.add_argument("--use-case", required=True, help="référence du cas d'usage (ex. UC-2026-002)")
    p.add_argument("--current", required=True, help="fichier CSV ou Excel du lot courant")
    p.add_argument("--label", help="libellé du lot (par défaut : le nom du fichier)")
    p.add_argument("--engine", choices=["fast", "evidently"], default="fast")
    p.add_argument("--no-report", action="store_true", help="ne pas produire le rapport HTML Evidently")
    p.set_defaults(func=cmd_monitor_run)
    p = monitor.add_parser("due", help="lancer tous les contrôles dus (pour cron)")
    p.add_argument("--list", action="store_true", help="lister sans lancer")
    p.set_defaults(func=cmd_monitor_due)
    p = monitor.add_parser("outcomes", help="enregistrer les résultats constatés (prédictions et valeurs réelles)")
    p.add_argument("--use-case", required=True, help="référence du cas d'usage")
    p.add_argument("--file", required=True, help="CSV ou Excel : period, actual, prediction[, overridden]")
    p.add_argument("--kind", choices=["classification", "regression"], default="classification")
    p.add_argument("--period", default="period", help="colonne de période (défaut : period)")
    p.add_argument("--territory", help="colonne de territoire (commune, quartier)")
    p.add_argument("--label", help="libellé du lot de résultats")
    p.set_defaults(func=cmd_monitor_outcomes)


def _add_budget_commands(sub: argparse._SubParsersAction) -> None:
    """vigie budget import: budget lines from a finance export."""
    budget = sub.add_parser("budget", help="lignes budgétaires des cas d'usage").add_subparsers(
        dest="budget_command", required=True)
    p = budget.add_parser("import", help="importer un export des finances (CSV ou Excel)")
    p.add_argument("file", help="colonnes : Référence, Année, Voté, Engagé, Dépensé (une ligne par cas et par année)")
    p.set_defaults(func=cmd_budget_import)


def _add_public_register_commands(sub: argparse._SubParsersAction) -> None:
    """vigie public-register export: the open-data export of the public register."""
    from portal.services.public_register import EXPORT_FORMATS

    register = sub.add_parser("public-register", help="registre public des algorithmes").add_subparsers(
        dest="public_register_command", required=True)
    p = register.add_parser("export", help="écrire les fiches publiées (données ouvertes)")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="eurocities_json")
    p.add_argument("--output", help="fichier à écrire (défaut : le nom standard, dans le dossier courant)")
    p.set_defaults(func=cmd_public_register_export)


def _add_analyse_command(sub: argparse._SubParsersAction) -> None:
    """vigie analyse: run an analysis module on files, without the portal."""
    p = sub.add_parser("analyse", help="lancer un module d'analyse sur des fichiers (sans le portail)")
    p.add_argument("module", nargs="?", help="clé du module (voir --list)")
    p.add_argument("--list", action="store_true", help="lister les modules, leurs entrées et leurs paramètres")
    p.add_argument("--input", action="append", metavar="[NOM=]FICHIER",
                   help="fichier CSV ou Excel ; NOM=FICHIER pour un module à plusieurs entrées (répétable)")
    p.add_argument("--params", help='paramètres en JSON, par exemple \'{"horizon_years": 5}\'')
    p.add_argument("--out", help="dossier où écrire metrics.json et les tables CSV")
    p.set_defaults(func=cmd_analyse)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vigie", description="Vigie : gouvernance des cas d'usage d'IA.")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_setup_commands(sub)
    _add_identity_commands(sub)
    _add_bench_command(sub)
    # governance: vigie gate check | request | decide
    from portal.cli_governance import add_gate_commands

    add_gate_commands(sub)
    # inventory: vigie backup | restore | import
    from portal.cli_inventory import add_inventory_commands

    add_inventory_commands(sub)
    # notifications: vigie notify due | status
    from portal.cli_notify import add_notify_commands

    add_notify_commands(sub)
    _add_monitor_commands(sub)
    _add_budget_commands(sub)
    _add_public_register_commands(sub)
    _add_analyse_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.func
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
