"""Every file of the bad-inputs corpus through every entry point that reads a user file.

``vigie analyse`` (through the command line), the budget import, a monitoring check and outcomes
(through the services the pages and ``vigie budget|monitor`` call), on SQLite and PostgreSQL. A
legitimate variant gives the clean file's results exactly; a bad one is refused in French, naming
what is wrong (line, column), and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from policies.vocabulary import Principal, Role
from portal.cli import main
from portal.db.models import AuditEvent, BudgetLine, MonitoringRun, UseCase
from portal.services import Services, build_services
from portal.services.errors import InvalidInput
from portal.services.people import SYSTEM
from tests.conftest import _fresh_url, use_case_data
from tests.data.bad_inputs import corpus

ENTRIES = list(corpus.ENTRIES)
CASES = list(corpus.CASES)


class Refused(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class World:
    """One database with what the entry points need: people, three use cases, a monitoring reference."""

    def __init__(self, services: Services) -> None:
        self.services = services
        people = {}
        for key, role in (("director", Role.DIRECTOR), ("lead", Role.PROJECT_LEAD)):
            view = services.people.create(SYSTEM, {"display_name": f"Test {key}", "email": f"{key}@test.invalid",
                                                   "roles": [role.value]})
            people[key] = services.people.principal(view.id)
        self.director: Principal = people["director"]
        self.lead: Principal = people["lead"]
        self.cases = [services.register.create(self.lead, use_case_data(title=f"Cas {i}")) for i in range(3)]
        with services.db.writer.begin() as s:  # fixed references, whatever the year the test runs in
            for uc, ref in zip(self.cases, corpus.REFERENCES, strict=True):
                s.execute(update(UseCase).where(UseCase.id == uc.id).values(reference=ref))
        self.monitored = self.cases[0].id
        services.monitoring.configure(self.lead, self.monitored,
                                      {"columns": {"age": "numerical", "commune": "categorical"}, "cadence_days": 30})
        reference = corpus.ENTRIES["monitor_run"].clean()
        self.services.monitoring.upload_reference(self.lead, self.monitored, corpus._csv(reference), "reference.csv")
        self.clean: dict[str, Any] = {}

    def counts(self) -> tuple[int, ...]:
        with self.services.db.reader() as s:
            return tuple(s.scalar(select(func.count()).select_from(m)) for m in (AuditEvent, BudgetLine, MonitoringRun))


def _analyse(world: World, data: bytes, filename: str, tmp: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    source = tmp / filename
    source.write_bytes(data)
    out = tmp / "sortie"
    code = main(["analyse", "operating_costs", "--input", str(source), "--out", str(out)])
    captured = capsys.readouterr()
    if code != 0:
        assert not out.exists(), "a refused analysis wrote its output folder"
        raise Refused([captured.err])
    return pd.read_csv(out / "classement.csv").to_dict("records")


def _budget(world: World, data: bytes, filename: str, tmp: Path, capsys: Any) -> Any:
    try:
        world.services.portfolio.import_budget_lines(world.director, data, filename)
    except InvalidInput as exc:
        raise Refused(exc.problems) from None
    with world.services.db.reader() as s:
        rows = s.execute(select(BudgetLine.use_case_id, BudgetLine.year, BudgetLine.voted, BudgetLine.committed,
                                BudgetLine.spent).order_by(BudgetLine.use_case_id, BudgetLine.year)).all()
    return [tuple(r) for r in rows]


def _monitor_run(world: World, data: bytes, filename: str, tmp: Path, capsys: Any) -> Any:
    try:
        outcome = world.services.monitoring.run_check(world.lead, world.monitored, data, label="lot", filename=filename,
                                                      trigger="job", html_report=False)
    except InvalidInput as exc:
        raise Refused(exc.problems) from None
    return outcome.run.share_drifted, sorted((c.column, round(c.score, 12)) for c in outcome.run.columns)


def _monitor_outcomes(world: World, data: bytes, filename: str, tmp: Path, capsys: Any) -> Any:
    try:
        world.services.monitoring.record_outcomes(world.lead, world.monitored, data, label="résultats",
                                                  kind="regression", filename=filename)
    except InvalidInput as exc:
        raise Refused(exc.problems) from None
    return sorted((o.period, o.n, round(o.metrics["mae"], 9)) for o in world.services.monitoring.outcomes(world.monitored)
                  if o.territory is None)


RUNNERS: dict[str, Callable[..., Any]] = {"analyse": _analyse, "budget": _budget, "monitor_run": _monitor_run,
                                           "monitor_outcomes": _monitor_outcomes}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path,
          pg_template: str) -> Iterator[World]:
    urls = _fresh_url(request.param, tmp_path_factory.mktemp("corpus"), sqlite_template, pg_template)
    url = next(urls)
    services = build_services(url)
    yield World(services)
    services.db.dispose()
    urls.close()


def _clean(world: World, entry: str, tmp: Path, capsys: Any) -> Any:
    if entry not in world.clean:
        tmp.mkdir(parents=True, exist_ok=True)
        path = corpus.HERE / entry / "propre.csv"
        world.clean[entry] = RUNNERS[entry](world, path.read_bytes(), path.name, tmp, capsys)
    return world.clean[entry]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("entry", ENTRIES)
def test_corpus_file_through_entry_point(world: World, entry: str, case: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    expected = corpus.CASES[case][2]
    clean = _clean(world, entry, tmp_path / "propre", capsys)
    path = corpus.path_of(entry, case)
    before = world.counts()
    try:
        result = RUNNERS[entry](world, path.read_bytes(), path.name, tmp_path, capsys)
    except Refused as exc:
        text = "\n".join(exc.problems)
        assert expected != corpus.SAME, f"{path.name} refused through {entry}: {text}"
        assert world.counts() == before, f"{path.name} refused through {entry} but something was written"
        assert "Traceback" not in text
        for alternatives in expected:  # type: ignore[union-attr]
            assert any(a.lower() in text.lower() for a in alternatives), f"{alternatives} not in: {text}"
        return
    assert expected == corpus.SAME, f"{path.name} accepted through {entry} (should be refused)"
    assert result == clean


def test_corpus_files_are_up_to_date(tmp_path: Path) -> None:
    """The committed files are what the corpus script makes (Excel files carry a timestamp: sizes only)."""
    for entry, spec in corpus.ENTRIES.items():
        clean = spec.clean()
        for case, (_, make, _) in corpus.CASES.items():
            made = make(spec, clean)
            stored = corpus.path_of(entry, case).read_bytes()
            if corpus.path_of(entry, case).suffix == ".xlsx":
                assert abs(len(made) - len(stored)) < 64, (entry, case)
            else:
                assert made == stored, (entry, case)


def test_a_60_mb_batch_is_checked_by_the_job_and_refused_by_pages(sqlite_url: str, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    world = World(build_services(sqlite_url))  # the size limits do not depend on the database
    clean = corpus.ENTRIES["monitor_run"].clean()
    big = pd.concat([clean] * (int(1.05 * 60 * 1024 * 1024 / len(corpus._csv(clean))) + 1), ignore_index=True)
    data = corpus._csv(big)
    assert len(data) > 60 * 1024 * 1024
    share, columns = _monitor_run(world, data, "gros.csv", tmp_path, capsys)
    assert share == 0.0 and [c for c, _ in columns] == ["age", "commune"]
    before = world.counts()
    with pytest.raises(InvalidInput, match="trop volumineux"):
        world.services.monitoring.run_check(world.lead, world.monitored, data, label="page", filename="gros.csv",
                                            html_report=False)
    with pytest.raises(InvalidInput, match="trop volumineux"):
        world.services.portfolio.import_budget_lines(world.director, data, "gros.csv")
    assert world.counts() == before
    world.services.db.dispose()
