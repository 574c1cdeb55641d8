"""Identity: server-side sessions, OIDC sign-in resolution, group mapping, first admin, grants."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import create_engine, event, select, text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from policies.access import PermissionDenied
from policies.vocabulary import Role
from portal.cli import main, streamlit_hardening
from portal.db.models import AuditEvent, IdentitySession
from portal.services import build_services
from portal.services.errors import InvalidInput
from portal.services.grants import GrantError, grant_app_role
from portal.services.identity import parse_group_role_map
from portal.services.people import SYSTEM
from portal.services.sign_in_sessions import new_demo_key
from portal.settings import load_settings
from tests.conftest import use_case_data

HOUR = dt.timedelta(hours=1)
ISS = "https://idp.mairie-test.fr"


def _actions(services) -> list[str]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def _last_payload(services, action: str) -> str:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalars(select(AuditEvent.payload).where(AuditEvent.action == action)
                         .order_by(AuditEvent.seq.desc())).first() or ""


# ---- session guard --------------------------------------------------------------------------------

def test_a_session_opens_checks_and_closes_with_audit(services, people):
    key = new_demo_key()
    services.sign_in_sessions.open(people["lead"].person_id, key, method="demo", max_age=HOUR)
    check = services.sign_in_sessions.check(key)
    assert check.status == "ok" and check.principal.roles == {Role.PROJECT_LEAD}
    assert services.sign_in_sessions.check("another key").status == "unknown"
    with services.db.reader() as s:  # only the hash of the key is stored
        assert key not in {r.key_hash for r in s.scalars(select(IdentitySession))}
    assert services.sign_in_sessions.close(key) is True
    assert services.sign_in_sessions.check(key).status == "revoked"
    assert services.sign_in_sessions.close(key) is False  # closing twice records nothing more
    assert _actions(services)[-2:] == ["login", "logout"]
    assert services.audit.verify().ok


def test_a_session_expires_after_its_maximum_age(services, people):
    key = new_demo_key()
    services.sign_in_sessions.open(people["reader"].person_id, key, method="demo", max_age=dt.timedelta(hours=12))
    now = dt.datetime.now(dt.UTC)
    assert services.sign_in_sessions.check(key, now=now + dt.timedelta(hours=11, minutes=59)).status == "ok"
    assert services.sign_in_sessions.check(key, now=now + dt.timedelta(hours=12, minutes=1)).status == "expired"


def test_a_session_ends_after_a_period_without_any_page_run(services, people):
    key = new_demo_key()
    services.sign_in_sessions.open(people["reader"].person_id, key, method="demo", max_age=dt.timedelta(hours=12))
    idle = dt.timedelta(minutes=30)
    t0 = dt.datetime.now(dt.UTC)
    check = services.sign_in_sessions.check(key, now=t0 + dt.timedelta(minutes=29), idle_after=idle)
    assert check.status == "ok" and check.needs_touch(t0 + dt.timedelta(minutes=29))
    # a page run at +29 min keeps it alive for another 30 minutes
    assert services.sign_in_sessions.touch(key, now=t0 + dt.timedelta(minutes=29)) is True
    assert services.sign_in_sessions.touch(key, now=t0 + dt.timedelta(minutes=29, seconds=30)) is False  # at most once a minute
    later = t0 + dt.timedelta(minutes=58)
    check = services.sign_in_sessions.check(key, now=later, idle_after=idle)
    assert check.status == "ok" and not check.needs_touch(t0 + dt.timedelta(minutes=29, seconds=20))
    assert services.sign_in_sessions.check(key, now=t0 + dt.timedelta(minutes=60), idle_after=idle).status == "idle"
    # without an idle limit the same session is still open, until its maximum age
    assert services.sign_in_sessions.check(key, now=t0 + dt.timedelta(hours=2)).status == "ok"
    assert services.sign_in_sessions.close(key, "idle") is True
    assert services.sign_in_sessions.check(key).status == "revoked"
    assert '"reason":"idle"' in _last_payload(services, "logout")
    assert services.audit.verify().ok


def test_the_idle_limit_is_a_setting():
    assert load_settings({}).session_idle_minutes == 30
    assert load_settings({"VIGIE_SESSION_IDLE_MINUTES": "0"}).session_idle_minutes == 0
    with pytest.raises(Exception, match="VIGIE_SESSION_IDLE_MINUTES"):
        load_settings({"VIGIE_SESSION_IDLE_MINUTES": "-5"})


def test_a_role_change_revokes_the_persons_sessions(services, people):
    key, other = new_demo_key(), new_demo_key()
    lead = people["lead"].person_id
    services.sign_in_sessions.open(lead, key, method="demo", max_age=HOUR)
    services.sign_in_sessions.open(people["reader"].person_id, other, method="demo", max_age=HOUR)
    person = services.people.get(lead)
    services.people.set_roles(people["admin"], lead, ["project_lead", "compliance"], person.version)
    assert services.sign_in_sessions.check(key).status == "revoked"
    assert services.sign_in_sessions.check(other).status == "ok"  # nobody else is signed out
    assert "revoke_sessions" in _actions(services)
    assert '"reason":"role_change"' in _last_payload(services, "revoke_sessions")


def test_unchanged_roles_keep_the_session(services, people):
    key = new_demo_key()
    lead = people["lead"].person_id
    services.sign_in_sessions.open(lead, key, method="demo", max_age=HOUR)
    services.people.set_roles(people["admin"], lead, ["project_lead"], services.people.get(lead).version)
    assert services.sign_in_sessions.check(key).status == "ok"


def test_deactivation_and_administrator_revocation_end_sessions(services, people):
    k1, k2 = new_demo_key(), new_demo_key()
    services.sign_in_sessions.open(people["reader"].person_id, k1, method="demo", max_age=HOUR)
    services.people.set_active(people["admin"], people["reader"].person_id, False)
    assert services.sign_in_sessions.check(k1).status == "revoked"
    services.sign_in_sessions.open(people["lead2"].person_id, k2, method="demo", max_age=HOUR)
    with pytest.raises(PermissionDenied):
        services.sign_in_sessions.revoke_person(people["director"], people["lead2"].person_id)
    assert services.sign_in_sessions.revoke_person(people["admin"], people["lead2"].person_id) == 1
    assert services.sign_in_sessions.check(k2).status == "revoked"


# ---- OIDC sign-in resolution ---------------------------------------------------------------------

def _claims(sub: str, **extra: object) -> dict[str, object]:
    return {"iss": ISS, "sub": sub, "iat": 1_800_000_000, "nonce": "n-" + sub, "given_name": "Paul",
            "usual_name": "Lemaire", "email": f"{sub}@mairie-test.fr", **extra}


def test_an_unknown_person_is_recorded_without_any_role_and_refused(services, people):
    out = services.identity.sign_in_oidc(_claims("newcomer", groups=["portal-admin"], roles=["admin"]),
                                         "k1", max_age=HOUR)
    assert out.principal is None and out.refused == "no_role"
    person = services.people.find_by_identity(ISS, "newcomer")
    assert person is not None and person.roles == () and person.display_name == "Paul Lemaire"
    assert _actions(services)[-2:] == ["register_on_sign_in", "login_refused"]
    # an administrator grants a role: the next sign-in opens a session with that role only
    services.people.set_roles(people["admin"], person.id, ["project_lead"], person.version)
    again = services.identity.sign_in_oidc(_claims("newcomer", groups=["portal-admin"], role="admin"), "k2",
                                           max_age=HOUR)
    assert again.principal is not None and again.principal.roles == {Role.PROJECT_LEAD}
    assert services.sign_in_sessions.check("k2").principal.roles == {Role.PROJECT_LEAD}


def test_a_deactivated_person_is_refused(services, people):
    view = services.people.create(SYSTEM, {"display_name": "Ex agent", "issuer": ISS, "subject": "ex",
                                           "roles": ["reader"]})
    services.people.set_active(people["admin"], view.id, False)
    out = services.identity.sign_in_oidc(_claims("ex"), "k", max_age=HOUR)
    assert out.refused == "inactive" and services.sign_in_sessions.check("k").status == "unknown"
    assert '"reason":"inactive"' in _last_payload(services, "login_refused")


def test_an_e_mail_never_links_an_identity_to_an_existing_person(services, people):
    # people["admin"] has admin@test.invalid; someone whose IdP claims that address gets nothing of theirs
    out = services.identity.sign_in_oidc(_claims("intruder", email="admin@test.invalid"), "k", max_age=HOUR)
    assert out.principal is None
    newcomer = services.people.find_by_identity(ISS, "intruder")
    assert newcomer.id != people["admin"].person_id and newcomer.email is None


def test_the_group_mapping_grants_roles_in_the_database_and_is_audited(services, people):
    mapping = parse_group_role_map("portal-lead=project_lead, portal-dpo=compliance")
    out = services.identity.sign_in_oidc(_claims("mapped", groups=["portal-lead", "other"]), "k",
                                         max_age=HOUR, group_map=mapping)
    assert out.principal.roles == {Role.PROJECT_LEAD}
    assert services.people.find_by_identity(ISS, "mapped").roles == (Role.PROJECT_LEAD,)
    assert '"groups":["portal-lead"]' in _last_payload(services, "apply_group_roles")
    # a group absent from the mapping grants nothing, even named like a role
    none = services.identity.sign_in_oidc(_claims("other", groups=["admin", "portal-admin"]), "k2",
                                          max_age=HOUR, group_map=mapping)
    assert none.principal is None


def test_group_map_parsing_names_the_bad_entry():
    assert parse_group_role_map("a=admin;b = reader") == {"a": Role.ADMIN, "b": Role.READER}
    with pytest.raises(InvalidInput, match="superuser"):
        parse_group_role_map("a=superuser")
    with pytest.raises(InvalidInput, match="groupe=rôle"):
        parse_group_role_map("admin")


def test_identity_settings_are_validated():
    assert load_settings({"VIGIE_OIDC_USERINFO": "JWT"}).oidc_userinfo == "jwt"
    with pytest.raises(Exception, match="VIGIE_OIDC_USERINFO"):
        load_settings({"VIGIE_OIDC_USERINFO": "maybe"})


# ---- CLI -----------------------------------------------------------------------------------------

def test_create_admin_grants_admin_to_a_person_recorded_at_first_sign_in(services, cli_env, capsys):
    services.identity.sign_in_oidc(_claims("first"), "k", max_age=HOUR)
    assert main(["create-admin", "--name", "Première admin", "--issuer", ISS, "--subject", "first"]) == 0
    assert services.people.find_by_identity(ISS, "first").roles == (Role.ADMIN,)
    out = services.identity.sign_in_oidc(_claims("first"), "k2", max_age=HOUR)
    assert out.principal.roles == {Role.ADMIN}
    assert main(["create-admin", "--name", "Autre", "--issuer", ISS, "--subject", "second"]) == 0
    assert services.people.find_by_identity(ISS, "second").roles == (Role.ADMIN,)
    assert services.audit.verify().ok


def test_vigie_run_hardening_flags():
    prod = streamlit_hardening(load_settings({"VIGIE_ENV": "production", "VIGIE_MAX_UPLOAD_MB": "15"}),
                               {"VIGIE_SECRETS_FILE": "/etc/vigie/secrets.toml"})
    pairs = dict(zip(prod[::2], prod[1::2], strict=True))
    assert pairs["--client.showErrorDetails"] == "none"
    assert pairs["--server.enableXsrfProtection"] == "true"
    assert pairs["--server.maxUploadSize"] == "15"
    assert pairs["--client.toolbarMode"] == "minimal"
    assert pairs["--secrets.files"] == "/etc/vigie/secrets.toml"
    demo = dict(zip(*[iter(streamlit_hardening(load_settings({}), {}))] * 2, strict=True))
    assert demo["--client.showErrorDetails"] == "type" and "--secrets.files" not in demo


# ---- PostgreSQL: the application role cannot rewrite the audit trail ------------------------------

def test_grant_app_role_refuses_sqlite_and_bad_names(sqlite_url):
    engine = create_engine(sqlite_url)
    with pytest.raises(GrantError):
        grant_app_role(engine, "vigie_app")
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_application_role_cannot_update_delete_or_truncate_audit_rows(db_url, services, people):
    role = f"vigie_app_{uuid.uuid4().hex[:8]}"
    services.register.create(people["lead"], use_case_data())
    engine = create_engine(db_url)
    try:
        statements = grant_app_role(engine, role)
        assert any("GRANT SELECT, INSERT ON TABLE \"audit_event\"" in s for s in statements)
        grant_app_role(engine, role)  # idempotent
        with engine.connect() as conn:
            conn.execute(text(f'SET ROLE "{role}"'))
            # the application's own work goes through: read, insert an audit row, edit the register
            assert conn.execute(text("SELECT count(*) FROM audit_event")).scalar() > 0
            conn.execute(text("UPDATE use_case SET service = 'Accueil'"))
            for stmt in ("UPDATE audit_event SET actor_name = 'x' WHERE seq = 1",
                         "DELETE FROM audit_event WHERE seq = 1",
                         "TRUNCATE audit_event",
                         "ALTER TABLE audit_event DISABLE TRIGGER ALL",
                         "UPDATE alembic_version SET version_num = 'x'"):
                with pytest.raises((ProgrammingError, DBAPIError), match=r"permission denied|must be owner"), \
                        conn.begin_nested():
                    conn.execute(text(stmt))
            conn.rollback()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_services_work_as_the_application_role(db_url, people, services):
    role = f"vigie_app_{uuid.uuid4().hex[:8]}"
    owner = create_engine(db_url)
    try:
        grant_app_role(owner, role)
        app_svc = build_services(db_url)

        @event.listens_for(app_svc.db.engine, "connect")
        def _as_app(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            with dbapi_conn.cursor() as cur:
                cur.execute(f'SET SESSION AUTHORIZATION "{role}"')

        app_svc.db.engine.dispose()
        uc = app_svc.register.create(people["lead"], use_case_data(title="Écrit par le rôle applicatif"))
        key = new_demo_key()
        app_svc.sign_in_sessions.open(people["lead"].person_id, key, method="demo", max_age=HOUR)
        assert app_svc.sign_in_sessions.close(key)
        assert app_svc.audit.verify().ok and uc.id
        with app_svc.db.engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
            with pytest.raises(DBAPIError, match="permission denied"):
                conn.execute(text("UPDATE audit_event SET actor_name = 'x'"))
        app_svc.db.dispose()
    finally:
        with owner.begin() as conn:
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        owner.dispose()




# ---- audit export ---------------------------------------------------------------------------------

def test_the_audit_export_is_filtered_injection_safe_and_itself_audited(services, people):
    import io

    import openpyxl
    import pandas as pd

    uc = services.register.create(people["lead"], use_case_data(title="=HYPERLINK(\"http://x\",\"clic\")"))
    services.register.create(people["lead2"], use_case_data(title="Autre"))
    with pytest.raises(PermissionDenied):
        services.audit_exports.export(people["reader"], "csv")
    out = services.audit_exports.export(people["compliance"], "csv", use_case_id=uc.id)
    df = pd.read_csv(io.BytesIO(out.data), sep=";", encoding="utf-8-sig", dtype=str)
    assert out.rows == len(df) >= 1 and set(df["Cas d'usage"].str.contains("HYPERLINK")) == {True}
    assert all(not str(v).startswith("=") for v in df.to_numpy().ravel())  # nothing runs as a formula
    assert len(df["Empreinte"].iloc[0]) == 64
    xlsx = services.audit_exports.export(people["compliance"], "xlsx", actor_id=people["lead"].person_id)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    cells = [c.value for row in wb.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith("=") for v in cells)
    assert _actions(services)[-2:] == ["export", "export"]
    payload = _last_payload(services, "export")
    assert '"format":"xlsx"' in payload and f'"actor_id":{people["lead"].person_id}' in payload
    assert services.audit.verify().ok


def test_the_example_secrets_file_is_proconnect_ready_and_holds_no_secret():
    import tomllib

    from portal.settings import PROJECT_ROOT

    data = tomllib.loads((PROJECT_ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
    auth = data["auth"]
    assert auth["redirect_uri"].endswith("/oauth2callback") and "REPLACE" in auth["cookie_secret"]
    pc = auth["proconnect"]
    assert pc["client_kwargs"]["prompt"] == "" and pc["client_kwargs"]["token_endpoint_auth_method"] == \
        "client_secret_post"
    assert "REPLACE" in pc["client_secret"] and "access" in auth["expose_tokens"]
    assert not (PROJECT_ROOT / ".streamlit" / "secrets.toml").exists() or \
        "secrets.toml" in (PROJECT_ROOT / ".gitignore").read_text()


def test_a_refusal_with_a_long_subject_is_recorded(services):
    services.sign_in_sessions.refuse("no_role", issuer=ISS, subject="s" * 255)
    assert _actions(services)[-1] == "login_refused" and services.audit.verify().ok


def test_grant_app_role_command_refuses_sqlite(services, cli_env, capsys):
    if not cli_env.startswith("sqlite"):
        assert main(["db", "grant-app-role", "bad name"]) == 1  # invalid name, nothing created
        assert "nom de rôle invalide" in capsys.readouterr().err
        return
    assert main(["db", "grant-app-role", "vigie_app"]) == 1
    assert "PostgreSQL" in capsys.readouterr().err


def _roles_of(services, sub: str):  # type: ignore[no-untyped-def]
    return services.people.find_by_identity(ISS, sub)


def test_the_group_mapping_revokes_what_it_granted_when_the_group_leaves_the_token(services, people):
    mapping = parse_group_role_map("portal-lead=project_lead, portal-dpo=compliance")
    first = services.identity.sign_in_oidc(_claims("moving", groups=["portal-lead", "portal-dpo"]), "k1",
                                           max_age=HOUR, group_map=mapping)
    assert first.principal.roles == {Role.PROJECT_LEAD, Role.COMPLIANCE}
    person = _roles_of(services, "moving")
    assert set(person.group_roles) == {Role.PROJECT_LEAD, Role.COMPLIANCE}
    # an administrator also grants « reader » in Vigie: the mapping never touches it
    person = services.people.set_roles(people["admin"], person.id,
                                       [Role.PROJECT_LEAD, Role.COMPLIANCE, Role.READER], person.version)
    assert Role.READER not in person.group_roles
    services.identity.sign_in_oidc(_claims("moving", groups=["portal-lead", "portal-dpo"]), "k2", max_age=HOUR,
                                   group_map=mapping)
    assert services.sign_in_sessions.check("k2").status == "ok"
    # the agent leaves the DPO team: compliance goes, the session opened before ends, the rest stays
    out = services.identity.sign_in_oidc(_claims("moving", groups=["portal-lead"]), "k3", max_age=HOUR,
                                         group_map=mapping)
    assert out.principal.roles == {Role.PROJECT_LEAD, Role.READER}
    assert services.sign_in_sessions.check("k2").status == "revoked" and services.sign_in_sessions.check("k3").status == "ok"
    payload = _last_payload(services, "apply_group_roles")
    assert '"removed":["compliance"]' in payload and '"added":[]' in payload
    assert _actions(services)[-3:] == ["apply_group_roles", "revoke_sessions", "login"]
    # a token without any group claim says nothing: no change
    out = services.identity.sign_in_oidc(_claims("moving"), "k4", max_age=HOUR, group_map=mapping)
    assert out.principal.roles == {Role.PROJECT_LEAD, Role.READER}
    # an empty group list does say something: project_lead (from the groups) goes, reader stays
    out = services.identity.sign_in_oidc(_claims("moving", groups=[]), "k5", max_age=HOUR, group_map=mapping)
    assert out.principal.roles == {Role.READER}


def test_a_person_left_without_any_role_by_the_mapping_is_refused(services, people):
    mapping = parse_group_role_map("portal-lead=project_lead")
    assert services.identity.sign_in_oidc(_claims("leaver", groups=["portal-lead"]), "k1", max_age=HOUR,
                                          group_map=mapping).principal is not None
    out = services.identity.sign_in_oidc(_claims("leaver", groups=["other"]), "k2", max_age=HOUR, group_map=mapping)
    assert out.principal is None and out.refused == "no_role"
    assert services.sign_in_sessions.check("k1").status == "revoked"
    assert _roles_of(services, "leaver").roles == ()
