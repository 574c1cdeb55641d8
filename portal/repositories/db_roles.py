"""PostgreSQL catalogue reads and role statements, run on the schema owner's connection.

The service (``portal.services.grants``) decides which rights each table gets; this module only
talks to the database."""

from __future__ import annotations

from sqlalchemy import Connection, text


def role_exists(conn: Connection, role: str) -> bool:
    return bool(conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar())


def set_login_password(conn: Connection, quoted_role: str, password: str) -> None:
    """``quoted_role`` is the role name already checked and double-quoted by the caller."""
    conn.execute(text(f"ALTER ROLE {quoted_role} LOGIN PASSWORD :p").bindparams(p=password))


def current_database(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_database()")).scalar())


def public_tables(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))]


def run_statement(conn: Connection, statement: str) -> None:
    """One DDL or GRANT statement built by the caller from checked names (no user value inside)."""
    conn.execute(text(statement))
