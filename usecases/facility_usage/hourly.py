"""Hourly attendance when counts carry a time of day: profile by weekday, peak hours, hours above capacity.

For opening hours and staffing. A (site, day, hour) slot is the sum of the counts stamped in that
hour. The mean for a weekday and hour divides by the number of such weekdays the site was counted
on, so an hour without any count on a counted day weighs zero (closed, or nobody came).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import altair as alt
import pandas as pd

from policies import french

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass
class HourlyResult:
    tables: dict[str, pd.DataFrame]
    table_labels: dict[str, str]
    metrics: dict[str, float]
    metric_labels: dict[str, str]
    charts: dict[str, alt.TopLevelMixin] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def has_time_of_day(dates: pd.Series) -> bool:
    """True when at least one timestamp is not at midnight (the file carries hours)."""
    d = pd.to_datetime(dates).dropna()
    return bool(len(d) and (d != d.dt.normalize()).any())


def _hour_label(h: int) -> str:
    return f"{h:02d}h–{(h + 1) % 24:02d}h"


def analyse(df: pd.DataFrame, capacity: float = 0.0) -> HourlyResult:
    """``df``: site, date (with time), count. Tables profil_horaire, heures_de_pointe and, with a
    capacity, heures_au_dessus_capacite."""
    d = df[["site", "date", "count"]].copy()
    d["jour_date"] = d["date"].dt.normalize()
    d["heure"] = d["date"].dt.hour
    slots = d.groupby(["site", "jour_date", "heure"], as_index=False)["count"].sum()
    slots["n"] = slots["jour_date"].dt.weekday
    days = slots.drop_duplicates(["site", "jour_date"]).groupby(["site", "n"]).size().rename("jours_comptes")
    prof = slots.groupby(["site", "n", "heure"], as_index=False).agg(total=("count", "sum"), maximum=("count", "max"))
    prof = prof.join(days, on=["site", "n"])
    prof["moyenne"] = prof["total"] / prof["jours_comptes"]
    prof["jour"] = [WEEKDAYS_FR[n] for n in prof["n"]]
    prof["creneau"] = [_hour_label(h) for h in prof["heure"]]
    prof = prof.sort_values(["site", "n", "heure"], kind="stable")
    profile = prof[["site", "jour", "heure", "creneau", "moyenne", "maximum", "jours_comptes"]].round(1)

    peak_rows = prof.loc[prof.groupby(["site", "n"])["moyenne"].idxmax()].sort_values(["site", "n"])
    peaks = pd.DataFrame({
        "site": peak_rows["site"].to_numpy(), "jour": peak_rows["jour"].to_numpy(),
        "heure_de_pointe": peak_rows["creneau"].to_numpy(), "moyenne_pointe": peak_rows["moyenne"].round(1).to_numpy(),
        "part_du_jour_pct": (100 * peak_rows["moyenne"].to_numpy()
                             / prof.groupby(["site", "n"])["moyenne"].sum().reindex(
                                 pd.MultiIndex.from_frame(peak_rows[["site", "n"]])).to_numpy()).round(1),
    })
    tables = {"profil_horaire": profile, "heures_de_pointe": peaks}
    table_labels = {"profil_horaire": "Profil horaire par jour de la semaine (moyenne par heure)",
                    "heures_de_pointe": "Heure de pointe par site et jour de la semaine"}
    top = prof.loc[prof["moyenne"].idxmax()]
    metrics = {"heure_de_pointe_moyenne_max": float(top["moyenne"])}
    metric_labels = {"heure_de_pointe_moyenne_max": "Fréquentation moyenne de l'heure la plus chargée"}
    notes = [f"Comptages horodatés : l'heure la plus chargée en moyenne est le {top['jour']} {top['creneau']} "
             f"à « {top['site']} » ({french.number(float(top['moyenne']), 1)} en moyenne)."]
    if capacity > 0:
        above = slots[slots["count"] > capacity]
        per_slot = above.groupby(["site", "n", "heure"]).size().rename("heures_au_dessus")
        over = prof.join(per_slot, on=["site", "n", "heure"]).dropna(subset=["heures_au_dessus"])
        over = pd.DataFrame({
            "site": over["site"], "jour": over["jour"], "heure": over["heure"], "creneau": over["creneau"],
            "heures_au_dessus": over["heures_au_dessus"].astype(int), "jours_comptes": over["jours_comptes"],
            "part_pct": (100 * over["heures_au_dessus"] / over["jours_comptes"]).round(1),
            "moyenne": over["moyenne"].round(1), "maximum": over["maximum"],
        }).reset_index(drop=True)
        tables["heures_au_dessus_capacite"] = over
        table_labels["heures_au_dessus_capacite"] = f"Créneaux au-dessus de la capacité ({french.number(capacity, 0)} par heure)"
        metrics["heures_au_dessus_capacite"] = float(len(above))
        metrics["part_heures_au_dessus_capacite_pct"] = float(100 * len(above) / max(len(slots), 1))
        metric_labels["heures_au_dessus_capacite"] = "Heures comptées au-dessus de la capacité horaire"
        metric_labels["part_heures_au_dessus_capacite_pct"] = "Part des heures comptées au-dessus de la capacité (%)"
        notes.append(f"{french.count(len(above), 'heure')} au-dessus de la capacité de {french.number(capacity, 0)} par heure, "
                     f"sur {french.count(len(slots), 'heure comptée', 'heures comptées')} ; détail par créneau dans le "
                     "tableau dédié.")
    else:
        notes.append("Renseignez la capacité horaire pour compter les heures au-dessus de la capacité.")
    chart = alt.Chart(profile).mark_rect().encode(
        x=alt.X("heure:O", title="Heure"),
        y=alt.Y("jour:N", sort=list(WEEKDAYS_FR), title="Jour"),
        color=alt.Color("moyenne:Q", title="Moyenne", scale=alt.Scale(scheme="oranges")),
        row=alt.Row("site:N", title="Site"),
        tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("jour:N", title="Jour"),
                 alt.Tooltip("creneau:N", title="Créneau"), alt.Tooltip("moyenne:Q", title="Moyenne", format=",.1f")],
    ).properties(title="Fréquentation moyenne par jour et par heure")
    return HourlyResult(tables, table_labels, metrics, metric_labels, {"profil_horaire": chart}, notes)
