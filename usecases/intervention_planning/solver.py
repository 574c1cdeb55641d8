"""Day planning of field interventions: OR-Tools vehicle routing, and the dispatchers it is measured against.

Everything here works on plain lists (``Job``, ``Crew``) in minutes of the day and kilometres, so
that the module, the validation and the bench share one implementation:

- ``plan_routes``: vehicle routing with time windows (OR-Tools' routing solver). Skills become the
  vehicles allowed at each node, priorities become drop penalties (a priority-1 job outweighs any
  number of kilometres and any set of lower-priority jobs), crews' shifts bound the time dimension
  at their depots (routes end back at the depot before the end of the shift, unless some overtime
  is allowed).
- ``dispatch``: what a dispatcher does without the tool, as a simulation: first come, first served
  (requests in order of arrival, each to the compatible crew that can start it soonest) and nearest
  next (each crew, when free, goes to the nearest compatible request it can still reach). A crew
  starts a job while its shift is running and finishes it, so the dispatchers can run over time.
- ``unreachable_reason``: why a job can be served by no crew at all today (skill, window).

Distances are great-circle (haversine) distances times a detour factor, travelled at one speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EARTH_RADIUS_KM = 6371.0088

REASON_SKILL = "aucune équipe n'a la compétence demandée"
REASON_WINDOW = "hors de toute fenêtre : aucune équipe compétente ne peut l'atteindre dans son créneau et son horaire"
REASON_CAPACITY = "plus de capacité aujourd'hui (reportée, les priorités passent d'abord)"
REASON_DURATION = "durée plus longue que l'horaire de toute équipe compétente"


@dataclass(frozen=True)
class Job:
    id: str
    lon: float
    lat: float
    duration: int  # minutes
    skill: str
    priority: int  # 1 = most urgent
    window: tuple[int, int] = (0, 24 * 60)  # minutes of the day, start of service inside
    rank: int = 0  # order of arrival (first come, first served)
    due_rank: int = 0  # order of due dates (then of arrival): a tie-break between jobs of one priority


@dataclass(frozen=True)
class Crew:
    name: str
    skills: frozenset[str]
    lon: float
    lat: float
    start: int  # minutes of the day
    end: int


@dataclass
class Stop:
    job: int  # index in jobs
    arrival: int  # start of service, minutes of the day
    departure: int
    travel_km: float  # from the previous stop (or the depot)


@dataclass
class Route:
    crew: int
    stops: list[Stop] = field(default_factory=list)
    return_km: float = 0.0
    back: int = 0  # minute of the day back at the depot

    @property
    def km(self) -> float:
        return sum(s.travel_km for s in self.stops) + self.return_km


@dataclass
class Plan:
    routes: list[Route]
    unplanned: dict[int, str]  # job index -> reason
    status: str = ""

    def served(self) -> set[int]:
        return {s.job for r in self.routes for s in r.stops}


def haversine_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass(frozen=True)
class Network:
    """Road kilometres and minutes between all points: crews' depots first, then the jobs."""

    km: np.ndarray
    minutes: np.ndarray
    n_crews: int

    @classmethod
    def build(cls, jobs: list[Job], crews: list[Crew], speed_kmh: float, detour: float) -> Network:
        lon = np.array([c.lon for c in crews] + [j.lon for j in jobs], dtype=float)
        lat = np.array([c.lat for c in crews] + [j.lat for j in jobs], dtype=float)
        km = haversine_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * detour
        return cls(km=km, minutes=np.ceil(km / speed_kmh * 60.0 - 1e-9).astype(int), n_crews=len(crews))

    def depot(self, c: int) -> int:
        return c

    def node(self, j: int) -> int:
        return self.n_crews + j


def can_do(job: Job, crew: Crew) -> bool:
    return job.skill in crew.skills


def unreachable_reason(j: int, jobs: list[Job], crews: list[Crew], net: Network) -> str | None:
    """Why no crew can serve job ``j`` today even alone, or None when one could."""
    job = jobs[j]
    able = [c for c, crew in enumerate(crews) if can_do(job, crew)]
    if not able:
        return REASON_SKILL
    if all(job.duration > crews[c].end - crews[c].start for c in able):
        return REASON_DURATION
    n = net.node(j)
    for c in able:
        crew, d = crews[c], net.depot(c)
        arrive = max(crew.start + int(net.minutes[d, n]), job.window[0])
        if arrive <= job.window[1] and arrive + job.duration + int(net.minutes[n, d]) <= crew.end:
            return None
    return REASON_WINDOW


