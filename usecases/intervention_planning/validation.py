"""The planner against a dispatcher without it, on the same days built from real Montréal 311 requests.

The Montréal 311 extract (``citizen_requests/montreal_311_sample.csv``) gives real activity names
(ACTI_NOM) and real creation times, but no coordinates and no borough (those columns are empty in
the extract). So, stated as assumptions and fixed by a seed:

- nature → skill, priority, duration and an appointment window: the table ``NATURES`` below (only
  natures that call for a field crew are kept; information-only activities are left out);
- position: around the approximate centre of one of Montréal's 19 boroughs drawn at random
  (normal spread of about 1.3 km);
- a planning day: the field requests of one calendar month of the extract form the backlog of one
  day (the extract holds a few field requests a day, too few for a routing problem), in order of
  creation (first come, first served uses that order); months with fewer than ``MIN_DAY`` are left out;
- the crews: ``CREWS`` (five crews, two depots, eight-hour shifts).

Each day is planned by the module's solver (without overtime, and with up to ``OVERTIME`` minutes) and by the dispatchers (first come, first served; nearest
next; and, as a stronger reference, most urgent first then nearest), with the same distances.
Measured: kilometres, interventions served, priority-1 interventions served the same day, overtime.
Repeated over ``SEEDS`` draws of the positions and windows. Nothing is tuned on these days: the
solver has no parameter fitted to them. ``python -m usecases.intervention_planning.validation ../shared/data``
prints the README table and writes ``validation_results.json``.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from usecases.intervention_planning import solver

SPEED_KMH = 25.0
DETOUR = 1.3
MIN_DAY = 10
SEEDS = (0, 1, 2, 3, 4)
#: overtime the second planner run may use per crew (minutes), to compare with the dispatchers that run over
OVERTIME = 60
RESULTS_FILE = Path(__file__).with_name("validation_results.json")

#: ACTI_NOM -> (skill, priority, duration in minutes, needs an appointment window)
NATURES: dict[str, tuple[str, int, int, bool]] = {
    "Fermeture d'une conduite d'eau - Urgence": ("aqueduc", 1, 120, False),
    "Fuite d'eau": ("aqueduc", 1, 90, False),
    "Manque d'eau": ("aqueduc", 1, 60, False),
    "Refoulement égout / Inondation Propriété privée": ("aqueduc", 1, 90, False),
    "Fermeture d'entrée d'eau": ("aqueduc", 2, 45, True),
    "Ouverture d'entrée d'eau": ("aqueduc", 2, 45, True),
    "Gel Entrée d'eau": ("aqueduc", 2, 60, True),
    "Borne d'incendie - Entretien": ("aqueduc", 2, 60, False),
    "*Z-Puisard": ("aqueduc", 2, 45, False),
    "Puisard/TH-Première intervention": ("aqueduc", 2, 45, False),
    "Puisard/TH-Clé ou objet": ("aqueduc", 3, 30, False),
    "*Z-Test de pression d'eau": ("aqueduc", 3, 45, True),
    "*Z-Borne-fontaine - Installation, retrait ou déplacement": ("aqueduc", 3, 60, False),
    "Entrée d'eau en plomb-Autre demande": ("aqueduc", 3, 45, True),
    "Entrée d'eau en plomb-Demande de filtre": ("aqueduc", 3, 20, True),
    "Y-Eau - Divers": ("aqueduc", 3, 45, False),
    "Feux de circulation - Entretien": ("signalisation", 1, 60, False),
    "Panneau de signalisation entretien prioritaire": ("signalisation", 1, 30, False),
    "Éclairage existant - Entretien": ("signalisation", 2, 45, False),
    "Signalisation écrite -  Entretien": ("signalisation", 3, 30, False),
    "Danger potentiel - Arbre": ("arboriculture", 1, 90, False),
    "Branche tombée": ("arboriculture", 1, 60, False),
    "Signalisation cachée par des végétaux": ("arboriculture", 2, 45, False),
    "Élagage": ("arboriculture", 3, 120, False),
    "Abattage d'arbre": ("arboriculture", 3, 180, False),
    "Maladie ou insectes - Arbre": ("arboriculture", 3, 45, False),
    "Arbre - Divers": ("arboriculture", 3, 45, False),
    "Plantation d'arbre": ("arboriculture", 3, 60, False),
    "Débris sur la voie publique": ("proprete", 1, 30, False),
    "Animal mort": ("proprete", 2, 20, False),
    "Dépôt illégal - Déchets": ("proprete", 2, 45, False),
    "Encombrants non ramassés": ("proprete", 2, 30, False),
    "Collecte des encombrants": ("proprete", 3, 30, True),
    "Bac roulant": ("proprete", 3, 20, True),
    "*Bac de recyclage Endommagé, perdu, volé": ("proprete", 3, 20, True),
    "Bac montréalais (67 litres)": ("proprete", 3, 20, True),
    "Nettoyage du domaine public": ("proprete", 3, 60, False),
    "Parc - Propreté": ("proprete", 3, 45, False),
    "Trottoir glissant": ("voirie", 1, 30, False),
    "Chaussée glissante": ("voirie", 1, 30, False),
    "Nid-de-poule": ("voirie", 2, 45, False),
    "Pavage - Réparation": ("voirie", 3, 120, False),
    "Mobilier urbain": ("voirie", 3, 45, False),
    "Voirie - Divers": ("voirie", 3, 45, False),
    "Installations sportives extérieures - Entretien": ("voirie", 3, 60, False),
    "Parc - Divers": ("voirie", 3, 45, False),
}

#: Approximate centres (lat, lon) of Montréal's 19 boroughs (within about a kilometre).
BOROUGHS: dict[str, tuple[float, float]] = {
    "Ahuntsic-Cartierville": (45.556, -73.676), "Anjou": (45.606, -73.558),
    "Côte-des-Neiges–Notre-Dame-de-Grâce": (45.486, -73.634), "Lachine": (45.441, -73.689),
    "LaSalle": (45.431, -73.632), "Le Plateau-Mont-Royal": (45.525, -73.582),
    "Le Sud-Ouest": (45.467, -73.585), "L'Île-Bizard–Sainte-Geneviève": (45.497, -73.893),
    "Mercier–Hochelaga-Maisonneuve": (45.571, -73.540), "Montréal-Nord": (45.597, -73.638),
    "Outremont": (45.519, -73.608), "Pierrefonds-Roxboro": (45.492, -73.856),
    "Rivière-des-Prairies–Pointe-aux-Trembles": (45.655, -73.540),
    "Rosemont–La Petite-Patrie": (45.549, -73.586), "Saint-Laurent": (45.505, -73.710),
    "Saint-Léonard": (45.588, -73.596), "Verdun": (45.456, -73.571), "Ville-Marie": (45.508, -73.565),
    "Villeray–Saint-Michel–Parc-Extension": (45.555, -73.620),
}

#: The assumed crews: name, skills, depot (lat, lon), shift.
CREWS: tuple[tuple[str, str, tuple[float, float], str, str], ...] = (
    ("Aqueduc Est", "aqueduc", (45.560, -73.585), "07:00", "15:00"),
    ("Aqueduc Ouest", "aqueduc;voirie", (45.480, -73.660), "07:00", "15:00"),
    ("Signalisation", "signalisation;voirie", (45.560, -73.585), "08:00", "16:00"),
    ("Arboriculture", "arboriculture", (45.480, -73.660), "07:30", "15:30"),
    ("Propreté", "proprete;voirie", (45.560, -73.585), "07:00", "15:00"),
)

RULES = {"fcfs": "premier arrivé, premier servi", "nearest": "au plus proche",
         "priority_nearest": "urgentes d'abord puis au plus proche"}


def load_requests(data_dir: Path) -> pd.DataFrame:
    """Field requests of the extract with their nature's skill, priority, duration and window need."""
    raw = pd.read_csv(Path(data_dir, "citizen_requests", "montreal_311_sample.csv"), dtype=str)
    raw = raw[raw["ACTI_NOM"].isin(list(NATURES))].copy()
    raw["created"] = pd.to_datetime(raw["DDS_DATE_CREATION"])
    raw = raw.sort_values("created", kind="stable").reset_index(drop=True)
    spec = raw["ACTI_NOM"].map(NATURES)
    raw["skill"] = spec.map(lambda s: s[0])
    raw["priority"] = spec.map(lambda s: s[1])
    raw["duration_min"] = spec.map(lambda s: s[2])
    raw["appointment"] = spec.map(lambda s: s[3])
    raw["day"] = raw["created"].dt.strftime("%Y-%m")
    return raw


