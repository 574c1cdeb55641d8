"""PortfolioService on SQLite and PostgreSQL: who may do what, validation, audit, views, scenarios."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from sqlalchemy import select

from policies.access import PermissionDenied
from policies.prioritisation import load_weights
from policies.vocabulary import AiActClass, ImpactLevel, RiskProfile
from portal.db.models import AuditEvent, BudgetLine, ScoringWeightsVersion, UseCaseScore
from portal.services.errors import InvalidInput, NotFound, StaleEdit
from portal.services.portfolio import PortfolioService
from portal.services.portfolio.scenarios import result_from_saved
from tests.conftest import use_case_data
from tests.portal.governance_fixtures import HIGH_RISK
from tests.rows import count_rows

FULL = {"service_to_residents": 5, "efficiency_gain": 4, "strategic_alignment": 4, "reuse": 3,
        "data_readiness": 4, "technical_maturity": 3, "internal_skills": 3, "vendor_dependency": 2,
        "effort_days": 40}


def _events(services, entity: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.seq)))


@pytest.fixture
def uc(services, people):  # type: ignore[no-untyped-def]
    return services.register.create(people["lead"], use_case_data())


def test_lead_scores_own_use_case_audited_and_explained(services, people, uc):
    out = services.portfolio.set_score(people["lead"], uc.id, FULL)
    assert out.values["service_to_residents"] == 5 and out.version == 1
    ev = _events(services, "use_case_score")
    assert [e.action for e in ev] == ["create"] and ev[0].use_case_id == uc.id
    exp = services.portfolio.explain(uc.id)
    assert sum(ln.contribution for ln in exp.breakdown.lines) == pytest.approx(exp.breakdown.priority)
    assert any("Pas encore de classification" in n for n in exp.notes)
    assert exp.breakdown.weights_version == load_weights().version
    # an update records only what changed
    services.portfolio.set_score(people["director"], uc.id, FULL | {"reuse": 5}, expected_version=1)
    last = _events(services, "use_case_score")[-1]
    assert last.action == "update" and json.loads(last.payload)["after"] == {"reuse": 5}


def test_the_governance_classification_enters_the_risk_part_of_the_score(services, people, uc):
    services.portfolio.set_score(people["lead"], uc.id, FULL)
    before = services.portfolio.explain(uc.id).breakdown.priority
    services.governance.classify(people["compliance"], uc.id, **HIGH_RISK)
    exp = services.portfolio.explain(uc.id)
    assert any("Risque lu dans le dossier de gouvernance" in n for n in exp.notes)
    assert exp.breakdown.priority < before  # a high-risk class and its impact level are penalties
    assert sum(ln.contribution for ln in exp.breakdown.lines) == pytest.approx(exp.breakdown.priority)


def test_other_lead_and_reader_may_not_score(services, people, uc):
    for who in ("lead2", "reader", "compliance"):
        with pytest.raises(PermissionDenied):
            services.portfolio.set_score(people[who], uc.id, FULL)
    assert count_rows(services, UseCaseScore) == 0


def test_bad_score_gives_french_message_and_writes_nothing(services, people, uc):
    with pytest.raises(InvalidInput) as exc:
        services.portfolio.set_score(people["lead"], uc.id, FULL | {"reuse": 7, "effort_days": -1})
    text = " ".join(exc.value.problems)
    assert "Réutilisation par d'autres collectivités (1–5)" in text and "inférieur ou égal à 5" in text
    assert "Charge (jours-personne)" in text
    assert count_rows(services, UseCaseScore) == 0


def test_stale_score_edit_is_refused(services, people, uc):
    services.portfolio.set_score(people["lead"], uc.id, FULL)
    services.portfolio.set_score(people["director"], uc.id, FULL | {"reuse": 1}, expected_version=1)
    with pytest.raises(StaleEdit):
        services.portfolio.set_score(people["lead"], uc.id, FULL | {"reuse": 2}, expected_version=1)
    with pytest.raises(StaleEdit):  # the form was opened before anyone scored it
        services.portfolio.set_score(people["lead"], uc.id, FULL | {"reuse": 2}, expected_version=0)


def test_weights_are_versioned_never_edited_and_admin_only(services, people, uc):
    services.portfolio.set_score(people["lead"], uc.id, FULL)
    before = services.portfolio.ranked()["priority"].iloc[0]
    data = load_weights().model_dump(mode="json") | {"version": "2026.2", "groups": {"value": 1, "feasibility": 0}}
    with pytest.raises(PermissionDenied):
        services.portfolio.set_weights(people["director"], data)
    services.portfolio.set_weights(people["admin"], data, "Valeur seule")
    assert services.portfolio.weights().version == "2026.2"
    after = services.portfolio.ranked()
    assert after["weights_version"].iloc[0] == "2026.2" and after["priority"].iloc[0] != before
    with pytest.raises(InvalidInput, match="existe déjà"):
        services.portfolio.set_weights(people["admin"], data)
    with pytest.raises(InvalidInput, match=r"value\.reuse"):
        services.portfolio.set_weights(people["admin"], data | {"version": "x", "value": data["value"] | {"reuse": -1}})
    assert count_rows(services, ScoringWeightsVersion) == 1
    assert [e.action for e in _events(services, "scoring_weights")] == ["create"]


def test_budget_lines_upsert_per_year_and_sum_by_year(services, people, uc):
    with pytest.raises(PermissionDenied):
        services.portfolio.set_budget_line(people["lead"], uc.id, {"year": 2026, "voted": 1})
    services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": 10000, "committed": 8000,
                                                                   "spent": 5000})
    services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": 12000, "committed": 8000,
                                                                   "spent": 6000})
    services.portfolio.set_budget_line(people["admin"], uc.id, {"year": 2027, "voted": 3000})
    assert count_rows(services, BudgetLine) == 2
    by_year = services.portfolio.budget_by_year()
    assert by_year.set_index("year")["voted"].to_dict() == {2026: 12000, 2027: 3000}
    assert [e.action for e in _events(services, "budget_line")] == ["create", "update", "create"]
    with pytest.raises(InvalidInput, match="Voté"):
        services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": -5})


def test_budget_lines_import_from_a_finance_export_all_or_nothing(services, people, uc):
    services.portfolio.set_budget_line(people["director"], uc.id, {"year": 2026, "voted": 10000, "committed": 8000,
                                                                   "spent": 5000})
    good = ("Référence;Année;Voté (€);Engagé (€);Dépensé (€)\n"
            f"{uc.reference};2026;12 500,50 €;8000;5000\n"
            f"{uc.reference};2027;3 000;;\n").encode()
    with pytest.raises(PermissionDenied):
        services.portfolio.import_budget_lines(people["lead"], good, "budget.csv")
    # one bad line among good ones: every problem named, nothing written
    bad = ("reference;year;voted;committed;spent\n"
           f"{uc.reference};2028;1000;0;0\n"
           "UC-1999-999;2026;1;1;1\n"
           f"{uc.reference};deux mille;1;1;1\n"
           f"{uc.reference};2029;-4;0;0\n"
           f"{uc.reference};2028;5;0;0\n").encode()
    events_before = len(_events(services, "budget_line"))
    with pytest.raises(InvalidInput) as refused:
        services.portfolio.import_budget_lines(people["director"], bad, "budget.csv")
    problems = refused.value.problems
    assert "Ligne 3 — Champ « Référence » : cas d'usage « UC-1999-999 » inconnu du registre." in problems
    assert any(p.startswith("Ligne 4 — Champ « Année » : doit être un nombre entier") for p in problems)
    assert any(p.startswith("Ligne 5 — Champ « Voté (€) » : doit être supérieur ou égal à 0") for p in problems)
    assert any(p.startswith("Ligne 6 — ") and "déjà à la ligne 2" in p for p in problems)
    assert count_rows(services, BudgetLine) == 1 and len(_events(services, "budget_line")) == events_before
    with pytest.raises(InvalidInput, match="Colonne\\(s\\) absente\\(s\\) : Engagé"):
        services.portfolio.import_budget_lines(people["director"], b"reference;year;voted;spent\nX;2026;1;1\n",
                                               "budget.csv")
    counts = services.portfolio.import_budget_lines(people["director"], good, "budget.csv")
    assert counts == {"created": 1, "updated": 1, "unchanged": 0}
    lines = services.portfolio.budget_lines().set_index("year")
    assert lines.loc[2026, "voted"] == pytest.approx(12500.5) and lines.loc[2027, "committed"] == 0
    assert '"import":"budget.csv"' in _events(services, "budget_line")[-1].payload
    # the same file again changes nothing and records nothing
    assert services.portfolio.import_budget_lines(people["admin"], good, "budget.csv") == {
        "created": 0, "updated": 0, "unchanged": 2}


def test_benefits_read_as_gains_over_the_baseline(services, people, uc):
    # a KPI meant to fall: 10 days -> 4 days expected, 7 measured = half the gain
    services.portfolio.add_benefit_measure(people["lead"], uc.id, {
        "indicator": "Délai", "unit": "jours", "baseline": 10, "target": 4, "measured": 7,
        "measured_on": dt.date(2026, 10, 1)})
    with pytest.raises(PermissionDenied):
        services.portfolio.add_benefit_measure(people["lead2"], uc.id, {
            "indicator": "Délai", "target": 4, "measured": 7, "measured_on": dt.date(2026, 10, 1)})
    b = services.portfolio.benefits()
    assert b["rate"].iloc[0] == pytest.approx(50.0)
    assert _events(services, "benefit_measure")[0].use_case_id == uc.id
    # a measure entered by mistake is removed by its project lead, not by another; the audit keeps it
    measure_id = int(b["id"].iloc[0])
    for who in ("lead2", "reader"):
        with pytest.raises(PermissionDenied):
            services.portfolio.delete_benefit_measure(people[who], measure_id)
    services.portfolio.delete_benefit_measure(people["lead"], measure_id)
    assert services.portfolio.benefits().empty
    last = _events(services, "benefit_measure")[-1]
    assert last.action == "delete" and json.loads(last.payload)["before"]["measured"] == 7
    with pytest.raises(NotFound):
        services.portfolio.delete_benefit_measure(people["lead"], measure_id)


def test_a_benefit_measure_is_corrected_in_place_by_its_lead_with_both_versions_audited(services, people, uc):
    measure_id = services.portfolio.add_benefit_measure(people["lead"], uc.id, {
        "indicator": "Délai", "unit": "jours", "baseline": 10, "target": 4, "measured": 70,
        "measured_on": dt.date(2026, 10, 1)})
    opened = services.portfolio.editable_benefit_measure(measure_id)
    shown = services.portfolio.benefit_measure(measure_id)
    assert shown == opened.fields
    fixed = {**shown, "measured": 7, "note": "Saisie corrigée : 7 jours, pas 70."}
    for who in ("lead2", "reader", "compliance"):
        with pytest.raises(PermissionDenied):
            services.portfolio.update_benefit_measure(people[who], measure_id, fixed, expected_version=opened.version)
    # bad input names the field, in French, and writes nothing
    with pytest.raises(InvalidInput) as bad:
        services.portfolio.update_benefit_measure(people["lead"], measure_id, {**fixed, "measured": "beaucoup"},
                                                  expected_version=opened.version)
    assert any("Valeur mesurée" in p for p in bad.value.problems)
    assert services.portfolio.benefit_measure(measure_id)["measured"] == 70
    assert services.portfolio.update_benefit_measure(people["lead"], measure_id, fixed,
                                                     expected_version=opened.version) == "updated"
    b = services.portfolio.benefits(uc.id)
    assert len(b) == 1 and b["measured_value"].iloc[0] == 7 and b["rate"].iloc[0] == pytest.approx(50.0)
    last = _events(services, "benefit_measure")[-1]
    payload = json.loads(last.payload)
    assert last.action == "update"
    assert payload["before"] == {"measured": 70, "note": None}
    assert payload["after"] == {"measured": 7, "note": "Saisie corrigée : 7 jours, pas 70."}
    # the form opened before that correction is now stale: refused, nothing written
    assert services.portfolio.editable_benefit_measure(measure_id).version == opened.version + 1
    with pytest.raises(StaleEdit) as stale:
        services.portfolio.update_benefit_measure(people["lead"], measure_id, {**shown, "measured": 8},
                                                  expected_version=opened.version)
    assert "Cette mesure a été modifiée par quelqu'un d'autre" in str(stale.value)
    assert services.portfolio.benefit_measure(measure_id)["measured"] == 7
    # saving what is already there records nothing
    n = len(_events(services, "benefit_measure"))
    now = services.portfolio.editable_benefit_measure(measure_id)
    assert services.portfolio.update_benefit_measure(
        people["lead"], measure_id, fixed, expected_version=now.version) == "unchanged"
    assert len(_events(services, "benefit_measure")) == n
    assert services.portfolio.editable_benefit_measure(measure_id).version == now.version
    services.portfolio.delete_benefit_measure(people["lead"], measure_id, expected_version=now.version)
    with pytest.raises(NotFound):
        services.portfolio.update_benefit_measure(people["lead"], measure_id, fixed)


def test_a_stale_benefit_measure_is_neither_corrected_nor_deleted(services, people, uc):
    """Two people opened the same measure; the first saves, the second's correction and deletion
    (from the version they saw) are refused in French, and nothing is written or audited."""
    measure_id = services.portfolio.add_benefit_measure(people["lead"], uc.id, {
        "indicator": "Appels", "baseline": 100, "target": 60, "measured": 80,
        "measured_on": dt.date(2026, 9, 1)})
    first = services.portfolio.editable_benefit_measure(measure_id)
    second = services.portfolio.editable_benefit_measure(measure_id)
    assert services.portfolio.update_benefit_measure(people["lead"], measure_id, {**first.fields, "measured": 75},
                                                     expected_version=first.version) == "updated"
    n = len(_events(services, "benefit_measure"))
    with pytest.raises(StaleEdit) as stale:
        services.portfolio.update_benefit_measure(people["admin"], measure_id, {**second.fields, "measured": 90},
                                                  expected_version=second.version)
    assert str(stale.value) == ("Cette mesure a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte. "
                                "Rien n'a été enregistré : rechargez la fiche, puis corrigez-la à nouveau.")
    with pytest.raises(StaleEdit):
        services.portfolio.delete_benefit_measure(people["admin"], measure_id, expected_version=second.version)
    assert services.portfolio.benefit_measure(measure_id)["measured"] == 75
    assert len(_events(services, "benefit_measure")) == n
    # a stale version does not hide a refused role: permission is checked first
    with pytest.raises(PermissionDenied):
        services.portfolio.delete_benefit_measure(people["lead2"], measure_id, expected_version=second.version)
    # with the version now shown, the deletion goes through
    current = services.portfolio.editable_benefit_measure(measure_id)
    services.portfolio.delete_benefit_measure(people["admin"], measure_id, expected_version=current.version)
    assert services.portfolio.benefits(uc.id).empty


def test_classification_from_governance_enters_the_score(services, people, uc):
    services.portfolio.set_score(people["lead"], uc.id, FULL)
    plain = services.portfolio.ranked()["priority"].iloc[0]
    wired = PortfolioService(services.db.reader, services.db.writer, classification_of=lambda _id: RiskProfile(AiActClass.HIGH, ImpactLevel.III))
    row = wired.ranked().iloc[0]
    w = load_weights()
    expected = plain + w.risk.risk_class.unknown + w.risk.impact_level.none - w.risk.risk_class.high \
        - w.risk.impact_level.III
    assert row["priority"] == pytest.approx(expected) and row["impact_level"] == "III"
    assert "Haut risque" in " ".join(wired.explain(uc.id).notes)
    banned = PortfolioService(services.db.reader, services.db.writer,
                              classification_of=lambda _id: RiskProfile(AiActClass.PROHIBITED, ImpactLevel.IV))
    assert not banned.ranked()["eligible"].iloc[0]
    with pytest.raises(InvalidInput, match="n'est pas planifiable"):
        banned.run_scenario({"budget": 1e6, "capacity_days": 1e3, "must_do": [uc.reference]})


def _portfolio(services, people, n: int = 9) -> list[str]:  # type: ignore[no-untyped-def]
    refs = []
    for i in range(n):
        v = services.register.create(people["lead"], use_case_data(
            title=f"Cas {i}", build_cost=5000 + 3000 * ((i * 7) % 5), run_cost_per_year=1000 * (i % 3)))
        services.portfolio.set_score(people["lead"], v.id, {
            "service_to_residents": 1 + (i * 3) % 5, "efficiency_gain": 1 + (i * 2) % 5, "strategic_alignment": 3,
            "reuse": 1 + i % 5, "data_readiness": 1 + (i * 4) % 5, "technical_maturity": 3,
            "internal_skills": 1 + (i + 2) % 5, "vendor_dependency": 2, "effort_days": 10 + 7 * (i % 4)})
        refs.append(v.reference)
    return refs


def test_scenario_equals_brute_force_and_respects_every_constraint(services, people):
    refs = _portfolio(services, people)
    df = services.portfolio.candidates().set_index("reference")
    must, excl, group = refs[0], refs[1], (refs[2], refs[3], refs[4])
    params = {"budget": 30000, "capacity_days": 90, "must_do": [must], "excluded": [excl],
              "exclusive_groups": [list(group)]}
    out = services.portfolio.run_scenario(params)
    chosen = set(out.result.selected_ids)
    cost = lambda s: sum(df.loc[r, "cost"] for r in s)  # noqa: E731
    effort = lambda s: sum(df.loc[r, "effort_days"] for r in s)  # noqa: E731
    best = max(
        (sum(df.loc[r, "priority"] for r in s), s)
        for k in range(len(refs) + 1) for s in itertools.combinations(refs, k)
        if must in s and excl not in s and len(set(s) & set(group)) <= 1 and cost(s) <= 30000 and effort(s) <= 90
    )
    assert out.result.total_value == pytest.approx(best[0], abs=1e-6)
    assert must in chosen and excl not in chosen and len(chosen & set(group)) <= 1
    assert cost(chosen) <= 30000 and effort(chosen) <= 90
    assert out.result.total_cost == pytest.approx(cost(chosen))
    assert out.selected["scenario_cost"].sum() == pytest.approx(out.result.total_cost)


def test_infeasible_scenario_gives_a_clear_french_message(services, people):
    refs = _portfolio(services, people, 3)
    with pytest.raises(InvalidInput) as exc:
        services.portfolio.run_scenario({"budget": 100, "capacity_days": 1000, "must_do": [refs[0]]})
    assert "budget" in exc.value.problems[0].lower() and refs[0] in exc.value.problems[0]
    with pytest.raises(InvalidInput, match="inconnu"):
        services.portfolio.run_scenario({"budget": 100, "capacity_days": 10, "must_do": ["UC-1999-999"]})
    with pytest.raises(InvalidInput, match="Budget annuel"):
        services.portfolio.run_scenario({"budget": -1, "capacity_days": 10})


def test_only_the_direction_saves_scenarios_audited(services, people):
    _portfolio(services, people, 4)
    params = {"name": "Sobriété", "budget": 20000, "capacity_days": 60}
    with pytest.raises(PermissionDenied):
        services.portfolio.save_scenario(people["admin"], params)
    out = services.portfolio.save_scenario(people["director"], params)
    saved = services.portfolio.saved_scenarios()
    assert [s.name for s in saved] == ["Sobriété"] and saved[0].id == out.saved_id
    assert saved[0].result["selected_ids"] == list(out.result.selected_ids)
    assert saved[0].weights_version == load_weights().version
    ev = _events(services, "scenario")
    assert len(ev) == 1 and json.loads(ev[0].payload)["details"]["selected"] == list(out.result.selected_ids)


def test_roadmap_marks_overdue_pilots(services, people):
    from portal.db.models import UseCase

    today = dt.date(2026, 11, 26)
    a = services.register.create(people["lead"], use_case_data(title="Pilote échu", start_date=dt.date(2026, 1, 1),
                                                               end_date=dt.date(2026, 11, 1)))
    b = services.register.create(people["lead"], use_case_data(title="Déployé", start_date=dt.date(2025, 1, 1)))
    with services.db.writer.begin() as s:
        s.get(UseCase, a.id).stage = "pilot"
        s.get(UseCase, b.id).stage = "deployed"
    rm = services.portfolio.roadmap_frame(today).set_index("reference")
    assert bool(rm.loc[a.reference, "overdue"]) and not bool(rm.loc[b.reference, "overdue"])
    assert rm.loc[b.reference, "end"] == today and bool(rm.loc[b.reference, "ongoing"])


def test_bench_has_portfolio_rows_against_a_same_process_baseline():
    from portal.bench import portfolio_rows

    rows = portfolio_rows((60,), (0, 1))
    assert len(rows) == 2 and all("60 candidats" in r.name for r in rows)
    assert rows[0].baseline_name == "heuristique gloutonne, mêmes instances"
    assert rows[1].baseline_name == "HiGHS seul (séparation et évaluation)"
    assert all(r.seconds > 0 and r.baseline_seconds > 0 for r in rows)
    assert "statut optimal" in rows[0].note and "médiane sur 2 instances" in rows[0].name
    assert "même valeur optimale : oui" in rows[1].note


def test_vigie_budget_import_reports_counts_or_every_problem(services, uc, db_url, monkeypatch, tmp_path, capsys):
    from portal.cli import main
    from portal.settings import get_settings

    monkeypatch.setenv("VIGIE_DATABASE_URL", db_url)
    monkeypatch.setenv("VIGIE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        bad = tmp_path / "budget.csv"
        bad.write_text("reference;year;voted;committed;spent\nUC-0000-000;2026;1;1;1\n", encoding="utf-8")
        assert main(["budget", "import", str(bad)]) == 1
        err = capsys.readouterr().err
        assert "Rien n'a été importé (budget.csv)" in err and "Ligne 2" in err and "UC-0000-000" in err
        good = tmp_path / "finances.csv"
        good.write_text(f"Référence;Année;Voté;Engagé;Dépensé\n{uc.reference};2026;1000;500;250\n", encoding="utf-8")
        assert main(["budget", "import", str(good)]) == 0
        assert "1 créée(s), 0 modifiée(s), 0 inchangée(s)" in capsys.readouterr().out
        assert main(["budget", "import", str(tmp_path / "absent.csv")]) == 1
    finally:
        get_settings.cache_clear()


def test_scenarios_run_on_incomplete_sheets_and_say_what_is_missing(services, people):
    refs = _portfolio(services, people, 4)
    no_effort = services.register.create(people["lead"], use_case_data(title="Charge jamais saisie"))
    services.portfolio.set_score(people["lead"], no_effort.id, {k: v for k, v in FULL.items() if k != "effort_days"})
    no_sheet = services.register.create(people["lead"], use_case_data(title="Fiche vide", build_cost=None))
    out = services.portfolio.run_scenario({"budget": 1e6, "capacity_days": 1e4})
    assert set(out.result.selected_ids) == set(refs)  # everything complete fits; the rest is not counted as free
    missing = {i.id: (i.missing, i.treatment) for i in out.result.incomplete}
    assert missing == {no_effort.reference: (("effort_days",), "left_out"),
                       no_sheet.reference: (("value", "build_cost", "effort_days"), "left_out")}
    text = " ".join(out.notes)
    assert f"{no_effort.reference} (charge (jours-personne))" in text and "à compléter" in text
    # imposed, the case with no effort is planned; its unknown effort counts as zero and the outcome says so
    forced = services.portfolio.run_scenario({"budget": 1e6, "capacity_days": 1e4, "must_do": [no_effort.reference]})
    assert no_effort.reference in forced.result.selected_ids
    assert "comptés pour zéro" in " ".join(forced.notes)
    # a saved scenario keeps the list, and reads it back
    saved = services.portfolio.save_scenario(people["director"], {"name": "Incomplet", "budget": 1e6,
                                                                   "capacity_days": 1e4})
    view = services.portfolio.saved_scenarios()[0]
    assert result_from_saved(view).incomplete == saved.result.incomplete


def test_any_use_case_may_be_excluded_or_imposed_whatever_its_stage(services, people):
    from portal.db.models import UseCase

    refs = _portfolio(services, people, 4)
    with services.db.writer.begin() as s:
        deployed = s.scalar(select(UseCase).where(UseCase.reference == refs[0]))
        deployed.stage = "deployed"
    # excluded outside the candidate stages: accepted and reported, nothing to plan around
    out = services.portfolio.run_scenario({"budget": 1e6, "capacity_days": 1e4, "excluded": [refs[0], refs[1]]})
    assert set(out.result.selected_ids) == {refs[2], refs[3]}
    assert any(refs[0] in n and "hors des candidats" in n for n in out.notes)
    # imposed outside the candidate stages: it joins the candidates
    out = services.portfolio.run_scenario({"budget": 1e6, "capacity_days": 1e4, "must_do": [refs[0]]})
    assert refs[0] in out.result.selected_ids and any("ajouté aux candidats" in n for n in out.notes)
    with pytest.raises(InvalidInput, match="à la fois imposés et exclus"):
        services.portfolio.run_scenario({"budget": 1e6, "capacity_days": 1e4, "must_do": [refs[0]],
                                         "excluded": [refs[0]]})
    with pytest.raises(InvalidInput, match="UC-1999-999 est inconnu"):
        services.portfolio.run_scenario({"budget": 1e6, "capacity_days": 1e4, "excluded": ["UC-1999-999"]})
