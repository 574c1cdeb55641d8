"""Register a new use case: validated form, then its sheet."""

import streamlit as st

from portal.ui import forms
from portal.ui.deps import services
from portal.ui.feedback import attempt
from portal.ui.i18n import t
from portal.ui.session import principal

me = principal()
svc = services()

st.title(t("Nouveau cas d'usage"))
st.caption("Les champs marqués * sont obligatoires. Le cas d'usage démarre à l'étape « Idée » ; "
           "il avance ensuite par des passages d'étape décidés et tracés.")
defaults = {"lead_id": me.person_id}
with st.form("new_use_case"):
    values = forms.use_case_fields(defaults, svc.people.list(active_only=True), key="new")
    submitted = st.form_submit_button("Enregistrer le cas d'usage", type="primary")
if submitted:
    created = attempt(lambda: svc.register.create(me, forms.clean(values)), success="Cas d'usage enregistré.")
    if created is not None:
        st.switch_page("app_pages/sheet.py", query_params={"ref": created.reference})
