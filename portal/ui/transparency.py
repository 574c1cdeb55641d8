"""The sheet's « Transparence » section: what the public register's standards and the CRPA
explanation ask, shown and edited (the register service checks, audits and refuses stale edits)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

import streamlit as st

from policies.access import can
from policies.vocabulary import Action, Principal
from portal.services import Services
from portal.services.schemas import TRANSPARENCY_LABELS, UseCaseView
from portal.ui import forms
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date
from portal.ui.session import forget_version, remembered_version
from portal.ui.text import plain


def _filled(value: object) -> bool:
    return value not in (None, "", (), [])


def section(svc: Services, me: Principal, uc: UseCaseView) -> None:
    """What the section says, what it leaves empty, and its form for those who may edit the sheet."""
    values = uc.transparency()
    empty = [TRANSPARENCY_LABELS[k] for k, v in values.items() if not _filled(v)]
    st.header("Transparence")
    if empty:
        st.caption(f"{len(TRANSPARENCY_LABELS) - len(empty)} rubrique(s) sur {len(TRANSPARENCY_LABELS)} "
                   f"renseignée(s). À compléter : {', '.join(empty)}. Les exports du registre public "
                   "(Eurocities, registre néerlandais) laissent vides les champs correspondants.")
    else:
        st.caption("Section complète : les exports du registre public et la lettre d'explication (CRPA) "
                   "sont complets.")
    with st.expander("Voir la section « Transparence »", icon=":material/visibility:"):
        for name, label in TRANSPARENCY_LABELS.items():
            value = values[name]
            if name == "parameters":
                shown = "\n".join(f"- {plain(p['name'], inline=True)}"
                                  + (f" — source : {plain(p['source'], inline=True)}" if p.get("source") else "")
                                  + (f" — pondération : {plain(p['weight'], inline=True)}" if p.get("weight") else "")
                                  for p in value) if value else "—"
            elif name == "operations":
                shown = "\n".join(f"{i}. {plain(op, inline=True)}" for i, op in enumerate(value, 1)) if value else "—"
            else:
                shown = plain(str(value)) if value else "—"
            st.markdown(f"**{label}**  \n{shown}")
    if not can(me, Action.EDIT_USE_CASE, owner_ids=[uc.lead_id]):
        return
    with st.expander("Modifier la section « Transparence »", icon=":material/edit:"):
        vkey = f"uc_version_{uc.id}"  # one version for the whole sheet, shared with « Modifier la fiche »
        expected = remembered_version(vkey, uc.version)
        if expected != uc.version:
            st.warning("Cette fiche a changé depuis que vous l'avez ouverte. Rechargez avant de modifier.")
            if st.button("Recharger la section", key=f"transparency_reload_{uc.id}"):
                forget_version(vkey)
                for k in [k for k in st.session_state
                          if str(k).startswith((f"transparency_{uc.id}_", f"edit_{uc.id}_"))]:
                    del st.session_state[k]
                st.rerun()
        with st.form(f"transparency_{uc.id}"):
            typed = forms.transparency_fields(values, key=f"transparency_{uc.id}")
            if st.form_submit_button("Enregistrer", type="primary", key=f"transparency_{uc.id}_submit"):
                saved = attempt(lambda: svc.register.update_transparency(me, uc.id, expected, typed),
                                success="Section « Transparence » enregistrée.")
                if saved is not None:
                    st.session_state[vkey] = saved.version
                    st.rerun()


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def entry_definitions(record: Mapping[str, Any], fields: Mapping[str, str]) -> None:
    """A register entry as a definition list: each heading, then its text on the full width (no grid)."""
    for key, label in fields.items():
        value = record.get(key)
        text = "" if value is None else str(value).strip()
        if _ISO_DATE.fullmatch(text):
            text = fmt_date(dt.date.fromisoformat(text))
        st.markdown(f"**{plain(label, inline=True)}**")
        if text:
            st.markdown(plain(text))
        else:
            st.caption("Non renseigné.")
