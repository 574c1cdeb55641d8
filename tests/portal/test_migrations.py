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


def test_roles_and_sessions_made_before_0008_keep_working_after_the_upgrade(db_url):
    """From the previous release's head (0007) with data: an existing role counts as granted in
    Vigie (the group mapping never revokes it), an open session is still open and idles from its
    opening, and the public report table starts empty."""
    import datetime as dt

    from sqlalchemy import text

    from portal.services import build_services
    from portal.services.sign_in_sessions import key_hash

    downgrade(db_url, "0007_public_register")
    engine = create_engine(db_url)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO person (id, display_name, active, created_at, version) "
                          "VALUES (41, 'Agent ancien', :t, :now, 1)"), {"t": True, "now": now})
        conn.execute(text("INSERT INTO role_assignment (person_id, role, granted_at) VALUES (41, 'compliance', :now)"),
                     {"now": now})
        conn.execute(text("INSERT INTO identity_session (key_hash, person_id, method, opened_at, expires_at) "
                          "VALUES (:h, 41, 'demo', :now, :later)"),
                     {"h": key_hash("old-key"), "now": now, "later": now + dt.timedelta(hours=12)})
    engine.dispose()
    upgrade(db_url)
    services = build_services(db_url)
    try:
        person = services.people.get(41)
        assert person.roles and person.group_roles == ()
        assert services.sign_in_sessions.check("old-key").status == "ok"
        later = now + dt.timedelta(minutes=31)
        assert services.sign_in_sessions.check("old-key", now=later, idle_after=dt.timedelta(minutes=30)).status == "idle"
        with services.db.reader() as s:
            assert s.execute(text("SELECT count(*) FROM public_report")).scalar() == 0
    finally:
        services.db.dispose()


def test_sheets_made_before_0011_keep_working_after_the_upgrade(db_url, services, people):
    """A use case and its sensitive source from the previous release's head (0010): after the upgrade
    they read as before, with no Art. 9(2) exception and no policy domain yet, and can be given both."""
    from portal.services import build_services
    from tests.conftest import use_case_data

    uc = services.register.create(people["lead"], use_case_data())
    services.register.add_data_source(people["lead"], uc.id, {
        "name": "Dossiers APA", "origin": "internal", "personal_data": True, "sensitive_data": True,
        "legal_basis": "legal_obligation", "art9_exception": "9(2)(h)"})
    services.db.dispose()
    downgrade(db_url, "0010_public_report")  # the columns go, the rows stay
    upgrade(db_url)
    services = build_services(db_url)
    try:
        sheet = services.register.get(uc.id)
        (ds,) = sheet.data_sources
        assert (sheet.title, ds.name, ds.sensitive_data) == (uc.title, "Dossiers APA", True)
        assert ds.art9_exception is None and sheet.domain is None
        services.register.update(people["lead"], uc.id, sheet.version, sheet.editable_fields() | {"domain": "health"})
        fixed = services.register.update_data_source(
            people["lead"], ds.id, ds.version, {"name": ds.name, "origin": "internal", "personal_data": True,
                                                "sensitive_data": True, "art9_exception": "9(2)(h)"})
        assert fixed.art9_exception == "9(2)(h)" and services.register.get(uc.id).domain == "health"
        assert services.audit.verify().ok
    finally:
        services.db.dispose()


def test_benefit_measures_made_before_0016_get_version_1_and_refuse_a_stale_correction(db_url, services, people):
    """A measure from the previous head (0015) reads as version 1 after the upgrade; its correction
    from version 1 goes through, and a second one from the same version is refused."""
    import datetime as dt

    import pytest

    from portal.services import build_services
    from portal.services.errors import StaleEdit
    from tests.conftest import use_case_data

    uc = services.register.create(people["lead"], use_case_data())
    measure_id = services.portfolio.add_benefit_measure(people["lead"], uc.id, {
        "indicator": "Délai", "baseline": 10, "target": 4, "measured": 7, "measured_on": dt.date(2026, 10, 1)})
    services.db.dispose()
    downgrade(db_url, "0015_notifications")  # the column goes, the row stays
    upgrade(db_url)
    services = build_services(db_url)
    try:
        shown = services.portfolio.editable_benefit_measure(measure_id)
        assert shown.version == 1 and shown.fields["measured"] == 7
        assert services.portfolio.update_benefit_measure(people["lead"], measure_id, {**shown.fields, "measured": 6},
                                                         expected_version=1) == "updated"
        with pytest.raises(StaleEdit):
            services.portfolio.update_benefit_measure(people["lead"], measure_id, {**shown.fields, "measured": 5},
                                                      expected_version=1)
        assert services.portfolio.benefit_measure(measure_id)["measured"] == 6
    finally:
        services.db.dispose()
