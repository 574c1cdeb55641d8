"""Run a module outside the portal: files in, ``metrics.json`` + one CSV per table out.

Backs the CLI ``vigie analyse MODULE --input FILE|NAME=FILE --params JSON --out DIR`` and
``vigie analyse --list``. Reading files is IO, so it lives here and not in the modules.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from usecases import registry
from usecases.base import AnalysisModule, AnalysisResult, fingerprint
from usecases.loading import DEFAULT_MAX_BYTES, InvalidInput, neutralise, prepare, read_table

#: Name used for a single ``--input FILE`` given without ``NAME=``.
UNNAMED = ""


def resolve_inputs(module: AnalysisModule[Any], input_paths: dict[str, Path]) -> dict[str, Path]:
    """Map user-given names to the module's input names; one unnamed file goes to the only input."""
    names = [spec.name for spec in module.inputs]
    if set(input_paths) == {UNNAMED}:
        required = [spec.name for spec in module.inputs if spec.required]
        if len(names) != 1 and len(required) == 1:
            return {required[0]: Path(input_paths[UNNAMED])}
        if len(names) != 1:
            raise InvalidInput([
                f"Le module « {module.key} » attend plusieurs données ({', '.join(names)}) : "
                "nommez chaque fichier avec NOM=FICHIER."
            ])
        return {names[0]: Path(input_paths[UNNAMED])}
    unknown = sorted(set(input_paths) - set(names))
    if unknown:
        raise InvalidInput([
            f"Donnée inconnue pour le module « {module.key} » : « {n} ». Données attendues : {', '.join(names)}."
            for n in unknown
        ])
    missing = [s.name for s in module.inputs if s.required and s.name not in input_paths]
    if missing:
        raise InvalidInput([f"Donnée manquante pour le module « {module.key} » : « {n} »." for n in missing])
    return {n: Path(p) for n, p in input_paths.items()}


def _clean(value: float) -> float | None:
    v = float(value)
    return None if math.isnan(v) or math.isinf(v) else v


def analyse_to_dir(
    module_key: str,
    input_paths: dict[str, Path],
    params: dict[str, Any],
    out_dir: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> AnalysisResult:
    """Read, validate, run and write ``metrics.json``, ``<table>.csv`` and ``notes.txt`` to ``out_dir``.

    Raises ``registry.UnknownModule``, ``InvalidInput`` or pydantic ``ValidationError`` before
    anything is written.
    """
    module = registry.get(module_key)
    paths = resolve_inputs(module, input_paths)
    frames = {}
    problems: list[str] = []
    for spec in module.inputs:
        if spec.name not in paths:  # an optional input left out
            continue
        path = paths[spec.name]
        try:
            read = spec.reader or read_table
            raw = read(path.read_bytes(), path.name, max_bytes=max_bytes)
            frames[spec.name] = prepare(raw, spec.schema)
        except InvalidInput as exc:
            prefix = f"{path.name} : " if len(module.inputs) > 1 else ""
            problems.extend(prefix + p for p in exc.problems)
    if problems:
        raise InvalidInput(problems)
    validated = module.params_model.model_validate(params or {})
    result = module.run(frames, validated)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "module": module.key,
        "version": module.version,
        "params": validated.model_dump(mode="json"),
        "input_fingerprint": fingerprint(frames),
        "metrics": {k: _clean(v) for k, v in result.metrics.items()},
        "metric_labels": result.metric_labels,
        "tables": sorted(result.tables),
    }
    (out_dir / "metrics.json").write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    for name, table in result.tables.items():
        # text cells are neutralised like the portal's exports: a spreadsheet never runs them
        neutralise(table).to_csv(out_dir / f"{name}.csv", index=False, encoding="utf-8")
    (out_dir / "notes.txt").write_text("\n".join(result.notes) + ("\n" if result.notes else ""), encoding="utf-8")
    return result


def describe_modules() -> list[dict[str, Any]]:
    """Modules with their inputs, columns and parameters (for ``vigie analyse --list``)."""
    out = []
    for key, module in registry.load().items():
        out.append({
            "key": key,
            "title": module.title,
            "description": module.description,
            "version": module.version,
            "family": module.family,
            "inputs": [
                {
                    "name": spec.name,
                    "title": spec.title_fr,
                    "description": spec.description,
                    "required": spec.required,
                    "columns": [
                        {
                            "name": c.name,
                            "kind": c.kind,
                            "role": c.role,
                            "required": c.required,
                            "description": c.description,
                        }
                        for c in spec.schema.columns
                    ],
                }
                for spec in module.inputs
            ],
            "params": [
                {
                    "name": name,
                    "default": field.default,
                    "description": field.description or "",
                }
                for name, field in module.params_model.model_fields.items()
            ],
        })
    return out
