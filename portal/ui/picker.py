"""The use-case selector of the pages that work on one use case (sheet, analyses, questionnaire): a short
list and a search over the whole register, never a list of every use case (a portfolio may hold ten
thousand). The use case the URL names (``?ref=``) is always in the list, so a bookmark opens it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import streamlit as st

from policies.vocabulary import Principal
from portal.services import Services
from portal.services.register import UseCaseChoice
from portal.ui.places import LAST_REF, RECENT_REFS
from portal.ui.text import plain

#: How many use cases the selector lists at most (before and after a search).
SHORT = 50


def pick_use_case(svc: Services, me: Principal, *, key: str, lead_id: int | None = None,
                  prefer_ids: Sequence[int] | None = None,
                  suffix: Callable[[Sequence[UseCaseChoice]], Mapping[int, str]] | None = None,
                  ) -> UseCaseChoice | None:
    """« Cas d'usage » over a short list, and « Rechercher un cas d'usage » beside it; returns the chosen one
    (None when there is none to choose: an empty register, or none led by ``lead_id``).

    Before a search the list holds the case the URL names (else the one last opened), the ones opened
    recently in this session, the person's own, those of ``prefer_ids``, then the first of the register by
    reference; a search (words of the reference or title, every one required) lists its first
    :data:`SHORT` matches, searched in the database. ``lead_id`` keeps only the cases that person leads.
    ``suffix`` adds a text to each option's label (by use case id)."""
    search_key = f"{key}_search"
    text = str(st.session_state.get(search_key) or "").strip()
    asked = [r for r in (st.query_params.get("ref"), st.session_state.get(LAST_REF)) if r]
    named = svc.register.choices_named(asked, lead_id=lead_id)
    current = named[0] if named else None
    found = svc.register.find_choices(text, lead_id=lead_id, limit=SHORT + 1) if text else []
    listed = found[:SHORT] or svc.register.short_choices(
        recent=st.session_state.get(RECENT_REFS, []), own_id=me.person_id, prefer_ids=prefer_ids,
        lead_id=lead_id, limit=SHORT)
    options = {c.reference: c for c in ([current] if current else []) + listed}
    if not options:
        return None
    chosen = current or next(iter(options.values()))
    if st.session_state.get(key) != chosen.reference:  # the URL names the case, not a choice left from earlier
        st.session_state[key] = chosen.reference
    extra = suffix(list(options.values())) if suffix else {}

    def picked() -> None:
        st.query_params["ref"] = st.session_state[key]

    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    ref = c1.selectbox("Cas d'usage", list(options), key=key, on_change=picked,
                       format_func=lambda r: f"{r} — {options[r].title}{extra.get(options[r].id, '')}")
    c2.text_input("Rechercher un cas d'usage", key=search_key, placeholder="Référence ou mots du titre",
                  help="Cherche dans tout le registre ; les résultats s'affichent dans la liste « Cas d'usage ».")
    if text:
        said = plain(text, inline=True)
        if not found:
            st.caption(f"Aucun cas d'usage ne correspond à « {said} » : la liste montre les cas habituels.")
        elif len(found) > SHORT:
            st.caption(f"Plus de {SHORT} cas d'usage correspondent à « {said} » : la liste montre les {SHORT} "
                       "premiers ; précisez la recherche.")
        else:
            st.caption(f"{len(found)} cas d'usage correspond(ent) à « {said} » : choisissez dans la liste.")
    return options[ref]
