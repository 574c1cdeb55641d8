"""PostgreSQL: the application's database role, which may write everything except the audit trail.

Run by the schema owner (the role that ran the migrations). The application role gets SELECT/INSERT
on ``audit_event`` only (no UPDATE, DELETE, TRUNCATE), read-only access to ``alembic_version``, and
the ordinary rights on the other tables; the append-only triggers of migration 0001 stay as a
second line of defence (they also stop the owner's mistakes).
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, text

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
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
        if not exists:
            run.append(f"CREATE ROLE {q} {'LOGIN' if password else 'NOLOGIN'}")
            conn.execute(text(run[-1]))
        if password:
            conn.execute(text(f"ALTER ROLE {q} LOGIN PASSWORD :p").bindparams(p=password))
            run.append(f"ALTER ROLE {q} LOGIN PASSWORD '…'")
        dbname = conn.execute(text("SELECT current_database()")).scalar()
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))]
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
            conn.execute(text(stmt))
        run += statements
    return run
