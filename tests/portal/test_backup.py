"""Backup then restore loses nothing: the demo portfolio (with an evidence file and stored analysis
runs) compared table by table, SQLite -> SQLite, SQLite -> PostgreSQL, PostgreSQL -> SQLite."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from portal.db.models import AuditEvent, ObligationEvidence
from portal.db.session import Database
from portal.repositories import backup as repo
from portal.services import build_services
from portal.services.backup import FORMAT, MANIFEST, BackupService, encoded_rows
from portal.services.errors import InvalidInput
from portal.services.people import SYSTEM
from tests.conftest import (
    PG_URL,
    create_pg_database,
    drop_pg_database,
    pg_database,
    pg_url_for,
    skip_or_fail,
    use_case_data,
)

ROOT = Path(__file__).resolve().parents[2]
EVIDENCE = b"Analyse d'impact relative a la protection des donnees (AIPD), version signee.\n"


def snapshot(url: str) -> dict[str, list[dict]]:
    """Every table of the database at ``url``, rows encoded as in the archive."""
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            return {t.name: list(encoded_rows(conn, t)) for t in repo.tables()}
    finally:
        db.dispose()


def assert_same(source: dict[str, list[dict]], target: dict[str, list[dict]], extra_events: int) -> None:
    """Every table identical; the target's audit trail is the source's plus ``extra_events`` restores."""
    assert source.keys() == target.keys()
    for name in source:
        if name == "audit_event":
            continue
        assert len(target[name]) == len(source[name]), name
        assert target[name] == source[name], name
    events = target["audit_event"]
    assert events[:len(source["audit_event"])] == source["audit_event"]
    added = events[len(source["audit_event"]):]
    assert len(added) == extra_events and all(e["action"] == "restore" for e in added)


@pytest.fixture(scope="module")
def demo_backup(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The demo portfolio plus one evidence file, its snapshot, and one archive of it (made once)."""
    work = tmp_path_factory.mktemp("backup-source")
    db_path = work / "vigie.db"
    shutil.copy(demo_template, db_path)
    url = f"sqlite:///{db_path}"
    data_dir = work / "data"
    svc = build_services(url, data_dir=data_dir)
    uc = next(v for v in svc.register.list() if svc.governance.obligations(v.id))
    ob = svc.governance.obligations(uc.id)[0]
    svc.governance.add_evidence_file(SYSTEM, ob.id, "aipd.txt", EVIDENCE)
    svc.db.dispose()
    before = snapshot(url)
    archive = work / "vigie-backup.zip"
    service = BackupService(Database(url), data_dir)
    report = service.backup(SYSTEM, archive)
    service.db.dispose()
    yield {"url": url, "data_dir": data_dir, "snapshot": before, "archive": archive, "report": report}


def _restore(url: str, data_dir: Path, archive: Path):  # type: ignore[no-untyped-def]
    service = BackupService(Database(url), data_dir)
    try:
        return service.restore(SYSTEM, archive)
    finally:
        service.db.dispose()


def _after_restore_checks(url: str, data_dir: Path, source: dict[str, list[dict]]) -> None:
    svc = build_services(url, data_dir=data_dir)
    try:
        assert svc.audit.verify().ok
        with svc.db.reader() as s:
            ev = s.scalars(select(ObligationEvidence).where(ObligationEvidence.kind == "file")).one()
            evidence_id = ev.id
        name, data, intact = svc.governance.evidence_file(evidence_id)
        assert (name, data, intact) == ("aipd.txt", EVIDENCE, True)
        # keys continue after the restored ones (PostgreSQL sequences were moved)
        created = svc.register.create(SYSTEM, use_case_data(title="Créé après la restauration"))
        assert created.id == max(r["id"] for r in source["use_case"]) + 1
        assert svc.audit.verify().ok
    finally:
        svc.db.dispose()


def test_the_archive_is_documented_and_checksummed(demo_backup):
    archive, before = demo_backup["archive"], demo_backup["snapshot"]
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        assert manifest["format"] == FORMAT and manifest["format_version"] == 1
        assert manifest["alembic_revision"]
        assert {t["name"]: t["rows"] for t in manifest["tables"]} == {k: len(v) for k, v in before.items()}
        for member, digest in manifest["members"].items():
            assert hashlib.sha256(zf.read(member)).hexdigest() == digest
        assert [f["sha256"] for f in manifest["files"]] == [hashlib.sha256(EVIDENCE).hexdigest()]
        artifacts = next(t for t in manifest["tables"] if t["name"] == "analysis_artifact")
        assert artifacts["rows"] > 0 and {"name": "content", "type": "binary"} in artifacts["columns"]
    assert demo_backup["report"].sha256 == hashlib.sha256(archive.read_bytes()).hexdigest()
    # the backup itself is in the source's audit trail, naming the archive's checksum
    svc = build_services(demo_backup["url"], data_dir=demo_backup["data_dir"])
    with svc.db.reader() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    svc.db.dispose()
    assert last.action == "backup" and demo_backup["report"].sha256 in last.payload


