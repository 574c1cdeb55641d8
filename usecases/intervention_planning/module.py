"""Intervention planning: each crew's route for the day (skills, time windows, shifts, priorities)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.intervention_planning import solver
from usecases.loading import InvalidInput, line_numbers
from usecases.registry import register

INTERVENTIONS = InputSchema((
    Column("id", "categorical", role="id", description="Identifiant de l'intervention (unique)"),
    Column("lon", "numerical", description="Longitude (degrés décimaux, WGS84)"),
    Column("lat", "numerical", description="Latitude (degrés décimaux, WGS84)"),
    Column("duration_min", "numerical", description="Durée de l'intervention sur place (minutes)"),
    Column("skill", "categorical", description="Compétence demandée (ex. aqueduc, voirie, arboriculture)"),
    Column("priority", "numerical", description="Priorité : 1 urgente, 2 normale, 3 différable"),
    Column("window_start", "text", required=False,
           description="Début du créneau d'intervention (HH:MM) ; vide = dès le début de l'horaire"),
    Column("window_end", "text", required=False,
           description="Fin du créneau (HH:MM), heure limite de début d'intervention ; vide = sans limite"),
    Column("due_date", "datetime", role="timestamp", required=False,
           description="Date d'échéance ; à priorité égale, la plus proche passe d'abord"),
))

# The crews describe the day's means, not data to watch for drift: no column of theirs is a feature, so
# monitoring (which compares the feature columns of one input) follows the interventions.
CREWS = InputSchema((
    Column("crew", "categorical", role="id", description="Nom de l'équipe (unique)"),
    Column("skills", "text", description="Compétences de l'équipe, séparées par « , » « ; » « | » ou « + »"),
    Column("depot_lon", "numerical", description="Longitude du dépôt de départ et de retour"),
    Column("depot_lat", "numerical", description="Latitude du dépôt de départ et de retour"),
    Column("start", "text", description="Heure de début de service (HH:MM)"),
    Column("end", "text", description="Heure de fin de service (HH:MM), retour au dépôt compris"),
))

MAX_INTERVENTIONS = 1000
MAX_CREWS = 100
TITLE_INTERVENTIONS = "Interventions à planifier"
TITLE_CREWS = "Équipes du jour"


class PlanningParams(Params):
    speed_kmh: float = Field(25.0, ge=5.0, le=130.0, title="Vitesse moyenne (km/h)",
                             description="Vitesse moyenne de déplacement des équipes, arrêts et circulation compris")
    detour_factor: float = Field(1.3, ge=1.0, le=3.0, title="Facteur de détour",
                                 description="Rapport entre la distance par la route et la distance à vol d'oiseau")
    search_s: float = Field(0.0, ge=0.0, le=60.0, title="Recherche prolongée (s)",
                            description="0 : descente jusqu'à un optimum local, résultat reproductible ; "
                                        "au-delà : recherche locale guidée pendant ce temps par niveau de priorité "
                                        "(tournées plus courtes, résultat non strictement reproductible)")
    overtime_max_min: int = Field(0, ge=0, le=240, title="Heures supplémentaires admises (min)",
                                  description="Minutes de dépassement de la fin de service admises par équipe ; "
                                              "0 : tout retour au dépôt avant la fin de service")
    time_limit_s: float = Field(30.0, ge=1.0, le=600.0, title="Temps de calcul maximal (s)",
                                description="Limite de sûreté du temps de calcul du planificateur")


def _skills(value: object) -> frozenset[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    return frozenset(s for s in (_norm(p) for p in re.split(r"[,;|+/]", str(value))) if s)


def _fr(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _norm(value: object) -> str:
    return " ".join(str(value).strip().lower().split())


def _where(lines: list[int], mask: pd.Series) -> str:
    bad = [lines[i] for i, b in enumerate(mask.to_numpy()) if b]
    shown = ", ".join(str(n) for n in bad[:5])
    more = len(bad) - 5
    return f"ligne{'s' if len(bad) > 1 else ''} {shown}" + (f" (et {more} autres)" if more > 0 else "")


def _check_coordinates(df: pd.DataFrame, lon: str, lat: str, lines: list[int], prefix: str) -> list[str]:
    out = []
    for col, bound in ((lon, 180), (lat, 90)):
        missing = df[col].isna()
        if missing.any():
            out.append(f"{prefix}colonne « {col} » : valeur manquante, {_where(lines, missing)}")
        outside = df[col].notna() & (df[col].abs() > bound)
        if outside.any():
            first = df.loc[outside, col].iloc[0]
            out.append(f"{prefix}colonne « {col} » : coordonnée hors limites (−{bound} à {bound}) "
                       f"« {_fr(first)} », {_where(lines, outside)}")
    return out


def _times(series: pd.Series | None, n: int) -> list[Any]:
    if series is None:
        return [None] * n
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else solver.parse_hhmm(v)
            for v in series.tolist()]


def _blank(series: pd.Series | None, n: int) -> np.ndarray:
    if series is None:
        return np.ones(n, dtype=bool)
    return series.map(lambda v: v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "").to_numpy()


def check(inputs: dict[str, pd.DataFrame]) -> list[str]:
    """French problems beyond the schema: coordinates, durations, priorities, times, skills, duplicates."""
    out: list[str] = []
    jobs, crews = inputs["interventions"], inputs["crews"]
    p = f"{TITLE_INTERVENTIONS} — "
    q = f"{TITLE_CREWS} — "
    if len(jobs) > MAX_INTERVENTIONS:
        out.append(f"{p}{len(jobs)} interventions : au plus {MAX_INTERVENTIONS} par journée planifiée.")
    if len(crews) > MAX_CREWS:
        out.append(f"{q}{len(crews)} équipes : au plus {MAX_CREWS}.")
    out += _check_jobs(jobs, p)
    out += _check_windows(jobs, line_numbers(jobs), p)
    out += _check_crews(crews, q)
    return out


def _check_names(values: pd.Series, lines, missing: str, duplicate: str | None = None) -> tuple[pd.Series, list[str]]:
    """Identifiers stripped, with the French problems of missing and repeated ones (``missing`` and
    ``duplicate`` begin each message: « … manquant », « … en double »)."""
    out: list[str] = []
    names = values.map(lambda v: None if pd.isna(v) else str(v).strip())
    if names.isna().any():
        out.append(f"{missing} manquant, {_where(lines, names.isna())}")
    dup = names.notna() & names.duplicated(keep=False)
    if dup.any():
        out.append(f"{duplicate or missing} en double « {names[dup].iloc[0]} », {_where(lines, dup)}")
    return names, out


def _check_jobs(jobs: pd.DataFrame, p: str) -> list[str]:
    """Identifiers, coordinates, durations, priorities and skills of the interventions."""
    out: list[str] = []
    lines = line_numbers(jobs)
    _, problems = _check_names(jobs["id"], lines, f"{p}colonne « id » : identifiant")
    out += problems
    out += _check_coordinates(jobs, "lon", "lat", lines, p)
    dur = jobs["duration_min"]
    bad = dur.isna() | (dur <= 0) | (dur > 24 * 60)
    if bad.any():
        out.append(f"{p}colonne « duration_min » : durée manquante ou hors de 1 à 1 440 minutes, {_where(lines, bad)}")
    prio = jobs["priority"]
    bad = ~prio.isin([1, 2, 3])
    if bad.any():
        out.append(f"{p}colonne « priority » : priorité attendue 1 (urgente), 2 (normale) ou 3 (différable), "
                   f"{_where(lines, bad)}")
    no_skill = _blank(jobs["skill"], len(jobs))
    if no_skill.any():
        out.append(f"{p}colonne « skill » : compétence manquante, {_where(lines, pd.Series(no_skill))}")
    return out


def _check_windows(jobs: pd.DataFrame, lines, p: str) -> list[str]:
    """The interventions' time windows: readable, and not ending before they start."""
    out: list[str] = []
    starts = {}
    for col in ("window_start", "window_end"):
        raw = jobs.get(col)
        parsed = _times(raw, len(jobs))
        unreadable = pd.Series([t is None for t in parsed]) & ~pd.Series(_blank(raw, len(jobs)))
        if unreadable.any():
            first = raw[unreadable.to_numpy()].iloc[0]
            out.append(f"{p}colonne « {col} » : heure illisible « {first} » (attendu HH:MM), {_where(lines, unreadable)}")
        starts[col] = parsed
    reversed_ = pd.Series([a is not None and b is not None and a > b
                           for a, b in zip(starts["window_start"], starts["window_end"], strict=True)])
    if reversed_.any():
        out.append(f"{p}créneau dont le début suit la fin (window_start après window_end), {_where(lines, reversed_)}")
    return out


