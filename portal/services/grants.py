"""PostgreSQL: the application's database role, which may write everything except the audit trail.

Run by the schema owner (the role that ran the migrations). The application role gets SELECT/INSERT
on ``audit_event`` only (no UPDATE, DELETE, TRUNCATE), read-only access to ``alembic_version``, and
the ordinary rights on the other tables; the append-only triggers of migration 0001 stay as a
second line of defence (they also stop the owner's mistakes).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine

from portal.repositories import db_roles

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
AUDIT_TABLE = "audit_event"
READ_ONLY_TABLES = ("alembic_version",)


class GrantError(ValueError):
    pass


def grant_app_role(engine: Engine, role: str, *, password: str | None = None) -> list[str]:
    """Create ``role`` if needed (LOGIN when a password is given) and grant it; the statements run."""
    if engine.dialect.name != "postgresql":
        raise GrantError("les droits par rôle ne concernent que PostgreSQL")
    if not ROLE_NAME.match(role):
        raise GrantError(f"nom de rôle invalide : {role!r} (minuscules, chiffres, _)")
    q = f'"{role}"'
    run: list[str] = []
    with engine.begin() as conn:
        if not db_roles.role_exists(conn, role):
            run.append(f"CREATE ROLE {q} {'LOGIN' if password else 'NOLOGIN'}")
            db_roles.run_statement(conn, run[-1])
        if password:
            db_roles.set_login_password(conn, q, password)
            run.append(f"ALTER ROLE {q} LOGIN PASSWORD '…'")
        dbname = db_roles.current_database(conn)
        tables = db_roles.public_tables(conn)
        statements = [f'GRANT CONNECT ON DATABASE "{dbname}" TO {q}', f"GRANT USAGE ON SCHEMA public TO {q}"]
        for table in tables:
            statements.append(f'REVOKE ALL ON TABLE "{table}" FROM {q}')
            if table == AUDIT_TABLE:
                statements.append(f'GRANT SELECT, INSERT ON TABLE "{table}" TO {q}')
            elif table in READ_ONLY_TABLES:
                statements.append(f'GRANT SELECT ON TABLE "{table}" TO {q}')
            else:
                statements.append(f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "{table}" TO {q}')
        statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}")
        # tables and sequences the owner creates in later migrations: ordinary rights (re-run this
        # command after each migration anyway; audit_event is never re-created)
        statements.append(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
                          f"ON TABLES TO {q}")
        statements.append(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {q}")
        for stmt in statements:
            db_roles.run_statement(conn, stmt)
        run += statements
    return run
