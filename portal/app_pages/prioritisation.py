"""Prioritisation: ranked table, value × feasibility matrix, breakdowns, roadmap, budget, benefits."""

import datetime as dt

import pandas as pd
import streamlit as st

from policies.access import can
from policies.prioritisation import charts as pcharts
from policies.vocabulary import Action
from portal.ui import people_use as people_use_ui
from portal.ui.charts import show as show_chart
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_int, fmt_money, fmt_number
from portal.ui.paging import PAGE_SIZE, page_number, shown
from portal.ui.places import ROW_CLICK, picked_row
from portal.ui.portfolio import RANKED_CONFIG, benefits_view, explanation, ranked_view
from portal.ui.session import principal
from portal.ui.text import plain

#: Bubbles in the matrix (the highest priorities), bars per page of the roadmap and of the benefits,
#: overdue pilots named in the warning: a chart of thousands of marks says nothing and is slow to draw.
TOP_MATRIX, BARS, OVERDUE_NAMED = 300, 40, 5
WHAT = "cas d'usage"

me = principal()
svc = services()
today = dt.date.today()

st.title("Priorisation du portefeuille")
weights = svc.portfolio.weights()
st.caption(f"Priorité = valeur et faisabilité pondérées, moins une pénalité de risque. Pondérations en vigueur : "
           f"version {weights.version}.")
if svc.portfolio.classification_of is None:
    st.caption("La classe AI Act et le niveau d'impact ne sont pas encore reliés : chaque cas est compté "
               "« non classé » et « non évalué ».")
flash()

# The whole portfolio is ranked (kept until the next write); tables show one page of it, charts the
# top of it, and only the open tab is drawn: a métropole's portfolio holds thousands of use cases.
ranked = svc.portfolio.ranked()
if ranked.empty:
    st.info("Aucun cas d'usage actif au portefeuille.")
    st.stop()
roadmap = svc.portfolio.roadmap_frame(today)
overdue = roadmap[roadmap["overdue"]]
by_year = svc.portfolio.budget_by_year()
year_row = by_year[by_year["year"] == today.year]

c1, c2, c3, c4 = st.columns(4)
c1.metric("Cas d'usage actifs", fmt_int(len(ranked)))
c2.metric("Planifiables", fmt_int(int(ranked["eligible"].sum())))
c3.metric(f"Budget voté {today.year}", fmt_money(float(year_row["voted"].sum()) if len(year_row) else 0.0))
c4.metric("Expérimentations en retard", fmt_int(len(overdue)))
if len(overdue):
    named = " ; ".join(f"{r.reference} ({plain(r.title, inline=True)}), échue le {r.end:%d/%m/%Y}"
                       for r in overdue.head(OVERDUE_NAMED).itertuples())
    more = len(overdue) - OVERDUE_NAMED
    st.warning(f"{fmt_int(len(overdue))} expérimentation(s) en retard : {named}"
               + (f" ; et {fmt_int(more)} autre(s), dans l'onglet « Feuille de route »." if more > 0 else "."))

tabs = st.tabs(["Classement", "Matrice valeur × faisabilité", "Répartition", "Feuille de route",
                "Budget", "Bénéfices", "Besoins, agents et usagers"], key="prioritisation_tabs",
               on_change="rerun")  # kept across a save; only the open tab is drawn

if tabs[0].open:
    with tabs[0]:
        offset = PAGE_SIZE * page_number(len(ranked), "ranked_page", PAGE_SIZE)
        part = ranked.iloc[offset:offset + PAGE_SIZE]
        st.caption(f"Classement de tout le portefeuille : {shown(offset, len(part), len(ranked), WHAT)}. "
                   "Cliquez sur une ligne pour voir comment son score est calculé.")
        view = ranked_view(part)
        event = st.dataframe(view, hide_index=True, on_select="rerun", selection_mode=ROW_CLICK,
                             key=f"ranked_table_{offset}", column_config=RANKED_CONFIG,
                             height=min(640, 38 + 35 * len(view)))
        row = picked_row(event)
        if row is not None:
            picked = part.iloc[row]
            st.header(f"{picked['reference']} — {plain(picked['title'], inline=True)}")
            explanation(svc, int(picked["use_case_id"]))
            if st.button("Ouvrir la fiche", key="open_from_table"):
                st.switch_page("app_pages/sheet.py", query_params={"ref": picked["reference"]})
        if can(me, Action.EXPORT_REGISTER):
            st.caption("Le classement complet, avec le budget et les bénéfices, s'exporte en classeur Excel "
                       "(export consigné dans le journal d'audit).")
            if st.button("Préparer le classeur Excel", key="prepare_ranked_xlsx"):
                with st.spinner("Préparation…"):
                    st.session_state["ranked_xlsx"] = attempt(lambda: svc.portfolio_exports.workbook(me))
            ready = st.session_state.get("ranked_xlsx")
            if ready is not None:
                st.download_button(f"Télécharger {ready.filename}", ready.data, file_name=ready.filename,
                                   mime=ready.mime, key="download_ranked_xlsx", on_click="ignore")

if tabs[1].open:
    with tabs[1]:
        matrix = svc.portfolio.matrix_frame().head(TOP_MATRIX)  # ranked: the top first
        top = (f"Les {fmt_int(len(matrix))} premiers cas d'usage du classement, sur {fmt_int(len(ranked))} "
               "(le classement complet est dans l'onglet « Classement »). " if len(ranked) > len(matrix) else "")
        st.caption(f"{top}Taille de la bulle = coût de première année ; couleur et forme = niveau d'impact. "
                   "Cliquez sur une bulle pour ouvrir la fiche du cas d'usage.")
        chart = pcharts.value_feasibility_matrix(matrix).properties(height=480)
        pick = show_chart(chart, on_select="rerun", key="matrix", width="stretch")
        chosen = (pick.selection.get(pcharts.PICK) if pick else None) or []
        if chosen and chosen[0].get("reference"):
            st.switch_page("app_pages/sheet.py", query_params={"ref": chosen[0]["reference"]})

