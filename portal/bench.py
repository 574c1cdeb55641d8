"""``vigie bench``: performance figures, each as a ratio against a baseline run in the same process.

Tests check behaviour; this command measures. Every row names what was measured, the baseline it
is compared with, both times and the ratio, so figures from different machines stay comparable.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from portal.db.migrate import upgrade
from portal.db.models import UseCase
from portal.services import build_services
from portal.services.monitoring.batches import read_batch
from portal.services.people import SYSTEM


@dataclass
class Row:
    name: str
    seconds: float
    baseline_name: str
    baseline_seconds: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds if self.baseline_seconds else float("nan")


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def register_rows(n: int) -> list[Row]:
    """Register writes and reads through the services, against plain SQL on the same database."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        svc = build_services(url)
        data = {"title": "Cas de mesure", "family": "operations", "direction": "Direction des mesures"}
        start = time.perf_counter()
        for _ in range(n):
            svc.register.create(SYSTEM, data)
        service_s = time.perf_counter() - start

        def raw_inserts() -> None:
            with svc.db.engine.begin() as conn:
                for i in range(n):
                    conn.execute(insert(UseCase).values(
                        reference=f"RAW-{time.perf_counter_ns()}-{i}", title="x", problem="", family="operations",
                        direction="d", stage="idea", tags=[], version=1,
                    ))

        raw_s = best_of(raw_inserts, repeat=1)
        rows.append(Row(f"création de {n} cas d'usage (service, audit compris)", service_s,
                        f"{n} INSERT bruts en une transaction", raw_s,
                        "une transaction et un événement d'audit chaîné par création"))
        list_s = best_of(lambda: svc.register.list())

        def raw_select() -> None:
            with svc.db.reader() as s:
                s.execute(select(UseCase)).all()

        raw_list_s = best_of(raw_select)
        rows.append(Row(f"lecture du registre ({2 * n} cas, sources et risques)", list_s,
                        "SELECT brut de la table use_case", raw_list_s))
        svc.db.dispose()
    return rows


# --- portfolio ---------------------------------------------------------------------------


def portfolio_rows(sizes: tuple[int, ...] = (500, 5000), seeds: tuple[int, ...] = (0,)) -> list[Row]:
    """The exact scenario planner against the greedy heuristic and against HiGHS alone, on the same
    random portfolios: one pair of rows per size, medians over the seeds, worst case in the note."""
    from statistics import median

    from policies.prioritisation.bench import scenario_benchmark

    rows = []
    for n in sizes:
        runs = [scenario_benchmark(n, seed) for seed in seeds]
        label = f"scénario exact, {n:,} candidats".replace(",", " ")
        over = f"{len(runs)} instance{'s' if len(runs) > 1 else ''}"
        statuses = sorted({r["status"] for r in runs})
        by_core = sum(r["method"] == "core" for r in runs)
        worst = max(r["plan_seconds"] for r in runs)
        agree = all(abs(r["optimal_value"] - r["branch_and_bound_value"]) <= 1e-6
                    and r["branch_and_bound_status"] == "optimal" for r in runs)
        rows.append(Row(
            f"{label} (médiane sur {over})", median(r["plan_seconds"] for r in runs),
            "heuristique gloutonne, mêmes instances", median(r["greedy_seconds"] for r in runs),
            f"pire cas {worst:.3f} s, CPU médian {median(r['plan_cpu_seconds'] for r in runs):.3f} s, "
            f"statut {', '.join(statuses)}, optimum prouvé par énumération en deux moitiés {by_core}/{len(runs)}, "
            f"par HiGHS sur le noyau restant {len(runs) - by_core}/{len(runs)}, "
            f"le glouton perd {median(r['greedy_gap'] for r in runs) * 100:.2f} % de la valeur optimale",
        ))
        rows.append(Row(
            f"{label}, même calcul", median(r["plan_seconds"] for r in runs),
            "HiGHS seul (séparation et évaluation)", median(r["branch_and_bound_seconds"] for r in runs),
            f"pire cas HiGHS {max(r['branch_and_bound_seconds'] for r in runs):.3f} s, statut HiGHS "
            f"{', '.join(sorted({str(r['branch_and_bound_status']) for r in runs}))} ; "
            f"même valeur optimale : {'oui' if agree else 'NON'}",
        ))
    return rows


# ---- analysis ---------------------------------------------------------------------------

