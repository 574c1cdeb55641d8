"""Alembic environment: batch mode on SQLite (it lacks most ALTER TABLE), online and offline."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from portal.db.models import Base
from portal.db.session import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(conn: Connection) -> None:
    # SQLite alters a table by copying it (batch mode): with foreign keys enforced, dropping the old
    # copy of a parent table would cascade-delete its children's rows. Off for the migration (the
    # pragma only takes effect outside a transaction), checked and back on after.
    raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
    guard = raw is not None and not raw.in_transaction
    if guard:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if guard:
            raw.execute("PRAGMA foreign_keys=ON")
    if guard and raw.execute("PRAGMA foreign_key_check").fetchall():
        raise RuntimeError("Migration SQLite : des lignes référencent des lignes absentes (PRAGMA foreign_key_check).")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
