"""Portfolio overview: where the use cases stand, what needs me, what happened lately."""

import pandas as pd
import streamlit as st

from policies.vocabulary import Family, Stage
from portal.ui import charts
from portal.ui.deps import services
from portal.ui.formats import fmt_date, fmt_int, fmt_money
from portal.ui.history import describe_event
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()
summary = svc.register.summary()

st.title("Portefeuille")
st.caption(f"Bonjour {plain(me.display_name, inline=True)} — vue d'ensemble des cas d'usage d'IA de la collectivité.")

active = sum(summary.by_stage.get(s.value, 0) for s in (Stage.PILOT, Stage.EVALUATION, Stage.DEPLOYED))
c1, c2, c3, c4 = st.columns(4)
c1.metric("Cas d'usage", fmt_int(summary.total))
c2.metric("Expérimentés ou déployés", fmt_int(active))
c3.metric("Coûts de construction engagés", fmt_money(summary.build_cost))
c4.metric("Coûts de fonctionnement annuels", fmt_money(summary.run_cost_per_year))

left, right = st.columns(2)
with left:
    st.header("Répartition par étape")
    charts.show(charts.counts_by_stage(summary.by_stage), width="stretch", summary="Cas d'usage par étape : " + ", ".join(
        f"{Stage(k).label} {n}" for k, n in summary.by_stage.items()) + ".")
with right:
    st.header("Répartition par famille")
    charts.show(charts.counts_by_family(summary.by_family), width="stretch", summary="Cas d'usage par famille : "
                + ", ".join(f"{Family(k).label} {n}" for k, n in summary.by_family.items()) + ".")

st.header("Ce qui demande votre attention")
# register, governance (held and refused gates, overdue reviews and obligations), monitoring (alerts and
# suspension proposals) and public reports, merged by urgency; cached until the next write
items = svc.attention.for_person(me)
if not items:
    st.success("Rien en attente pour vous.")
else:
    icons = {"error": "Urgent", "warning": "À suivre", "info": "Info"}
    offset = PAGE_SIZE * page_number(len(items), "attention_page")  # a métropole's list runs to thousands
    todo = pd.DataFrame([{"Priorité": icons[i.severity], "Référence": i.reference, "Cas d'usage": i.title,
                          "Point d'attention": i.message} for i in items[offset:offset + PAGE_SIZE]])
    st.caption(f"{shown(offset, len(todo), len(items), 'point(s)')}, les plus urgents d'abord — cliquez sur une "
               "ligne pour ouvrir la fiche.")
    picked = st.dataframe(todo, hide_index=True, on_select="rerun", selection_mode=ROW_CLICK, key="attention",
                          column_config={"Priorité": st.column_config.TextColumn(width="small"),
                                         "Point d'attention": st.column_config.TextColumn(width="large")})
    if (row := picked_row(picked)) is not None:
        st.switch_page("app_pages/sheet.py", query_params={"ref": todo.iloc[row]["Référence"]})

st.header("Activité récente")
for ev in svc.audit.recent(limit=8):
    # the actor's name may come from the identity provider, even for a refused sign-in: plain text
    st.markdown(f"- {fmt_date(ev.at)} — **{plain(ev.actor_name, inline=True)}** : {plain(describe_event(ev), inline=True)}")
