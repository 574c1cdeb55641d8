"""The pages each role sees; a page left out of the navigation is unreachable by URL too."""

from __future__ import annotations

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
