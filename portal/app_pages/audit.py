"""The audit trail for compliance: filter by use case, person and date, check integrity, export."""

import datetime as dt

import pandas as pd
import streamlit as st

from portal.services.spreadsheet import to_csv_bytes
from portal.ui.deps import services
from portal.ui.feedback import attempt
from portal.ui.history import describe_event
from portal.ui.i18n import fmt_date
from portal.ui.session import principal

me = principal()
svc = services()

st.title("Journal d'audit")
report = svc.audit.verify()
(st.success if report.ok else st.error)(report.message())

cases = {u.id: f"{u.reference} — {u.title}" for u in svc.register.list()}
people = {p.id: p.display_name for p in svc.people.list()}
c1, c2, c3, c4 = st.columns(4)
uc_id = c1.selectbox("Cas d'usage", [None, *cases], format_func=lambda i: "Tous" if i is None else cases[i])
actor = c2.selectbox("Personne", [None, *people], format_func=lambda i: "Toutes" if i is None else people[i])
since = c3.date_input("Depuis le", value=None, format="DD/MM/YYYY")
until = c4.date_input("Jusqu'au (inclus)", value=None, format="DD/MM/YYYY")


def _start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min).astimezone(dt.UTC) if day else None


events = attempt(lambda: svc.audit.events(
    me, use_case_id=uc_id, actor_id=actor, since=_start(since),
    until=_start(until + dt.timedelta(days=1)) if until else None, limit=1000,
)) or []
df = pd.DataFrame([{
    "N°": e.seq, "Date": fmt_date(e.at), "Par": e.actor_name, "Action": e.action,
    "Objet": f"{e.entity} {e.entity_id}", "Cas d'usage": cases.get(e.use_case_id, "") if e.use_case_id else "",
    "Description": describe_event(e), "Détail (avant/après)": e.payload, "Empreinte": e.hash[:16],
} for e in events])
st.caption(f"{len(df)} événement(s), du plus récent au plus ancien.")
st.dataframe(df, hide_index=True)
if len(df) and st.button("Préparer l'export CSV"):
    svc.audit.record(me, "export", "audit_event", "csv", details={"rows": len(df)})
    st.download_button("Télécharger journal-audit.csv", to_csv_bytes(df), file_name="journal-audit.csv",
                       mime="text/csv", on_click="ignore")
