"""Who is signed in: the OIDC sign-in (st.login) and, outside production only, the demo sign-in.

Every run of a page goes through ``current()``: the browser's key (derived from Streamlit's identity
cookie, or the demo token kept in the Streamlit session) must match an open server-side session
(``identity_session``); a revoked or expired session signs the browser out. Roles come from Vigie's
database at every run, never from what the browser holds.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import streamlit as st

from policies.vocabulary import Principal, Role
from portal.demo.data import DEMO_ISSUER, DEMO_LOGINS, PEOPLE
from portal.services.identity import parse_group_role_map
from portal.services.oidc import UserinfoError, fetch_userinfo
from portal.services.sign_in_sessions import SessionCheck, new_demo_key
from portal.ui.deps import services, settings

#: The demo session's key, in the Streamlit session (a random token; only its hash is stored).
SESSION_KEY = "vigie_session"
#: The browser a demo session was opened in (see :func:`browser_binding`).
BROWSER_KEY = "vigie_session_browser"
#: A refused OIDC sign-in (no role, deactivated), remembered so a rerun does not audit it again.
REFUSED_KEY = "vigie_refused"
#: A cookie whose session Vigie has never opened is a fresh sign-in only within this delay of its issue.
FRESH_SIGN_IN_S = 600

REFUSALS = {
    "no_role": "Votre compte est connu du portail mais aucun rôle ne vous a encore été attribué.",
    "inactive": "Votre compte a été désactivé par un administrateur du portail.",
    "missing_identity": "Le fournisseur d'identité n'a pas transmis d'identifiant (issuer, sub).",
    "userinfo": "Vos informations d'identité n'ont pas pu être vérifiées auprès du fournisseur d'identité.",
}


# ---- configuration -------------------------------------------------------------------------------

def _auth_section() -> dict[str, Any]:
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all
        return {}
    return dict(section) if section else {}


def providers() -> list[str]:
    """The configured OIDC providers: ``["default"]`` for keys directly in ``[auth]``, else the names."""
    section = _auth_section()
    if not section:
        return []
    if "client_id" in section:
        return ["default"]
    return [name for name, value in section.items() if isinstance(value, dict) and "client_id" in value]


def provider_config(name: str) -> dict[str, Any]:
    section = _auth_section()
    return section if name in ("", "default") else dict(section.get(name) or {})


def oidc_configured() -> bool:
    return bool(providers())


def _user() -> dict[str, Any]:
    try:
        return dict(st.user.to_dict())
    except Exception:  # no [auth] section: st.user has nothing to say
        return {}


def oidc_key(claims: dict[str, Any]) -> str:
    """The browser's key for an OIDC sign-in: one ID token = one sign-in = one server session."""
    return json.dumps([claims.get("iss"), claims.get("sub"), claims.get("iat"), claims.get("nonce")],
                      separators=(",", ":"))


def _max_age() -> dt.timedelta:
    return dt.timedelta(hours=settings().session_max_age_hours)


def _idle_after() -> dt.timedelta | None:
    minutes = settings().session_idle_minutes
    return dt.timedelta(minutes=minutes) if minutes > 0 else None


def _checked(key: str) -> SessionCheck:
    """The session check of this page run; an open session records the run, an idle or expired
    one is closed (audited) so the browser signs out."""
    svc = services()
    check = svc.sign_in_sessions.check(key, idle_after=_idle_after())
    if check.needs_touch():
        svc.sign_in_sessions.touch(key, every=check.touch_every)
    elif check.status in ("expired", "idle"):
        svc.sign_in_sessions.close(key, check.status)
    return check


# ---- the guard -----------------------------------------------------------------------------------

def browser_binding() -> str | None:
    """A fingerprint of the secret the browser holds: the token of Streamlit's XSRF cookie (the same
    across its reloads, unknown to another browser), hashed. A demo session remembers it at sign-in,
    so a second browser presenting the live Streamlit session id does not take the session over.
    None without the cookie (XSRF protection off, tests): then there is nothing to bind to."""
    try:
        raw = st.context.cookies.get("_streamlit_xsrf")
    except Exception:  # no client context (bare mode)
        return None
    return binding_of(raw)