def analysis_rows(repeat: int = 3) -> list[Row]:
    """A stored run through the service (read, validate, compute, compress, store, audit) against the
    bare module ``run`` on the same sample frames."""
    from usecases import registry

    module = registry.get("facility_usage")
    frames = module.sample_inputs()
    params = module.params_model()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        svc = build_services(url)
        uc = svc.register.create(SYSTEM, {"title": "Mesure", "family": "operations", "direction": "Mesures"})
        svc.analysis.bind(SYSTEM, uc.id, module.key)
        service_s = best_of(lambda: svc.analysis.run(SYSTEM, uc.id, use_sample=True), repeat)
        bare_s = best_of(lambda: module.run(frames, params), repeat)
        svc.db.dispose()
    return [Row("exécution enregistrée du module facility_usage sur son échantillon (service)", service_s,
                "module.run seul sur les mêmes données", bare_s,
                "lecture et contrôle du fichier, stockage Parquet/gzip, audit")]


# --- intervention planning ---------------------------------------------------------------


def planning_rows(n_jobs: int = 200, n_crews: int = 10, seed: int = 0) -> list[Row]:
    """The intervention planner (OR-Tools routing, default parameters) against the nearest-next
    dispatcher on the same random day of ``n_jobs`` interventions and ``n_crews`` crews in Montréal."""
    import numpy as np

    from usecases.intervention_planning import solver

    rng = np.random.default_rng(seed)
    skills = ["aqueduc", "voirie", "signalisation", "arboriculture", "proprete"]
    jobs = [solver.Job(f"J{i}", -73.62 + rng.normal(0, 0.06), 45.52 + rng.normal(0, 0.04),
                       int(rng.choice([20, 30, 45, 60, 90])), str(rng.choice(skills)),
                       int(rng.choice([1, 2, 3], p=[0.2, 0.4, 0.4])), rank=i, due_rank=i) for i in range(n_jobs)]
    jobs = [solver.Job(**{**j.__dict__, "window": (600, 720)}) if i % 5 == 0 else j for i, j in enumerate(jobs)]
    crews = [solver.Crew(f"E{c}", frozenset({skills[c % 5], skills[(c + 2) % 5]}), -73.62 + 0.05 * (c % 3 - 1),
                         45.52 + 0.03 * (c % 2), 450, 930) for c in range(n_crews)]
    net = solver.Network.build(jobs, crews, 25.0, 1.3)
    start = time.perf_counter()
    plan = solver.plan_routes(jobs, crews, net)
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    base = solver.dispatch(jobs, crews, net, "nearest")
    base_seconds = time.perf_counter() - start
    mine, other = solver.evaluate(plan, jobs, crews), solver.evaluate(base, jobs, crews)
    return [Row(f"planification de {n_jobs} interventions, {n_crews} équipes (OR-Tools)", seconds,
                "répartition « au plus proche », même journée", base_seconds,
                f"servies {mine['served']:.0f} contre {other['served']:.0f}, urgentes {mine['urgent_served']:.0f} "
                f"contre {other['urgent_served']:.0f} sur {mine['urgent']:.0f}, {mine['km']:.0f} km contre "
                f"{other['km']:.0f} km, heures sup. {mine['overtime_min']:.0f} min contre "
                f"{other['overtime_min']:.0f} min")]


def print_rows(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"{'mesure'.ljust(width)}  {'secondes':>10}  {'référence':>10}  {'ratio':>7}  référence mesurée")
    for r in rows:
        print(f"{r.name.ljust(width)}  {r.seconds:10.4f}  {r.baseline_seconds:10.4f}  {r.ratio:7.2f}×  "
              f"{r.baseline_name}{' — ' + r.note if r.note else ''}")


# --- monitoring ------------------------------------------------------------------


def drift_report(sizes: tuple[int, ...]) -> list[dict[str, object]]:
    """Drift time for 15 columns (10 numerical, 5 categorical) at each size: Vigie's engine,
    Evidently's DataDriftPreset with its defaults, and the same statistics in plain scipy/numpy;
    ratios against the plain computation; peak memory of Vigie's engine (tracemalloc) and of the
    whole process (max RSS)."""
    import resource

    from monitoring.bench import drift_benchmark

    print("\nDérive, 15 colonnes (10 numériques, 5 catégorielles), lignes par lot :")
    header = f"{'lignes':>10}  {'moteur':<48} {'secondes':>9} {'ratio / scipy':>13} {'part en dérive':>14}  mémoire"
    print(header)
    out: list[dict[str, object]] = []
    for rows in sizes:
        results = drift_benchmark(rows)
        for r in results:
            seconds = "—" if r["seconds"] is None else f"{r['seconds']:.3f}"
            ratio = "—" if r["ratio_vs_plain"] is None else f"{r['ratio_vs_plain']:.2f}×"
            share = "—" if r["share_drifted"] is None else f"{r['share_drifted']:.3f}"
            memory = f"pic {r['peak_mb']:.0f} Mo (tracemalloc)" if r.get("peak_mb") is not None else ""
            print(f"{rows:>10,}  {r['label_fr']:<48} {seconds:>9} {ratio:>13} {share:>14}  {memory}".replace(",", " "))
        out.extend(results)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Pic de mémoire du processus (RSS, données comprises) : {rss_mb:.0f} Mo")
    return out


