"""Vigie's entrypoint: sign-in gate, then the navigation the signed-in person's roles allow."""

from __future__ import annotations

import streamlit as st

from portal.ui import auth, look
from portal.ui.deps import settings
from portal.ui.nav import pages_for, public_register_page, sidebar_links, signed_out_pages, with_not_found

st.set_page_config(page_title="Vigie", page_icon=":material/visibility:", layout="wide")
look.apply()  # the theme's CSS, lang="fr", the collectivité's logo

principal = auth.current()
if principal is None:
    # Signed out: the sign-in page, and the published register for the public when it is open.
    public = [public_register_page()] if settings().public_register else []
    # the address asked for is kept through the sign-in (a bookmark, a reload, a link)
    chosen = st.navigation(signed_out_pages(auth.sign_in_page, public), position="hidden")
    look.page_title(chosen.title)
    chosen.run()
    st.stop()

st.session_state["principal"] = principal
sections = with_not_found(pages_for(principal))
navigation = st.navigation(sections, position="hidden")  # drawn below: nav.sidebar_links
look.page_title(navigation.title)

with st.sidebar:
    look.header()
    sidebar_links(sections)
    st.text(principal.display_name)  # a name from the identity provider: never markdown/HTML
    st.caption(", ".join(sorted(r.label for r in principal.roles)) or "Aucun rôle")
    if st.button("Se déconnecter", icon=":material/logout:"):
        auth.sign_out()
        st.rerun()
    if settings().demo_login_allowed:
        st.caption(":orange[**Mode démonstration**] — données fictives")

if settings().demo_login_allowed:
    auth.demo_banner()
navigation.run()