def test_sqlite_to_sqlite_loses_nothing(demo_backup, sqlite_url, tmp_path):
    report = _restore(sqlite_url, tmp_path / "data", demo_backup["archive"])
    assert report.chain.ok and not report.migrated
    assert_same(demo_backup["snapshot"], snapshot(sqlite_url), extra_events=1)
    _after_restore_checks(sqlite_url, tmp_path / "data", demo_backup["snapshot"])


def test_a_blank_sqlite_file_is_migrated_then_restored(demo_backup, tmp_path):
    url = f"sqlite:///{tmp_path / 'nouvelle.db'}"
    report = _restore(url, tmp_path / "data", demo_backup["archive"])
    assert report.migrated
    assert_same(demo_backup["snapshot"], snapshot(url), extra_events=1)


@pytest.fixture
def pg_empty(pg_template: str) -> Iterator[str]:
    yield from pg_database(pg_template)


@pytest.mark.postgres
def test_sqlite_to_postgresql_then_back_to_sqlite(demo_backup, pg_empty, sqlite_url, tmp_path):
    source = demo_backup["snapshot"]
    report = _restore(pg_empty, tmp_path / "pg-data", demo_backup["archive"])
    assert report.chain.ok and "use_case.id" in report.sequences
    assert_same(source, snapshot(pg_empty), extra_events=1)
    # PostgreSQL -> SQLite, through a second archive written from PostgreSQL
    second = tmp_path / "from-pg.zip"
    service = BackupService(Database(pg_empty), tmp_path / "pg-data")
    service.backup(SYSTEM, second)
    service.db.dispose()
    report = _restore(sqlite_url, tmp_path / "sqlite-data", second)
    assert report.chain.ok
    assert_same(source, snapshot(sqlite_url), extra_events=2)
    _after_restore_checks(pg_empty, tmp_path / "pg-data", source)
    _after_restore_checks(sqlite_url, tmp_path / "sqlite-data", source)


def test_a_non_empty_database_is_refused_and_left_alone(demo_backup, sqlite_url, tmp_path):
    svc = build_services(sqlite_url, data_dir=tmp_path)
    svc.register.create(SYSTEM, use_case_data())
    svc.db.dispose()
    before = snapshot(sqlite_url)
    with pytest.raises(InvalidInput) as exc:
        _restore(sqlite_url, tmp_path / "data", demo_backup["archive"])
    assert "n'est pas vide" in str(exc.value) and "use_case" in str(exc.value)
    assert snapshot(sqlite_url) == before


def _rewrite(archive: Path, target: Path, member: str, change) -> None:  # type: ignore[no-untyped-def]
    """Copy ``archive`` with ``member`` changed; the manifest's checksum follows the change."""
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        manifest = json.loads(src.read(MANIFEST))
        for info in src.infolist():
            if info.filename in (MANIFEST, member):
                continue
            dst.writestr(info.filename, src.read(info.filename))
        data = change(src.read(member))
        dst.writestr(member, data)
        manifest["members"][member] = hashlib.sha256(data).hexdigest()
        dst.writestr(MANIFEST, json.dumps(manifest))


def test_a_tampered_archive_is_refused_before_anything_is_written(demo_backup, sqlite_url, tmp_path):
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(demo_backup["archive"]) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "tables/use_case.jsonl":
                data = data.replace(b"piscine", b"patinoire", 1) + b"\n"
            dst.writestr(info.filename, data)
    with pytest.raises(InvalidInput) as exc:
        _restore(sqlite_url, tmp_path / "data", tampered)
    assert "tables/use_case.jsonl" in str(exc.value) and "SHA-256" in str(exc.value)
    assert all(not rows for rows in snapshot(sqlite_url).values())


