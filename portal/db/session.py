"""Engine and session factory, without Streamlit, shared by the portal, the CLI and the tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL and takes its write lock when a transaction begins.

    pysqlite's default opens the transaction lazily, before the first write only, so a
    read-then-write (next reference number, last audit hash) could interleave with another
    writer and lose an update. ``BEGIN IMMEDIATE`` takes the lock up front; ``busy_timeout``
    makes the other writers wait for it instead of failing.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
            cur = dbapi_conn.cursor()
            for pragma in ("journal_mode=WAL", "busy_timeout=30000", "foreign_keys=ON", "synchronous=NORMAL"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # Reads (see Database.reader) keep a deferred BEGIN so they never wait for a writer.
            readonly = conn.get_execution_options().get("vigie_readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after the unit of work closes; services return plain views anyway.
    return sessionmaker(engine, expire_on_commit=False)


class Database:
    """An engine with two session factories: ``writer`` for units of work, ``reader`` for reads."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self.writer = make_sessionmaker(self.engine)
        self.reader = make_sessionmaker(self.engine.execution_options(vigie_readonly=True))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()
