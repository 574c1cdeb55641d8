"""The session guard on every page run: demo and OIDC sessions, revocation, expiry, forged claims."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from policies.vocabulary import Role
from portal.db.models import AuditEvent
from portal.services import build_services
from portal.services.people import SYSTEM
from portal.settings import get_settings
from portal.ui.auth import SESSION_KEY, oidc_key
from tests.portal.test_oidc_userinfo import running_provider
from tests.ui.conftest import ENTRYPOINT, open_session

ISS = "https://idp.mairie-test.fr"


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def _actions(url: str) -> list[tuple[str, str]]:
    svc = build_services(url)
    with svc.db.reader() as s:
        rows = [(a, p) for a, p in s.execute(select(AuditEvent.action, AuditEvent.payload).order_by(AuditEvent.seq))]
    svc.db.dispose()
    return rows


def test_a_revoked_demo_session_signs_the_browser_out(app_as, demo_url):
    at = app_as("admin")
    assert "Portefeuille" in _titles(at)
    svc = build_services(demo_url)
    assert svc.sign_in_sessions.close(at.session_state[SESSION_KEY], "admin")
    svc.db.dispose()
    at.run()
    assert "Portefeuille" not in _titles(at)
    assert any("Votre session a pris fin" in i.value for i in at.info)


def test_an_expired_demo_session_signs_the_browser_out_and_is_recorded(demo_url, person_id):
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.session_state[SESSION_KEY] = open_session(demo_url, person_id("director"), max_age=dt.timedelta(seconds=-1))
    at.run()
    assert not at.exception and "Portefeuille" not in _titles(at)
    assert _actions(demo_url)[-1][0] == "logout" and '"reason":"expired"' in _actions(demo_url)[-1][1]


def test_sign_out_ends_the_server_session(app_as, demo_url):
    at = app_as("reader")
    key = at.session_state[SESSION_KEY]
    next(b for b in at.sidebar.button if b.label == "Se déconnecter").click().run()
    assert "Portefeuille" not in _titles(at)
    svc = build_services(demo_url)
    assert svc.sign_in_sessions.check(key).status == "revoked"
    svc.db.dispose()


def test_production_has_no_demo_sign_in(demo_url, monkeypatch):
    monkeypatch.setenv("VIGIE_ENV", "production")
    get_settings.cache_clear()
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    assert not at.exception
    assert not at.radio and not any("démonstration" in w.value for w in at.warning)
    assert any("non configurée" in e.value for e in at.error)


# ---- OIDC: st.user as st.login leaves it ----------------------------------------------------------

def _oidc_user(sub: str, **extra: object) -> dict[str, object]:
    return {"is_logged_in": True, "provider": "default", "iss": ISS, "sub": sub, "iat": int(time.time()),
            "nonce": f"nonce-{sub}", "given_name": "Paul", "usual_name": "Lemaire", **extra}


def _person(url: str, sub: str, role: Role | None) -> int:
    svc = build_services(url)
    view = svc.people.create(SYSTEM, {"display_name": f"Agent {sub}", "issuer": ISS, "subject": sub,
                                      "roles": [role.value] if role else []})
    svc.db.dispose()
    return view.id


def _run_as(user: dict[str, object]) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.user = user
    return at.run()


def test_a_forged_role_claim_does_not_grant_administrator(demo_url):
    _person(demo_url, "paul", Role.PROJECT_LEAD)
    forged = _oidc_user("paul", groups=["admin", "portal-admin"], roles=["admin"], role="admin")
    at = _run_as(forged)
    assert not at.exception
    assert "Portefeuille" in _titles(at)
    with pytest.raises(Exception):  # noqa: B017 - the admin page is not in a project lead's navigation
        at.switch_page("app_pages/admin.py").run()
    # the same cookie on another tab reuses the session (one sign-in audited)
    at2 = _run_as(forged)
    assert "Portefeuille" in _titles(at2)
    assert [a for a, _ in _actions(demo_url)].count("login") == 1


def test_after_sign_out_the_old_cookie_no_longer_works(demo_url):
    _person(demo_url, "lea", Role.READER)
    user = _oidc_user("lea")
    assert "Portefeuille" in _titles(_run_as(user))
    svc = build_services(demo_url)
    assert svc.sign_in_sessions.close(oidc_key(user), "logout")
    svc.db.dispose()
    replay = _run_as(user)  # the cookie is still validly signed, but its session is closed
    assert "Portefeuille" not in _titles(replay)
    assert replay.user.get("is_logged_in") is not True  # st.logout() was called
    action, payload = _actions(demo_url)[-1]
    assert action == "login_refused" and '"reason":"session_revoked"' in payload


def test_an_old_cookie_without_a_session_is_refused(demo_url):
    _person(demo_url, "old", Role.DIRECTOR)
    at = _run_as(_oidc_user("old", iat=int(time.time()) - 3600))
    assert "Portefeuille" not in _titles(at)
    assert _actions(demo_url)[-1][0] == "login_refused"


def test_an_unknown_person_sees_the_no_access_page_with_their_identifiers(demo_url):
    at = _run_as(_oidc_user("stranger", groups=["admin"]))
    assert not at.exception
    assert "Portefeuille" not in _titles(at)
    assert any("aucun rôle" in e.value for e in at.error)
    assert any("stranger" in c.value for c in at.code)
    at.run()  # a rerun does not record the refusal twice
    assert [a for a, _ in _actions(demo_url)].count("login_refused") == 1


def test_the_audit_page_filters_and_exports(app_as, demo_url):
    at = app_as("compliance").switch_page("app_pages/audit.py").run()
    assert not at.exception
    action = next(s for s in at.selectbox if s.label == "Action")
    action.set_value("login").run()
    assert set(at.dataframe[0].value["Action"]) == {"s'est connecté(e)"}
    next(b for b in at.button if b.label == "Préparer l'export Excel").click().run()
    assert not at.exception and not at.error
    assert any(d.label.startswith("Télécharger journal-audit.xlsx") for d in at.get("download_button"))
    action_, payload = _actions(demo_url)[-1]
    assert action_ == "export" and '"action":"login"' in payload and '"format":"xlsx"' in payload


# ---- ProConnect: claims from the signed userinfo, fetched with the access token at sign-in ----------

@pytest.fixture
def provider():  # type: ignore[no-untyped-def]
    with running_provider() as p:
        yield p


def _proconnect_app(provider, monkeypatch, access: str = "at-1") -> AppTest:  # type: ignore[no-untyped-def]
    from tests.portal.test_oidc_userinfo import CLIENT

    monkeypatch.setenv("VIGIE_OIDC_USERINFO", "jwt")
    get_settings.cache_clear()
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "expose_tokens": ["id", "access"],
                          "proconnect": {"client_id": CLIENT, "client_secret": "s",
                                         "server_metadata_url": provider.issuer + "/.well-known/openid-configuration"}}
    # as ProConnect leaves the ID token: no identity claim but iss/sub
    at.user = {"is_logged_in": True, "provider": "proconnect", "iss": provider.issuer, "sub": "agent-42",
               "iat": int(time.time()), "nonce": "n-42", "aud": CLIENT, "tokens": {"access": access}}
    return at


def test_proconnect_claims_come_from_the_verified_userinfo(demo_url, monkeypatch, provider):
    provider.sign(provider.claims())
    at = _proconnect_app(provider, monkeypatch).run()
    assert not at.exception
    assert provider.seen_tokens == ["Bearer at-1"]
    assert any("aucun rôle" in e.value for e in at.error)  # unknown until an administrator grants a role
    svc = build_services(demo_url)
    person = svc.people.find_by_identity(provider.issuer, "agent-42")
    svc.db.dispose()
    assert person is not None and person.display_name == "Chloé Petit"  # from the userinfo JWT


def test_an_unverifiable_userinfo_refuses_the_sign_in(demo_url, monkeypatch, provider):
    from joserfc.jwk import ECKey

    provider.sign(provider.claims(), key=ECKey.generate_key("P-256", parameters={"kid": "k1"}))
    at = _proconnect_app(provider, monkeypatch).run()
    assert not at.exception
    assert any("n'ont pas pu être vérifiées" in e.value for e in at.error)
    action, payload = _actions(demo_url)[-1]
    assert action == "login_refused" and '"reason":"userinfo"' in payload
