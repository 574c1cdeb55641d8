"""The needs page's widgets: submit a need, list the needs, triage one (idea, existing use case,
duplicate, or a reasoned no)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from policies.vocabulary import Family, NeedFrequency, NeedStatus, Principal
from portal.services import Services
from portal.services.errors import NotFound
from portal.services.needs import NeedView
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date
from portal.ui.text import plain

PAGE_SIZE = 50
TRIAGE_FR = {"idea": "Transformer en idée de cas d'usage", "link": "Rattacher à un cas d'usage existant",
             "merge": "Fusionner avec un autre besoin (doublon)", "decline": "Ne pas retenir, en disant pourquoi"}


def submit_form(svc: Services, me: Principal) -> None:
    with st.expander("Exprimer un besoin", icon=":material/add_comment:", expanded=False), \
            st.form("need_submit"):
        st.caption("Décrivez ce qui est difficile aujourd'hui dans votre service, sans chercher la solution : "
                   "la direction et les chefs de projet y répondront.")
        title = st.text_input("Intitulé du besoin *", max_chars=200, key="need_title")
        difficulty = st.text_area("Ce qui est difficile aujourd'hui *", key="need_difficulty")
        c1, c2, c3 = st.columns(3)
        frequency = c1.selectbox("Fréquence *", list(NeedFrequency), format_func=lambda f: f.label,
                                 key="need_frequency")
        beneficiaries = c2.text_input("Pour qui *", key="need_beneficiaries")
        service = c3.text_input("Service *", key="need_service")
        if st.form_submit_button("Envoyer le besoin", type="primary") and attempt(
                lambda: svc.needs.submit(me, {"title": title, "difficulty": difficulty, "frequency": frequency.value,
                                              "beneficiaries": beneficiaries, "service": service}),
                success="Besoin enregistré : il apparaît dans la liste « À traiter »."):
            for key in ("need_title", "need_difficulty", "need_beneficiaries", "need_service"):
                st.session_state.pop(key, None)  # an accepted need empties the form; a refused one keeps it
            st.rerun()


def needs_table(needs: list[NeedView]) -> None:
    st.dataframe(pd.DataFrame([{
        "N°": n.id, "Besoin": n.title, "Service": n.service, "Fréquence": n.frequency.label, "Pour qui": n.beneficiaries,
        "État": n.status.label, "Réponse": (f"{n.use_case_reference} — " if n.use_case_reference else "")
        + (n.answer or ""), "Exprimé le": fmt_date(n.submitted_at), "Par": n.submitted_by or "—"} for n in needs]),
        hide_index=True, column_config={"N°": st.column_config.NumberColumn(width="small"),
                                        "Besoin": st.column_config.TextColumn(width="large")})


def triage(svc: Services, me: Principal, open_needs: list[NeedView]) -> None:
    st.header("Traiter un besoin")
    if not open_needs:
        st.info("Aucun besoin à traiter dans cette liste.")
        return
    by_id = {n.id: n for n in open_needs}
    need_id = st.selectbox("Besoin", list(by_id), format_func=lambda i: f"n° {i} — {by_id[i].title}",
                           key="triage_need")
    need = by_id[need_id]
    st.markdown(f"**{plain(need.service, inline=True)}** · {need.frequency.label} · pour "
                f"{plain(need.beneficiaries, inline=True)}")
    st.text(need.difficulty)
    choice = st.radio("Réponse", list(TRIAGE_FR), format_func=TRIAGE_FR.get, key="triage_choice")
    {"idea": _idea, "link": _link, "merge": _merge, "decline": _decline}[choice](svc, me, need)


def _done(result: Any) -> None:
    if result is not None:
        st.rerun()


def _idea(svc: Services, me: Principal, need: NeedView) -> None:
    with st.form(f"triage_idea_{need.id}"):
        st.caption("Le cas d'usage est créé à l'étape « Idée », rattaché à ce besoin ; vous en devenez "
                   "chef de projet et complétez sa fiche ensuite.")
        title = st.text_input("Titre *", value=need.title, max_chars=200, key=f"idea_title_{need.id}")
        c1, c2 = st.columns(2)
        family = c1.selectbox("Famille *", list(Family), format_func=lambda f: f.label, index=None,
                              placeholder="Choisir…", key=f"idea_family_{need.id}")
        direction = c2.text_input("Direction *", key=f"idea_direction_{need.id}")
        if st.form_submit_button("Créer l'idée", type="primary"):
            uc_id = attempt(lambda: svc.needs.turn_into_idea(me, need.id, need.version, {
                "title": title, "family": family.value if family else None, "direction": direction}),
                success="Idée de cas d'usage créée à partir du besoin.")
            if uc_id is not None:
                st.switch_page("app_pages/sheet.py", query_params={"ref": svc.register.get(uc_id).reference})


def _link(svc: Services, me: Principal, need: NeedView) -> None:
    with st.form(f"triage_link_{need.id}"):
        reference = st.text_input("Référence du cas d'usage (par exemple UC-2026-001) *", key=f"link_ref_{need.id}")
        note = st.text_input("Message pour le service (facultatif)", key=f"link_note_{need.id}")
        if st.form_submit_button("Rattacher"):
            try:
                uc = svc.register.get_by_reference(reference.strip())
            except NotFound as exc:
                st.error(f"Champ « Référence du cas d'usage » : {plain(str(exc), inline=True)}")
                return
            _done(attempt(lambda: svc.needs.link_to_use_case(me, need.id, uc.id, need.version, note) or True,
                          success=f"Besoin rattaché à {uc.reference}."))


def _merge(svc: Services, me: Principal, need: NeedView) -> None:
    with st.form(f"triage_merge_{need.id}"):
        into = st.number_input("N° du besoin qui reste *", min_value=1, step=1, value=None, key=f"merge_into_{need.id}")
        if st.form_submit_button("Fusionner"):
            _done(attempt(lambda: svc.needs.merge(me, need.id, int(into or 0), need.version) or True,
                          success="Besoin fusionné avec le besoin qui reste."))


def _decline(svc: Services, me: Principal, need: NeedView) -> None:
    with st.form(f"triage_decline_{need.id}"):
        answer = st.text_area("Réponse motivée *", key=f"decline_answer_{need.id}")
        if st.form_submit_button("Ne pas retenir"):
            _done(attempt(lambda: svc.needs.decline(me, need.id, need.version, answer) or True,
                          success="Réponse enregistrée."))


STATUS_FILTER = {"open": [NeedStatus.OPEN], "all": [], **{s.value: [s] for s in NeedStatus if s is not NeedStatus.OPEN}}
STATUS_FILTER_FR = {"open": NeedStatus.OPEN.label, "all": "Tous"} | {s.value: s.label for s in NeedStatus
                                                                      if s is not NeedStatus.OPEN}
