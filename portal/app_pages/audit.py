"""The audit trail for compliance: filter by use case, person, action and dates; check integrity; export."""

import datetime as dt

import pandas as pd
import streamlit as st

from portal.ui.deps import services
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date
from portal.ui.history import ACTIONS as ACTION_VERBS
from portal.ui.history import ENTITIES, change_text, describe_event
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.picker import SHORT
from portal.ui.session import principal

me = principal()
svc = services()

st.title("Journal d'audit")
st.caption("Chaque modification, connexion, déconnexion et export est consigné ici, chaîné par empreintes "
           "SHA-256 : une ligne modifiée ou supprimée se voit à la vérification.")
# the whole chain is re-hashed on demand (and nightly by `vigie audit verify`), not at every page load:
# on years of events it takes seconds
if st.button("Vérifier l'intégrité du journal", key="audit_verify"):
    st.session_state["audit_report"] = svc.audit.verify()
report = st.session_state.get("audit_report")
if report is not None:
    (st.success if report.ok else st.error)(report.message())

people = {p.id: p.display_name for p in svc.people.list()}
ACTIONS = {"": "Toutes", "create": "création", "update": "modification", "delete": "suppression",
           "set_roles": "rôles", "set_active": "activation", "login": "connexion", "logout": "déconnexion",
           "login_refused": "connexion refusée", "revoke_sessions": "fin de sessions", "export": "export",
           "register_on_sign_in": "première connexion", "apply_group_roles": "rôles d'après les groupes",
           "clear_lead": "cas laissé sans chef de projet"}
c0, c1 = st.columns([1, 2])
c2, c3, c4, c5 = st.columns(4)
# the use case filter: a search over the register (its first matches) rather than a list of every case
c0.text_input("Chercher un cas d'usage", key="audit_uc_search", placeholder="Référence ou mots du titre",
              help="Restreint la liste « Cas d'usage » aux cas dont la référence ou le titre contient ces mots.")
wanted = st.session_state.get("audit_uc")
case_text = str(st.session_state.get("audit_uc_search") or "").strip()
listed = svc.register.choices_of([wanted]) if wanted is not None else []
listed += (svc.register.find_choices(case_text, limit=SHORT) if case_text else svc.register.short_choices(limit=SHORT))
cases = {c.id: f"{c.reference} — {c.title}" for c in listed}
uc_id = c1.selectbox("Cas d'usage", [None, *cases], format_func=lambda i: "Tous" if i is None else cases[i],
                     key="audit_uc")
actor = c2.selectbox("Personne", [None, *people], format_func=lambda i: "Toutes" if i is None else people[i])
action = c3.selectbox("Action", list(ACTIONS), format_func=ACTIONS.__getitem__)
since = c4.date_input("Depuis le", value=None, format="DD/MM/YYYY")
until = c5.date_input("Jusqu'au (inclus)", value=None, format="DD/MM/YYYY")


def _start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min).astimezone(dt.UTC) if day else None


filters = {"use_case_id": uc_id, "actor_id": actor, "action": action or None, "since": _start(since),
           "until": _start(until + dt.timedelta(days=1)) if until else None}
total = attempt(lambda: svc.audit.count(me, **filters)) or 0
offset = PAGE_SIZE * page_number(total, "audit_page")
events = attempt(lambda: svc.audit.events(me, **filters, offset=offset, limit=PAGE_SIZE)) or []
# the « Cas d'usage » column names only the cases of the events shown
named = {c.id: f"{c.reference} — {c.title}" for c in svc.register.choices_of(
    sorted({e.use_case_id for e in events if e.use_case_id is not None}))}
df = pd.DataFrame([{
    "N°": e.seq, "Date": fmt_date(e.at), "Par": e.actor_name, "Action": ACTION_VERBS.get(e.action, "autre action"),
    "Objet": f"{ENTITIES.get(e.entity, 'autre objet')} n° {e.entity_id}",
    "Cas d'usage": named.get(e.use_case_id, "") if e.use_case_id else "",
    "Description": describe_event(e), "Changements (avant → après)": change_text(e), "Empreinte": e.hash[:16],
} for e in events])
st.caption(f"{shown(offset, len(df), total, 'événement(s)')}, du plus récent au plus ancien "
           "(l'export contient tous ceux du filtre).")
st.dataframe(df, hide_index=True)

st.caption("L'export reprend les filtres ci-dessus et le détail enregistré de chaque événement, neutralise les formules de tableur et est lui-même consigné.")
e1, e2, _ = st.columns([1, 1, 3])
for fmt, label, col in (("csv", "Préparer l'export CSV", e1), ("xlsx", "Préparer l'export Excel", e2)):
    if col.button(label, key=f"audit_export_{fmt}", disabled=not len(df)):
        st.session_state[f"audit_file_{fmt}"] = attempt(
            lambda fmt=fmt: svc.audit_exports.export(me, fmt, **filters))
    ready = st.session_state.get(f"audit_file_{fmt}")
    if ready is not None:
        col.download_button(f"Télécharger {ready.filename}", ready.data, file_name=ready.filename,
                            mime=ready.mime, on_click="ignore", key=f"audit_download_{fmt}")
