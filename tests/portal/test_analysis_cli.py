"""``vigie analyse`` through ``portal.cli.main`` on the modules' real sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from portal.cli import main
from usecases import registry

ROOT = Path(__file__).resolve().parents[2]


def test_list_names_every_module_and_its_inputs(capsys):
    assert main(["analyse", "--list"]) == 0
    out = capsys.readouterr().out
    for key, module in registry.load().items():
        assert key in out
        for spec in module.inputs:
            assert f"« {spec.name} »" in out


@pytest.mark.parametrize("key", ["demography", "facility_usage", "operating_costs", "municipal_accounts"])
def test_analyse_writes_metrics_and_tables(tmp_path, capsys, key):
    module = registry.get(key)
    spec = module.inputs[0]
    sample = ROOT / "usecases" / key / spec.sample_file
    out = tmp_path / "out"
    assert main(["analyse", key, "--input", f"{spec.name}={sample}", "--out", str(out)]) == 0
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["module"] == key and metrics["version"] == module.version
    assert metrics["metrics"] and len(metrics["input_fingerprint"]) == 64
    for table in metrics["tables"]:
        assert not pd.read_csv(out / f"{table}.csv").empty or table
    assert "terminée" in capsys.readouterr().out


def test_analyse_params_and_unnamed_input(tmp_path):
    sample = ROOT / "usecases" / "demography" / "sample.csv"
    assert main(["analyse", "demography", "--input", str(sample), "--params", '{"horizon_years": 5}',
                 "--out", str(tmp_path)]) == 0
    forecast = pd.read_csv(tmp_path / "forecast.csv")
    assert list(forecast.columns[:5]) == ["code", "year", "forecast", "lower", "upper"]
    assert json.loads((tmp_path / "metrics.json").read_text())["params"]["horizon_years"] == 5


def test_analyse_refusals_are_french_and_write_nothing(tmp_path, capsys):
    wrong = ROOT / "usecases" / "facility_usage" / "sample.csv"
    out = tmp_path / "out"
    assert main(["analyse", "demography", "--input", str(wrong), "--out", str(out)]) == 1
    assert "Colonne manquante : « population »" in capsys.readouterr().err
    assert main(["analyse", "demography", "--input", str(wrong).replace("facility_usage", "demography"),
                 "--params", '{"horizon_years": 99}', "--out", str(out)]) == 1
    assert "Horizon (années)" in capsys.readouterr().err
    assert main(["analyse", "inconnu", "--input", str(wrong), "--out", str(out)]) == 1
    assert "Module d'analyse inconnu" in capsys.readouterr().err
    assert main(["analyse", "demography", "--input", str(tmp_path / "absent.csv"), "--out", str(out)]) == 1
    assert "introuvable" in capsys.readouterr().err
    assert not out.exists()
