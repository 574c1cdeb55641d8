"""Who is signed in: the demo sign-in (outside production) and, once configured, the OIDC sign-in.

Whatever the way in, the roles come from Vigie's database at every run of a page, never from
what the browser holds.
"""

from __future__ import annotations

import streamlit as st

from policies.vocabulary import Principal, Role
from portal.services.demo_data import DEMO_ISSUER, DEMO_LOGINS, PEOPLE
from portal.ui.deps import services, settings

SESSION_KEY = "person_id"


def current() -> Principal | None:
    """The principal of this browser session, re-read from the database on every run."""
    person_id = st.session_state.get(SESSION_KEY)
    if person_id is None:
        return None
    principal = services().people.principal(int(person_id))
    if principal is None:  # deactivated or deleted since sign-in
        sign_out()
        return None
    return principal


def sign_out() -> None:
    st.session_state.pop(SESSION_KEY, None)


def _sign_in_demo(person_id: int) -> None:
    st.session_state[SESSION_KEY] = person_id
    principal = services().people.principal(person_id)
    if principal is not None:
        services().audit.record(principal, "login", "person", person_id, details={"method": "demo"})


def demo_banner() -> None:
    st.warning(
        "**Mode démonstration** : données fictives et connexion sans mot de passe. "
        "Ne saisissez aucune donnée réelle.",
        icon=":material/science:",
    )


def sign_in_page() -> None:
    """The page shown to someone not signed in."""
    st.title("Vigie")
    st.caption("Gouvernance des cas d'usage d'intelligence artificielle de la collectivité")
    if not settings().demo_login_allowed:
        st.error("Connexion par le fournisseur d'identité non configurée. Contactez l'administrateur du portail.")
        return
    demo_banner()
    people = {p.subject: p for p in services().people.list(active_only=True) if p.issuer == DEMO_ISSUER}
    options = [(role, key) for role, key in DEMO_LOGINS if key in people]
    if not options:
        st.info("Aucun compte de démonstration : lancez `vigie seed-demo`.")
        return
    st.subheader("Se connecter en démonstration")
    labels = {key: f"{Role(role).label} — {PEOPLE[key]['display_name']}, {PEOPLE[key]['job_title']}"
              for role, key in options}
    with st.form("demo_sign_in"):
        choice = st.radio("Se connecter en tant que", [k for _, k in options], format_func=labels.__getitem__)
        if st.form_submit_button("Se connecter", type="primary"):
            _sign_in_demo(people[choice].id)
            st.rerun()
