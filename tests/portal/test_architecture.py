"""The dependency rules of the design hold (import-linter contracts in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pure_packages_and_services_type_check():
    """mypy over what ``[tool.mypy] files`` names (pure packages, services, repositories, demo): a
    ``# type: ignore`` that no longer hides an error fails too (``warn_unused_ignores``)."""
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


#: What building a query looks like in SQLAlchemy (and in plain DB-API code).
QUERY_MARKERS = ("select(", ".query(", ".execute(")


def test_services_and_demo_build_no_query():
    """Services call repositories for every read and write; the demo calls services only. No
    allow-list: PostgreSQL role statements live in portal.repositories.db_roles too."""
    offenders = []
    for folder in ("portal/services", "portal/demo"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if any(marker in line for marker in QUERY_MARKERS):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert (ROOT / "portal/services/register.py").exists()  # the walk really looks at the services
    assert not offenders, "Queries outside portal/repositories:\n" + "\n".join(offenders)
