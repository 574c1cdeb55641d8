"""Where the person is: the use case and the tab named in the URL (``?ref=UC-…&tab=…``), so a save's rerun,
a reload, a bookmark or a link opens the same object at the same place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

#: The last use case opened in this browser session: the sidebar's « Fiche » opens it again.
LAST_REF = "vigie_last_ref"

#: The sheet's tabs, by the slug the URL carries (``tab=``).
SHEET_TABS = {
    "apercu": "Vue d'ensemble", "sources": "Sources de données", "risques": "Risques",
    "valeur": "Valeur et coûts", "priorite": "Valeur et priorité", "gouvernance": "Gouvernance",
    "analyses": "Analyses", "suivi": "Suivi", "deploiement": "Déploiement et achat", "usages": "Agents et usagers",
    "historique": "Historique",
}


def chosen_ref(refs: Sequence[str]) -> str:
    """The use case the URL names, else the one last opened in this session, else the first."""
    for candidate in (st.query_params.get("ref"), st.session_state.get(LAST_REF)):
        if candidate in refs:
            return str(candidate)
    return refs[0]


#: The use cases opened in this browser session, the latest first: the selectors offer them before a search.
RECENT_REFS = "vigie_recent_refs"
RECENT_KEPT = 10


def keep_ref(ref: str) -> None:
    """Write the open use case into the URL and the session (and the session's recent ones)."""
    st.session_state[LAST_REF] = ref
    recent = [r for r in st.session_state.get(RECENT_REFS, []) if r != ref]
    st.session_state[RECENT_REFS] = [ref, *recent][:RECENT_KEPT]
    if st.query_params.get("ref") != ref:
        st.query_params["ref"] = ref


def kept_tabs(labels: Mapping[str, str], *, key: str) -> Sequence[Any]:
    """``st.tabs`` whose open tab survives reruns and reloads: its slug is in the URL (``tab=``).

    A tab's label may change with a save (« Sources de données (3) » becomes « (4) »), which makes
    Streamlit see new tabs; the slug, not the label, says which one is open."""
    wanted = st.query_params.get("tab")
    slug = wanted if wanted in labels else next(iter(labels))  # a link without tab= opens the first
    if st.query_params.get("tab") != slug:
        st.query_params["tab"] = slug
    by_label = {label: s for s, label in labels.items()}

    def opened() -> None:
        chosen = by_label.get(st.session_state.get(key))
        if chosen is not None:
            st.query_params["tab"] = chosen

    # Streamlit keys a widget on its parameters: a default that followed every switch would remount the
    # tabs at each one and drop the keyboard focus from the tab list. It changes only with the labels.
    shown = tuple(labels.values())
    remembered = st.session_state.get(f"{key}_default")
    if remembered is None or remembered[0] != shown or key not in st.session_state:  # a new mount follows the URL
        remembered = (shown, labels[slug])
        st.session_state[f"{key}_default"] = remembered
    return st.tabs(list(shown), default=remembered[1], key=key, on_change=opened)


def back_to_sheet(ref: str, tab: str | None = None) -> None:
    """« ← Retour à la fiche UC-… »: the way back from a page opened from a sheet."""
    params = {"ref": ref, **({"tab": tab} if tab else {})}
    st.page_link("app_pages/sheet.py", label=f"Retour à la fiche {ref}", icon=":material/arrow_back:",
                 query_params=params)


#: ``st.dataframe``'s selection for « cliquez sur une ligne »: a row's checkbox, or any of its cells (with
#: the row mode alone, a click on a cell only focuses that cell and nothing opens).
ROW_CLICK = ["single-row", "single-cell"]


def picked_row(event: Any) -> int | None:
    """The position of the row picked in a table shown with :data:`ROW_CLICK`: by its checkbox or a cell."""
    if not event:
        return None
    selection = event.selection
    rows = list(selection.get("rows") or [])
    if rows:
        return int(rows[0])
    cells = list(selection.get("cells") or [])
    return int(cells[0][0]) if cells else None