if tabs[2].open:
    with tabs[2]:
        breakdown = svc.portfolio.breakdown()
        left, right = st.columns(2)
        with left:
            show_chart(pcharts.breakdown_by_family(breakdown, "count", "Nombre de cas"), width="stretch")
        with right:
            show_chart(pcharts.breakdown_by_family(breakdown, "cost", "Coût 1re année (€)"), width="stretch")
        st.dataframe(pd.DataFrame({"Direction": breakdown["direction"], "Famille": breakdown["family"],
                                   "Cas d'usage": breakdown["count"],
                                   "Coût 1re année": breakdown["cost"].map(fmt_money),
                                   "Priorité moyenne": breakdown["mean_priority"].map(lambda v: fmt_number(v, 1))}),
                     hide_index=True)

if tabs[3].open:
    with tabs[3]:
        if roadmap.empty:
            st.info("Aucune expérimentation ni aucun déploiement daté.")
        else:
            # the overdue first, then by end date: what needs a decision soonest
            ordered = roadmap.assign(_late=~roadmap["overdue"]).sort_values(
                ["_late", "end", "reference"], kind="mergesort").drop(columns="_late")
            offset = BARS * page_number(len(ordered), "roadmap_page", BARS)
            part = ordered.iloc[offset:offset + BARS]
            st.caption(f"{shown(offset, len(part), len(ordered), 'expérimentations et déploiements datés')}, "
                       "les expérimentations en retard d'abord, puis par date de fin.")
            chart = pcharts.roadmap(part, today).properties(height=max(160, 34 * len(part)))
            show_chart(chart.configure_axisY(labelLimit=360), width="stretch")
            st.caption("Sans date de fin (déploiement en service), la barre s'arrête à aujourd'hui.")

if tabs[4].open:
    with tabs[4]:
        if by_year.empty:
            st.info("Aucune ligne budgétaire saisie.")
        else:
            show_chart(pcharts.budget_by_year(by_year), width="stretch")
            st.dataframe(pd.DataFrame({"Année": by_year["year"].astype(str), "Voté": by_year["voted"].map(fmt_money),
                                       "Engagé": by_year["committed"].map(fmt_money),
                                       "Dépensé": by_year["spent"].map(fmt_money)}), hide_index=True)
            with st.expander("Détail par cas d'usage"):
                lines = svc.portfolio.budget_lines()
                offset = PAGE_SIZE * page_number(len(lines), "budget_lines_page", PAGE_SIZE)
                part = lines.iloc[offset:offset + PAGE_SIZE]
                st.caption(shown(offset, len(part), len(lines), "lignes budgétaires") + " ; toutes les lignes "
                           "sont dans le classeur Excel de l'onglet « Classement ».")
                st.dataframe(part.drop(columns="use_case_id").rename(columns={
                    "year": "Année", "reference": "Référence", "title": "Intitulé", "voted": "Voté (€)",
                    "committed": "Engagé (€)", "spent": "Dépensé (€)"}), hide_index=True, column_config={
                    c: st.column_config.NumberColumn(format="euro") for c in ("Voté (€)", "Engagé (€)", "Dépensé (€)")})
        st.caption("Les lignes se saisissent dans l'onglet « Valeur et priorité » de chaque fiche, ou s'importent "
                   "d'un export des finances ci-dessous.")
        if can(me, Action.MANAGE_BUDGET):
            with st.expander("Importer un export des finances", icon=":material/upload_file:"):
                st.caption("CSV ou Excel, une ligne par cas d'usage et par année : Référence, Année, Voté (€), "
                           "Engagé (€), Dépensé (€). Une ligne existante est remplacée. Au moindre problème, rien "
                           "n'est importé et chaque ligne en cause est citée.")
                upload = st.file_uploader("Fichier", type=["csv", "xlsx", "txt"], key="budget_import_file")
                if st.button("Importer", key="budget_import", disabled=upload is None):
                    counts = attempt(lambda: svc.portfolio.import_budget_lines(me, upload.getvalue(), upload.name))
                    if counts is not None:
                        st.session_state["_flash"] = (
                            f"Import terminé : {counts['created']} ligne(s) créée(s), {counts['updated']} "
                            f"modifiée(s), {counts['unchanged']} inchangée(s).")
                        st.rerun()

if tabs[5].open:
    with tabs[5]:
        benefits = svc.portfolio.benefits()
        if benefits.empty:
            st.info("Aucun bénéfice mesuré.")
        else:
            st.caption("Gain mesuré depuis la valeur de référence, en part du gain attendu (cible − référence) : "
                       "un indicateur qui doit baisser se lit comme un indicateur qui doit monter.")
            offset = BARS * page_number(len(benefits), "benefits_page", BARS)
            part = benefits.iloc[offset:offset + BARS]
            st.caption(shown(offset, len(part), len(benefits), "mesures") + ", par référence ; toutes les mesures "
                       "sont dans le classeur Excel de l'onglet « Classement ».")
            show_chart(pcharts.benefits(part), width="stretch")
            st.dataframe(benefits_view(part), hide_index=True)

if tabs[6].open:
    with tabs[6]:
        people_use_ui.portfolio_tab(svc, ranked)
