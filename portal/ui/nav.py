"""The pages each role sees; a page left out of the navigation is unreachable by URL too."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from policies.access import can
from policies.vocabulary import Action, Principal

PAGES_DIR = Path(__file__).resolve().parent.parent / "app_pages"


def page(name: str, title: str, icon: str, *, default: bool = False, hidden: bool = False) -> st.Page:
    return st.Page(PAGES_DIR / f"{name}.py", title=title, icon=icon, url_path=name, default=default,
                   visibility="hidden" if hidden else "visible")


def public_register_page() -> st.Page:
    """The published register, readable without signing in (see VIGIE_PUBLIC_REGISTER)."""
    return st.Page(PAGES_DIR / "public_view.py", title="Registre public des algorithmes", icon=":material/public:",
                   url_path="registre-public")


def pages_for(principal: Principal) -> dict[str, list[st.Page]]:
    steering = [
        page("home", "Portefeuille", ":material/dashboard:", default=True),
        page("register", "Registre", ":material/table_view:"),
        page("sheet", "Fiche cas d'usage", ":material/description:"),
    ]
    from portal.ui.inbox import inbox_page  # notifications: every role has an inbox

    steering.insert(1, inbox_page(principal, page))
    if can(principal, Action.CREATE_USE_CASE):
        steering.append(page("new_use_case", "Nouveau cas d'usage", ":material/add_circle:"))
        steering.append(page("import_inventory", "Importer un inventaire", ":material/upload_file:"))
    # --- portfolio ---
    steering.append(page("prioritisation", "Priorisation", ":material/leaderboard:"))
    if can(principal, Action.SAVE_SCENARIO) or can(principal, Action.MANAGE_BUDGET):
        steering.append(page("scenarios", "Scénarios", ":material/balance:"))
    # needs come from any signed-in agent; the elected officials' view is read-only, for everyone signed in
    if can(principal, Action.SUBMIT_NEED):
        steering.append(page("needs", "Besoins des services", ":material/lightbulb:"))
    steering.append(page("elected", "Vue des élus", ":material/account_balance:"))
    steering.append(page("monitoring", "Suivi", ":material/monitor_heart:"))
    steering.append(page("analysis", "Analyses", ":material/query_stats:"))
    governance: list[st.Page] = []
    # governance
    if can(principal, Action.DECIDE_GATE) or can(principal, Action.VALIDATE_CLASSIFICATION):
        governance.append(page("compliance", "Conformité", ":material/gavel:"))
    if can(principal, Action.ANSWER_QUESTIONNAIRE):
        governance.append(page("questionnaire", "Questionnaire", ":material/quiz:"))
    # The public register is public: every role sees it; publishing is for compliance and admins.
    governance.append(page("public_register", "Registre public", ":material/public:"))
    if can(principal, Action.VIEW_AUDIT):
        governance.append(page("audit", "Journal d'audit", ":material/history:"))
    admin: list[st.Page] = []
    if can(principal, Action.MANAGE_PEOPLE):
        admin.append(page("admin", "Administration", ":material/group:"))
    if can(principal, Action.SET_SCORING_WEIGHTS):
        admin.append(page("weights", "Pondérations de priorisation", ":material/tune:"))
    sections = {"Pilotage": steering}
    if governance:
        sections["Gouvernance"] = governance
    if admin:
        sections["Administration"] = admin
    return sections


# ---- the address asked for ------------------------------------------------------------------------

#: The page path asked for before signing in, kept so the sign-in lands on it.
WANTED_PAGE = "vigie_wanted_page"
_PATH = re.compile(r"[A-Za-z0-9_-]{1,80}")


def requested_path() -> str | None:
    """The page path the browser's address names (``/sheet`` → ``sheet``) when it opened the app; None
    when unknown. Streamlit resolves it against the navigation's url paths and, finding none, shows its
    own English « Page not found » dialog: knowing it lets the navigation hold a page for it first."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        name = ctx.pages_manager.intended_page_name if ctx is not None else None
    except Exception:  # another Streamlit: no path, Streamlit's own fallback
        return None
    name = str(name or "").strip("/")
    return name if _PATH.fullmatch(name) else None


def signed_out_pages(sign_in: Callable[[], None], public: list[st.Page]) -> list[st.Page]:
    """Signed out: the sign-in page, also under the path asked for, so the address (and its query,
    ``?ref=…&tab=…``) is kept and the page opens once signed in."""
    pages = [st.Page(sign_in, title="Connexion", url_path="connexion", default=True), *public]
    asked = requested_path() or st.session_state.get(WANTED_PAGE)
    if asked and asked not in {p.url_path for p in pages}:
        st.session_state[WANTED_PAGE] = asked
        pages.append(st.Page(sign_in, title="Connexion", url_path=asked, visibility="hidden"))
    return pages


def with_not_found(sections: dict[str, list[st.Page]]) -> dict[str, list[st.Page]]:
    """The navigation plus, for an address that names no page of it, a hidden « Page introuvable »."""
    asked = requested_path() or st.session_state.get(WANTED_PAGE)
    st.session_state.pop(WANTED_PAGE, None)
    known = {p.url_path for pages in sections.values() for p in pages}
    if not asked or asked in known:
        return sections
    home = next(iter(sections.values()))[0]  # the portfolio

    def not_found() -> None:
        st.title("Page introuvable")
        st.markdown(f"L'adresse « /{asked} » ne correspond à aucune page du portail que vous puissiez ouvrir : "
                    "elle a pu être mal recopiée, ou la page est réservée à d'autres rôles.")
        st.page_link(home, label="Retour au portefeuille", icon=":material/dashboard:")

    last = list(sections)[-1]
    page_ = st.Page(not_found, title="Page introuvable", url_path=asked, visibility="hidden")
    return {**sections, last: [*sections[last], page_]}


def sidebar_links(sections: dict[str, list[st.Page]]) -> None:
    """The navigation in the sidebar: a label per section, then a link per page.

    Streamlit's own sectioned navigation puts each section in a ``<div>`` directly inside its ``<ul>``
    (axe: ``list`` and ``listitem``, serious), so the portal draws the same links itself
    (decision record 0074); ``st.navigation`` stays, hidden, for routing and the page's title."""
    for title, section in sections.items():
        st.html(f'<p class="vigie-nav-section">{title}</p>')
        for entry in section:
            if entry.visibility != "hidden":
                st.page_link(entry, width="stretch")