def reading_rows(size_mb: int) -> list[Row]:
    """A monitoring batch of ``size_mb`` (15 columns, French decimals, 5 monitored) read by the strict
    reader as a check reads it, against pandas reading the same columns; peak memory of each."""
    import io
    import tracemalloc

    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    block = pd.DataFrame({f"x{i}": rng.normal(100, 15, 20_000).round(3) for i in range(10)}
                         | {f"c{i}": rng.choice(["Amiens", "Évreux", "Rouen", "Caen"], 20_000) for i in range(5)})
    chunk = block.to_csv(index=False, sep=";", decimal=",").encode("utf-8")
    header, body = chunk.split(b"\n", 1)
    data = header + b"\n" + body * max(1, size_mb * 1024 * 1024 // len(body))
    columns = {"x0": "numerical", "x1": "numerical", "x2": "numerical", "c0": "categorical", "c1": "categorical"}
    def vigie() -> object:
        return read_batch(data, "lot.csv", columns, "courant", len(data) + 1)

    def plain() -> object:
        return pd.read_csv(io.BytesIO(data), sep=";", decimal=",", usecols=list(columns))

    def peak(fn: Callable[[], object]) -> float:
        tracemalloc.start()
        fn()
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top / 1024 / 1024

    seconds, base = best_of(vigie, 1), best_of(plain, 1)
    mem, base_mem = peak(vigie), peak(plain)
    mb = len(data) / 1024 / 1024
    return [Row(f"lecture d'un lot de suivi de {mb:.0f} Mo (5 colonnes suivies sur 15, lecteur strict)", seconds,
                "pandas.read_csv des mêmes colonnes", base,
                f"pic de mémoire {mem:.0f} Mo contre {base_mem:.0f} Mo (tracemalloc, hors fichier lu)")]


def daily_actions_report(repeat: int = 3) -> int:
    """``vigie bench --actions``: only the daily actions on the demo portfolio."""
    print_rows(daily_action_rows(repeat))
    return 0


def run_benchmarks(quick: bool = False) -> int:
    rows = register_rows(50 if quick else 300)
    rows += portfolio_rows((500,) if quick else (500, 5000), (0,) if quick else (0, 1, 2, 3, 4))
    rows += analysis_rows(1 if quick else 3)
    rows += reading_rows(5 if quick else 100)
    rows += planning_rows()  # intervention planning
    rows += daily_action_rows(1 if quick else 3)  # saving and switching on the demo portfolio
    print_rows(rows)
    drift_report((2_000, 10_000) if quick else (100_000, 1_000_000))
    return 0


# --- daily actions on the demo portfolio -------------------------------------------------


class _Statements:
    """The SQL an action sends, recorded on the engine, to be replayed alone on a copy of the database."""

    def __init__(self, engine: object) -> None:
        from sqlalchemy import event

        self.engine, self.sent = engine, []
        self._event = event
        event.listen(engine, "before_cursor_execute", self._record)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.sent.append((statement, parameters, executemany))

    def _commit(self, conn) -> None:
        self.sent.append(("COMMIT", (), False))

    def _rollback(self, conn) -> None:
        self.sent.append(("ROLLBACK", (), False))

    def close(self) -> None:
        self._event.remove(self.engine, "before_cursor_execute", self._record)
        self._event.remove(self.engine, "commit", self._commit)
        self._event.remove(self.engine, "rollback", self._rollback)


def _replay_alone(path: Path, sent: list[tuple[str, object, bool]]) -> float:
    """The same statements fetched alone through the bare sqlite3 driver, on the database as it was before
    the action: the floor no page or service can go under."""
    import sqlite3

    start = time.perf_counter()
    conn = sqlite3.connect(path, isolation_level=None)  # BEGIN and COMMIT as the action sent them
    try:
        for statement, parameters, many in sent:
            if statement == "ROLLBACK" and not conn.in_transaction:
                continue
            if statement.startswith("BEGIN") and conn.in_transaction:  # ended by the pool, unseen
                conn.rollback()
            cursor = conn.executemany(statement, parameters) if many else conn.execute(statement, parameters or ())
            cursor.fetchall()
        if conn.in_transaction:
            conn.commit()
    finally:
        conn.close()
    return time.perf_counter() - start


def measured(path: Path, action: Callable[[], object], repeat: int,
              prepare: Callable[[], object] | None = None) -> tuple[float, float, int]:
    """Best time of ``action`` over ``repeat`` tries (``prepare`` runs before each, untimed), and the floor of
    its statements (best replay of a try's SQL on a copy of the database taken just before it); also the
    number of statements. Every engine of the process is listened to: the pages' own services too."""
    import shutil

    from sqlalchemy.engine import Engine

    best, floor, count = float("inf"), float("inf"), 0
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        before = path.with_suffix(".avant.db")
        shutil.copy(path, before)
        for suffix in ("-wal", "-shm"):  # SQLite in WAL mode: the last commits may still be there
            if Path(f"{path}{suffix}").exists():
                shutil.copy(f"{path}{suffix}", f"{before}{suffix}")
        statements = _Statements(Engine)
        try:
            start = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - start)
        finally:
            statements.close()
        count = len(statements.sent)
        floor = min(floor, _replay_alone(before, statements.sent))
        for leftover in (before, Path(f"{before}-wal"), Path(f"{before}-shm")):
            leftover.unlink(missing_ok=True)
    return best, floor, count


