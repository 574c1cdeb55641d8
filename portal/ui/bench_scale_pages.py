"""The page half of ``vigie bench --scale``, run in its own process by :mod:`portal.bench_scale`.

``python -m portal.ui.bench_scale_pages URL REPEAT ROLES PAGES`` signs in as each demo role, runs each page
that role may open through Streamlit's AppTest (the entrypoint then the page, as the server does for a
browser's rerun) once to warm up then REPEAT times, and prints one JSON line per page and role with the
median, then one with this process's peak memory. Lines that are not JSON are progress messages.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from portal.services import build_services
from portal.services.sign_in_sessions import new_demo_key
from portal.ui.auth import SESSION_KEY

#: The demo people who sign in, one per role.
LOGINS = {"director": "claire.martin", "project_lead": "sophie.leroy", "compliance": "nadia.benali",
          "admin": "lucie.garnier", "reader": "jean.roux"}
ENTRY = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def compile_once() -> None:
    """Compile each script once per process, as the server does. A Streamlit server keeps one
    ``ScriptCache`` for its life, so the entrypoint and each page are compiled at their first run only;
    AppTest makes a new cache at every run (test isolation), which adds the compilation of both scripts
    (about 20 ms here) to every figure. The bench gives AppTest one cache for the process."""
    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[attr-defined,assignment]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[attr-defined,assignment]


def signed_in(url: str, role: str) -> AppTest:
    svc = build_services(url)
    person = next(p for p in svc.people.list() if p.subject == LOGINS[role])
    key = new_demo_key()
    svc.sign_in_sessions.open(person.id, key, method="demo", max_age=dt.timedelta(hours=8))
    svc.db.dispose()
    at = AppTest.from_file(ENTRY, default_timeout=600)
    at.session_state[SESSION_KEY] = key
    return at.run()


def measure(url: str, repeat: int, roles: list[str], pages: list[str]) -> None:
    for role in roles:
        at = signed_in(url, role)
        for page in pages:
            path = f"app_pages/{page}.py"
            try:
                at.switch_page(path).run()  # warm-up; raises when the page is not in this role's navigation
            except Exception:  # not this role's page: a fresh session for the next one
                at = signed_in(url, role)
                continue
            if at.exception:
                print(f"  {page} ({role}) : erreur {at.exception[0].message}", flush=True)
                continue
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                at.switch_page(path).run()
                times.append(time.perf_counter() - start)
            _emit({"role": role, "page": page, "seconds": statistics.median(times)})
    _emit({"peak_mb": peak_mb()})


def peak_mb() -> float:
    """This process's peak resident memory (MB): ``VmHWM``, the high-water mark of its own address space.
    ``ru_maxrss`` is not used where ``/proc`` answers: across the fork and exec that start this process it
    keeps the parent's resident size, so a large parent (the bench, after its service calls) showed as ours."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _emit(row: dict[str, Any]) -> None:
    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    compile_once()
    measure(sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","), sys.argv[4].split(","))
