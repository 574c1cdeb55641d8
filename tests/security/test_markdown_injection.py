"""Security: no text from a user, a file or an identity provider is
rendered as markdown, on any page, for any role.

A demo portfolio whose every text field holds a link, an outside image, Streamlit directives (a fake
badge, colour), HTML and bold is walked page by page as each role (and signed out, on the public
register); every element Streamlit renders as markdown (titles, headers, captions, markdown, alerts,
metric, widget, expander and tab labels, radio options, help) must show the payload escaped.
Before the fix the sheet's title, the public register, the compliance queue and the home page's
recent activity (``**{actor_name}**``) rendered it.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from policies.vocabulary import Role
from portal.db.models import DataSource
from portal.demo.data import DEMO_ISSUER
from portal.services import audit, build_services
from portal.services.errors import InvalidInput
from portal.services.people import SYSTEM
from portal.services.sign_in_sessions import anonymous
from portal.settings import get_settings
from portal.ui.auth import SESSION_KEY
from portal.ui.text import plain
from tests.ui.conftest import ENTRYPOINT, ROLE_LOGIN, open_session

LONG = ("Titre ![t](http://evil.invalid/x.png) [Recours](http://evil.invalid/phish) :green-badge[Validé CNIL] "
        ":red[ALERTE] <img src=x onerror=alert(1)> **gras**")
SHORT = "[x](http://evil.invalid) :red[!]"
#: What a rendered payload would look like if it were not escaped.
UNESCAPED = [re.compile(p) for p in (r"(?<!\\)\]\(http", r"(?<!\\):green-badge\[", r"(?<!\\):red\[",
                                     r"(?<!\\)<img", r"(?<!\\)\*\*gras")]

PAGES = ["home", "register", "sheet", "new_use_case", "audit", "admin", "public_register", "prioritisation",
         "scenarios", "weights", "monitoring", "analysis", "compliance", "questionnaire", "inbox"]
ROLES = list(ROLE_LOGIN)
ESCAPED = r"\](http\://evil"  # a link of the payload, as plain() shows it


def _payloads(url: str) -> dict[str, Any]:
    """Every user text of the demo holds the payload; returns what the pages need to show it."""
    svc = build_services(url)
    admin = svc.people.principal(next(p.id for p in svc.people.list() if p.subject == ROLE_LOGIN["admin"]))
    compliance = svc.people.principal(next(p.id for p in svc.people.list()
                                           if p.subject == ROLE_LOGIN["compliance"]))
    director = svc.people.principal(next(p.id for p in svc.people.list() if p.subject == ROLE_LOGIN["director"]))
    assert admin and compliance and director
    named = svc.people.create(SYSTEM, {"display_name": LONG[:200], "email": "payload@test.invalid",
                                       "roles": [Role.PROJECT_LEAD.value]})
    named_p = svc.people.principal(named.id)
    first_ref = None
    for uc in svc.register.list():
        view = svc.register.get(uc.id)
        fields = view.editable_fields() | {
            "title": LONG[:200], "direction": LONG[:200], "service": LONG[:200], "public_concerned": LONG,
            "human_role": LONG, "provider_name": LONG[:200], "expected_benefits": LONG, "kpi_name": LONG[:200],
            "kpi_unit": SHORT, "tags": ["t:red[x]", "[l](http://evil.invalid)"], "problem": LONG,
        }
        if first_ref is None:
            fields["lead_id"] = named.id
            first_ref = view.reference
        svc.register.update(admin, uc.id, view.version, fields)
        with svc.db.writer.begin() as s:  # a legal basis written as free text, before the list of art. 6(1)
            s.execute(update(DataSource).where(DataSource.use_case_id == uc.id).values(legal_basis=LONG[:200]))
        for ds in view.data_sources:
            data = {k: getattr(ds, k) for k in ("origin", "personal_data", "sensitive_data", "art9_exception")}
            svc.register.update_data_source(admin, ds.id, ds.version, data | {
                "name": LONG[:200], "producer": LONG[:200], "legal_basis": LONG[:200], "retention": LONG[:200]})
        for r in view.risks:
            data = {k: getattr(r, k) for k in ("category", "likelihood", "severity", "status")}
            svc.register.update_risk(admin, r.id, r.version, data | {"description": LONG, "mitigation": LONG})
        with contextlib.suppress(InvalidInput):  # not every use case takes a measure
            svc.portfolio.add_benefit_measure(admin, uc.id, {"indicator": LONG[:200], "unit": SHORT, "measured": 1,
                                                             "note": LONG})
    # published entries carry a snapshot: republish them with the payload
    for entry in svc.public_register.published():
        svc.public_register.publish(compliance, entry.use_case_id)
    published = sorted(e.reference for e in svc.public_register.published())
    svc.public_reports.submit({"reference": published[0], "kind": "objection", "message": LONG,
                               "contact": "usager@example.org"})
    # the identity provider's name of someone refused at sign-in, and of a signed-in lead acting
    with svc.db.writer.begin() as s:
        audit.append(s, anonymous(LONG[:200]), "login_refused", "identity_session", "0",
                     details={"reason": "aucun rôle"})
    named_uc = svc.register.get_by_reference(first_ref)
    assert named_p is not None
    svc.register.add_risk(named_p, named_uc.id, {"category": "bias", "description": LONG, "likelihood": 2,
                                                 "severity": 2})
    svc.portfolio.save_scenario(director, {"name": LONG[:200], "budget": 1e6, "capacity_days": 1e4})
    ids = {p.subject: p.id for p in svc.people.list() if p.issuer == DEMO_ISSUER}
    svc.db.dispose()
    return {"first_ref": first_ref, "published": published, "ids": ids}


@pytest.fixture(scope="module")
def payload_db(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    path = tmp_path_factory.mktemp("payload") / "vigie.db"
    shutil.copy(demo_template, path)
    url = f"sqlite:///{path}"
    info = _payloads(url)
    yield url, info


@pytest.fixture
def env(payload_db, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, Any]]]:
    monkeypatch.setenv("VIGIE_DATABASE_URL", payload_db[0])
    monkeypatch.setenv("VIGIE_ENV", "test")
    get_settings.cache_clear()
    yield payload_db
    get_settings.cache_clear()


def _markdown_texts(node: Any) -> Iterator[tuple[str, str]]:
    """(element type, text) of every string Streamlit renders as markdown under ``node``."""
    kind = getattr(node, "type", "")
    proto = getattr(node, "proto", None)
    if proto is not None and kind not in ("text", "code", "arrow_data_frame", "dataframe", "json", "table"):
        for field in ("body", "label", "help", "caption"):
            value = getattr(proto, field, None)
            if isinstance(value, str) and value:
                yield kind, value
        if kind == "radio":
            yield from ((kind, o) for o in proto.options)
            yield from ((kind, c) for c in getattr(proto, "captions", []))
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _markdown_texts(child)


def _rendered_payloads(at: AppTest) -> list[str]:
    return [f"{kind}: {text[:160]}" for kind, text in _markdown_texts(at._tree)
            if any(p.search(text) for p in UNESCAPED)]


def test_plain_escapes_every_payload():
    for payload in (LONG, SHORT, "t:red[x]"):
        assert not any(p.search(plain(payload)) for p in UNESCAPED)
    assert plain(None) == "" and plain("a\nb", inline=True) == "a b"
    # ordinary French text reads the same in the page source
    assert plain("Champ « Message » : obligatoire (20 Mo au plus) ; l'étape UC-2026-001.") == \
        "Champ « Message » : obligatoire (20 Mo au plus) ; l'étape UC-2026-001."
    assert plain("# titre\n1. liste\n- point\nhttps://x.fr www.x.fr") == \
        "\\# titre  \n1\\. liste  \n\\- point  \nhttps\\://x.fr www\\.x.fr"


def _app(url: str, person: int | None) -> AppTest:
    at = AppTest.from_file(ENTRYPOINT, default_timeout=60)
    if person is not None:
        at.session_state[SESSION_KEY] = open_session(url, person)
    return at


@pytest.mark.parametrize("role", ROLES)
def test_no_page_renders_user_text_as_markdown(env, role):
    url, info = env
    at = _app(url, info["ids"][ROLE_LOGIN[role]]).run()
    assert not at.exception
    found: dict[str, list[str]] = {}
    shown: set[str] = set()
    for page in PAGES:
        at.query_params["ref"] = info["published"][0] if page == "public_register" else info["first_ref"]
        try:
            at.switch_page(f"app_pages/{page}.py").run()
        except Exception:  # the page is not in this role's navigation
            continue
        assert not at.exception, (page, at.exception)
        if hits := _rendered_payloads(at):
            found[page] = hits
        if any(ESCAPED in text for _, text in _markdown_texts(at._tree)):
            shown.add(page)
    assert found == {}, found
    assert {"home", "sheet"} <= shown, shown  # the payload was there, shown escaped
    if role in ("director", "compliance"):  # their inbox lists use cases by title
        assert "inbox" in shown, shown


def test_the_public_page_renders_no_user_text_as_markdown(env):
    url, info = env
    at = _app(url, None)
    at.query_params["ref"] = info["published"][0]
    at.run()
    at.switch_page("app_pages/public_view.py").run()
    assert not at.exception
    assert _rendered_payloads(at) == []
    assert any(plain(LONG[:200], inline=True) in t for _, t in _markdown_texts(at._tree))  # the entry is shown
