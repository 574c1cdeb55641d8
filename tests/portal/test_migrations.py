"""Migrations build the schema the models describe, from empty, and can go down and up again."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from portal.db.migrate import alembic_config, downgrade, head_revisions, is_up_to_date, upgrade
from portal.db.models import Base


def test_upgrade_from_empty_to_head_matches_the_models(db_url):
    # db_url is already migrated (from the template); go back to empty and up again.
    downgrade(db_url, "base")
    engine = create_engine(db_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(db_url)
    assert is_up_to_date(engine)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
    command.check(alembic_config(db_url))  # raises if the models and the migrations differ


def test_one_step_down_and_up_again(db_url):
    downgrade(db_url, "-1")
    upgrade(db_url)
    command.check(alembic_config(db_url))


def test_there_is_a_single_head():
    assert len(head_revisions()) == 1
