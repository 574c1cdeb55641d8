"""dsp_performance: figures of the README, outputs of vigie analyse, controller flags, French refusals."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from portal.cli import main
from usecases import headless, registry
from usecases.dsp_performance import validation as val
from usecases.loading import InvalidInput

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "usecases" / "dsp_performance"
SERVICES = FOLDER / "sample_services.csv"
REFERENCES = FOLDER / "sample_references.csv"
ACCOUNTS = FOLDER / "sample_accounts_fictif.csv"


@pytest.fixture(scope="module")
def module():
    return registry.get("dsp_performance")


@pytest.fixture(scope="module")
def result(module):
    return module.run(module.sample_inputs(), module.params_model())


def _saved() -> pd.DataFrame:
    return val.load_result()[0]


def test_readme_reports_the_saved_validation_table():
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    table, refs = val.load_result()
    assert val.markdown(table) in readme
    assert val.markdown_references(refs, table.loc["network_yield", "mae_modele"]) in readme
    # the adjusted expectation of network yield beats the published references
    assert table.loc["network_yield", "mae_modele"] < min(v for k, v in refs.items() if k.startswith("mae_"))


def test_reference_baselines_recomputed(shared_data):
    refs = val.reference_baselines(val.load_services(shared_data), val.load_references(shared_data))
    assert refs == pytest.approx(val.load_result()[1], abs=1e-3)


def test_saved_figures_price_and_yield_beat_both_baselines_and_intervals_are_calibrated():
    saved = _saved()
    for ind in ("price_m3", "network_yield"):
        assert saved.loc[ind, "mae_modele"] < saved.loc[ind, "mae_mediane_globale"]
        assert saved.loc[ind, "mae_modele"] < saved.loc[ind, "mae_mediane_taille"]
    assert saved["couverture_pct"].between(72, 88).all()


def test_quick_recomputation_matches_the_saved_price_figures(shared_data):
    fresh = val.evaluate(val.load_services(shared_data), repeats=1, indicators=("price_m3",))
    saved = _saved().loc["price_m3"]
    assert fresh.loc["price_m3", "services"] == saved["services"]
    assert fresh.loc["price_m3", "mae_modele"] < fresh.loc["price_m3", "mae_mediane_globale"]
    assert fresh.loc["price_m3", "mae_modele"] == pytest.approx(saved["mae_modele"], rel=0.05)
    assert fresh.loc["price_m3", "mae_mediane_globale"] == pytest.approx(saved["mae_mediane_globale"], rel=0.05)


def test_services_table_has_expectation_interval_gap_flag_and_reference(result):
    services = result.tables["services"]
    assert list(services.columns[:3]) == ["service", "operator", "mode"]
    assert {"value", "expected", "expected_low", "expected_high", "gap", "flag"} <= set(services.columns)
    indicators = [c for c in pd.read_csv(SERVICES).columns if c in set(services["indicator"])]
    assert services["service"].nunique() == pd.read_csv(SERVICES)[indicators].notna().any(axis=1).sum()
    ok = services["expected"].notna()
    assert (services.loc[ok, "expected_low"] <= services.loc[ok, "expected"]).all()
    assert (services.loc[ok, "expected"] <= services.loc[ok, "expected_high"]).all()
    assert set(services["flag"]) <= {"favorable", "dans la norme", "défavorable", "non évalué"}
    # the outlier price of SMEP Le Horps (8.25 €/m3) is flagged
    horps = services[(services["indicator"] == "price_m3") & (services["value"] == 8.25)]
    assert list(horps["flag"]) == ["défavorable"]
    yields = services[services["indicator"] == "network_yield"]
    assert set(yields["reference_scope"]) == {"département"}
    comparison = result.tables["comparison"]
    assert set(comparison["grouping"]) == {"mode", "opérateur", "délégation − régie"}
    # the README's reading: no delegated − public difference established, SAUR dearer than comparable services
    diff = comparison[comparison["grouping"] == "délégation − régie"]
    assert len(diff) == 7 and ((diff["gap_low"] < 0) & (diff["gap_high"] > 0)).all()
    saur = comparison[(comparison["group"] == "SAUR") & (comparison["indicator"] == "price_m3")].iloc[0]
    assert (saur["adjusted_gap"], saur["gap_low"], saur["gap_high"]) == pytest.approx((0.161, 0.030, 0.293), abs=1e-3)
    established = comparison[(comparison["grouping"] == "opérateur") & ~comparison["reading"].str.startswith("pas")]
    assert len(established) == 10


def test_accounts_flags_raise_what_the_made_up_sample_hides(result):
    accounts, flags = result.tables["accounts"], result.tables["flags"]
    assert list(accounts["year"]) == list(range(2017, 2025))
    assert accounts.loc[accounts["year"] == 2023, "tariff_gap_pct"].item() == pytest.approx(3.5, abs=0.05)
    kinds = set(flags["flag"])
    assert {"provisions non consommées", "tarif hors formule d'indexation", "marge éloignée du prévisionnel",
            "frais de siège élevés"} <= kinds
    assert "résultat incohérent" not in kinds
    assert flags["explanation"].str.len().gt(20).all()


def test_optional_inputs_may_be_left_out(module):
    inputs = {"services": module.sample_inputs()["services"]}
    assert module.problems(inputs) == []
    result = module.run(inputs, module.params_model())
    assert set(result.tables) == {"services", "comparison"}
    from portal.services.monitoring import module_columns
    columns = module_columns("dsp_performance")
    assert "price_m3" in columns and "revenue" not in columns
    # a reference batch without the optional adjustment columns is still monitorable
    present = module_columns("dsp_performance", present=inputs["services"].columns)
    assert "resource" in columns and "resource" not in present and "price_m3" in present


def test_vigie_analyse_writes_services_accounts_and_flags(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["analyse", "dsp_performance", "--input", f"services={SERVICES}", "--input",
                 f"references={REFERENCES}", "--input", f"accounts={ACCOUNTS}", "--out", str(out)]) == 0
    for name in ("services", "comparison", "accounts", "flags"):
        assert not pd.read_csv(out / f"{name}.csv").empty
    only = tmp_path / "only"
    assert main(["analyse", "dsp_performance", "--input", str(SERVICES), "--out", str(only)]) == 0
    assert (only / "services.csv").exists() and not (only / "accounts.csv").exists()


def test_bad_inputs_get_french_messages_and_nothing_written(tmp_path):
    out = tmp_path / "out"
    renamed = tmp_path / "services.csv"
    pd.read_csv(SERVICES).rename(columns={"operator": "exploitant"}).to_csv(renamed, index=False)
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    big = tmp_path / "gros.csv"
    big.write_bytes(b"service,operator\n" + b"x,y\n" * (5 * 1024 * 1024 + 10))
    no_indicator = tmp_path / "sans.csv"
    pd.read_csv(SERVICES)[["service", "operator", "mode", "population"]].to_csv(no_indicator, index=False)
    accounts = tmp_path / "comptes.csv"
    pd.concat([pd.read_csv(ACCOUNTS).head(2)] * 2).to_csv(accounts, index=False)
    cases = [
        ({"services": renamed}, "Colonne manquante : « operator »"),
        ({"services": empty}, "Le fichier est vide."),
        ({"services": big}, "trop volumineux"),
        ({"services": no_indicator}, "aucune colonne d'indicateur"),
        ({"services": SERVICES, "accounts": accounts}, "apparaît plusieurs fois"),
        ({"services": SERVICES, "contrats": accounts}, "Donnée inconnue"),
    ]
    for paths, message in cases:
        with pytest.raises(InvalidInput) as info:
            headless.analyse_to_dir("dsp_performance", paths, {}, out)
        assert any(message in p for p in info.value.problems), (message, info.value.problems)
        assert not out.exists()
    with pytest.raises(InvalidInput) as info:
        headless.analyse_to_dir("dsp_performance", {"references": REFERENCES}, {}, out)
    assert "Donnée manquante" in info.value.problems[0]


def test_controller_flags_on_constructed_accounts(module):
    from usecases.base import coerce
    from usecases.dsp_performance.module import ACCOUNTS

    years = list(range(2019, 2024))
    accounts = coerce(pd.DataFrame({
        "year": years, "revenue": [1000.0] * 5, "charges_total": [1010.0, 1020.0, 900.0, 880.0, 860.0],
        "result": [-10.0, -20.0, 100.0, 120.0, 100.0], "forecast_result": [50.0] * 5,
        "tariff": [1.0, 1.02, 1.04, 1.06, 1.08], "index_labour": [100.0, 102.0, 104.0, 106.0, 108.0],
        "renewal_provision": [100.0] * 5, "renewal_works": [100.0, 90.0, 110.0, 100.0, 100.0],
    }), ACCOUNTS)
    params = module.params_model(fixed_part=0.0, weight_labour=1.0)
    result = module.run({"services": module.sample_inputs()["services"], "accounts": accounts}, params)
    table, flags = result.tables["accounts"], result.tables["flags"]
    # the tariff follows a labour-only formula exactly; works match provisions
    assert table["tariff_gap_pct"].abs().max() < 0.01
    kinds = flags.groupby("flag")["year"].apply(list).to_dict()
    assert "tarif hors formule d'indexation" not in kinds and "provisions non consommées" not in kinds
    assert kinds["exercices déficitaires"] == ["2019, 2020"]
    assert kinds["résultat incohérent"] == ["2023"]  # 1000 − 860 = 140, not 100
    assert set(kinds["marge éloignée du prévisionnel"]) == {"2019", "2020", "2021", "2022", "2023"}