PRIORITIES = (1, 2, 3)
#: drop-penalty bonus per rank of due date, in metres (ties between jobs of one priority)
DUE_BONUS_M = 100


#: cost of one minute of overtime, in metres of driving, when overtime is allowed
OVERTIME_M_PER_MIN = 500


def penalties(jobs: list[Job], km_m: np.ndarray, extra: int = 0) -> list[int]:
    """Drop penalty of each job, in metres. Priorities are lexicographic: one priority-1 job
    outweighs every lower-priority job together and any kilometres (the bound is the sum, over all
    points, of their longest arc, plus ``extra``, the dearest overtime); within a priority, a job
    due sooner weighs slightly more."""
    n = len(jobs)
    longest = int(km_m.max(axis=1).sum()) + 1 + extra
    ties = n * DUE_BONUS_M
    level = {3: longest + ties}
    level[2] = (n + 1) * (level[3] + ties)
    level[1] = (n + 1) * (level[2] + ties)
    order = sorted(range(n), key=lambda k: (jobs[k].due_rank, k))
    sooner = {k: n - pos for pos, k in enumerate(order)}
    return [level[min(3, max(1, job.priority))] + sooner[k] * DUE_BONUS_M for k, job in enumerate(jobs)]


def _solve_level(jobs: list[Job], crews: list[Crew], net: Network, candidates: list[int],
                 previous: list[list[int]] | None, search_s: float, time_limit_s: float,
                 overtime: int = 0) -> list[Route]:
    """One OR-Tools solve over ``candidates``, started from ``previous`` routes (job indices per crew)
    when given."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n_crews = len(crews)
    # routing nodes: one depot node per crew, then the candidate jobs
    points = [net.depot(c) for c in range(n_crews)] + [net.node(j) for j in candidates]
    km_m = (net.km[np.ix_(points, points)] * 1000).round().astype(np.int64)
    minutes = net.minutes[np.ix_(points, points)].astype(np.int64)
    service = np.array([0] * n_crews + [jobs[j].duration for j in candidates], dtype=np.int64)

    manager = pywrapcp.RoutingIndexManager(len(points), n_crews, list(range(n_crews)), list(range(n_crews)))
    routing = pywrapcp.RoutingModel(manager)
    # matrices registered in C++: no Python callback in the search loop
    dist_index = routing.RegisterTransitMatrix(km_m.tolist())
    time_index = routing.RegisterTransitMatrix((minutes + service[:, None]).tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist_index)
    day = 24 * 60
    routing.AddDimension(time_index, day, day, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for c, crew in enumerate(crews):
        time_dim.CumulVar(routing.Start(c)).SetRange(crew.start, crew.end)
        time_dim.CumulVar(routing.End(c)).SetRange(crew.start, crew.end + overtime)
        if overtime:
            time_dim.SetCumulVarSoftUpperBound(routing.End(c), crew.end, OVERTIME_M_PER_MIN)
    drop = penalties([jobs[j] for j in candidates], km_m, n_crews * overtime * OVERTIME_M_PER_MIN)
    for pos, j in enumerate(candidates):
        job = jobs[j]
        index = manager.NodeToIndex(n_crews + pos)
        time_dim.CumulVar(index).SetRange(job.window[0], job.window[1])
        allowed = [c for c, crew in enumerate(crews) if can_do(job, crew)]
        routing.VehicleVar(index).SetValues([-1, *allowed])
        routing.AddDisjunction([index], drop[pos])
    for c in range(n_crews):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(c)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(c)))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    if search_s > 0:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        limit = min(search_s, time_limit_s)
    else:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
        limit = time_limit_s
    params.time_limit.FromMilliseconds(max(1, int(limit * 1000)))
    solution = None
    if previous is not None:
        node_of = {j: n_crews + pos for pos, j in enumerate(candidates)}
        routing.CloseModelWithParameters(params)
        start = routing.ReadAssignmentFromRoutes([[node_of[j] for j in r] for r in previous], True)
        if start is not None:
            solution = routing.SolveFromAssignmentWithParameters(start, params)
    if solution is None:
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return [Route(c) for c in range(n_crews)]

    routes = []
    for c in range(n_crews):
        route = Route(c)
        index = routing.Start(c)
        prev = manager.IndexToNode(index)
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            j = candidates[node - n_crews]
            arrival = solution.Min(time_dim.CumulVar(index))
            route.stops.append(Stop(j, arrival, arrival + jobs[j].duration, km_m[prev, node] / 1000))
            prev = node
            index = solution.Value(routing.NextVar(index))
        route.return_km = km_m[prev, c] / 1000
        route.back = solution.Min(time_dim.CumulVar(index))
        routes.append(route)
    return routes


def plan_routes(jobs: list[Job], crews: list[Crew], net: Network, *, search_s: float = 0.0,
                time_limit_s: float = 30.0, overtime: int = 0) -> Plan:
    """Routes for the day with OR-Tools, priority by priority: priority-1 jobs first, then priority 2
    added starting from those routes, then priority 3. Each solve only accepts moves that lower the
    objective, whose drop penalties are lexicographic, so a later level never costs an earlier one
    a job. ``search_s`` = 0: descent to a local optimum (reproducible); > 0: guided local search for
    that many seconds per level (shorter routes, not exactly reproducible). ``overtime``: minutes a
    crew may come back after the end of its shift (each minute costs ``OVERTIME_M_PER_MIN``, less than
    any job). Jobs no crew can reach are left out first, with their reason."""
    import time
    from dataclasses import replace

    unplanned: dict[int, str] = {}
    candidates = []
    longer = [replace(c, end=c.end + overtime) for c in crews]
    for j in range(len(jobs)):
        reason = unreachable_reason(j, jobs, longer, net)
        if reason:
            unplanned[j] = reason
        else:
            candidates.append(j)
    if not candidates or not crews:
        for j in candidates:
            unplanned[j] = REASON_CAPACITY
        return Plan([Route(c) for c in range(len(crews))], unplanned, "aucune intervention à planifier")

    started = time.perf_counter()
    previous: list[list[int]] | None = None
    routes: list[Route] = []
    levels = sorted({min(3, max(1, jobs[j].priority)) for j in candidates})
    for level in levels:
        subset = [j for j in candidates if min(3, max(1, jobs[j].priority)) <= level]
        left = max(0.5, time_limit_s - (time.perf_counter() - started))
        routes = _solve_level(jobs, crews, net, subset, previous, search_s, left, overtime)
        previous = [[s.job for s in r.stops] for r in routes]
    elapsed = time.perf_counter() - started
    served = {s.job for r in routes for s in r.stops}
    for j in candidates:
        if j not in served:
            unplanned[j] = REASON_CAPACITY
    status = "recherche locale guidée" if search_s > 0 else "descente jusqu'à un optimum local"
    if elapsed >= time_limit_s:
        status += f", arrêtée à la limite de {time_limit_s:g} s"
    return Plan(routes, unplanned, f"OR-Tools, {status}")


class _Dispatcher:
    """The state of a dispatch without the tool: when each crew is free, where it is, its route."""

    def __init__(self, jobs: list[Job], crews: list[Crew], net: Network) -> None:
        self.jobs, self.crews, self.net = jobs, crews, net
        self.free = [crew.start for crew in crews]
        self.here = [net.depot(c) for c in range(len(crews))]
        self.routes = [Route(c) for c in range(len(crews))]
        self.done: set[int] = set()

    def start_time(self, c: int, j: int) -> int | None:
        """When crew ``c`` can start job ``j`` from where it is, or None when it cannot."""
        job, crew = self.jobs[j], self.crews[c]
        if not can_do(job, crew):
            return None
        arrive = max(self.free[c] + int(self.net.minutes[self.here[c], self.net.node(j)]), job.window[0])
        if arrive > job.window[1] or arrive >= crew.end:
            return None
        return arrive

    def assign(self, c: int, j: int, arrive: int) -> None:
        n = self.net.node(j)
        km = float(self.net.km[self.here[c], n])
        self.routes[c].stops.append(Stop(j, arrive, arrive + self.jobs[j].duration, km))
        self.free[c], self.here[c] = arrive + self.jobs[j].duration, n
        self.done.add(j)

    def first_come(self, open_jobs: list[int]) -> None:
        """Jobs in order of arrival, each to the crew that can start it first."""
        for j in sorted(open_jobs, key=lambda k: (self.jobs[k].rank, k)):
            options = [(t, c) for c in range(len(self.crews)) if (t := self.start_time(c, j)) is not None]
            if options:
                t, c = min(options)
                self.assign(c, j, t)

    def closest_job(self, c: int, open_jobs: list[int], by_priority: bool) -> tuple | None:
        """(key, job, start) of the nearest job crew ``c`` can still do (most urgent first when
        ``by_priority``), or None."""
        best = None
        for j in open_jobs:
            if j in self.done:
                continue
            t = self.start_time(c, j)
            if t is None:
                continue
            key: tuple[Any, ...] = (self.net.km[self.here[c], self.net.node(j)], t, j)
            if by_priority:
                key = (self.jobs[j].priority, *key)
            if best is None or key < best[0]:
                best = (key, j, t)
        return best

    def nearest_next(self, open_jobs: list[int], by_priority: bool) -> None:
        """The crew free first takes the nearest job it can do, until no crew can take any."""
        active = set(range(len(self.crews)))
        while active:
            c = min(active, key=lambda k: (self.free[k], k))
            best = self.closest_job(c, open_jobs, by_priority)
            if best is None:
                active.discard(c)
            else:
                self.assign(c, best[1], best[2])

    def close_routes(self) -> None:
        """Every crew returns to its depot."""
        for c, route in enumerate(self.routes):
            route.return_km = float(self.net.km[self.here[c], self.net.depot(c)])
            route.back = self.free[c] + int(self.net.minutes[self.here[c], self.net.depot(c)])


def dispatch(jobs: list[Job], crews: list[Crew], net: Network, rule: str) -> Plan:
    """A dispatcher without the tool. ``rule``: ``fcfs`` (first come, first served), ``nearest``
    (nearest next) or ``priority_nearest`` (most urgent first, then nearest).

    A crew may start a job if it arrives before the end of its shift and inside the job's window
    (it waits for a window's opening); it then finishes the job and returns to its depot, possibly
    after the end of its shift (overtime)."""
    state = _Dispatcher(jobs, crews, net)
    unplanned: dict[int, str] = {}
    for j in range(len(jobs)):
        reason = unreachable_reason(j, jobs, crews, net)
        if reason:
            unplanned[j] = reason
    open_jobs = [j for j in range(len(jobs)) if j not in unplanned]
    if rule == "fcfs":
        state.first_come(open_jobs)
    elif rule in ("nearest", "priority_nearest"):
        state.nearest_next(open_jobs, by_priority=rule == "priority_nearest")
    else:
        raise ValueError(f"unknown rule {rule!r}")
    state.close_routes()
    for j in open_jobs:
        if j not in state.done:
            unplanned[j] = REASON_CAPACITY
    return Plan(state.routes, unplanned, f"répartition « {rule} »")


def evaluate(plan: Plan, jobs: list[Job], crews: list[Crew]) -> dict[str, float]:
    """Kilometres, interventions served, priority-1 interventions served, overtime (minutes)."""
    served = plan.served()
    urgent = [j for j, job in enumerate(jobs) if job.priority == 1]
    overtime = sum(max(0, r.back - crews[r.crew].end) for r in plan.routes if r.stops)
    return {
        "km": float(sum(r.km for r in plan.routes)),
        "served": float(len(served)),
        "urgent": float(len(urgent)),
        "urgent_served": float(sum(j in served for j in urgent)),
        "overtime_min": float(overtime),
        "crews_overtime": float(sum(r.back > crews[r.crew].end for r in plan.routes if r.stops)),
    }


def minutes_to_hhmm(m: float) -> str:
    m = round(m)
    return f"{m // 60:02d}:{m % 60:02d}"


def parse_hhmm(value: object) -> int | None:
    """Minutes of the day from « 08:30 », « 8h30 », « 8h », « 08:30:00 », a date-time, or an Excel
    day fraction (0.354…); None when unreadable."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, int | float) and 0 <= float(value) < 1:
        return round(float(value) * 24 * 60)
    text = str(value).strip().lower().replace("h", ":")
    if " " in text or "t" in text:  # a date-time: keep the time part
        text = text.replace("t", " ").split()[-1]
    if text.endswith(":"):
        text += "00"
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        try:
            fraction = float(text.replace(",", "."))
        except ValueError:
            return None
        return round(fraction * 24 * 60) if 0 <= fraction < 1 else None
    hours, minutes = int(parts[0]), int(parts[1])
    if hours > 24 or minutes > 59 or (hours == 24 and minutes > 0):
        return None
    return hours * 60 + minutes
