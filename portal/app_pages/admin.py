"""People and roles: who may sign in, and what each may do."""

import pandas as pd
import streamlit as st

from policies.access import MATRIX, Scope
from policies.vocabulary import Role
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()

st.title("Personnes et rôles")
flash()
people = svc.people.list()
st.dataframe(pd.DataFrame([{
    "N°": p.id, "Nom": p.display_name, "Courriel": p.email or "", "Direction": p.direction or "",
    "Fonction": p.job_title or "",
    "Rôles": ", ".join(r.label + (" (groupes)" if r in p.group_roles else "") for r in p.roles) or "aucun",
    "Actif": "oui" if p.active else "non", "Connexion (issuer / sub)": f"{p.issuer or ''} / {p.subject or ''}",
} for p in people]), hide_index=True)

left, right = st.columns(2)
with left:
    st.header("Changer les rôles")
    by_id = {p.id: p for p in people}
    pid = st.selectbox("Personne", list(by_id), format_func=lambda i: by_id[i].display_name)
    person = by_id[pid]
    if person.group_roles:
        st.caption("Rôles venus des groupes du fournisseur d'identité : "
                   + ", ".join(r.label for r in person.group_roles)
                   + ". Retirés ici, ils reviennent à la prochaine connexion tant que le groupe est présent.")
    with st.form(f"roles_{pid}"):
        roles = st.multiselect("Rôles", list(Role), default=list(person.roles), format_func=lambda r: r.label,
                               placeholder="Aucun rôle : la personne ne peut plus se connecter")
        active = st.checkbox("Compte actif", value=person.active)
        if st.form_submit_button("Enregistrer", type="primary"):
            ok = attempt(lambda: svc.people.set_roles(me, pid, roles, person.version), success="Rôles enregistrés.")
            if ok and active != person.active:
                ok = attempt(lambda: svc.people.set_active(me, pid, active), success="Compte mis à jour.")
            if ok:
                st.rerun()
with right:
    st.header("Ajouter une personne")
    with st.form("new_person", clear_on_submit=True):
        name = st.text_input("Nom *")
        email = st.text_input("Courriel")
        direction = st.text_input("Direction")
        job = st.text_input("Fonction")
        issuer = st.text_input("Issuer OIDC (fournisseur d'identité)")
        subject = st.text_input("Identifiant chez le fournisseur (sub)")
        new_roles = st.multiselect("Rôles", list(Role), format_func=lambda r: r.label, placeholder="Choisir un ou plusieurs rôles")
        if st.form_submit_button("Ajouter", type="primary") and attempt(
                lambda: svc.people.create(me, {"display_name": name, "email": email, "direction": direction,
                                               "job_title": job, "issuer": issuer, "subject": subject,
                                               "roles": [r.value for r in new_roles]}),
                success="Personne ajoutée."):
            st.rerun()

# identity: end a person's sessions (stolen laptop, departure); they must sign in again.
with st.expander("Sessions ouvertes"):
    open_sessions = svc.sign_in_sessions.open_sessions(pid)
    st.caption(f"{plain(person.display_name, inline=True)} : {len(open_sessions)} session(s) ouverte(s). Changer ses rôles ou "
               "désactiver son compte met aussi fin à ses sessions.")
    if open_sessions and st.button("Mettre fin à ses sessions", key=f"revoke_{pid}") and attempt(
            lambda: svc.sign_in_sessions.revoke_person(me, pid), success="Sessions terminées."):
        st.rerun()

with st.expander("Ce que chaque rôle permet"):
    rows = []
    for action, grants in MATRIX.items():
        row = {"Action": action.label}
        for role in Role:
            scope = grants.get(role)
            row[role.label] = "✔" if scope is Scope.ANY else ("ses projets" if scope is Scope.OWN else "")
        rows.append(row)
    st.dataframe(pd.DataFrame(rows), hide_index=True)
