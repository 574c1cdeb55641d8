"""The register: search, filter, sort, open a sheet, export."""

import streamlit as st

from policies.vocabulary import Family, Stage
from portal.services.exports import register_frame
from portal.services.register import RegisterFilter
from portal.ui.deps import services
from portal.ui.feedback import attempt
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.session import principal

me = principal()
svc = services()

st.title("Registre")
c1, c2, c3, c4 = st.columns([2, 2, 2, 2])
text = c1.text_input("Rechercher", placeholder="titre, référence, direction…")
families = c2.multiselect("Famille", list(Family), format_func=lambda f: f.label, placeholder="Toutes", select_all=False)
stages = c3.multiselect("Étape", list(Stage), format_func=lambda s: s.label, placeholder="Toutes", select_all=False)
directions = c4.multiselect("Direction", svc.register.directions(), placeholder="Toutes", select_all=False)
flt = RegisterFilter(text=text or None, families=tuple(f.value for f in families),
                     stages=tuple(s.value for s in stages), directions=tuple(directions))
# one page of rows, filtered and counted in the database: a métropole's register holds thousands
total = svc.register.count_matching(flt)
offset = PAGE_SIZE * page_number(total, "register_page")
views = svc.register.page(flt, offset, PAGE_SIZE)[0]
df = register_frame(views)
# governance: the periodic review, flagged when overdue
df.insert(df.columns.get_loc("Étape") + 1, "Revue périodique",
          df["Référence"].map(svc.governance.review_labels(ids=[v.id for v in views])).fillna(""))

WHAT = "cas d'usage"
st.caption(f"{shown(offset, len(df), total, WHAT)} — cliquez sur une ligne pour ouvrir sa fiche.")
event = st.dataframe(
    df,
    hide_index=True,
    on_select="rerun",
    selection_mode=ROW_CLICK,
    key="register_table",
    placeholder="—",
    height=min(640, 38 + 35 * max(len(df), 1)),
    column_config={
        "Coût de construction (€)": st.column_config.NumberColumn(format="euro"),
        "Coût annuel (€)": st.column_config.NumberColumn(format="euro"),
        "Début": st.column_config.DateColumn(format="DD/MM/YYYY"),
        "Fin": st.column_config.DateColumn(format="DD/MM/YYYY"),
        "Revue périodique": st.column_config.TextColumn(width="medium", help="Échéance de la revue périodique "
                                                        "des cas d'usage déployés"),
    },
)
selected = picked_row(event)
if selected is not None:
    st.switch_page("app_pages/sheet.py", query_params={"ref": df.iloc[selected]["Référence"]})

st.divider()
st.header("Exporter")
st.caption("L'export reprend les filtres ci-dessus et est consigné dans le journal d'audit.")
c1, c2, _ = st.columns([1, 1, 3])
for fmt, label, col in (("csv", "Préparer l'export CSV", c1), ("xlsx", "Préparer l'export Excel", c2)):
    if col.button(label, key=f"prepare_{fmt}"):
        st.session_state[f"export_{fmt}"] = attempt(lambda fmt=fmt: svc.exports.register(me, fmt, flt))
    ready = st.session_state.get(f"export_{fmt}")
    if ready is not None:
        col.download_button(f"Télécharger {ready.filename}", ready.data, file_name=ready.filename, mime=ready.mime,
                            key=f"download_{fmt}", on_click="ignore")
