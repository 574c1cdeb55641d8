"""Counting rows in a test database, from a built ``Services`` or from a database URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from portal.services import Services, build_services


def count_rows(target: Services | str, model: Any) -> int:
    """How many rows ``model``'s table holds (``target``: the services, or a URL to open and close)."""
    svc = build_services(target) if isinstance(target, str) else target
    try:
        with svc.db.reader() as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        if isinstance(target, str):
            svc.db.dispose()
