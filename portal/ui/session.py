"""What a page needs from the session: the signed-in principal, set by the entrypoint."""

from __future__ import annotations

import streamlit as st

from policies.vocabulary import Principal


def principal() -> Principal:
    p = st.session_state.get("principal")
    if p is None:  # a page run on its own (tests) without the entrypoint
        st.error("Session expirée : reconnectez-vous.")
        st.stop()
    return p


def remembered_version(key: str, current: int) -> int:
    """The version of an object when its form was first shown (kept across reruns)."""
    if key not in st.session_state:
        st.session_state[key] = current
    return int(st.session_state[key])


def forget_version(key: str) -> None:
    st.session_state.pop(key, None)