def daily_action_rows(repeat: int = 3) -> list[Row]:
    """Server-side time of a person's daily actions on the demo portfolio, each
    against the same SQL statements run alone: saving a use case and a risk (service, then the whole
    form submission with the page's rerun), switching use case on the sheet, opening each sheet tab."""
    import os

    from portal.demo import seed_demo
    from portal.settings import get_settings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        svc = build_services(url)
        seed_demo(svc, SYSTEM)
        saved_env = {k: os.environ.get(k) for k in ("VIGIE_DATABASE_URL", "VIGIE_ENV")}
        os.environ.update(VIGIE_DATABASE_URL=url, VIGIE_ENV="test")
        get_settings.cache_clear()
        try:
            uc = svc.register.get_by_reference("UC-2026-002")
            rows = _service_saves(path, svc, svc.people.principal(uc.lead_id), uc.id, repeat)
            login = next(p.subject for p in svc.people.list() if p.id == uc.lead_id)
            rows += _page_rows(path, login, uc.reference, "UC-2026-005", repeat)
        finally:
            svc.db.dispose()
            for k, v in saved_env.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            get_settings.cache_clear()
    return rows


def _service_saves(path: Path, svc: object, lead: object, uc_id: int, repeat: int) -> list[Row]:
    """Saving a use case and a risk through the services, as the sheet's forms do (the version is known)."""
    from portal.services.schemas import RiskFields

    register = svc.register  # type: ignore[attr-defined]
    case = register.get(uc_id)
    risk = case.risks[0]
    versions = {"case": case.version, "risk": risk.version}

    def save_case() -> None:
        data = case.editable_fields() | {"human_role": f"Relecture {time.perf_counter_ns()}"}
        saved = register.update(lead, uc_id, versions["case"], data)
        versions["case"] = saved.version

    def save_risk() -> None:
        data = {k: getattr(risk, k) for k in RiskFields.model_fields} | {"mitigation": f"Contrôle {time.perf_counter_ns()}"}
        saved = register.update_risk(lead, risk.id, versions["risk"], data)
        versions["risk"] = saved.version

    rows = []
    for name, action in (("enregistrer une fiche de cas d'usage (service)", save_case),
                         ("enregistrer un risque (service)", save_risk)):
        seconds, floor, n = measured(path, action, repeat)
        rows.append(Row(f"{name}, {n} requêtes", seconds, "les mêmes requêtes SQL seules", floor,
                        "contrôle du rôle et de la version, écriture, événement d'audit chaîné"))
    return rows


def _page_rows(path: Path, login: str, ref: str, other: str, repeat: int) -> list[Row]:
    """The pages' part, measured by ``portal.ui.bench_pages`` in a process of its own (the pages' layer: it
    runs Streamlit's AppTest, which this layer may not import)."""
    import json
    import os
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "portal.ui.bench_pages", str(path), login, ref, other, str(repeat)],
                         check=True, capture_output=True, text=True, env=os.environ.copy())
    return [Row(**row) for row in json.loads(out.stdout.strip().splitlines()[-1])]
