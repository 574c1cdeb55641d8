"""The audit trail: append-only in the database, and tampering detected by ``vigie audit verify``."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.cli import main
from tests.conftest import use_case_data


def _fill(services, people) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        uc = services.register.create(people["lead"], use_case_data(title=f"Cas {i}"))
        services.register.update(people["lead"], uc.id, uc.version, uc.editable_fields() | {"service": "Accueil"})


def test_intact_chain_verifies(services, people, cli_env, capsys):
    _fill(services, people)
    assert main(["audit", "verify"]) == 0
    assert "Journal d'audit intègre" in capsys.readouterr().out


def test_the_database_refuses_updates_and_deletes(services, people):
    _fill(services, people)
    with pytest.raises(DBAPIError, match="append-only"), services.db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET actor_name = 'Quelqu''un' WHERE seq = 2"))
    with pytest.raises(DBAPIError, match="append-only"), services.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_event WHERE seq = 2"))


def _disable_protection(conn) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with owner rights on the database could do."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        conn.execute(text("DROP TRIGGER audit_event_no_update"))
        conn.execute(text("DROP TRIGGER audit_event_no_delete"))


def test_tampering_with_one_row_is_detected_and_named(services, people, cli_env, capsys):
    _fill(services, people)
    with services.db.engine.begin() as conn:
        target = conn.execute(text("SELECT min(seq) FROM audit_event WHERE action = 'update'")).scalar()
        _disable_protection(conn)
        conn.execute(text("UPDATE audit_event SET payload = replace(payload, 'Accueil', 'Autre') WHERE seq = :s"),
                     {"s": target})
    assert main(["audit", "verify"]) == 2
    out = capsys.readouterr().out
    assert f"Journal d'audit altéré : premier événement en défaut n° {target}" in out


def test_deleting_a_row_breaks_the_chain_at_the_next_one(services, people, cli_env, capsys):
    _fill(services, people)
    with services.db.engine.begin() as conn:
        _disable_protection(conn)
        conn.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    assert main(["audit", "verify"]) == 2
    assert "premier événement en défaut n° 4 (le chaînage" in capsys.readouterr().out