def day_frames(requests: pd.DataFrame, seed: int) -> dict[str, dict[str, pd.DataFrame]]:
    """{day: {"interventions": …, "crews": …}} in the module's input format (positions and windows drawn)."""
    rng = np.random.default_rng(seed)
    names = list(BOROUGHS)
    n = len(requests)
    borough = rng.integers(0, len(names), n)
    lat = np.array([BOROUGHS[names[b]][0] for b in borough]) + rng.normal(0, 0.012, n)
    lon = np.array([BOROUGHS[names[b]][1] for b in borough]) + rng.normal(0, 0.017, n)
    slot = rng.integers(0, 11, n)  # 2-hour windows starting 08:00 .. 13:00 every half hour
    out: dict[str, dict[str, pd.DataFrame]] = {}
    frame = pd.DataFrame({
        "id": [f"311-{i + 1:04d}" for i in range(n)],
        "lon": lon.round(5), "lat": lat.round(5),
        "duration_min": requests["duration_min"].to_numpy(), "skill": requests["skill"].to_numpy(),
        "priority": requests["priority"].to_numpy(),
        "window_start": [solver.minutes_to_hhmm(480 + 30 * s) if a else None
                         for s, a in zip(slot, requests["appointment"], strict=True)],
        "window_end": [solver.minutes_to_hhmm(600 + 30 * s) if a else None
                       for s, a in zip(slot, requests["appointment"], strict=True)],
        "due_date": (requests["created"].dt.normalize()
                     + pd.to_timedelta(requests["priority"].map({1: 1, 2: 7, 3: 30}), unit="D")).to_numpy(),
        "nature": requests["ACTI_NOM"].to_numpy(), "borough": [names[b] for b in borough],
        "created": requests["created"].to_numpy(), "day": requests["day"].to_numpy(),
    })
    crews = crews_frame()
    for day, part in frame.groupby("day", sort=True):
        if len(part) >= MIN_DAY:
            out[str(day)] = {"interventions": part.drop(columns="day").reset_index(drop=True), "crews": crews}
    return out