def binding_of(raw: str | None) -> str | None:
    """The hashed token of an XSRF cookie value (its mask changes with each response, not its token)."""
    import hashlib

    if not raw or not isinstance(raw, str):
        return None
    try:
        from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

        token, _ = decode_xsrf_token_string(raw)
    except Exception:  # another Streamlit: bind to the cookie as sent
        token = raw.encode()
    return hashlib.sha256(token or raw.encode()).hexdigest()


def current() -> Principal | None:
    """The principal of this browser session, checked against its server-side session on every run."""
    user = _user()
    if user.get("is_logged_in"):
        return _oidc_current(user)
    key = st.session_state.get(SESSION_KEY)
    if key is None:
        return None
    bound = st.session_state.get(BROWSER_KEY)
    if bound is not None and browser_binding() != bound:
        # another browser presents this Streamlit session's id: it is not the one that signed in.
        # Nothing is changed in the session, so the browser that signed in keeps it.
        return None
    check = _checked(key)
    if check.status == "ok":
        return check.principal
    st.session_state.pop(SESSION_KEY, None)
    st.session_state["vigie_signed_out_reason"] = check.status
    return None


def _oidc_current(user: dict[str, Any]) -> Principal | None:
    key = oidc_key(user)
    refused = st.session_state.get(REFUSED_KEY)
    if refused and refused.get("key") == key:
        return None
    svc = services()
    check = _checked(key)
    if check.status == "ok":
        return check.principal
    if check.status == "unknown" and time.time() - float(user.get("iat") or 0) < FRESH_SIGN_IN_S:
        return _sign_in_oidc(user, key)
    # Revoked (sign-out, role change, administrator), expired, idle, or a cookie Vigie never opened
    # a session for: the cookie no longer counts.
    svc.sign_in_sessions.refuse(f"session_{check.status}", issuer=user.get("iss"), subject=user.get("sub"),
                        person_id=check.person_id)
    st.logout()
    st.stop()
    return None  # pragma: no cover


def _sign_in_oidc(user: dict[str, Any], key: str) -> Principal | None:
    svc = services()
    cfg = settings()
    provider = str(user.get("provider") or "default")
    claims = {k: v for k, v in user.items() if k not in ("is_logged_in", "origin", "provider", "tokens")}
    if cfg.oidc_userinfo != "off":
        pconf = provider_config(provider)
        try:
            tokens = st.user.tokens.to_dict()
            info = fetch_userinfo(tokens.get("access", ""), str(pconf.get("server_metadata_url", "")),
                                  str(pconf.get("client_id", "")), require_jwt=cfg.oidc_userinfo == "jwt",
                                  expected_sub=str(user.get("sub")))
        except (UserinfoError, KeyError, ValueError) as exc:
            svc.sign_in_sessions.refuse("userinfo", issuer=user.get("iss"), subject=user.get("sub"),
                                details={"error": str(exc)[:300]})
            st.session_state[REFUSED_KEY] = {"key": key, "reason": "userinfo", "iss": user.get("iss"),
                                             "sub": user.get("sub")}
            return None
        claims = {**claims, **{k: v for k, v in info.items() if k not in ("iss", "sub", "aud")}}
    group_map = parse_group_role_map(cfg.group_role_map) if cfg.group_role_map else None
    outcome = svc.identity.sign_in_oidc(claims, key, max_age=_max_age(), group_map=group_map,
                                        group_claim=cfg.group_claim, provider=provider)
    if outcome.principal is None:
        st.session_state[REFUSED_KEY] = {"key": key, "reason": outcome.refused, "iss": outcome.issuer,
                                         "sub": outcome.subject}
    return outcome.principal


def sign_out() -> None:
    """End the server-side session (audited), then Streamlit's (cookie deleted, IdP sign-out)."""
    user = _user()
    key = st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(BROWSER_KEY, None)
    if key is not None:
        services().sign_in_sessions.close(key, "logout")
    st.session_state.pop(REFUSED_KEY, None)
    if user.get("is_logged_in"):
        services().sign_in_sessions.close(oidc_key(user), "logout")
        st.logout()
        st.stop()


