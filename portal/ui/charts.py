"""Small Altair charts shared by pages (accessible palette, French labels)."""

from __future__ import annotations

import contextlib

import altair as alt
import pandas as pd
import streamlit as st

from policies.vocabulary import FORWARD_PATH, Family, Stage
from portal.ui.tables import readable

#: Okabe–Ito, readable by people with colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

STAGE_ORDER = [s.label for s in (*FORWARD_PATH, Stage.SUSPENDED, Stage.RETIRED)]


def counts_by_stage(by_stage: dict[str, int]) -> alt.Chart:
    # Field names stay plain: Vega reads an apostrophe or a dot in a field name as an access path.
    df = pd.DataFrame({"stage": [Stage(k).label for k in by_stage], "n": list(by_stage.values())})
    return (
        alt.Chart(df)
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X("stage:N", sort=STAGE_ORDER, title=None, axis=alt.Axis(labelAngle=-30, labelOverlap=False)),
            y=alt.Y("n:Q", title="Cas d'usage", axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip("stage:N", title="Étape"), alt.Tooltip("n:Q", title="Cas d'usage")],
        )
        .properties(height=220)
    )


def counts_by_family(by_family: dict[str, int]) -> alt.Chart:
    df = pd.DataFrame({"family": [Family(k).label for k in by_family], "n": list(by_family.values())})
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("family:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X("n:Q", title="Cas d'usage", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("family:N", scale=alt.Scale(range=PALETTE), legend=None),
            tooltip=[alt.Tooltip("family:N", title="Famille"), alt.Tooltip("n:Q", title="Cas d'usage")],
        )
        .properties(height=220)
    )


def risk_matrix(risks: pd.DataFrame) -> alt.LayerChart:
    """5×5 likelihood × severity grid with the number of risks in each cell (built once per set of cells:
    the sheet draws it again after every save)."""
    cells = tuple(sorted(zip(risks["Vraisemblance"].astype(int), risks["Gravité"].astype(int), strict=True)))
    return _risk_matrix(cells)


@st.cache_resource(max_entries=256, show_spinner=False)
def _risk_matrix(cells: tuple[tuple[int, int], ...]) -> alt.LayerChart:
    risks = pd.DataFrame(list(cells), columns=["Vraisemblance", "Gravité"])
    grid = pd.DataFrame([(v, g) for v in range(1, 6) for g in range(1, 6)], columns=["Vraisemblance", "Gravité"])
    grid["Criticité"] = grid["Vraisemblance"] * grid["Gravité"]
    counts = (
        risks.groupby(["Vraisemblance", "Gravité"]).size().reset_index(name="Risques")
        if len(risks) else pd.DataFrame(columns=["Vraisemblance", "Gravité", "Risques"])
    )
    df = grid.merge(counts, on=["Vraisemblance", "Gravité"], how="left").fillna({"Risques": 0})
    base = alt.Chart(df).encode(
        x=alt.X("Vraisemblance:O", sort="ascending"), y=alt.Y("Gravité:O", sort="descending")
    )
    squares = base.mark_rect(stroke="white").encode(
        color=alt.Color("Criticité:Q", scale=alt.Scale(domain=[1, 25], range=["#e8f4e8", "#f6d55c", "#d1495b"]),
                        legend=None),
        tooltip=["Vraisemblance", "Gravité", "Criticité", "Risques"],
    )
    text = base.mark_text(fontSize=16, fontWeight="bold").encode(
        text=alt.condition("datum.Risques > 0", alt.Text("Risques:Q"), alt.value(""))
    )
    return (squares + text).properties(width=260, height=260)


# ---- text alternatives -------------------------------------------------------------------------

def chart_data(chart: alt.TopLevelMixin) -> pd.DataFrame | None:
    """The largest table a chart (or one of its layers) draws, columns named as its axes and tooltips."""
    frames = [c.data for c in (chart, *getattr(chart, "layer", ())) if isinstance(getattr(c, "data", None), pd.DataFrame)]
    if not frames:
        return None
    data = max(frames, key=len)
    titles: dict[str, str] = {}

    def walk(node: object) -> None:
        if isinstance(node, dict):
            field, title = node.get("field"), node.get("title")
            if isinstance(field, str) and isinstance(title, str) and title:
                titles.setdefault(field, title)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    # an unusual spec: keep the raw column names; a chart of more than 5,000 rows is read all the same
    with contextlib.suppress(Exception), alt.data_transformers.enable("default", max_rows=None):
        walk(chart.to_dict(validate=False))
    names: dict[str, str] = {}
    for column in data.columns:
        title = titles.get(column, column)
        # two fields under one title, or a title that is another column's name: keep the raw name
        names[column] = column if title in names.values() or (title != column and title in data.columns) else title
    return data.rename(columns=names)


def show(chart: alt.TopLevelMixin, *, summary: str = "", **kwargs: object) -> object:
    """A chart with its text alternative (WCAG 1.1.1, RGAA 1.8 and 3.1): a sentence when given, and the
    values it draws as a plain table, in an expander."""
    event = st.altair_chart(chart, **kwargs)  # type: ignore[call-overload]
    if summary:
        st.caption(summary)
    data = chart_data(chart)
    if data is not None and len(data):
        with st.expander("Données du graphique (tableau)", icon=":material/table_view:"):
            table = readable(data.head(200), blank_numbers=True)
            st.table(table.loc[:, ~table.columns.duplicated()], hide_index=True)
    return event
