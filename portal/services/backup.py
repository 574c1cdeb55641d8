"""Backup and restore of a whole Vigie database, to move it (SQLite <-> PostgreSQL) or keep it safe.

The archive (``vigie backup --out FILE``) is one ZIP file (deflate) holding:

``manifest.json``
    ``format`` (``"vigie-backup"``), ``format_version`` (``1``), ``created_at`` (ISO 8601, UTC),
    ``vigie_version``, ``alembic_revision`` (the sorted list of the database's Alembic heads),
    ``source_dialect`` (``sqlite`` or ``postgresql``), ``tables`` (one entry per table in
    foreign-key order: ``name``, ``member``, ``rows``, ``columns`` as ``[{"name", "type"}]``),
    ``files`` (``path`` relative to the data folder, ``member``, ``size``, ``sha256``),
    ``missing_files`` (evidence files the database names but the data folder lacked) and
    ``members`` (``{member name: SHA-256 of its bytes}``) for every other member of the archive.
``tables/<table>.jsonl``
    One JSON object per row, in primary-key order, keys the column names. Values are typed by the
    column ``type`` the manifest gives: ``integer``, ``boolean``, ``text`` as JSON; ``float`` as a
    JSON number, or the strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``; ``datetime`` as ISO 8601
    with its UTC offset and microseconds; ``date`` as ``YYYY-MM-DD``; ``binary`` as base64;
    ``json`` as the stored JSON value itself. ``null`` is SQL NULL.
``files/<path>``
    The evidence files kept under the data folder (``obligation_evidence.stored_path``), as is.
    The stored analysis runs (inputs, result tables, charts) are rows of ``analysis_artifact``.

Restoring (``vigie restore FILE``) checks the format and every member's SHA-256 before writing,
then requires an empty target at the archive's Alembic revision (a database without any table is
first migrated), inserts every table in one transaction, moves PostgreSQL sequences past the
restored keys, writes the evidence files, and verifies the audit chain before committing: a broken
chain leaves the target as empty as it was. The restore is recorded as one audit event appended
to the restored chain; the backup, as one event in the source's chain naming the archive's SHA-256.
See docs/decisions/0069-backup-archive.md.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path, PurePosixPath
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Boolean, Column, Date, DateTime, Float, Integer, LargeBinary, String, Table
from sqlalchemy.orm import Session
from sqlalchemy.types import JSON, TypeDecorator

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.migrate import head_revisions, upgrade
from portal.db.session import Database
from portal.repositories import backup as repo
from portal.services import audit
from portal.services.errors import InvalidInput

FORMAT = "vigie-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
_BATCH = 500
_EVIDENCE_TABLE = "obligation_evidence"


# ---- typed values ------------------------------------------------------------------------------


def column_type(column: Column[Any]) -> str:
    """The archive's type name for a column (see the module docstring)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl if not isinstance(kind.impl, type) else kind.impl()
    for cls, name in ((JSON, "json"), (LargeBinary, "binary"), (DateTime, "datetime"), (Date, "date"),
                      (Boolean, "boolean"), (Integer, "integer"), (Float, "float"), (String, "text")):
        if isinstance(kind, cls):
            return name
    raise TypeError(f"column {column.table.name}.{column.name}: type {kind!r} has no archive encoding")


def encode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return value.isoformat(timespec="microseconds")
    if kind == "date":
        return value.isoformat()
    if kind == "binary":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "float":
        value = float(value)
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    return value


