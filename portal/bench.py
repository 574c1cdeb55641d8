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


# ---- analysis (issue 5) ---------------------------------------------------------------------------

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


def print_rows(rows: list[Row]) -> None:
    width = max(len(r.name) for r in rows)
    print(f"{'mesure'.ljust(width)}  {'secondes':>10}  {'référence':>10}  {'ratio':>7}  référence mesurée")
    for r in rows:
        print(f"{r.name.ljust(width)}  {r.seconds:10.4f}  {r.baseline_seconds:10.4f}  {r.ratio:7.2f}×  "
              f"{r.baseline_name}{' — ' + r.note if r.note else ''}")


def run_benchmarks(quick: bool = False) -> int:
    rows = register_rows(50 if quick else 300)
    rows += analysis_rows(1 if quick else 3)  # analysis (issue 5)
    print_rows(rows)
    return 0
