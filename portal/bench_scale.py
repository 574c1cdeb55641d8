"""``vigie bench --scale``: every main page and key service call timed on a large portfolio.

The data is built in a child process (:mod:`portal.bench_scale_data`), so the peak memory reported
is this process's: the portal's services and pages, run by Streamlit's AppTest as a server runs them.
Each figure is compared with its floor: the same rows fetched by one plain SQL query into a DataFrame.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import create_engine, text

PAGES = {"home": "Portefeuille", "register": "Registre", "sheet": "Fiche", "audit": "Journal d'audit",
         "compliance": "Conformité", "monitoring": "Suivi", "prioritisation": "Priorisation",
         "scenarios": "Scénarios", "analysis": "Analyses", "public_register": "Registre public",
         "questionnaire": "Questionnaire", "admin": "Administration"}
ROLES = {"director": "claire.martin", "project_lead": "sophie.leroy", "compliance": "nadia.benali",
         "admin": "lucie.garnier", "reader": "jean.roux"}
ROLE_FR = {"director": "direction", "project_lead": "chef de projet", "compliance": "conformité",
           "admin": "administration", "reader": "lecture"}

#: The floor of each page: the rows it shows, fetched by one plain query.
PAGE_FLOORS = {
    "home": "SELECT stage, family, COUNT(*) AS n, SUM(build_cost) AS b, SUM(run_cost_per_year) AS r "
            "FROM use_case GROUP BY stage, family",
    "register": "SELECT * FROM use_case ORDER BY reference LIMIT 50",
    "sheet": "SELECT * FROM use_case u LEFT JOIN data_source d ON d.use_case_id = u.id "
             "WHERE u.reference = 'UC-2026-001'",
    "audit": "SELECT * FROM audit_event ORDER BY seq DESC LIMIT 50",
    "compliance": "SELECT * FROM gate_request ORDER BY id DESC LIMIT 50",
    "monitoring": "SELECT * FROM monitoring_run ORDER BY id DESC LIMIT 50",
    "prioritisation": "SELECT * FROM use_case_score",
    "scenarios": "SELECT * FROM use_case_score",
    "analysis": "SELECT * FROM analysis_binding",
    # the first page of 50 listed use cases with their latest publication or withdrawal
    "public_register": "SELECT u.id, u.reference, u.title, u.stage, p.action, p.created_at, p.created_by_name "
                       "FROM use_case u LEFT JOIN public_register_entry p ON p.id = (SELECT MAX(e.id) FROM "
                       "public_register_entry e WHERE e.use_case_id = u.id) ORDER BY u.reference LIMIT 50",
    "questionnaire": "SELECT * FROM classification WHERE use_case_id = 1",
    "admin": "SELECT * FROM person",
}


@dataclass
class Figure:
    what: str
    median_s: float
    floor_s: float
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.median_s / self.floor_s if self.floor_s else float("nan")


def median_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor(url: str, sql: str, repeat: int) -> float:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return median_of(lambda: pd.read_sql_query(text(sql), conn), repeat)
    finally:
        engine.dispose()


def build_in_child(url: str, use_cases: int, demo_copy: Path | None = None) -> None:
    """The bulk build in its own process, so its memory does not count as the portal's."""
    code = ("import sys; from pathlib import Path; from portal.bench_scale_data import build, Sizes; "
            "build(sys.argv[1], Sizes.for_use_cases(int(sys.argv[2])), demo_copy=Path(sys.argv[3]) if sys.argv[3] "
            "else None)")
    subprocess.run([sys.executable, "-c", code, url, str(use_cases), str(demo_copy or "")], check=True,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})


def _use_cases_in(url: str) -> int:
    """How many use cases ``url`` already holds (0 when it has no schema yet)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT COUNT(*) FROM use_case").scalar() or 0)
    except Exception:  # an empty database: nothing built yet
        return 0
    finally:
        engine.dispose()


def page_figures(url: str, repeat: int, log: Callable[[str], None], roles: tuple[str, ...] = tuple(ROLES),
                 pages: tuple[str, ...] = tuple(PAGES)) -> tuple[list[Figure], float]:
    """Every page for every role, timed by :mod:`portal.ui.bench_scale_pages` in a child process (the UI layer
    runs Streamlit; this module does not import it): the figures, and that process's peak memory (MB)."""
    floors = {p: floor(url, sql, repeat) for p, sql in PAGE_FLOORS.items() if p in pages}
    cmd = [sys.executable, "-u", "-m", "portal.ui.bench_scale_pages", url, str(repeat), ",".join(roles), ",".join(pages)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "VIGIE_DATABASE_URL": url,
                                 "VIGIE_ENV": os.environ.get("VIGIE_ENV", "test")})
    out, peak_mb = [], 0.0
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("{"):
            row = json.loads(line)
            if "peak_mb" in row:
                peak_mb = row["peak_mb"]
                continue
            out.append(Figure(f"{PAGES[row['page']]} ({ROLE_FR[row['role']]})", row["seconds"], floors[row["page"]]))
            log(f"  page {out[-1].what} : {row['seconds']:.3f} s")
        elif line.strip():
            log(line.rstrip())
    proc.wait()
    return out, peak_mb


