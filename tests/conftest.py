"""Shared fixtures: real databases (SQLite always, PostgreSQL when VIGIE_TEST_DATABASE_URL is set).

Each test gets its own fresh database, cloned from a template migrated once per session: a file
copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from policies.vocabulary import Principal, Role
from portal.db.migrate import upgrade
from portal.demo import seed_demo
from portal.services import Services, build_services
from portal.services.people import SYSTEM
from portal.settings import get_settings

PG_URL = os.environ.get("VIGIE_TEST_DATABASE_URL", "").strip()
REQUIRE_ALL = os.environ.get("VIGIE_REQUIRE_ALL") == "1"
#: The real public datasets beside the repository (``../shared/data``), or where VIGIE_SHARED_DATA says.
SHARED_DATA = Path(os.environ.get("VIGIE_SHARED_DATA") or Path(__file__).resolve().parents[1].parent / "shared" / "data")


def skip_or_fail(reason: str) -> None:
    """Skip with a visible reason; in CI (VIGIE_REQUIRE_ALL=1) a skip is a failure."""
    if REQUIRE_ALL:
        pytest.fail(f"{reason} — VIGIE_REQUIRE_ALL=1 interdit de sauter ce test")
    pytest.skip(reason)


def require_shared(path: Path) -> Path:
    """A file or folder of the shared datasets; the real-data backtests are required tests in CI."""
    if not path.exists():
        skip_or_fail(f"données partagées absentes : {path}")
    return path


def pytest_report_header(config: pytest.Config) -> list[str]:
    if PG_URL:
        return [f"PostgreSQL : {make_url(PG_URL).render_as_string(hide_password=True)}"]
    return ["PostgreSQL : VIGIE_TEST_DATABASE_URL absent — les tests PostgreSQL seront sautés"]


def _pg_admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def pg_url_for(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


def create_pg_database(template: str | None = None) -> str:
    name = f"vigie_t_{uuid.uuid4().hex[:12]}"
    eng = _pg_admin_engine()
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    eng.dispose()
    return name


def drop_pg_database(name: str) -> None:
    eng = _pg_admin_engine()
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "vigie.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        yield ""
        return
    name = create_pg_database()
    upgrade(pg_url_for(name))
    yield name
    drop_pg_database(name)


def _fresh_url(kind: str, tmp_path: Path, sqlite_template: Path, pg_template: str) -> Iterator[str]:
    if kind == "sqlite":
        target = tmp_path / "vigie.db"
        shutil.copy(sqlite_template, target)
        yield f"sqlite:///{target}"
        return
    yield from pg_database(pg_template)


def pg_database(template: str) -> Iterator[str]:
    """A fresh PostgreSQL database copied from ``template``, dropped after use (for fixtures)."""
    if not PG_URL:
        skip_or_fail("PostgreSQL non configuré (VIGIE_TEST_DATABASE_URL)")
    name = create_pg_database(template=template)
    try:
        yield pg_url_for(name)
    finally:
        drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, pg_template: str) -> Iterator[str]:
    """A fresh, migrated database; every test using it runs on SQLite and on PostgreSQL."""
    yield from _fresh_url(request.param, tmp_path, sqlite_template, pg_template)


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    yield from _fresh_url("sqlite", tmp_path, sqlite_template, "")


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """A SQLite database seeded with the demo portfolio once per session; tests copy it."""
    path = tmp_path_factory.mktemp("demo") / "vigie.db"
    shutil.copy(sqlite_template, path)
    svc = build_services(f"sqlite:///{path}")
    seed_demo(svc, SYSTEM)
    svc.db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_demo_template(pg_template: str) -> Iterator[str]:
    """A PostgreSQL database seeded with the demo portfolio once per session; tests clone it."""
    if not PG_URL:
        yield ""
        return
    name = create_pg_database(template=pg_template)
    svc = build_services(pg_url_for(name))
    seed_demo(svc, SYSTEM)
    svc.db.dispose()
    yield name
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_services(request: pytest.FixtureRequest, tmp_path: Path, demo_template: Path,
                  pg_demo_template: str) -> Iterator[Services]:
    """Services over a fresh copy of the demo portfolio (seeded once per session), on both databases."""
    url = ""
    if request.param == "sqlite":
        target = tmp_path / "vigie.db"
        shutil.copy(demo_template, target)
        url = f"sqlite:///{target}"
    elif not PG_URL:
        skip_or_fail("PostgreSQL non configuré (VIGIE_TEST_DATABASE_URL)")
    name = "" if request.param == "sqlite" else create_pg_database(template=pg_demo_template)
    svc = build_services(url or pg_url_for(name), data_dir=tmp_path)
    try:
        yield svc
    finally:
        svc.db.dispose()
        if name:
            drop_pg_database(name)


@pytest.fixture
def cli_env(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """The CLI pointed at the test database and a temporary data folder."""
    monkeypatch.setenv("VIGIE_DATABASE_URL", db_url)
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    svc = build_services(db_url)
    yield svc
    svc.db.dispose()


@pytest.fixture
def people(services: Services) -> dict[str, Principal]:
    """One principal per role, plus a second project lead who leads nothing: ``lead2``."""
    out: dict[str, Principal] = {}
    for key, role in [("director", Role.DIRECTOR), ("lead", Role.PROJECT_LEAD), ("compliance", Role.COMPLIANCE),
                      ("admin", Role.ADMIN), ("reader", Role.READER), ("lead2", Role.PROJECT_LEAD)]:
        view = services.people.create(SYSTEM, {"display_name": f"Test {key}", "email": f"{key}@test.invalid",
                                               "roles": [role.value]})
        principal = services.people.principal(view.id)
        assert principal is not None
        out[key] = principal
    return out


def use_case_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Prévision de fréquentation des piscines",
        "problem": "Adapter les plannings d'accueil à l'affluence.",
        "family": "operations",
        "direction": "Direction des sports",
        "build_cost": 10000,
        "run_cost_per_year": 2000,
    }
    data.update(overrides)
    return data
