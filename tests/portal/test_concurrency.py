"""Concurrent writers on one database: every write is accounted for and the audit chain stays linear."""

from __future__ import annotations

import threading

from portal.db.models import AuditEvent, UseCase
from portal.services import build_services
from tests.conftest import use_case_data
from tests.rows import count_rows

WRITERS = 20


def test_twenty_concurrent_writers_lose_nothing(db_url, people):
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []
    refs: list[str] = []
    lock = threading.Lock()
    # Each writer has its own engine and connections, as separate portal processes would.
    engines = [build_services(db_url) for _ in range(WRITERS)]

    def write(i: int) -> None:
        svc = engines[i]
        try:
            barrier.wait(timeout=30)
            uc = svc.register.create(people["lead"], use_case_data(title=f"Cas concurrent {i}"))
            svc.register.add_risk(people["lead"], uc.id, {"category": "quality", "description": f"Risque {i}",
                                                          "likelihood": 2, "severity": 3})
            with lock:
                refs.append(uc.reference)
        except BaseException as exc:
            errors.append(exc)

    with_audit_before = count_rows(engines[0], AuditEvent)
    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    try:
        assert errors == []
        assert len(refs) == WRITERS and len(set(refs)) == WRITERS
        assert count_rows(engines[0], UseCase) == WRITERS
        assert count_rows(engines[0], AuditEvent) == with_audit_before + 2 * WRITERS
        report = engines[0].audit.verify()
        assert report.ok, report.message()
    finally:
        for svc in engines:
            svc.db.dispose()

