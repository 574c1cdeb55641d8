"""Every registered module honours the contract (schema, defaults, run, charts, docs)."""

import pkgutil
import re
from pathlib import Path
from typing import Literal, get_args, get_origin

import pandas as pd
import pytest

import usecases
from usecases import registry
from usecases.base import FAMILIES, AnalysisResult, MetricFormat, fingerprint

KEY = re.compile(r"^[a-z][a-z0-9_]*$")

MODULES = registry.load()
USECASES_DIR = Path(usecases.__file__).parent


@pytest.fixture(scope="module")
def results() -> dict[str, AnalysisResult]:
    return {key: m.run(m.sample_inputs(), m.params_model()) for key, m in MODULES.items()}


def test_every_module_package_is_registered():
    packages = {
        f"usecases.{info.name}.module"
        for info in pkgutil.iter_modules([str(USECASES_DIR)])
        if info.ispkg and (USECASES_DIR / info.name / "module.py").exists()
    }
    assert packages == set(registry.BUILTIN)


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_module_metadata(module):
    assert module.key and module.title and module.version and module.description
    assert module.family in FAMILIES
    assert module.inputs
    for name, field in module.params_model.model_fields.items():
        assert not field.is_required(), f"param {name} has no default"
        assert field.description, f"param {name} has no description"


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_module_runs_on_its_sample(module, results):
    inputs = module.sample_inputs()
    assert module.problems(inputs) == []
    result = results[module.key]
    assert result.metrics and result.tables
    for chart in result.charts.values():
        assert isinstance(chart.to_dict(), dict)
    for table in result.tables.values():
        assert isinstance(table, pd.DataFrame)
    assert set(result.metric_labels) <= set(result.metrics)
    assert result.notes


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_parameters_have_french_titles_and_choice_labels(module):
    for name, field in module.params_model.model_fields.items():
        assert field.title and field.title != name, f"param {name} has no French title"
        if get_origin(field.annotation) is Literal:
            labels = (field.json_schema_extra or {}).get("choices", {})
            missing = [v for v in get_args(field.annotation) if v not in labels]
            assert not missing, f"param {name}: no French label for {missing}"


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_result_keys_labels_and_metric_formats(module, results):
    result = results[module.key]
    for key in (*result.metrics, *result.tables, *result.charts):
        assert KEY.match(key), f"result key {key!r} is not lower snake case ASCII"
    formats = set(get_args(MetricFormat))
    for key in result.metrics:
        assert result.metric_labels.get(key), f"metric {key} has no French label"
        assert module.metric_formats.get(key) in formats, f"metric {key} has no declared format"
    for key in result.tables:
        assert result.table_labels.get(key), f"table {key} has no French title"
    for key in module.metric_formats:
        assert KEY.match(key)


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_module_is_deterministic(module, results):
    again = module.run(module.sample_inputs(), module.params_model())
    assert again.metrics == pytest.approx(results[module.key].metrics, nan_ok=True)
    for name, table in results[module.key].tables.items():
        pd.testing.assert_frame_equal(table, again.tables[name])


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_module_is_documented(module):
    folder = USECASES_DIR / module.key
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for spec in module.inputs:
        for column in spec.schema.columns:
            assert f"`{column.name}`" in readme, f"README lacks column {column.name}"
    for name in module.params_model.model_fields:
        assert f"`{name}`" in readme, f"README lacks param {name}"
    assert "Validation" in readme
    source = (folder / "SOURCE.txt").read_text(encoding="utf-8")
    assert re.search(r"licen[cs]e", source, re.I)
    for spec in module.inputs:
        assert (folder / spec.sample_file).stat().st_size < 300_000


@pytest.mark.parametrize("module", MODULES.values(), ids=lambda m: m.key)
def test_monitored_columns_are_the_primary_inputs_compared_columns_or_a_declared_output(module, results):
    monitored = module.monitored_columns()
    if module.monitored_output is not None:  # a text module: watched on what it produces
        table, columns = module.monitored_output
        produced = results[module.key].tables[table]
        assert monitored == columns and set(columns) <= set(produced.columns)
        assert set(columns.values()) <= {"numerical", "categorical"}
        return
    primary = {col.name: col for col in module.inputs[0].schema.columns}
    for name, kind in monitored.items():
        assert kind in ("numerical", "categorical")
        assert primary[name].kind == kind and primary[name].role in ("feature", "group", "target", "prediction")
    # every other input is context: none of its own columns is watched
    for spec in module.inputs[1:]:
        assert not set(spec.schema.names()) - set(primary) & set(monitored)


def test_unknown_module_message_is_french():
    with pytest.raises(registry.UnknownModule) as info:
        registry.get("nope")
    assert "Module d'analyse inconnu" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_duplicate_key_is_refused():
    module = next(iter(MODULES.values()))
    clone = type("Clone", (type(module),), {})
    with pytest.raises(ValueError, match="used by"):
        registry.register(clone)


def test_fingerprint_is_stable_and_sensitive():
    df = pd.DataFrame({"b": [1.0, 2.0], "a": ["x", "y"]})
    same = df[["a", "b"]].copy()
    assert fingerprint({"t": df}) == fingerprint({"t": same})
    assert len(fingerprint({"t": df})) == 64
    changed = df.assign(b=[1.0, 2.5])
    assert fingerprint({"t": df}) != fingerprint({"t": changed})
    assert fingerprint({"t": df}) != fingerprint({"u": df})
