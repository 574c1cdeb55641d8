"""Suivi: which pilots and deployments are healthy, drifting, stale or not monitored."""

import pandas as pd
import streamlit as st

from monitoring.levels import roman
from portal.ui import monitoring_charts
from portal.ui.charts import show as show_chart
from portal.ui.deps import services
from portal.ui.formats import fmt_date, fmt_number
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()
rows = svc.monitoring.portfolio_health()

st.title("Suivi")
st.caption("État des cas d'usage en expérimentation, en évaluation ou déployés, d'après les derniers contrôles "
           "enregistrés. Un contrôle se lance depuis l'onglet « Suivi » de la fiche, en y déposant le lot du "
           "mois (ou, pour l'automatiser, par la tâche planifiée `vigie monitor due`) ; jamais à l'ouverture "
           "de cette page.")

counts = {label: sum(r.status_label == label for r in rows) for label in monitoring_charts.HEALTH_COLOURS}
c1, c2, c3, c4 = st.columns(4)
c1.metric("Sains", counts["Sain"])
c2.metric("En dérive ou en alerte", counts["Dérive ou alerte"])
c3.metric("Contrôles dus", counts["Contrôle en retard"] + counts["Premier contrôle attendu"],
          help="Contrôle en retard sur sa cadence, ou référence posée sans premier contrôle.")
c4.metric("Non suivis", counts["Non suivi"])

proposals = [r for r in rows if r.suspension_proposed]
if proposals:
    st.warning("Suspension proposée après des alertes répétées (décision humaine attendue, par la gouvernance) : "
             + ", ".join(f"{r.reference} — {plain(r.title, inline=True)}" for r in proposals), icon=":material/gavel:")

if not rows:
    st.info("Aucun cas d'usage en expérimentation, en évaluation ou déployé.")
    st.stop()

table = pd.DataFrame([{
    "État": r.status_label, "Référence": r.reference, "Cas d'usage": r.title, "Étape": r.stage.label,
    "Niveau d'impact": f"{roman(r.level.level)}{' (par défaut)' if r.level.source == 'default' else ''}",
    "Dernier contrôle": fmt_date(r.last_check) if r.last_check else "jamais",
    "Part en dérive": "—" if r.share_drifted is None else f"{fmt_number(r.share_drifted * 100, 0)} %",
    "Alertes ouvertes": r.open_alerts, "Prochain contrôle": fmt_date(r.next_due) if r.next_due else "—",
    "Suspension": "proposée" if r.suspension_proposed else "",
} for r in rows])
st.caption(f"{len(rows)} cas d'usage — cliquez sur une ligne pour ouvrir sa fiche (onglet « Suivi »).")
picked = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode=ROW_CLICK, key="health",
                      column_config={"Cas d'usage": st.column_config.TextColumn(width="large")})
if (row := picked_row(picked)) is not None:
    st.switch_page("app_pages/sheet.py", query_params={"ref": table.iloc[row]["Référence"],
                                                               "tab": "suivi"})
left, _ = st.columns([1, 2])
with left:
    show_chart(monitoring_charts.health_counts([r.status_label for r in rows]), width="stretch")

due = svc.monitoring.due()
st.header("Contrôles dus")
if due:
    st.dataframe(pd.DataFrame([{
        "Référence": d.reference, "Cas d'usage": d.title,
        "Dernier contrôle": fmt_date(d.last_check) if d.last_check else "jamais",
        "Lot courant": d.current_source or "à déposer dans l'onglet « Suivi » de la fiche",
    } for d in due]), hide_index=True)
else:
    st.success("Aucun contrôle en retard.")