def crews_frame() -> pd.DataFrame:
    return pd.DataFrame([{"crew": name, "skills": skills, "depot_lon": depot[1], "depot_lat": depot[0],
                          "start": start, "end": end} for name, skills, depot, start, end in CREWS])


def _problem(frames: dict[str, pd.DataFrame]) -> tuple[list[solver.Job], list[solver.Crew]]:
    from usecases.intervention_planning.module import to_problem

    return to_problem(frames)


def backtest(requests: pd.DataFrame, seeds: tuple[int, ...] = SEEDS) -> dict[str, Any]:
    """Totals over every day and seed, per method; pure."""
    methods = ["planner", "planner_overtime", *RULES]
    totals = {m: {"km": 0.0, "served": 0.0, "urgent": 0.0, "urgent_served": 0.0, "overtime_min": 0.0,
                  "crews_overtime": 0.0, "crew_days": 0.0} for m in methods}
    days_better_km = 0
    n_days, n_jobs, seconds = 0, 0, 0.0
    per_seed: dict[str, dict[str, float]] = {}
    for seed in seeds:
        mine = per_seed.setdefault(str(seed), {"km": 0.0, "served": 0.0, "urgent_served": 0.0})
        for frames in day_frames(requests, seed).values():
            jobs, crews = _problem(frames)
            net = solver.Network.build(jobs, crews, SPEED_KMH, DETOUR)
            start = time.perf_counter()
            plans = {"planner": solver.plan_routes(jobs, crews, net)}
            seconds += time.perf_counter() - start
            plans["planner_overtime"] = solver.plan_routes(jobs, crews, net, overtime=OVERTIME)
            plans |= {rule: solver.dispatch(jobs, crews, net, rule) for rule in RULES}
            for m, plan in plans.items():
                for k, v in solver.evaluate(plan, jobs, crews).items():
                    totals[m][k] += v
                totals[m]["crew_days"] += len(crews)
            planned = solver.evaluate(plans["planner"], jobs, crews)
            for k in mine:
                mine[k] += planned[k]
            km = {m: sum(r.km for r in p.routes) for m, p in plans.items()}
            days_better_km += int(km["planner"] < km["nearest"])
            n_days += 1
            n_jobs += len(jobs)
    return {
        "seeds": list(seeds), "days": n_days, "days_per_seed": n_days // max(1, len(seeds)),
        "interventions": n_jobs, "speed_kmh": SPEED_KMH, "detour": DETOUR,
        "planner_seconds_per_day": round(seconds / max(1, n_days), 3),
        "days_planner_fewer_km_than_nearest": days_better_km,
        "methods": {m: {k: round(v, 1) for k, v in t.items()} for m, t in totals.items()},
        "planner_per_seed": {s: {k: round(v, 1) for k, v in t.items()} for s, t in per_seed.items()},
    }


