"""Altair charts of the monitoring pages: drift history, column × check heat map, outcomes with bands."""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from portal.ui.charts import PALETTE

HEALTH_COLOURS = {"Sain": "#009E73", "Dérive ou alerte": "#D55E00", "Contrôle en retard": "#E69F00",
                  "Premier contrôle attendu": "#56B4E9", "Non suivi": "#999999"}


def health_counts(counts: Mapping[str, int]) -> alt.Chart:
    """Bars of how many use cases are in each health state (French label -> count; empty states left out)."""
    df = pd.DataFrame([{"status": label, "n": n} for label, n in counts.items() if n], columns=["status", "n"])
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("status:N", title=None, sort=list(HEALTH_COLOURS)),
            x=alt.X("n:Q", title="Cas d'usage", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("status:N", scale=alt.Scale(domain=list(HEALTH_COLOURS),
                                                        range=list(HEALTH_COLOURS.values())), legend=None),
            tooltip=[alt.Tooltip("status:N", title="État"), alt.Tooltip("n:Q", title="Cas d'usage")],
        )
        .properties(height=160)
    )


def drift_history(runs: pd.DataFrame, drift_share: float | None) -> alt.LayerChart:
    """``runs``: check (label, in order), share (0–1), alerts; one point per check."""
    order = runs["check"].tolist()
    base = alt.Chart(runs).encode(
        x=alt.X("check:N", sort=order, title=None, axis=alt.Axis(labelAngle=-20, labelLimit=220)),
    )
    line = base.mark_line(point=alt.OverlayMarkDef(size=80), color=PALETTE[0]).encode(
        y=alt.Y("share:Q", title="Part des colonnes en dérive", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("check:N", title="Contrôle"), alt.Tooltip("share:Q", title="Part en dérive", format=".0%"),
                 alt.Tooltip("alerts:Q", title="Alertes")],
    )
    layers: list[alt.Chart] = [line]
    if drift_share is not None:
        rule = alt.Chart(pd.DataFrame({"y": [drift_share], "label": ["seuil d'alerte"]})).mark_rule(
            color=PALETTE[5], strokeDash=[6, 4]).encode(y="y:Q", tooltip=[alt.Tooltip("y:Q", title="Seuil",
                                                                                           format=".0%")])
        layers.append(rule)
    return alt.layer(*layers).properties(height=240)


def column_heatmap(cells: pd.DataFrame) -> alt.LayerChart:
    """``cells``: check, col, ratio (score / threshold), score, threshold, drifted (oui/non)."""
    order = list(dict.fromkeys(cells["check"].tolist()))
    base = alt.Chart(cells).encode(
        x=alt.X("check:N", sort=order, title=None, axis=alt.Axis(labelAngle=-20, labelLimit=220)),
        y=alt.Y("col:N", title=None, axis=alt.Axis(labelLimit=200)),
    )
    rect = base.mark_rect(stroke="white").encode(
        color=alt.Color("ratio:Q", title="Écart / seuil", scale=alt.Scale(scheme="orangered", domainMin=0)),
        tooltip=[alt.Tooltip("check:N", title="Contrôle"), alt.Tooltip("col:N", title="Colonne"),
                 alt.Tooltip("score:Q", title="Écart", format=".3f"),
                 alt.Tooltip("threshold:Q", title="Seuil", format=".3f"),
                 alt.Tooltip("drifted:N", title="Dérive")],
    )
    marks = base.transform_filter(alt.datum.drifted == "oui").mark_text(text="●", color="black", fontSize=14)
    return alt.layer(rect, marks).properties(height=alt.Step(36))


def outcome_lines(rows: pd.DataFrame, bands: dict[str, tuple[float, float]]) -> alt.LayerChart:
    """``rows``: period, metric (French label), value. ``bands``: metric label -> (low, high), the
    acceptable zone, drawn in the metric's colour."""
    order = list(dict.fromkeys(rows["period"].tolist()))
    metrics = list(dict.fromkeys(rows["metric"].tolist()))
    colour = alt.Color("metric:N", title="Indicateur", scale=alt.Scale(domain=metrics, range=PALETTE))
    layers: list[alt.Chart] = []
    if bands:
        band_df = pd.DataFrame([{"metric": m, "low": lo, "high": hi} for m, (lo, hi) in bands.items()])
        layers.append(alt.Chart(band_df).mark_rect(opacity=0.12).encode(
            y="low:Q", y2="high:Q", color=colour,
            tooltip=[alt.Tooltip("metric:N", title="Zone acceptable"), alt.Tooltip("low:Q", title="de", format=".0%"),
                     alt.Tooltip("high:Q", title="à", format=".0%")]))
    layers.append(alt.Chart(rows).mark_line(point=alt.OverlayMarkDef(size=70)).encode(
        x=alt.X("period:N", sort=order, title="Période", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=colour,
        tooltip=[alt.Tooltip("period:N", title="Période"), alt.Tooltip("metric:N", title="Indicateur"),
                 alt.Tooltip("value:Q", title="Valeur", format=".1%")],
    ))
    return alt.layer(*layers).properties(height=240)


def kpi_band(rows: pd.DataFrame, baseline: float, target: float, name: str) -> alt.LayerChart:
    """``rows``: period, value; the band between the baseline and the target."""
    order = rows["period"].tolist()
    band = alt.Chart(pd.DataFrame({"low": [min(baseline, target)], "high": [max(baseline, target)]})).mark_rect(
        opacity=0.12, color=PALETTE[0]).encode(y="low:Q", y2="high:Q")
    target_rule = alt.Chart(pd.DataFrame({"y": [target]})).mark_rule(color=PALETTE[2], strokeDash=[6, 4]).encode(
        y="y:Q")
    line = alt.Chart(rows).mark_line(point=True, color=PALETTE[0]).encode(
        x=alt.X("period:N", sort=order, title="Période"), y=alt.Y("value:Q", title=name),
        tooltip=[alt.Tooltip("period:N", title="Période"), alt.Tooltip("value:Q", title=name, format=",.2f")])
    return alt.layer(band, target_rule, line).properties(height=200)


def by_territory(rows: pd.DataFrame, *, percent: bool) -> alt.Chart:
    """``rows``: territory, value, n — one bar per territory, so unequal treatment shows."""
    fmt = ".1%" if percent else ",.2f"
    return (
        alt.Chart(rows)
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("territory:N", title=None, sort="x" if percent else "-x", axis=alt.Axis(labelLimit=220)),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format="%" if percent else ",.2f")),
            tooltip=[alt.Tooltip("territory:N", title="Territoire"), alt.Tooltip("value:Q", title="Valeur", format=fmt),
                     alt.Tooltip("n:Q", title="Nombre")],
        )
        .properties(height=alt.Step(26))
    )
