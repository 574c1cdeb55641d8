"""Suivi: which pilots and deployments are healthy, drifting, stale or not monitored."""

import pandas as pd
import streamlit as st

from monitoring.levels import roman
from portal.services.monitoring import HEALTH_LABELS
from portal.ui import monitoring_charts
from portal.ui.charts import show as show_chart
from portal.ui.deps import services
from portal.ui.formats import fmt_date, fmt_int, fmt_number
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.session import principal
from portal.ui.text import plain

PROPOSALS_NAMED = 5  # suspension proposals named in the warning; the list's filter shows them all
me = principal()
svc = services()
counts = svc.monitoring.health_counts()  # status -> how many, over the whole portfolio
total = sum(counts.values())

st.title("Suivi")
st.caption("État des cas d'usage en expérimentation, en évaluation ou déployés, d'après les derniers contrôles "
           "enregistrés. Un contrôle se lance depuis l'onglet « Suivi » de la fiche, en y déposant le lot du "
           "mois (ou, pour l'automatiser, par la tâche planifiée `vigie monitor due`) ; jamais à l'ouverture "
           "de cette page.")

c1, c2, c3, c4 = st.columns(4)
c1.metric("Sains", fmt_int(counts["healthy"]))
c2.metric("En dérive ou en alerte", fmt_int(counts["drifting"]))
c3.metric("Contrôles dus", fmt_int(counts["stale"] + counts["awaiting"]),
          help="Contrôle en retard sur sa cadence, ou référence posée sans premier contrôle.")
c4.metric("Non suivis", fmt_int(counts["not_monitored"]))

proposals, n_proposals = svc.monitoring.health_page(suspension_only=True, limit=PROPOSALS_NAMED)
if proposals:
    more = n_proposals - len(proposals)
    st.warning("Suspension proposée après des alertes répétées (décision humaine attendue, par la gouvernance) : "
               + ", ".join(f"{r.reference} — {plain(r.title, inline=True)}" for r in proposals)
               + (f", et {fmt_int(more)} autre(s) : cochez « Suspension proposée » ci-dessous pour les lister."
                  if more > 0 else ""), icon=":material/gavel:")

if not total:
    st.info("Aucun cas d'usage en expérimentation, en évaluation ou déployé.")
    st.stop()

f1, f2, f3 = st.columns([2, 2, 1], vertical_alignment="bottom")
statuses = f1.multiselect("État", list(HEALTH_LABELS), format_func=HEALTH_LABELS.__getitem__, key="health_states",
                          placeholder="Tous")
text = f2.text_input("Rechercher (référence ou titre)", key="health_text")
only_proposals = f3.checkbox("Suspension proposée", key="health_proposals")
filters = {"statuses": statuses, "text": text, "suspension_only": only_proposals}
_, matching = svc.monitoring.health_page(**filters, limit=0)
offset = PAGE_SIZE * page_number(matching, "health_page")
rows, matching = svc.monitoring.health_page(**filters, offset=offset, limit=PAGE_SIZE)

table = pd.DataFrame([{
    "État": r.status_label, "Référence": r.reference, "Cas d'usage": r.title, "Étape": r.stage.label,
    "Niveau d'impact": f"{roman(r.level.level)}{' (par défaut)' if r.level.source == 'default' else ''}",
    "Dernier contrôle": fmt_date(r.last_check) if r.last_check else "jamais",
    "Part en dérive": "—" if r.share_drifted is None else f"{fmt_number(r.share_drifted * 100, 0)} %",
    "Alertes ouvertes": r.open_alerts, "Prochain contrôle": fmt_date(r.next_due) if r.next_due else "—",
    "Suspension": "proposée" if r.suspension_proposed else "",
} for r in rows], columns=["État", "Référence", "Cas d'usage", "Étape", "Niveau d'impact", "Dernier contrôle",
                           "Part en dérive", "Alertes ouvertes", "Prochain contrôle", "Suspension"])
CASES = "cas d'usage"
st.caption(f"{shown(offset, len(rows), matching, CASES)}, les plus urgents d'abord — cliquez sur une ligne pour "
           "ouvrir sa fiche (onglet « Suivi »).")
picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode=ROW_CLICK, key="health",
                      column_config={"Cas d'usage": st.column_config.TextColumn(width="large")})
if (row := picked_row(picked)) is not None and row < len(table):
    st.switch_page("app_pages/sheet.py", query_params={"ref": table.iloc[row]["Référence"],
                                                               "tab": "suivi"})
left, _ = st.columns([1, 2])
with left:
    show_chart(monitoring_charts.health_counts({HEALTH_LABELS[k]: n for k, n in counts.items()}), width="stretch")

st.header("Contrôles dus")
_, n_due = svc.monitoring.due_page(limit=0)
if n_due:
    first = PAGE_SIZE * page_number(n_due, "due_page")
    due, n_due = svc.monitoring.due_page(offset=first, limit=PAGE_SIZE)
    st.caption(shown(first, len(due), n_due, "contrôle(s) dû(s)"))
    st.dataframe(pd.DataFrame([{
        "Référence": d.reference, "Cas d'usage": d.title,
        "Dernier contrôle": fmt_date(d.last_check) if d.last_check else "jamais",
        "Lot courant": d.current_source or "à déposer dans l'onglet « Suivi » de la fiche",
    } for d in due]), hide_index=True)
else:
    st.success("Aucun contrôle en retard.")