def _check_crews(crews: pd.DataFrame, q: str) -> list[str]:
    """Names, skills, depots and shift hours of the crews."""
    out: list[str] = []
    lines = line_numbers(crews)
    names, problems = _check_names(crews["crew"], lines, f"{q}colonne « crew » : nom d'équipe",
                                   duplicate=f"{q}colonne « crew » : équipe")
    out += problems
    for i, value in enumerate(crews["skills"].tolist()):
        if not _skills(value):
            out.append(f"{q}l'équipe « {names.iloc[i] or '?'} » n'a aucune compétence (colonne « skills », "
                       f"ligne {lines[i]}) : indiquez au moins une compétence.")
    out += _check_coordinates(crews, "depot_lon", "depot_lat", lines, q)
    shift = {}
    for col in ("start", "end"):
        parsed = _times(crews[col], len(crews))
        unreadable = pd.Series([t is None for t in parsed])
        if unreadable.any():
            first = crews[col][unreadable.to_numpy()].iloc[0]
            out.append(f"{q}colonne « {col} » : heure manquante ou illisible « {first} » (attendu HH:MM), "
                       f"{_where(lines, unreadable)}")
        shift[col] = parsed
    empty = pd.Series([a is not None and b is not None and a >= b
                       for a, b in zip(shift["start"], shift["end"], strict=True)])
    if empty.any():
        out.append(f"{q}fin de service avant ou à l'heure de début (colonnes « start », « end »), {_where(lines, empty)}")
    return out


