"""The collectivité's own facts, and people and roles: who may sign in, and what each may do."""

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

st.title("Administration")
flash()

org = svc.organisation.get()
with st.expander("La collectivité" + ("" if org and org.complete else " — à compléter"), expanded=not (org and org.complete),
                 icon=":material/account_balance:"):
    st.caption("Renseignées une fois ici, ces informations servent partout : seuils du CRPA dans le questionnaire "
               "(effectif, population), mention et lettre d'explication, registre public, rapport au comité.")
    with st.form("organisation"):
        c1, c2 = st.columns(2)
        org_name = c1.text_input("Nom de la collectivité *", value=org.name if org else "")
        org_contact = c2.text_input("Contact pour les demandes d'explication *", value=org.contact if org else "",
                                    help="Adresse postale, formulaire en ligne ou courriel où un usager demande "
                                         "l'explication d'une décision (CRPA R311-3-1-2).")
        org_population = c1.number_input("Population", value=org.population if org else None, min_value=0, step=1000,
                                         placeholder="non renseignée")
        org_fte = c2.number_input("Effectif (ETP)", value=org.staff_fte if org else None, min_value=0, step=10,
                                  placeholder="non renseigné",
                                  help="La publication des règles des principaux traitements est obligatoire à partir "
                                       "de 50 agents (CRPA L312-1-3, D312-1-4).")
        dpo_name = c1.text_input("Délégué à la protection des données", value=org.dpo_name if org else "")
        dpo_contact = c2.text_input("Contact du délégué", value=org.dpo_contact if org else "")
        territorial = st.checkbox("Collectivité territoriale (commune, intercommunalité, département, région)",
                                  value=org.is_territorial_collectivity if org else True)
        if st.form_submit_button("Enregistrer", type="primary") and attempt(
                lambda: svc.organisation.update(me, org.version if org else 0, {
                    "name": org_name, "contact": org_contact, "population": org_population, "staff_fte": org_fte,
                    "dpo_name": dpo_name, "dpo_contact": dpo_contact, "is_territorial_collectivity": territorial}),
                success="Informations de la collectivité enregistrées."):
            st.rerun()

st.header("Personnes et rôles")
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
                               placeholder="Aucun rôle : la personne ne peut plus se connecter", select_all=False)
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
        new_roles = st.multiselect("Rôles", list(Role), format_func=lambda r: r.label, placeholder="Choisir un ou plusieurs rôles", select_all=False)
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