def decode(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "binary":
        return base64.b64decode(value)
    if kind == "float":
        return float(value)
    return value


def encoded_rows(conn: Any, table: Table) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` with its values encoded as in the archive (also what tests compare)."""
    kinds = {c.name: column_type(c) for c in table.columns}
    for row in repo.iter_rows(conn, table):
        yield {name: encode(kinds[name], row[name]) for name in kinds}


# ---- reports -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupReport:
    path: Path
    sha256: str
    rows: dict[str, int]
    files: int
    missing_files: list[str] = field(default_factory=list)

    def message(self) -> str:
        total = sum(self.rows.values())
        text = (f"Sauvegarde écrite dans {self.path} : {len(self.rows)} tables, {total} lignes, "
                f"{self.files} fichier(s) de pièces ; empreinte SHA-256 {self.sha256}.")
        if self.missing_files:
            text += (f"\nAttention : {len(self.missing_files)} fichier(s) de pièces absent(s) du dossier de "
                     "données, non sauvegardé(s) : " + ", ".join(self.missing_files[:5]))
        return text


@dataclass(frozen=True)
class RestoreReport:
    rows: dict[str, int]
    files: int
    chain: audit.ChainReport
    migrated: bool
    sequences: list[str] = field(default_factory=list)

    def message(self) -> str:
        total = sum(self.rows.values())
        return (f"Restauration terminée : {len(self.rows)} tables, {total} lignes, {self.files} fichier(s) de "
                f"pièces. {self.chain.message()}")


# ---- the service -------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _vigie_version() -> str:
    try:
        return importlib_metadata.version("vigie-ia")
    except importlib_metadata.PackageNotFoundError:
        return "inconnue"


def _safe_relative(path: str) -> PurePosixPath | None:
    """``path`` if it stays inside the data folder (relative, no ``..``), else None."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path or ":" in path:
        return None
    return pure


class BackupService:
    """Whole-database backup and restore; administrators only (the archive holds every table)."""

    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.data_dir = Path(data_dir)

    # ---- backup ------------------------------------------------------------------------------

    def backup(self, principal: Principal, out: Path) -> BackupReport:
        require(principal, Action.MANAGE_PEOPLE)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        members: dict[str, str] = {}
        table_entries: list[dict[str, Any]] = []
        rows: dict[str, int] = {}
        file_entries: list[dict[str, Any]] = []
        missing: list[str] = []
        try:
            # One consistent snapshot of every table: SQLite's read transaction is one already (WAL);
            # PostgreSQL needs REPEATABLE READ for its snapshot to hold across statements.
            with self.db.engine.connect() as conn:
                conn = conn.execution_options(vigie_readonly=True)  # SQLite: a deferred BEGIN, no write lock
                if conn.dialect.name == "postgresql":
                    conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin(), zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED,
                                                   allowZip64=True) as zf:
                    revision = sorted(current_revisions_on(conn))
                    stored_paths: list[str] = []
                    for table in repo.tables():
                        member = f"tables/{table.name}.jsonl"
                        digest = hashlib.sha256()
                        n = 0
                        with zf.open(member, "w", force_zip64=True) as fh:
                            for row in encoded_rows(conn, table):
                                line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                                fh.write(line)
                                digest.update(line)
                                n += 1
                                if table.name == _EVIDENCE_TABLE and row.get("kind") == "file" \
                                        and row.get("stored_path"):
                                    stored_paths.append(row["stored_path"])
                        members[member] = digest.hexdigest()
                        rows[table.name] = n
                        table_entries.append({
                            "name": table.name, "member": member, "rows": n,
                            "columns": [{"name": c.name, "type": column_type(c)} for c in table.columns],
                        })
                    for stored in sorted(set(stored_paths)):
                        relative = _safe_relative(stored)
                        source = self.data_dir / relative if relative else None
                        if source is None or not source.is_file():
                            missing.append(stored)
                            continue
                        data = source.read_bytes()
                        member = f"files/{relative}"
                        zf.writestr(member, data)
                        members[member] = hashlib.sha256(data).hexdigest()
                        file_entries.append({"path": stored, "member": member, "size": len(data),
                                             "sha256": members[member]})
                    manifest = {
                        "format": FORMAT,
                        "format_version": FORMAT_VERSION,
                        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        "vigie_version": _vigie_version(),
                        "alembic_revision": revision,
                        "source_dialect": conn.dialect.name,
                        "tables": table_entries,
                        "files": file_entries,
                        "missing_files": missing,
                        "members": members,
                    }
                    zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
            tmp.replace(out)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        archive_sha = _sha256(out)
        with self.db.writer.begin() as s:
            audit.append(s, principal, "backup", "database", "all",
                         details={"file": out.name, "sha256": archive_sha, "rows": sum(rows.values()),
                                  "files": len(file_entries), "missing_files": missing,
                                  "alembic_revision": manifest["alembic_revision"]})
        return BackupReport(out, archive_sha, rows, len(file_entries), missing)

    # ---- restore -----------------------------------------------------------------------------

    def read_manifest(self, archive: Path) -> dict[str, Any]:
        """The archive's manifest, after checking its format and every member's SHA-256."""
        archive = Path(archive)
        if not archive.is_file():
            raise InvalidInput([f"Fichier introuvable : {archive}."])
        if not zipfile.is_zipfile(archive):
            raise InvalidInput([f"« {archive.name} » n'est pas une archive de sauvegarde Vigie (ZIP attendu)."])
        with zipfile.ZipFile(archive) as zf:
            try:
                manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            except KeyError:
                raise InvalidInput([f"« {archive.name} » : le fichier {MANIFEST} manque, ce n'est pas une "
                                    "sauvegarde Vigie."]) from None
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise InvalidInput([f"« {archive.name} » : {MANIFEST} est illisible."]) from None
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise InvalidInput([f"« {archive.name} » n'est pas une sauvegarde Vigie (format inconnu)."])
            if manifest.get("format_version") != FORMAT_VERSION:
                raise InvalidInput([f"« {archive.name} » : version de format {manifest.get('format_version')} "
                                    f"non prise en charge (attendue : {FORMAT_VERSION})."])
            problems = []
            names = set(zf.namelist())
            for member, expected in manifest.get("members", {}).items():
                if member not in names:
                    problems.append(f"Élément « {member} » absent de l'archive.")
                    continue
                hasher = hashlib.sha256()
                with zf.open(member) as fh:
                    while chunk := fh.read(1 << 20):
                        hasher.update(chunk)
                if hasher.hexdigest() != expected:
                    problems.append(f"Élément « {member} » : l'empreinte SHA-256 ne correspond pas, l'archive "
                                    "est altérée ou incomplète.")
            listed = {t["member"] for t in manifest.get("tables", [])} | {f["member"] for f in manifest.get("files", [])}
            for member in sorted(listed - set(manifest.get("members", {}))):
                problems.append(f"Élément « {member} » sans empreinte dans le manifeste.")
            for entry in manifest.get("files", []):
                if _safe_relative(entry.get("path", "")) is None:
                    problems.append(f"Fichier « {entry.get('path')} » : chemin refusé (hors du dossier de données).")
            if problems:
                raise InvalidInput(problems)
        return manifest

    def restore(self, principal: Principal, archive: Path) -> RestoreReport:
        require(principal, Action.MANAGE_PEOPLE)
        archive = Path(archive)
        manifest = self.read_manifest(archive)
        revision = sorted(manifest.get("alembic_revision") or [])
        known = self._check_fits(manifest, revision)
        migrated = self._prepare_target(revision)
        rows: dict[str, int] = {}
        written: list[Path] = []
        try:
            with zipfile.ZipFile(archive) as zf, self.db.engine.begin() as conn:
                for entry in manifest["tables"]:
                    rows[entry["name"]] = _load_table(zf, conn, entry, known[entry["name"]])
                sequences = repo.reset_sequences(conn)
                self._restore_files(zf, manifest, written)
                with Session(bind=conn) as s:
                    chain = audit.verify_chain(s)
                    if not chain.ok:
                        raise InvalidInput([f"Restauration annulée : {chain.message()}"])
                    audit.append(s, principal, "restore", "database", "all",
                                 details={"file": archive.name, "sha256": _sha256(archive),
                                          "created_at": manifest.get("created_at"),
                                          "source_dialect": manifest.get("source_dialect"),
                                          "rows": sum(rows.values()), "files": len(manifest.get("files", []))})
                    s.flush()
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return RestoreReport(rows, len(manifest.get("files", [])), chain, migrated, sequences)

    def _check_fits(self, manifest: dict[str, Any], revision: list[str]) -> dict[str, Any]:
        """The tables this Vigie knows, after checking the archive was written at its schema revision."""
        code_heads = sorted(head_revisions(self.db.url))
        if revision != code_heads:
            raise InvalidInput([
                f"L'archive a été écrite à la révision de schéma {', '.join(revision) or '(aucune)'} ; cette "
                f"version de Vigie est à la révision {', '.join(code_heads)}. Restaurez-la avec la version de "
                "Vigie qui l'a écrite, puis mettez la base à jour (vigie init)."])
        known = {t.name: t for t in repo.tables()}
        unknown = [t["name"] for t in manifest["tables"] if t["name"] not in known]
        if unknown:
            raise InvalidInput([f"Table « {name} » de l'archive inconnue de cette version de Vigie." for name in unknown])
        return known

    def _prepare_target(self, revision: list[str]) -> bool:
        """Migrate a blank target, then refuse one at another revision or holding rows; True if migrated."""
        migrated = False
        with self.db.engine.connect() as conn:
            present = repo.existing_tables(conn)
        if not (present - repo.BOOKKEEPING):
            upgrade(self.db.url)  # a blank database: create the schema first
            migrated = True
        with self.db.engine.connect() as conn:
            current = sorted(current_revisions_on(conn))
            if current != revision:
                raise InvalidInput([f"La base cible est à la révision de schéma {', '.join(current) or '(aucune)'}, "
                                    f"l'archive à la révision {', '.join(revision)} : rien n'a été restauré."])
            filled = [(t.name, repo.count(conn, t)) for t in repo.tables()]
            filled = [(name, n) for name, n in filled if n]
        if filled:
            detail = ", ".join(f"« {name} » ({n} ligne{'s' if n > 1 else ''})" for name, n in filled[:5])
            raise InvalidInput([f"La base cible n'est pas vide : {detail}"
                                + (" et d'autres tables" if len(filled) > 5 else "")
                                + ". La restauration ne se fait que dans une base vide ; rien n'a été restauré."])
        return migrated

    def _restore_files(self, zf: zipfile.ZipFile, manifest: dict[str, Any], written: list[Path]) -> None:
        """Write the archive's evidence files under the data folder (``written`` lists them for a rollback)."""
        for entry in manifest.get("files", []):
            target = self.data_dir / PurePosixPath(entry["path"])
            data = zf.read(entry["member"])
            if target.exists():
                if _sha256(target) != entry["sha256"]:
                    raise InvalidInput([f"Fichier « {entry['path']} » : un fichier différent existe déjà dans "
                                        "le dossier de données ; rien n'a été restauré."])
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)


def _load_table(zf: zipfile.ZipFile, conn: Any, entry: dict[str, Any], table: Any) -> int:
    """Insert one table's rows from the archive in batches; the count, checked against the manifest."""
    kinds = {c["name"]: c["type"] for c in entry["columns"]}
    absent = [c.name for c in table.columns if c.name not in kinds]
    extra = [name for name in kinds if name not in table.c]
    if absent or extra:
        raise InvalidInput([f"Table « {table.name} » : colonnes différentes de celles de la base "
                            f"(absentes de l'archive : {', '.join(absent) or 'aucune'} ; inconnues : "
                            f"{', '.join(extra) or 'aucune'})."])
    n = 0
    batch: list[dict[str, Any]] = []
    with zf.open(entry["member"]) as fh:
        for raw in fh:
            data = json.loads(raw)
            batch.append({k: decode(kinds[k], v) for k, v in data.items()})
            if len(batch) >= _BATCH:
                repo.insert_rows(conn, table, batch)
                n += len(batch)
                batch = []
    repo.insert_rows(conn, table, batch)
    n += len(batch)
    if n != entry["rows"]:
        raise InvalidInput([f"Table « {table.name} » : {n} lignes lues, le manifeste en annonce "
                            f"{entry['rows']} ; rien n'a été restauré."])
    return n


def current_revisions_on(conn: Any) -> set[str]:
    """The Alembic heads recorded in the database ``conn`` reads (empty when never migrated)."""
    return set(MigrationContext.configure(conn).get_current_heads())


__all__ = ["FORMAT", "FORMAT_VERSION", "BackupReport", "BackupService", "RestoreReport", "encoded_rows"]