def to_problem(inputs: dict[str, pd.DataFrame]) -> tuple[list[solver.Job], list[solver.Crew]]:
    """Jobs and crews from checked frames; the file order is the order of arrival."""
    df = inputs["interventions"].reset_index(drop=True)
    ws = _times(df.get("window_start"), len(df))
    we = _times(df.get("window_end"), len(df))
    if "due_date" in df and df["due_date"].notna().any():
        due = df["due_date"].fillna(pd.Timestamp.max)
        order = sorted(range(len(df)), key=lambda i: (due.iloc[i], i))
    else:
        order = list(range(len(df)))
    due_rank = {i: r for r, i in enumerate(order)}
    jobs = [solver.Job(
        id=str(df.at[i, "id"]).strip(), lon=float(df.at[i, "lon"]), lat=float(df.at[i, "lat"]),
        duration=round(float(df.at[i, "duration_min"])), skill=_norm(df.at[i, "skill"]),
        priority=int(df.at[i, "priority"]),
        window=(ws[i] if ws[i] is not None else 0, we[i] if we[i] is not None else 24 * 60),
        rank=i, due_rank=due_rank[i],
    ) for i in range(len(df))]
    cf = inputs["crews"].reset_index(drop=True)
    crews = [solver.Crew(
        name=str(cf.at[i, "crew"]).strip(), skills=_skills(cf.at[i, "skills"]),
        lon=float(cf.at[i, "depot_lon"]), lat=float(cf.at[i, "depot_lat"]),
        start=solver.parse_hhmm(cf.at[i, "start"]) or 0, end=solver.parse_hhmm(cf.at[i, "end"]) or 0,
    ) for i in range(len(cf))]
    return jobs, crews


