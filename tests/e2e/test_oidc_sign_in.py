"""Sign-in through a real OIDC provider on loopback, in headless Chromium, with VIGIE_ENV=production.

A project lead signs in and registers a use case; a reader cannot edit; after sign-out the old
cookie no longer opens the portal; a role claim added to the cookie (even validly re-signed) does
not make anyone an administrator.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from portal.db.models import AuditEvent, UseCase
from portal.services import build_services
from portal.services.people import SYSTEM
from tests.conftest import skip_or_fail
from tests.e2e.browser import chromium_path, launch, running_portal
from tests.e2e.oidc import COOKIE_SECRET, port_or_free, running_idp, write_secrets

pytestmark = pytest.mark.browser

USERS = [
    {"sub": "lead", "given_name": "Paul", "family_name": "Lemaire", "email": "lead@mairie-test.fr",
     "groups": ["portal-admin"]},
    {"sub": "reader", "given_name": "Vera", "family_name": "Roux", "email": "reader@mairie-test.fr"},
]


class Portal:
    def __init__(self, app: str, issuer: str, db_url: str, browser: Any, shots: Path) -> None:
        self.app, self.issuer, self.db_url, self.browser, self.shots = app, issuer, db_url, browser, shots
        self.lead_cookies: list[dict[str, Any]] = []

    def sign_in(self, sub: str):  # type: ignore[no-untyped-def]
        ctx = self.browser.new_context(viewport={"width": 1300, "height": 900})
        page = ctx.new_page()
        page.goto(self.app)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(self.issuer + "/**", timeout=30_000)
        page.get_by_role("button", name=sub, exact=True).click()
        page.get_by_role("heading", name="Portefeuille").wait_for(timeout=30_000)
        return ctx, page

    def audit(self) -> list[tuple[str, str]]:
        svc = build_services(self.db_url)
        with svc.db.reader() as s:
            rows = list(s.execute(select(AuditEvent.action, AuditEvent.payload).order_by(AuditEvent.seq)))
        svc.db.dispose()
        return [(a, p) for a, p in rows]


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Portal]:
    if chromium_path() is None:
        skip_or_fail("Chromium absent : `make test` l'installe quand c'est possible (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    tmp = tmp_path_factory.mktemp("oidc")
    shutil.copy(sqlite_template, tmp / "vigie.db")
    db_url = f"sqlite:///{tmp / 'vigie.db'}"
    idp_port, app_port = port_or_free(8623), port_or_free(8613)
    issuer = f"http://127.0.0.1:{idp_port}"
    svc = build_services(db_url)  # roles are Vigie's: assigned here, whatever the IdP's groups say
    svc.people.create(SYSTEM, {"display_name": "Paul Lemaire", "issuer": issuer, "subject": "lead",
                               "roles": ["project_lead"]})
    svc.people.create(SYSTEM, {"display_name": "Vera Roux", "issuer": issuer, "subject": "reader",
                               "roles": ["reader"]})
    svc.db.dispose()
    app = f"http://localhost:{app_port}"  # another host than the IdP's, so their cookies stay apart
    secrets = write_secrets(tmp / "secrets.toml", app_url=app, issuer=issuer)
    # userinfo is fetched with the access token at sign-in, as for ProConnect (this provider answers JSON;
    # the signed-JWT variant is tested in tests/portal/test_oidc_userinfo.py and tests/ui).
    env = {"VIGIE_DATABASE_URL": db_url, "VIGIE_ENV": "production", "VIGIE_SECRETS_FILE": str(secrets),
           "VIGIE_OIDC_USERINFO": "json"}
    with running_idp(USERS, port=idp_port), running_portal(env, port=app_port), sync_api.sync_playwright() as p:
        browser = launch(p)
        yield Portal(app, issuer, db_url, browser, tmp)
        browser.close()


def test_a_project_lead_signs_in_and_registers_a_use_case(portal):
    ctx, page = portal.sign_in("lead")
    assert page.get_by_text("Mode démonstration").count() == 0  # production: no demo sign-in
    page.get_by_role("link", name="Nouveau cas d'usage").click()
    page.get_by_role("heading", name="Nouveau cas d'usage").wait_for(timeout=20_000)
    page.get_by_label("Titre *").fill("Tri des courriers entrants (e2e)")
    page.get_by_label("Direction *").fill("Direction de la relation usagers")
    page.locator("div[data-testid='stSelectbox']").filter(has_text="Famille").click()
    page.get_by_role("option", name="Relation usagers").click()
    page.get_by_role("button", name="Enregistrer le cas d'usage").click()
    page.get_by_text("Tri des courriers entrants (e2e)").first.wait_for(timeout=30_000)
    svc = build_services(portal.db_url)
    with svc.db.reader() as s:
        created = s.scalars(select(UseCase).where(UseCase.title == "Tri des courriers entrants (e2e)")).one()
    svc.db.dispose()
    assert created.lead_id is not None
    actions = [a for a, _ in portal.audit()]
    assert "login" in actions and "create" in actions
    assert not any(a == "login_refused" for a in actions)  # userinfo fetched and matched the ID token
    # the IdP said groups=["portal-admin"], but no mapping is configured: no administration page
    assert page.get_by_role("link", name="Administration").count() == 0
    page.screenshot(path=str(portal.shots / "lead.png"), full_page=True)
    portal.lead_cookies = ctx.cookies()
    ctx.close()


def _decode(value: str) -> dict[str, Any]:
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

    raw = decode_signed_value(COOKIE_SECRET, "_streamlit_user", value.strip('"').encode())
    assert raw is not None
    return json.loads(raw)


def _sign(claims: dict[str, Any]) -> str:
    from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

    return create_signed_value(COOKIE_SECRET, "_streamlit_user", json.dumps(claims)).decode()


def test_a_forged_role_claim_does_not_grant_administrator(portal):
    cookies = portal.lead_cookies
    if not cookies:  # run on its own
        ctx, _page = portal.sign_in("lead")
        cookies = ctx.cookies()
        ctx.close()
    user = next(c for c in cookies if c["name"] == "_streamlit_user")
    claims = _decode(user["value"])
    forged = claims | {"roles": ["admin"], "groups": ["admin", "portal-admin"], "role": "admin"}
    # 1. tampered without the cookie secret: the signature fails, nobody is signed in
    tampered = dict(user, value=user["value"][:-6] + "AAAAAA")
    ctx2 = portal.browser.new_context()
    ctx2.add_cookies([tampered])
    page2 = ctx2.new_page()
    page2.goto(portal.app)
    page2.get_by_role("button", name="Se connecter").wait_for(timeout=30_000)
    ctx2.close()
    # 2. validly re-signed (the worst case: the secret leaked): still a project lead, roles come from the DB
    ctx3 = portal.browser.new_context()
    ctx3.add_cookies([dict(user, value=_sign(forged))])
    page3 = ctx3.new_page()
    page3.goto(portal.app)
    page3.get_by_role("heading", name="Portefeuille").wait_for(timeout=30_000)
    assert page3.get_by_role("link", name="Administration").count() == 0
    assert page3.get_by_role("link", name="Journal d'audit").count() == 0
    page3.goto(portal.app + "/admin")
    page3.get_by_role("heading", name="Page introuvable").wait_for(timeout=30_000)  # not one of a lead's pages
    assert page3.get_by_role("heading", name="Administration").count() == 0
    ctx3.close()


def test_a_reader_cannot_edit(portal):
    ctx, page = portal.sign_in("reader")
    assert page.get_by_role("link", name="Nouveau cas d'usage").count() == 0
    page.goto(portal.app + "/new_use_case")
    page.get_by_role("heading", name="Page introuvable").wait_for(timeout=30_000)  # not one of a reader's pages
    assert page.get_by_role("heading", name="Nouveau cas d'usage").count() == 0
    assert page.get_by_label("Titre *").count() == 0
    ctx.close()


def test_after_sign_out_the_old_cookie_no_longer_works(portal):
    ctx, page = portal.sign_in("lead")
    old = ctx.cookies()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(portal.issuer + "/oauth2/end_session**", timeout=30_000)  # RP-initiated logout
    page.get_by_role("button", name="End session").click()
    page.get_by_role("button", name="Se connecter").wait_for(timeout=30_000)
    assert [a for a, _ in portal.audit()][-1] == "logout"
    # replay the cookies captured before sign-out in a fresh browser
    ctx2 = portal.browser.new_context()
    ctx2.add_cookies(old)
    page2 = ctx2.new_page()
    page2.goto(portal.app)
    # the guard finds the session closed and signs this browser out too (Streamlit's /auth/logout)
    page2.wait_for_url(portal.issuer + "/oauth2/end_session**", timeout=30_000)
    assert not any(c["name"] == "_streamlit_user" for c in ctx2.cookies() if "localhost" in c["domain"])
    action, payload = portal.audit()[-1]
    assert action == "login_refused" and "session_revoked" in payload
    ctx2.close()
    ctx.close()
