"""Security: in demo mode a second browser presenting the live Streamlit session id does not
take the session over: the demo session is bound to the secret the signing-in browser holds (the token
of Streamlit's XSRF cookie), checked at every run."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from portal.ui import auth
from tests.ui.conftest import ENTRYPOINT
from tests.ui.conftest import demo_url as demo_url  # the fixture


def test_the_binding_is_the_cookie_token_not_its_mask():
    token = os.urandom(16)
    first, second = generate_xsrf_token_string(token, 1700000000), generate_xsrf_token_string(token, 1700000000)
    assert first != second  # each response masks the token anew
    assert auth.binding_of(first) == auth.binding_of(second)
    assert auth.binding_of(generate_xsrf_token_string(os.urandom(16), 1700000000)) != auth.binding_of(first)
    assert auth.binding_of(None) is None and auth.binding_of("") is None


def test_another_browser_on_the_same_session_is_not_signed_in(demo_url, monkeypatch):
    browser = {"cookie": "first"}
    monkeypatch.setattr(auth, "browser_binding", lambda: browser["cookie"])
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60).run()
    at.radio[0].set_value("nadia.benali")
    at.button[0].click().run()
    assert at.title[0].value == "Portefeuille"
    assert at.session_state[auth.BROWSER_KEY] == "first"
    browser["cookie"] = "second"  # the same Streamlit session, reached from another browser
    at.run()
    assert not at.exception
    assert not [t for t in at.title if t.value == "Portefeuille"]
    assert at.radio and at.radio[0].label == "Se connecter en tant que"  # the sign-in page
    browser["cookie"] = None  # nor from a browser without the cookie
    at.run()
    assert not [t for t in at.title if t.value == "Portefeuille"]
    browser["cookie"] = "first"  # the browser that signed in still is
    at.run()
    assert at.title[0].value == "Portefeuille"