def schedule_table(plan: solver.Plan, jobs: list[solver.Job], crews: list[solver.Crew]) -> pd.DataFrame:
    rows = [{
        "crew": crews[r.crew].name, "order": k, "id": jobs[s.job].id,
        "arrival": solver.minutes_to_hhmm(s.arrival), "departure": solver.minutes_to_hhmm(s.departure),
        "travel_km": round(s.travel_km, 2), "skill": jobs[s.job].skill, "priority": jobs[s.job].priority,
    } for r in plan.routes for k, s in enumerate(r.stops, start=1)]
    return pd.DataFrame(rows, columns=["crew", "order", "id", "arrival", "departure", "travel_km", "skill", "priority"])


def unplanned_table(plan: solver.Plan, jobs: list[solver.Job]) -> pd.DataFrame:
    rows = [{"id": jobs[j].id, "reason": reason, "skill": jobs[j].skill, "priority": jobs[j].priority}
            for j, reason in sorted(plan.unplanned.items(), key=lambda kv: (jobs[kv[0]].priority, kv[0]))]
    return pd.DataFrame(rows, columns=["id", "reason", "skill", "priority"])


def _route_map(plan: solver.Plan, jobs: list[solver.Job], crews: list[solver.Crew]) -> alt.LayerChart:
    path, stops = [], []
    for r in plan.routes:
        name = crews[r.crew].name
        if not r.stops:
            continue
        depot = (crews[r.crew].lon, crews[r.crew].lat)
        seq = [depot] + [(jobs[s.job].lon, jobs[s.job].lat) for s in r.stops] + [depot]
        path += [{"crew": name, "step": k, "lon": x, "lat": y} for k, (x, y) in enumerate(seq)]
        stops += [{"crew": name, "order": k, "id": jobs[s.job].id, "lon": jobs[s.job].lon, "lat": jobs[s.job].lat,
                   "arrival": solver.minutes_to_hhmm(s.arrival), "priority": jobs[s.job].priority,
                   "skill": jobs[s.job].skill} for k, s in enumerate(r.stops, start=1)]
    left = [{"id": jobs[j].id, "lon": jobs[j].lon, "lat": jobs[j].lat, "reason": why, "priority": jobs[j].priority}
            for j, why in plan.unplanned.items()]
    depots = [{"crew": c.name, "lon": c.lon, "lat": c.lat} for c in crews]
    lines = alt.Chart(pd.DataFrame(path, columns=["crew", "step", "lon", "lat"])).mark_line(strokeWidth=2).encode(
        longitude="lon:Q", latitude="lat:Q", color=alt.Color("crew:N", title="Équipe"), order="step:Q", detail="crew:N",
    ).project(type="mercator")
    points = alt.Chart(pd.DataFrame(stops, columns=["crew", "order", "id", "lon", "lat", "arrival", "priority", "skill"])
                       ).mark_circle(size=70, opacity=0.9).encode(
        longitude="lon:Q", latitude="lat:Q", color=alt.Color("crew:N", title="Équipe"),
        tooltip=[alt.Tooltip("id:N", title="Intervention"), alt.Tooltip("crew:N", title="Équipe"),
                 alt.Tooltip("order:Q", title="Ordre"), alt.Tooltip("arrival:N", title="Arrivée"),
                 alt.Tooltip("priority:Q", title="Priorité"), alt.Tooltip("skill:N", title="Compétence")],
    ).project(type="mercator")
    missed = alt.Chart(pd.DataFrame(left, columns=["id", "lon", "lat", "reason", "priority"])).mark_point(
        shape="cross", color="#777777", size=60).encode(
        longitude="lon:Q", latitude="lat:Q",
        tooltip=[alt.Tooltip("id:N", title="Intervention reportée"), alt.Tooltip("reason:N", title="Motif"),
                 alt.Tooltip("priority:Q", title="Priorité")],
    ).project(type="mercator")
    base = alt.Chart(pd.DataFrame(depots, columns=["crew", "lon", "lat"])).mark_square(
        size=140, color="black").encode(
        longitude="lon:Q", latitude="lat:Q", tooltip=[alt.Tooltip("crew:N", title="Dépôt de l'équipe")],
    ).project(type="mercator")
    return alt.layer(lines, points, missed, base).properties(  # type: ignore[return-value]
        title="Tournées du jour (carrés : dépôts ; croix grises : interventions reportées)", width="container",
        height=420)


