"""Evidently stays behind monitoring._evidently, and importing the drift API does not load it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import monitoring

PACKAGE = Path(monitoring.__file__).resolve().parent


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_only_the_adapter_imports_evidently():
    offenders = [
        p.name
        for p in PACKAGE.glob("*.py")
        if p.name != "_evidently.py" and "evidently" in _imported_roots(p)
    ]
    assert offenders == []
    assert "evidently" in _imported_roots(PACKAGE / "_evidently.py")


def test_importing_the_public_api_does_not_load_evidently():
    code = (
        "import sys, monitoring.drift, monitoring.outcomes, monitoring.alerts, monitoring.bench; "
        "print('evidently' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
