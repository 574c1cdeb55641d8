"""`vigie bench --scale` at a tiny size: the bulk builder makes a consistent portfolio (counts, a
verified audit chain), and the measurement runs every page for every role without error."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.bench_scale_data import Sizes, build
from portal.services import build_services


def test_the_bulk_builder_reaches_the_sizes_with_a_whole_audit_chain(tmp_path: Path, demo_template: Path):
    url = f"sqlite:///{tmp_path / 'scale.db'}"
    sizes = Sizes.for_use_cases(40)
    counts = build(url, sizes, log=lambda *_: None, demo_copy=demo_template)
    assert counts["use_case"] == 40
    assert counts["data_source"] == sizes.data_sources and counts["risk"] == sizes.risks
    assert counts["audit_event"] == sizes.audit_events
    assert counts["monitoring_column_result"] == sizes.monitoring_points
    assert counts["classification"] > 0 and counts["gate_request"] > 0 and counts["obligation_record"] > 0
    svc = build_services(url)
    try:
        report = svc.audit.verify()
        assert report.ok and report.checked == sizes.audit_events, report.message()
        # the copies are consistent: every copied gate request's use case exists and shows in the register
        refs = {c.reference for c in svc.register.choices()}
        assert len(refs) == 40 and any(r.startswith("UC-S0001-") for r in refs)
        assert svc.governance.requests()  # views over the copied rows build without error
    finally:
        svc.db.dispose()


@pytest.mark.bench
def test_the_scale_bench_measures_every_page_for_every_role(tmp_path: Path, demo_template: Path, monkeypatch):
    from portal.bench_scale import run_scale

    monkeypatch.delenv("VIGIE_DATABASE_URL", raising=False)
    from portal.settings import get_settings

    lines: list[str] = []
    try:
        out = run_scale(40, url=f"sqlite:///{tmp_path / 'scale.db'}", repeat=1, log=lines.append,
                        demo_copy=demo_template)
    finally:
        get_settings.cache_clear()
    assert not [line for line in lines if "erreur" in line], lines
    pages = {f.what for f in out["pages"]}
    assert "Portefeuille (direction)" in pages and "Journal d'audit (conformité)" in pages
    assert "Journal d'audit (lecture)" not in pages  # a reader has no audit page
    assert all(f.median_s > 0 and f.floor_s > 0 for f in out["pages"] + out["services"])
    assert out["peak_mb"] > 0
    assert "| page (rôle) | médiane (s) | plancher SQL (s) | ratio |" in "\n".join(lines)