def _summary(plan: solver.Plan, jobs: list[solver.Job], crews: list[solver.Crew]) -> dict[str, float]:
    return solver.evaluate(plan, jobs, crews)


def _routes_table(plan, jobs: list[solver.Job], crews: list[solver.Crew], params: PlanningParams) -> pd.DataFrame:
    """One row per crew: interventions, kilometres, hours out and back, work and travel minutes."""
    return pd.DataFrame([{
        "crew": crews[r.crew].name, "interventions": len(r.stops), "travel_km": round(r.km, 2),
        "start": solver.minutes_to_hhmm(crews[r.crew].start),
        "first_arrival": solver.minutes_to_hhmm(r.stops[0].arrival) if r.stops else "",
        "back": solver.minutes_to_hhmm(r.back) if r.stops else "",
        "end": solver.minutes_to_hhmm(crews[r.crew].end),
        "work_min": sum(jobs[s.job].duration for s in r.stops),
        "travel_min": round(r.km / params.speed_kmh * 60),
    } for r in plan.routes], columns=["crew", "interventions", "travel_km", "start", "first_arrival", "back",
                                      "end", "work_min", "travel_min"])


def _comparison_table(mine: dict, others: dict[str, dict]) -> pd.DataFrame:
    """The planner against the dispatch rules without a tool, on the same day."""
    names = {"planner": "Planificateur (OR-Tools)", "fcfs": "Premier arrivé, premier servi",
             "nearest": "Au plus proche"}
    return pd.DataFrame([{
        "method": names[k], "served": int(m["served"]), "urgent_served": int(m["urgent_served"]),
        "urgent": int(m["urgent"]), "km": round(m["km"], 1), "overtime_min": int(m["overtime_min"]),
        "crews_overtime": int(m["crews_overtime"]),
    } for k, m in (("planner", mine), *others.items())])


def _notes(plan, net: solver.Network, params: PlanningParams) -> list[str]:
    """How distances and priorities are read, the solver's status, and why interventions wait."""
    spread = float(net.km.max()) / params.detour_factor if len(net.km) else 0.0
    reasons = pd.Series(list(plan.unplanned.values()), dtype=object).value_counts()
    notes = [
        f"Distances à vol d'oiseau (haversine) × {_fr(params.detour_factor)}, parcourues à "
        f"{_fr(params.speed_kmh)} km/h : une estimation, pas un itinéraire routier.",
        "Priorités strictes : une intervention urgente (1) n'est jamais reportée au profit d'interventions "
        "de priorité 2 ou 3, ni pour économiser des kilomètres ; à priorité égale, l'échéance la plus proche "
        "passe d'abord.",
        ("Chaque tournée revient au dépôt avant la fin de service : le planificateur ne prévoit pas d'heures "
         "supplémentaires." if not params.overtime_max_min else
         f"Jusqu'à {params.overtime_max_min} minutes de dépassement admises par équipe, utilisées seulement "
         "pour servir une intervention de plus.")
        + " Les répartitions de comparaison commencent une intervention tant que l'horaire court et la "
          "terminent, d'où leurs dépassements.",
        f"Calcul : {plan.status}.",
        "Le chef d'équipe valide ou modifie le planning proposé ; les durées et vitesses sont des estimations.",
    ]
    notes += [f"Reportées — {why} : {count}" for why, count in reasons.items()]
    if spread > 150:
        notes.append(f"Points distants de {spread:,.0f} km à vol d'oiseau : vérifiez que les colonnes lon et lat "
                     "ne sont pas inversées.".replace(",", "\u202f"))
    return notes