def _fr(x: float, digits: int) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


def table(result: dict[str, Any]) -> str:
    names = {"planner": "**planificateur (OR-Tools), sans heures sup.**",
             "planner_overtime": f"planificateur, jusqu'à {OVERTIME} min de dépassement par équipe", **RULES}
    lines = ["| méthode | servies | urgentes servies le jour même | km | km par intervention servie "
             "| heures sup. (h) | équipes-jours en dépassement |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for m, t in result["methods"].items():
        share = t["urgent_served"] / t["urgent"] * 100 if t["urgent"] else float("nan")
        cells = [f"{t['served']:.0f}", f"{t['urgent_served']:.0f} / {t['urgent']:.0f} ({_fr(share, 1)} %)",
                 f"{t['km']:.0f}", _fr(t["km"] / t["served"], 2), _fr(t["overtime_min"] / 60, 1),
                 f"{t['crews_overtime']:.0f} / {t['crew_days']:.0f}"]
        lines.append(f"| {names[m]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def make_sample(data_dir: Path, out_dir: Path, day: str = "2022-12", seed: int = 0) -> None:
    """The module's sample: one validation day (interventions.csv, crews.csv)."""
    frames = day_frames(load_requests(data_dir), seed)[day]
    jobs = frames["interventions"].copy()
    jobs["due_date"] = pd.to_datetime(jobs["due_date"]).dt.strftime("%Y-%m-%d")
    jobs["created"] = pd.to_datetime(jobs["created"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    jobs.to_csv(Path(out_dir, "interventions.csv"), index=False)
    frames["crews"].to_csv(Path(out_dir, "crews.csv"), index=False)


def main(data_dir: str) -> None:
    requests = load_requests(Path(data_dir))
    result = backtest(requests)
    RESULTS_FILE.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{result['days_per_seed']} jours × {len(result['seeds'])} tirages, {result['interventions']} "
          f"interventions-jours ; planificateur {result['planner_seconds_per_day']} s par jour ; "
          f"moins de km que « au plus proche » {result['days_planner_fewer_km_than_nearest']} jours sur "
          f"{result['days']}")
    print(table(result))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
