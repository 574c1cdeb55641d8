"""Altair charts of the portfolio for the general direction. Pure: DataFrames in, charts out.

Every function documents the columns it reads; extra columns are ignored. Colours come from the
Okabe–Ito palette (distinguishable with the common colour-vision deficiencies) and every colour is
doubled by a shape, a dash pattern or a label, so nothing rests on colour alone. Amounts in tooltips
are pre-formatted in French (``1 234 567 €``). ``chart.to_dict()`` works without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import textwrap

import altair as alt
import pandas as pd

from policies.prioritisation._format import fr_eur, fr_number
from policies.vocabulary import IMPACT_NOT_ASSESSED_FR, Family, ImpactLevel, Stage

#: Name of the point selection on the value × feasibility matrix (``event.selection["pick"]``).
PICK = "pick"

OKABE_ITO = {
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
    "black": "#000000",
}
IMPACT_DOMAIN = [*(level.short_label for level in ImpactLevel), IMPACT_NOT_ASSESSED_FR]
IMPACT_COLOURS = [OKABE_ITO[c] for c in ("sky", "green", "orange", "vermillion", "grey")]
IMPACT_SHAPES = ["circle", "square", "diamond", "triangle-up", "cross"]
FAMILY_COLOURS = [OKABE_ITO[c] for c in ("blue", "orange", "green", "purple")]

#: Vega expression printing an axis number the French way (thin-space thousands, decimal comma).
FR_AXIS_LABEL = "replace(replace(format(datum.value, ',.0f'), /,/g, '\u202f'), /[.]/g, ',')"


def _tooltips(*fields: tuple[str, str]) -> list[alt.Tooltip]:
    """Tooltips of text fields, each with its French title."""
    return [alt.Tooltip(f"{name}:N", title=title) for name, title in fields]


def _impact_label(level: object) -> str:
    if level is None or (isinstance(level, float) and pd.isna(level)) or level == "":
        return IMPACT_NOT_ASSESSED_FR
    return ImpactLevel(str(level)).short_label


def value_feasibility_matrix(df: pd.DataFrame, label: str | None = None) -> alt.LayerChart:
    """Bubble matrix: feasibility (x) × value (y), size = cost, colour and shape = impact level.

    ``label``: a column whose text is written beside each bubble (a printed report keys numbers to a
    legend table, since a page has no tooltip).

    Columns: ``reference``, ``title``, ``value``, ``feasibility``, ``priority`` (0–100 scales, as in
    :func:`~policies.prioritisation.scoring.rank`), ``cost`` (€, for the bubble size) and
    ``impact_level`` ("I"–"IV" or empty). Clicking a bubble selects its reference in the point
    selection named :data:`PICK`, which a Streamlit page reads with ``on_select``.
    """
    data = df.assign(
        impact=[_impact_label(v) for v in df["impact_level"]],
        cost_fr=[fr_eur(v) for v in df["cost"]],
        value_fr=[fr_number(v, 1) for v in df["value"]],
        feasibility_fr=[fr_number(v, 1) for v in df["feasibility"]],
        priority_fr=[fr_number(v, 1) for v in df["priority"]],
        label_text=[str(v) for v in df[label]] if label else "",
    )[["reference", "title", "value", "feasibility", "cost", "impact", "cost_fr", "value_fr",
       "feasibility_fr", "priority_fr", "label_text"]]
    pick = alt.selection_point(name=PICK, fields=["reference"], on="click")
    points = (
        alt.Chart(data)
        .mark_point(filled=True, opacity=0.8, stroke="#333333", strokeWidth=0.5)
        .encode(
            x=alt.X("feasibility:Q", title="Faisabilité (0–100)", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("value:Q", title="Valeur (0–100)", scale=alt.Scale(domain=[0, 100])),
            size=alt.Size("cost:Q", title="Coût (€)", legend=alt.Legend(labelExpr=FR_AXIS_LABEL)),
            color=alt.Color("impact:N", title="Niveau d'impact",
                            scale=alt.Scale(domain=IMPACT_DOMAIN, range=IMPACT_COLOURS)),
            shape=alt.Shape("impact:N", title="Niveau d'impact",
                            scale=alt.Scale(domain=IMPACT_DOMAIN, range=IMPACT_SHAPES)),
            opacity=alt.condition(pick, alt.value(0.9), alt.value(0.3)),
            tooltip=_tooltips(
                ("reference", "Référence"), ("title", "Intitulé"), ("value_fr", "Valeur"),
                ("feasibility_fr", "Faisabilité"), ("priority_fr", "Priorité"), ("cost_fr", "Coût"),
                ("impact", "Niveau d'impact"),
            ),
        )
        .add_params(pick)
    )
    mid = pd.DataFrame({"v": [50]})
    rule_x = alt.Chart(mid).mark_rule(strokeDash=[4, 4], color="#777777").encode(x="v:Q")
    rule_y = alt.Chart(mid).mark_rule(strokeDash=[4, 4], color="#777777").encode(y="v:Q")
    layers: list[alt.Chart] = [rule_x, rule_y, points]
    if label:
        layers.append(alt.Chart(data).mark_text(align="left", baseline="bottom", dx=6, dy=-4, fontSize=11,
                                                fontWeight="bold", color="#1b1b1b")
                      .encode(x="feasibility:Q", y="value:Q", text="label_text:N"))
    chart = alt.layer(*layers).properties(title="Valeur et faisabilité des cas d'usage")
    return chart  # type: ignore[return-value]


def breakdown_by_family(df: pd.DataFrame, measure: str | None = None, measure_title: str = "Nombre") -> alt.Chart:
    """Stacked horizontal bars: one bar per direction, stacked by family.

    Columns: ``direction``, ``family`` (a :class:`~policies.vocabulary.Family` code or its French
    label) and, if ``measure`` is given, that numeric column (e.g. ``cost``); otherwise use cases are
    counted.
    """
    labels = {f.value: f.label for f in Family}
    data = pd.DataFrame(
        {
            "direction": df["direction"].fillna("Non renseignée"),
            "family": [labels.get(v, v) if isinstance(v, str) else "Non renseignée" for v in df["family"]],
            "amount": df[measure].astype(float) if measure else 1.0,
        }
    )
    data = data.groupby(["direction", "family"], as_index=False)["amount"].sum()
    data["amount_fr"] = [fr_number(v) for v in data["amount"]]
    family_domain = [f.label for f in Family] + ["Non renseignée"]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("direction:N", title="Direction", sort="-x"),
            x=alt.X("sum(amount):Q", title=measure_title, axis=alt.Axis(labelExpr=FR_AXIS_LABEL)),
            color=alt.Color("family:N", title="Famille",
                            scale=alt.Scale(domain=family_domain, range=[*FAMILY_COLOURS, OKABE_ITO["grey"]])),
            tooltip=[
                alt.Tooltip("direction:N", title="Direction"),
                alt.Tooltip("family:N", title="Famille"),
                alt.Tooltip("amount_fr:N", title=measure_title),
            ],
        )
        .properties(title=f"{measure_title} par direction et par famille")
    )


OVERDUE_FR = "Expérimentation en retard"


#: Vega-Lite draws an array label on several lines
_LABEL_LINES = "split(datum.label, '\\n')"


def _wrapped(text: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False)) or text


def roadmap(df: pd.DataFrame, today: dt.date | None = None) -> alt.Chart:
    """Gantt-like bars from ``start`` to ``end``, coloured by stage; overdue pilots stand out.

    Columns: ``reference``, ``title``, ``stage`` (a :class:`~policies.vocabulary.Stage` code),
    ``start`` and ``end`` (dates). A pilot whose ``end`` is before ``today`` (pass it for a
    reproducible chart; defaults to the current date) is drawn in vermillion with a dashed black
    outline and labelled « Expérimentation en retard » in the legend.
    """
    today = today or dt.date.today()
    start = pd.to_datetime(df["start"])
    end = pd.to_datetime(df["end"])
    overdue = (df["stage"] == Stage.PILOT.value) & (end < pd.Timestamp(today))
    stage_label = [Stage(s).label if s in Stage.choices() else str(s) for s in df["stage"]]
    data = pd.DataFrame(
        {
            "reference": df["reference"],
            "task": df["reference"].astype(str) + " — " + df["title"].astype(str),
            # the axis label, on lines of at most 34 characters: a long title is read whole, never cut
            "label": [_wrapped(f"{r} — {t}") for r, t in zip(df["reference"], df["title"], strict=True)],
            "start": start.dt.strftime("%Y-%m-%d"),
            "end": end.dt.strftime("%Y-%m-%d"),
            "start_fr": start.dt.strftime("%d/%m/%Y"),
            "end_fr": end.dt.strftime("%d/%m/%Y"),
            "status": [OVERDUE_FR if o else s for o, s in zip(overdue, stage_label, strict=True)],
            "overdue": overdue.map({True: "oui", False: "non"}),
        }
    )
    domain = [Stage(s).label for s in Stage.choices()] + [OVERDUE_FR]
    colours = [OKABE_ITO[c] for c in ("grey", "sky", "blue", "purple", "green", "yellow", "black")]
    colours.append(OKABE_ITO["vermillion"])
    return (
        alt.Chart(data)
        .mark_bar(height=14, strokeWidth=2)
        .encode(
            y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("start", order="ascending"),
                    axis=alt.Axis(labelLimit=0, labelExpr=_LABEL_LINES)),
            x=alt.X("start:T", title="Calendrier", axis=alt.Axis(format="%m/%Y")),
            x2="end:T",
            color=alt.Color("status:N", title="Statut", scale=alt.Scale(domain=domain, range=colours)),
            stroke=alt.condition(alt.datum.overdue == "oui", alt.value("#000000"), alt.value(None)),
            strokeDash=alt.StrokeDash(
                "overdue:N", title="En retard",
                scale=alt.Scale(domain=["non", "oui"], range=[[1, 0], [4, 2]]),
            ),
            tooltip=_tooltips(
                ("task", "Cas d'usage"), ("status", "Statut"), ("start_fr", "Début"),
                ("end_fr", "Fin prévue"), ("overdue", "En retard"),
            ),
        )
        # each row as tall as its label's lines
        .properties(title="Feuille de route",
                    height=alt.Step(8 + 13 * max((lab.count("\n") + 1 for lab in data["label"]), default=1)))
    )


BUDGET_FR = {"voted": "Voté", "committed": "Engagé", "spent": "Dépensé"}


def budget_by_year(df: pd.DataFrame) -> alt.Chart:
    """Grouped bars per year: voted, committed and spent (€).

    Columns: ``year`` and any of ``voted``, ``committed``, ``spent`` (missing ones are skipped).
    """
    cols = [c for c in BUDGET_FR if c in df.columns]
    long = df.melt(id_vars=["year"], value_vars=cols, var_name="kind", value_name="amount")
    long["kind"] = long["kind"].map(BUDGET_FR)
    long["year"] = long["year"].astype(str)
    long["amount_fr"] = [fr_eur(v) for v in long["amount"]]
    domain = [BUDGET_FR[c] for c in BUDGET_FR]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("year:N", title="Année"),
            xOffset=alt.XOffset("kind:N", sort=domain),
            y=alt.Y("amount:Q", title="Montant (€)", axis=alt.Axis(labelExpr=FR_AXIS_LABEL)),
            color=alt.Color("kind:N", title="Budget", sort=domain,
                            scale=alt.Scale(domain=domain, range=[OKABE_ITO["blue"], OKABE_ITO["orange"],
                                                                  OKABE_ITO["green"]])),
            tooltip=_tooltips(
                ("year", "Année"), ("kind", "Budget"), ("amount_fr", "Montant"),
            ),
        )
        .properties(title="Budget par année : voté, engagé, dépensé")
    )


def benefits(df: pd.DataFrame) -> alt.LayerChart:
    """Expected vs measured benefit per use case and indicator, as a share of the expected value.

    Columns: ``reference``, ``indicator`` (French label), ``expected``, ``measured`` (may be empty
    while nothing is measured) and optionally ``unit``. Indicators have different units, so the
    bar is the measured value as a percentage of the expected one and the rule at 100 % marks the
    target; the raw figures are in the tooltip.
    """
    unit = df["unit"] if "unit" in df.columns else pd.Series("", index=df.index)
    expected = df["expected"].astype(float)
    measured = df["measured"].astype(float)
    rate = (measured / expected.where(expected != 0)) * 100
    data = pd.DataFrame(
        {
            "row": df["reference"].astype(str) + " — " + df["indicator"].astype(str),
            "rate": rate,
            "state": [
                "Non mesuré" if pd.isna(r) else ("Objectif atteint" if r >= 100 else "En deçà de l'objectif")
                for r in rate
            ],
            "expected_fr": [f"{fr_number(v, 1)} {u}".strip() for v, u in zip(expected, unit, strict=True)],
            "measured_fr": [
                "non mesuré" if pd.isna(v) else f"{fr_number(v, 1)} {u}".strip()
                for v, u in zip(measured, unit, strict=True)
            ],
            "rate_fr": ["—" if pd.isna(r) else f"{fr_number(r)} %" for r in rate],
        }
    )
    data["rate"] = data["rate"].fillna(0.0)
    domain = ["Objectif atteint", "En deçà de l'objectif", "Non mesuré"]
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("row:N", title=None),
            x=alt.X("rate:Q", title="Mesuré, en % de l'attendu"),
            color=alt.Color("state:N", title="Bénéfice",
                            scale=alt.Scale(domain=domain, range=[OKABE_ITO["green"], OKABE_ITO["orange"],
                                                                  OKABE_ITO["grey"]])),
            tooltip=_tooltips(
                ("row", "Cas d'usage — indicateur"), ("expected_fr", "Attendu"), ("measured_fr", "Mesuré"),
                ("rate_fr", "Taux d'atteinte"),
            ),
        )
    )
    target = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(color="#000000", strokeDash=[4, 2]).encode(x="x:Q")
    return alt.layer(bars, target).properties(title="Bénéfices attendus et mesurés")  # type: ignore[return-value]
