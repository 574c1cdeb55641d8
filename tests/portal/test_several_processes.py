"""Several portal processes against one PostgreSQL database (docs/production.md): what one process
writes, the other sees at its next run; concurrent writers from both keep the audit chain linear."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.db.models import AuditEvent
from portal.services import build_services
from tests.conftest import pg_database
from tests.rows import count_rows

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.postgres


class Process:
    """One real portal-like process, driven line by line."""

    def __init__(self, url: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.portal.portal_process", url], cwd=ROOT, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.ask_line() == "ready"

    def ask_line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def ask(self, command: str) -> str:
        self.send(command)
        return self.ask_line()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.send("quit")
            self.proc.wait(timeout=60)


@pytest.fixture
def pg_url(pg_template: str) -> Iterator[str]:
    yield from pg_database(pg_template)


@pytest.fixture
def two(pg_url: str) -> Iterator[tuple[Process, Process]]:
    a, b = Process(pg_url), Process(pg_url)
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def test_what_one_process_writes_the_other_sees_at_its_next_run(two):
    a, b = two
    assert b.ask("count") == "0"  # b has read once: its pool holds a connection
    ref = a.ask("create Tri des courriers")
    assert ref.startswith("UC-")
    assert b.ask("count") == "1"


def test_concurrent_writers_from_two_processes_keep_the_audit_chain_linear(two, pg_url):
    a, b = two
    a.send("burst 25 A")  # both run at once: neither waits for the other's answer before starting
    b.send("burst 25 B")
    refs = a.ask_line().split(",") + b.ask_line().split(",")
    assert len(refs) == 50 and len(set(refs)) == 50  # no reference handed out twice
    svc = build_services(pg_url)
    try:
        assert count_rows(svc, AuditEvent) == 50  # one creation event each, none lost
        report = svc.audit.verify()
        assert report.ok and report.checked == 50, report.message()
    finally:
        svc.db.dispose()
