"""How the pages report what a service said: French messages, never a stack trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from portal.services.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from portal.ui.text import plain

T = TypeVar("T")


def attempt(action: Callable[[], T], *, success: str | None = None,
            on_stale: Callable[[], None] | None = None) -> T | None:
    """Run a service call; show its refusal in French and return None, or show ``success``.
    ``on_stale`` runs after a refused stale edit, to drop what the form remembered."""
    try:
        result = action()
    except InvalidInput as exc:
        # problems quote what was typed or uploaded: escaped, never markdown
        st.error("Rien n'a été enregistré :\n\n" + "\n".join(f"- {plain(p, inline=True)}" for p in exc.problems))
        return None
    except StaleEdit as exc:
        st.warning(plain(str(exc)))
        if on_stale is not None:
            on_stale()
        return None
    except PermissionDenied as exc:  # names the person, as the identity provider spelt it
        st.error(plain(str(exc)))
        return None
    except NotFound as exc:
        st.error(plain(str(exc)))
        return None
    if success:
        st.toast(success)
        st.session_state["_flash"] = success
    return result


def flash() -> None:
    """Show (once) the confirmation left by the previous run."""
    message = st.session_state.pop("_flash", None)
    if message:
        st.success(message)