def test_a_broken_audit_chain_rolls_the_whole_restore_back(demo_backup, sqlite_url, tmp_path):
    """Checksums redone by hand but the audit trail edited: the chain check refuses, nothing stays."""
    def edit(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        event = json.loads(lines[3])
        event["actor_name"] = "Quelqu'un d'autre"
        lines[3] = (json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        return b"".join(lines)

    edited = tmp_path / "edited.zip"
    _rewrite(demo_backup["archive"], edited, "tables/audit_event.jsonl", edit)
    with pytest.raises(InvalidInput) as exc:
        _restore(sqlite_url, tmp_path / "data", edited)
    assert "Journal d'audit altéré" in str(exc.value) and "n° 4" in str(exc.value)
    assert all(not rows for rows in snapshot(sqlite_url).values())
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").rglob("*.txt"))


def test_not_an_archive_is_refused_in_french(sqlite_url, tmp_path):
    bogus = tmp_path / "pas-une-sauvegarde.zip"
    bogus.write_text("bonjour", encoding="utf-8")
    with pytest.raises(InvalidInput) as exc:
        _restore(sqlite_url, tmp_path, bogus)
    assert "n'est pas une archive de sauvegarde Vigie" in str(exc.value)


def test_cli_backup_and_restore(sqlite_url, tmp_path):
    """``vigie backup`` then ``vigie restore`` into another (blank) database, from a terminal."""
    svc = build_services(sqlite_url, data_dir=tmp_path / "a")
    svc.register.create(SYSTEM, use_case_data())
    svc.db.dispose()
    archive = tmp_path / "sauvegarde.zip"

    def vigie(url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        env = os.environ | {"VIGIE_DATABASE_URL": url, "VIGIE_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
        return subprocess.run([sys.executable, "-m", "portal.cli", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    done = vigie(sqlite_url, tmp_path / "a", "backup", "--out", str(archive))
    assert done.returncode == 0, done.stderr
    assert "Sauvegarde écrite" in done.stdout
    target = f"sqlite:///{tmp_path / 'b.db'}"
    done = vigie(target, tmp_path / "b", "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert "Journal d'audit intègre" in done.stdout
    again = vigie(target, tmp_path / "b", "restore", str(archive))
    assert again.returncode == 1 and "n'est pas vide" in again.stderr
    assert snapshot(target)["use_case"] == snapshot(sqlite_url)["use_case"]


@pytest.mark.postgres
def test_a_generated_portfolio_of_a_thousand_use_cases_moves_to_postgresql_and_back(sqlite_url, pg_empty, tmp_path):
    """1 000 use cases with data sources and risks, SQLite -> PostgreSQL -> SQLite, table by table."""
    svc = build_services(sqlite_url, data_dir=tmp_path / "a")
    items = [(use_case_data(title=f"Cas généré n° {i}", direction=f"Direction {i % 13}",
                            problem="Texte long, accentué : « é à ç ß 漢字 » " * (i % 7), build_cost=i * 10.5,
                            tags=[f"t{i % 5}"]), {"generated": i}) for i in range(1000)]
    ids = svc.register.create_many(SYSTEM, items)
    for i in ids[::10]:
        svc.register.add_data_source(SYSTEM, i, {"name": f"Source {i}", "origin": "internal", "personal_data": i % 2 == 0})
        svc.register.add_risk(SYSTEM, i, {"category": "bias", "description": f"Risque {i}", "likelihood": 1 + i % 5,
                                          "severity": 1 + (i * 3) % 5})
    svc.db.dispose()
    source = snapshot(sqlite_url)
    assert len(source["use_case"]) == 1000
    first = tmp_path / "sqlite.zip"
    service = BackupService(Database(sqlite_url), tmp_path / "a")
    service.backup(SYSTEM, first)
    service.db.dispose()
    _restore(pg_empty, tmp_path / "b", first)
    assert_same(source, snapshot(pg_empty), extra_events=1)
    second = tmp_path / "pg.zip"
    service = BackupService(Database(pg_empty), tmp_path / "b")
    service.backup(SYSTEM, second)
    service.db.dispose()
    target = f"sqlite:///{tmp_path / 'c.db'}"
    _restore(target, tmp_path / "c", second)
    assert_same(source, snapshot(target), extra_events=2)


def test_only_an_administrator_backs_up_or_restores(sqlite_url, tmp_path):
    from policies.access import PermissionDenied
    from policies.vocabulary import Principal, Role

    director = Principal(person_id=5, display_name="Directrice", roles=frozenset({Role.DIRECTOR, Role.COMPLIANCE}))
    service = BackupService(Database(sqlite_url), tmp_path)
    try:
        with pytest.raises(PermissionDenied):
            service.backup(director, tmp_path / "x.zip")
        assert not (tmp_path / "x.zip").exists()
        with pytest.raises(PermissionDenied):
            service.restore(director, tmp_path / "x.zip")
    finally:
        service.db.dispose()


@pytest.mark.postgres
def test_a_blank_postgresql_database_is_migrated_then_restored(demo_backup, tmp_path):
    if not PG_URL:
        skip_or_fail("PostgreSQL non configuré (VIGIE_TEST_DATABASE_URL)")
    name = create_pg_database()  # no template: not even migrated
    try:
        url = pg_url_for(name)
        report = _restore(url, tmp_path / "data", demo_backup["archive"])
        assert report.migrated and report.chain.ok
        assert_same(demo_backup["snapshot"], snapshot(url), extra_events=1)
    finally:
        drop_pg_database(name)