def _metrics(
    plan, jobs: list[solver.Job], crews: list[solver.Crew], mine: dict, others: dict[str, dict]
) -> tuple[dict[str, float], dict[str, str]]:
    """The plan's headline figures beside the nearest-crew rule's, and their French labels."""
    metrics = {
        "interventions": float(len(jobs)), "equipes": float(len(crews)),
        "planifiees": mine["served"], "reportees": float(len(plan.unplanned)),
        "urgentes": mine["urgent"], "urgentes_planifiees": mine["urgent_served"],
        "km": round(mine["km"], 2), "heures_sup_min": mine["overtime_min"],
        "km_plus_proche": round(others["nearest"]["km"], 2),
        "planifiees_plus_proche": others["nearest"]["served"],
        "urgentes_plus_proche": others["nearest"]["urgent_served"],
        "heures_sup_plus_proche_min": others["nearest"]["overtime_min"],
    }
    labels = {
        "interventions": "Interventions demandées", "equipes": "Équipes",
        "planifiees": "Interventions planifiées aujourd'hui", "reportees": "Interventions reportées",
        "urgentes": "Interventions urgentes", "urgentes_planifiees": "Urgentes planifiées aujourd'hui",
        "km": "Kilomètres parcourus (estimés)", "heures_sup_min": "Heures supplémentaires (minutes)",
        "km_plus_proche": "Kilomètres, répartition au plus proche",
        "planifiees_plus_proche": "Planifiées, répartition au plus proche",
        "urgentes_plus_proche": "Urgentes servies, répartition au plus proche",
        "heures_sup_plus_proche_min": "Heures supplémentaires, au plus proche (minutes)",
    }
    return metrics, labels


@register
class InterventionPlanning(AnalysisModule[PlanningParams]):
    key = "intervention_planning"
    title = "Planification des interventions techniques (tournées des équipes)"
    description = (
        "Construit la tournée du jour de chaque équipe (compétences, créneaux, horaires, priorités) avec le "
        "solveur de tournées d'OR-Tools ; ce qui ne tient pas est reporté avec son motif. Comparé, sur les "
        "mêmes données, à la répartition « premier arrivé, premier servi » et « au plus proche »."
    )
    version = "1.0"
    family = "operations"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("interventions", TITLE_INTERVENTIONS, INTERVENTIONS,
                  "Une ligne par intervention, dans l'ordre d'arrivée des demandes.", "interventions.csv"),
        InputSpec("crews", TITLE_CREWS, CREWS, "Une ligne par équipe disponible ce jour.", "crews.csv"),
    )
    params_model = PlanningParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "interventions": "count", "equipes": "count", "planifiees": "count", "reportees": "count",
        "urgentes": "count", "urgentes_planifiees": "count", "km": "decimal", "heures_sup_min": "count",
        "km_plus_proche": "decimal", "planifiees_plus_proche": "count", "urgentes_plus_proche": "count",
        "heures_sup_plus_proche_min": "count",
    }

    def problems(self, inputs: dict[str, pd.DataFrame]) -> list[str]:
        out = super().problems(inputs)
        if not out:
            out = check(inputs)
        return out

    def run(self, inputs: dict[str, pd.DataFrame], params: PlanningParams) -> AnalysisResult:
        problems = check(inputs)
        if problems:
            raise InvalidInput(problems)
        jobs, crews = to_problem(inputs)
        net = solver.Network.build(jobs, crews, params.speed_kmh, params.detour_factor)
        plan = solver.plan_routes(jobs, crews, net, search_s=params.search_s, time_limit_s=params.time_limit_s,
                                  overtime=params.overtime_max_min)
        mine = _summary(plan, jobs, crews)
        others = {rule: _summary(solver.dispatch(jobs, crews, net, rule), jobs, crews)
                  for rule in ("fcfs", "nearest")}
        routes = _routes_table(plan, jobs, crews, params)
        comparison = _comparison_table(mine, others)
        notes = _notes(plan, net, params)
        metrics, labels = _metrics(plan, jobs, crews, mine, others)
        return AnalysisResult(
            metrics=metrics,
            tables={"schedule": schedule_table(plan, jobs, crews), "unplanned": unplanned_table(plan, jobs),
                    "routes": routes, "comparison": comparison},
            charts={"carte_tournees": _route_map(plan, jobs, crews)},
            notes=notes,
            metric_labels=labels,
            table_labels={"schedule": "Planning du jour par équipe", "unplanned": "Interventions reportées et motif",
                          "routes": "Tournées par équipe", "comparison": "Comparaison avec la répartition sans outil"},
        )
