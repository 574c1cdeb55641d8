"""Register a new use case: validated form, then its sheet."""

import streamlit as st

from portal.ui import forms
from portal.ui.deps import services
from portal.ui.feedback import attempt
from portal.ui.session import principal

me = principal()
svc = services()

st.title("Nouveau cas d'usage")
st.caption("Les champs marqués * sont obligatoires. Le cas d'usage démarre à l'étape « Idée » ; "
           "il avance ensuite par des passages d'étape décidés et tracés.")
defaults = {"lead_id": me.person_id}
with st.form("new_use_case"):
    values = forms.use_case_fields(defaults, svc.people.list(active_only=True), key="new")
    submitted = st.form_submit_button("Enregistrer le cas d'usage", type="primary")


def _create(data: dict) -> None:  # type: ignore[type-arg]
    created = attempt(lambda: svc.register.create(me, data), success="Cas d'usage enregistré.")
    if created is not None:
        st.switch_page("app_pages/sheet.py", query_params={"ref": created.reference})


if submitted:
    data = forms.clean(values)
    # a likely duplicate (similar title, same service or provider) is shown first; the person decides
    if svc.inventory_import.duplicates_for(data):
        st.session_state["new_pending"] = data
    else:
        st.session_state.pop("new_pending", None)
        _create(data)
pending = st.session_state.get("new_pending")
if pending:
    st.warning("Un cas d'usage proche existe déjà. Vérifiez sa fiche avant d'en créer un nouveau :")
    for uc, why in svc.inventory_import.duplicates_for(pending):
        st.page_link("app_pages/sheet.py", label=f"{uc.reference} — {uc.title} ({why})",
                     icon=":material/description:", query_params={"ref": uc.reference})
    c1, c2 = st.columns(2)
    if c1.button("Enregistrer quand même", key="new_confirm_duplicate"):
        st.session_state.pop("new_pending", None)
        _create(pending)
    if c2.button("Abandonner", key="new_cancel_duplicate"):
        st.session_state.pop("new_pending", None)
        st.rerun()