def _sign_in_demo(person_id: int) -> None:
    if not settings().demo_login_allowed:  # the form is not shown in production; refuse anyway
        st.error("Connexion de démonstration désactivée en production.")
        st.stop()
    key = new_demo_key()
    services().sign_in_sessions.open(person_id, key, method="demo", max_age=_max_age())
    st.session_state[SESSION_KEY] = key
    st.session_state[BROWSER_KEY] = browser_binding()


# ---- pages ---------------------------------------------------------------------------------------

def demo_banner() -> None:
    st.warning(
        "**Mode démonstration** : données fictives et connexion sans mot de passe. "
        "Ne saisissez aucune donnée réelle.",
        icon=":material/science:",
    )


def _refusal(refused: dict[str, Any]) -> None:
    st.error(REFUSALS.get(str(refused.get("reason")), "Connexion refusée."), icon=":material/block:")
    st.markdown("Transmettez ces identifiants à un administrateur du portail pour qu'il vous attribue un rôle :")
    st.code(f"issuer : {refused.get('iss')}\nsub    : {refused.get('sub')}", language=None)
    if st.button("Se déconnecter", icon=":material/logout:"):
        sign_out()


def sign_in_page() -> None:
    """The page shown to someone not signed in (or signed in at the provider but refused here)."""
    st.title("Vigie")
    st.caption("Gouvernance des cas d'usage d'intelligence artificielle de la collectivité")
    refused = st.session_state.get(REFUSED_KEY)
    if refused and _user().get("is_logged_in"):
        _refusal(refused)
        return
    if st.session_state.get("vigie_wanted_page"):  # see portal.ui.nav.signed_out_pages
        st.info("Connectez-vous pour ouvrir la page demandée : vous y arriverez une fois connecté.",
                icon=":material/bookmark:")
    reason = st.session_state.pop("vigie_signed_out_reason", None)
    if reason == "idle":
        minutes = settings().session_idle_minutes
        st.info(f"Votre session a pris fin après {minutes:g} minutes sans activité : reconnectez-vous.",
                icon=":material/lock_clock:")
    elif reason in ("revoked", "expired", "inactive"):
        st.info("Votre session a pris fin : reconnectez-vous.", icon=":material/lock_clock:")
    names = providers()
    if names:
        st.header("Se connecter")
        st.caption("Avec le compte de la collectivité, auprès de son fournisseur d'identité. "
                   "Vos droits dans Vigie sont ceux que ses administrateurs vous ont attribués.")
        for name in names:
            label = "Se connecter" if name == "default" else f"Se connecter avec {name}"
            if st.button(label, key=f"login_{name}", type="primary", icon=":material/login:"):
                st.login(None if name == "default" else name)
    if settings().public_register:
        from portal.ui.nav import public_register_page

        st.page_link(public_register_page(), label="Consulter le registre public des algorithmes (sans connexion)",
                     icon=":material/public:")
    if not settings().demo_login_allowed:
        if not names:
            st.error("Connexion par le fournisseur d'identité non configurée. Contactez l'administrateur du portail.")
        return
    _demo_sign_in()


def _demo_sign_in() -> None:
    demo_banner()
    people = {p.subject: p for p in services().people.list(active_only=True) if p.issuer == DEMO_ISSUER}
    options = [(role, key) for role, key in DEMO_LOGINS if key in people]
    if not options:
        st.info("Aucun compte de démonstration : lancez `vigie seed-demo`.")
        return
    st.header("Se connecter en démonstration")
    labels = {key: f"{Role(role).label} — {PEOPLE[key]['display_name']}, {PEOPLE[key]['job_title']}"
              for role, key in options}
    with st.form("demo_sign_in"):
        choice = st.radio("Se connecter en tant que", [k for _, k in options], format_func=labels.__getitem__)
        if st.form_submit_button("Se connecter (démonstration)", type="primary"):
            _sign_in_demo(people[choice].id)
            st.rerun()
