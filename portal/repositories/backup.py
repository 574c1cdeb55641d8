"""Whole-database reads and writes for backup and restore, table by table from the ORM metadata.

No table is named here: every query is built from ``Base.metadata`` so a new table is backed up
and restored without touching this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, inspect, select, text

from portal.db.models import Base

#: Tables the database holds besides the application's own (Alembic's bookkeeping).
BOOKKEEPING = frozenset({"alembic_version"})


def tables() -> list[Table]:
    """Every table of the application, parents before children (foreign-key order)."""
    return list(Base.metadata.sorted_tables)


def existing_tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def iter_rows(conn: Connection, table: Table, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every row of ``table`` as a mapping of column name to Python value, in primary-key order."""
    key = list(table.primary_key.columns)
    result = conn.execution_options(yield_per=batch).execute(select(table).order_by(*key))
    for row in result.mappings():
        yield dict(row)


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(table.insert(), list(rows))


def reset_sequences(conn: Connection) -> list[str]:
    """PostgreSQL: move each serial column's sequence past the restored rows (SQLite needs nothing).

    Returns the ``table.column`` names whose sequence was set.
    """
    if conn.dialect.name != "postgresql":
        return []
    done = []
    for table in tables():
        for column in table.primary_key.columns:
            seq = conn.execute(select(func.pg_get_serial_sequence(table.name, column.name))).scalar()
            if not seq:
                continue
            # setval(seq, max, true): the next value is max + 1; on an empty table, 1 (is_called false).
            quote = conn.dialect.identifier_preparer.quote
            col, tab = quote(column.name), quote(table.name)
            conn.execute(text(f"SELECT setval(CAST(:seq AS regclass), COALESCE((SELECT MAX({col}) FROM {tab}), 1), "
                              f"(SELECT COUNT(*) > 0 FROM {tab}))"), {"seq": seq})
            done.append(f"{table.name}.{column.name}")
    return done
