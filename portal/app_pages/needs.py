"""Needs of the services: any signed-in agent submits one; the direction and project leads triage them."""

import streamlit as st

from policies.access import can
from policies.vocabulary import Action, NeedStatus
from portal.ui import needs as needs_ui
from portal.ui.deps import services
from portal.ui.feedback import flash
from portal.ui.formats import fmt_int
from portal.ui.session import principal

me = principal()
svc = services()

st.title("Besoins des services")
st.caption("Partir des besoins concrets des services : ce qui est difficile aujourd'hui, à quelle fréquence, "
           "pour qui. Chaque besoin reçoit une réponse : une idée de cas d'usage, un cas existant, ou un refus motivé.")
flash()
counts = svc.needs.counts()
c1, c2, c3, c4 = st.columns(4)
c1.metric("À traiter", fmt_int(counts[NeedStatus.OPEN]))
c2.metric("Pris en charge", fmt_int(counts[NeedStatus.ANSWERED]))
c3.metric("Non retenus", fmt_int(counts[NeedStatus.DECLINED]))
c4.metric("Doublons fusionnés", fmt_int(counts[NeedStatus.MERGED]))
if can(me, Action.SUBMIT_NEED):
    needs_ui.submit_form(svc, me)

c1, c2 = st.columns([1, 2])
status = c1.selectbox("État", list(needs_ui.STATUS_FILTER), format_func=needs_ui.STATUS_FILTER_FR.get,
                      key="needs_status")
search = c2.text_input("Rechercher (intitulé, service, description)", key="needs_search")
total = sum(counts.values()) if status == "all" else sum(counts[s] for s in needs_ui.STATUS_FILTER[status])
pages = max(1, -(-total // needs_ui.PAGE_SIZE))
page = st.number_input(f"Page (sur {pages})", min_value=1, max_value=pages, value=1, key="needs_page") \
    if pages > 1 else 1
shown = svc.needs.list(statuses=needs_ui.STATUS_FILTER[status], search=search or None, limit=needs_ui.PAGE_SIZE,
                       offset=(int(page) - 1) * needs_ui.PAGE_SIZE)
if shown:
    needs_ui.needs_table(shown)
else:
    st.info("Aucun besoin dans cette liste.")
if can(me, Action.TRIAGE_NEED):
    needs_ui.triage(svc, me, [n for n in shown if n.open])
