"""``vigie bench --scale``: a large portfolio built by bulk inserts, not through the services.

The demo portfolio is seeded first (people, roles and eighteen consistent use cases with their
governance, portfolio and monitoring rows); every demo use case is then cloned with all the rows
that hang off it, ids shifted per copy so foreign keys stay consistent, until the register holds
``use_cases`` rows. Data sources and risks are topped up to five of each per use case, monitoring
runs to a hundred column results (« points ») per use case, and the audit trail to twenty events
per use case, hash-chained like the real one so ``vigie audit verify`` checks it all.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, insert, make_url, select

from portal.db.migrate import upgrade
from portal.db.models import Base
from portal.services import audit as audit_service
from portal.services import build_services
from portal.services.people import SYSTEM

#: Tables cloned with their use case; the others (files, notifications, reports) are left to the demo.
CLONED = ("use_case", "analysis_binding", "benefit_measure", "budget_line", "classification", "data_source",
          "gate_request", "monitoring_outcome", "monitoring_reference", "obligation_record", "periodic_review",
          "public_register_entry", "risk", "use_case_score", "gate_decision", "monitoring_config",
          "monitoring_run", "monitoring_alert", "monitoring_column_result")
CHUNK = 20_000


@dataclass(frozen=True)
class Sizes:
    """The target row counts; ``for_use_cases(10_000)`` is the issue's scale."""

    use_cases: int
    data_sources: int
    risks: int
    audit_events: int
    monitoring_points: int

    @classmethod
    def for_use_cases(cls, n: int) -> Sizes:
        return cls(n, 5 * n, 5 * n, 20 * n, 100 * n)


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _rows(conn: Connection, name: str) -> list[dict[str, Any]]:
    table = _table(name)
    return [dict(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()]


def _insert(conn: Connection, name: str, rows: Iterator[dict[str, Any]]) -> int:
    """Executemany in chunks, so memory stays flat whatever the count."""
    table, batch, done = _table(name), [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            conn.execute(insert(table), batch)
            done, batch = done + len(batch), []
    if batch:
        conn.execute(insert(table), batch)
        done += len(batch)
    return done


class Cloner:
    """Copies of the demo rows: copy ``k`` of row ``id`` of table T gets id ``(k + 1) * stride[T] + id``."""

    def __init__(self, conn: Connection, use_cases: int) -> None:
        self.conn = conn
        self.demo = {name: _rows(conn, name) for name in CLONED}
        self.stride = {name: max((r["id"] for r in rows), default=0) + 1 for name, rows in self.demo.items()}
        self.templates = [r["id"] for r in self.demo["use_case"]]
        self.n = use_cases
        self.copies = -(-use_cases // len(self.templates))
        self.fk = {name: {c.name: next(iter(c.foreign_keys)).column.table.name
                          for c in _table(name).columns if c.foreign_keys} for name in CLONED}

    def new_id(self, table: str, old: int, k: int) -> int:
        return (k + 1) * self.stride[table] + old

    def wanted(self, k: int, use_case_id: int) -> bool:
        return k * len(self.templates) + self.templates.index(use_case_id) < self.n

    def copy(self, table: str, row: dict[str, Any], k: int) -> dict[str, Any]:
        out = dict(row)
        out["id"] = self.new_id(table, row["id"], k)
        for col, target in self.fk[table].items():
            if target in self.stride and row[col] is not None:
                out[col] = self.new_id(target, row[col], k)
        if table == "use_case":
            out["reference"] = f"UC-S{k:04d}-{row['reference'].rsplit('-', 1)[-1]}"
            out["title"] = f"{row['title']} — copie {k + 1}"
            out["direction"] = f"{row['direction']} ({k % 40 + 1})"
        if table == "monitoring_run":
            out["report_html"] = None  # the Evidently pages are not what is measured
        return out

    def owner(self, table: str, row: dict[str, Any]) -> int:
        """The demo use case a row belongs to."""
        if "use_case_id" in row:
            return row["use_case_id"]
        if table == "monitoring_column_result":
            return self._run_owner[row["run_id"]]
        return row["id"]

    def rows(self, table: str) -> Iterator[dict[str, Any]]:
        self._run_owner = {r["id"]: r["use_case_id"] for r in self.demo["monitoring_run"]}
        for k in range(self.copies):
            for row in self.demo[table]:
                if self.wanted(k, self.owner(table, row) if table != "use_case" else row["id"]):
                    yield self.copy(table, row, k)


def _top_up(conn: Connection, cloner: Cloner, table: str, target: int, rng: random.Random) -> int:
    """Extra rows of ``table`` cloned from random demo rows onto random copied use cases."""
    have = conn.scalar(select(func.count()).select_from(_table(table))) or 0
    next_id = (conn.scalar(select(func.max(_table(table).c.id))) or 0) + 1
    uc_ids = [cloner.new_id("use_case", t, k) for k in range(cloner.copies) for t in cloner.templates
              if cloner.wanted(k, t)]
    demo = cloner.demo[table]

    def gen() -> Iterator[dict[str, Any]]:
        for i in range(max(0, target - have)):
            row = dict(demo[i % len(demo)])
            row.update(id=next_id + i, use_case_id=rng.choice(uc_ids))
            yield row

    return _insert(conn, table, gen())


def _monitoring_points(conn: Connection, cloner: Cloner, target: int) -> int:
    """Older runs of the copied monitored use cases (same columns, a day apart) until ``target`` points."""
    runs, results = _table("monitoring_run"), _table("monitoring_column_result")
    have = conn.scalar(select(func.count()).select_from(results)) or 0
    by_run: dict[int, list[dict[str, Any]]] = {}
    for r in cloner.demo["monitoring_column_result"]:
        by_run.setdefault(r["run_id"], []).append(r)
    demo_runs = [r for r in cloner.demo["monitoring_run"] if by_run.get(r["id"])]
    if not demo_runs:
        return 0
    copies = [(k, r) for k in range(cloner.copies) for r in demo_runs if cloner.wanted(k, r["use_case_id"])]
    run_id = (conn.scalar(select(func.max(runs.c.id))) or 0) + 1
    res_id = (conn.scalar(select(func.max(results.c.id))) or 0) + 1
    made, age = have, 1
    run_batch: list[dict[str, Any]] = []
    res_batch: list[dict[str, Any]] = []
    while made < target:
        for k, demo_run in copies:
            if made >= target:
                break
            run = cloner.copy("monitoring_run", demo_run, k)
            run.update(id=run_id, created_at=demo_run["created_at"] - dt.timedelta(days=age), trigger="job")
            run_batch.append(run)
            for res in by_run[demo_run["id"]]:
                res_batch.append(dict(res, id=res_id, run_id=run_id))
                res_id += 1
                made += 1
            run_id += 1
            if len(res_batch) >= CHUNK:
                conn.execute(insert(runs), run_batch)
                conn.execute(insert(results), res_batch)
                run_batch, res_batch = [], []
        age += 1
    if run_batch:
        conn.execute(insert(runs), run_batch)
        conn.execute(insert(results), res_batch)
    return made


def _audit(conn: Connection, cloner: Cloner, target: int, rng: random.Random) -> int:
    """Events cloned from the demo trail onto copied use cases, chained from the demo's last hash."""
    table = _table("audit_event")
    have = conn.scalar(select(func.count()).select_from(table)) or 0
    demo = [dict(r) for r in conn.execute(select(table).order_by(table.c.seq)).mappings()]
    prev = demo[-1]["hash"] if demo else audit_service.GENESIS
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=730)
    step = dt.timedelta(days=730) / max(1, target)

    def gen() -> Iterator[dict[str, Any]]:
        nonlocal prev
        for i in range(max(0, target - have)):
            ev = demo[i % len(demo)]
            k = rng.randrange(cloner.copies)
            uc = ev["use_case_id"]
            uc = cloner.new_id("use_case", uc, k) if uc is not None and cloner.wanted(k, uc) else uc
            at = start + i * step
            h = audit_service.event_hash(prev, at, ev["actor_id"], ev["actor_name"], ev["action"], ev["entity"],
                                         ev["entity_id"], uc, ev["payload"])
            yield {"at": at, "actor_id": ev["actor_id"], "actor_name": ev["actor_name"], "action": ev["action"],
                   "entity": ev["entity"], "entity_id": ev["entity_id"], "use_case_id": uc,
                   "payload": ev["payload"], "prev_hash": prev, "hash": h}
            prev = h

    return _insert(conn, "audit_event", gen())


def _after_bulk(engine: Any) -> None:
    """Sequences moved past the explicit ids (PostgreSQL), then fresh planner statistics."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for name in (*CLONED, "audit_event"):
                key = "seq" if name == "audit_event" else "id"
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', '{key}'), "
                                     f"(SELECT COALESCE(MAX({key}), 1) FROM {name}))")
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def build(url: str, sizes: Sizes, seed: int = 0, log: Any = print, demo_copy: Path | None = None) -> dict[str, int]:
    """Migrate ``url``, seed the demo, then bulk-insert up to ``sizes``; returns the rows per table.
    ``demo_copy``: a SQLite file already seeded with the demo, copied to ``url`` (a SQLite URL) instead
    of seeding again (the tests)."""
    from portal.demo import seed_demo

    t0 = time.perf_counter()
    if demo_copy is not None:
        shutil.copy(demo_copy, make_url(url).database or "")
    upgrade(url)
    svc = build_services(url)
    if demo_copy is None:
        seed_demo(svc, SYSTEM)
    log(f"  démonstration semée ({time.perf_counter() - t0:.1f} s)")
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    with svc.db.engine.begin() as conn:
        cloner = Cloner(conn, sizes.use_cases - len(_rows(conn, "use_case")))
        for table in CLONED:
            counts[table] = _insert(conn, table, cloner.rows(table))
        counts["data_source"] += _top_up(conn, cloner, "data_source", sizes.data_sources, rng)
        counts["risk"] += _top_up(conn, cloner, "risk", sizes.risks, rng)
        counts["monitoring_column_result"] = _monitoring_points(conn, cloner, sizes.monitoring_points)
        counts["audit_event"] = _audit(conn, cloner, sizes.audit_events, rng)
    _after_bulk(svc.db.engine)
    with svc.db.engine.connect() as conn:
        totals = {name: conn.scalar(select(func.count()).select_from(_table(name))) or 0
                  for name in (*CLONED, "audit_event")}
    svc.db.dispose()
    log(f"  données construites en {time.perf_counter() - t0:.1f} s")
    return totals