def _principal(url: str, role: str) -> Any:
    from portal.db.models import Person
    from portal.services import build_services

    svc = build_services(url)
    with svc.db.reader() as s:
        pid = s.query(Person.id).filter(Person.subject == ROLES[role]).scalar()
    principal = svc.people.principal(pid)
    svc.db.dispose()
    return principal


def service_figures(url: str, repeat: int) -> list[Figure]:
    from portal.services import build_services
    from portal.services.register import RegisterFilter

    svc = build_services(url)
    director = _principal(url, "director")
    lead = _principal(url, "project_lead")
    calls: list[tuple[str, Callable[[], object], str]] = [
        ("registre, première page (50 lignes)", lambda: svc.register.page(RegisterFilter(), 0, 50),
         PAGE_FLOORS["register"]),
        ("registre, filtre texte et étape", lambda: svc.register.page(RegisterFilter(text="copie 7",
         stages=("deployed",)), 0, 50), "SELECT * FROM use_case WHERE stage = 'deployed' AND lower(title) "
         "LIKE '%copie 7%' ORDER BY reference LIMIT 50"),
        ("synthèse du portefeuille", svc.register.summary, PAGE_FLOORS["home"]),
        ("points d'attention (direction)", lambda: svc.register.attention(director),
         "SELECT r.* FROM risk r WHERE r.likelihood * r.severity >= 12 AND r.mitigation IS NULL LIMIT 200"),
        ("points d'attention (chef de projet)", lambda: svc.register.attention(lead),
         "SELECT * FROM use_case WHERE lead_id = 1"),
        ("journal d'audit, 50 derniers", lambda: svc.audit.events(director, limit=50), PAGE_FLOORS["audit"]),
        ("vérification du journal entier", svc.audit.verify, "SELECT * FROM audit_event"),
    ]
    out = []
    for what, fn, sql in calls:
        out.append(Figure(what, median_of(fn, repeat), floor(url, sql, repeat)))
    svc.db.dispose()
    return out


def markdown(figures: list[Figure], title: str) -> str:
    lines = [f"| {title} | médiane (s) | plancher SQL (s) | ratio |", "| --- | ---: | ---: | ---: |"]
    for f in figures:
        lines.append(f"| {f.what} | {f.median_s:.3f} | {f.floor_s:.4f} | {f.ratio:.1f}× |")
    return "\n".join(lines)


def run_scale(use_cases: int = 10_000, url: str | None = None, repeat: int = 3,
              log: Callable[[str], None] = print, demo_copy: Path | None = None) -> dict[str, Any]:
    """Build, measure, print the Markdown tables; returns the figures (for the tests)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'scale.db'}"
        start = time.perf_counter()
        if _use_cases_in(url) >= use_cases:  # a portfolio built by an earlier run: measured again as it is
            log(f"Portefeuille déjà construit ({_use_cases_in(url):,} cas d'usage) : mesures seules.".replace(",", " "))
        else:
            log(f"Construction de {use_cases:,} cas d'usage… ".replace(",", " "))
            build_in_child(url, use_cases, demo_copy)
        built = time.perf_counter() - start
        services = service_figures(url, repeat)
        pages, peak_mb = page_figures(url, repeat, log)
        log(f"\nDonnées construites en {built:.0f} s ({url.split(':')[0]}).\n")
        log(markdown(pages, "page (rôle)"))
        log("")
        log(markdown(services, "appel de service"))
        log(f"\nPic de mémoire du processus qui a servi les pages (RSS) : {peak_mb:.0f} Mo")
    return {"pages": pages, "services": services, "peak_mb": peak_mb, "build_seconds": built}
