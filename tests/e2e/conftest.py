"""Browser-test fixtures: a copy of the demo database for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def demo_db(tmp_path: Path, demo_template: Path) -> str:
    """The URL of a fresh copy of the demo-seeded SQLite database (seeded once per session)."""
    path = tmp_path / "vigie.db"
    shutil.copy(demo_template, path)
    return f"sqlite:///{path}"
