"""Explicit registry of analysis modules: ``@register`` plus the ``BUILTIN`` tuple of module paths.

Adding a module: create its package, decorate its class with ``@register`` and add its dotted
``module`` path to ``BUILTIN``. A test checks that every package with a ``module.py`` is listed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any, TypeVar

from usecases.base import FAMILIES, AnalysisModule

BUILTIN: tuple[str, ...] = (
    "usecases.demography.module",
    "usecases.facility_usage.module",
    "usecases.operating_costs.module",
    "usecases.municipal_accounts.module",
    "usecases.intervention_planning.module",
    "usecases.dsp_performance.module",
    "usecases.readability.module",
    "usecases.simple_answers.module",
    "usecases.maintenance.module",
    "usecases.contract_clauses.module",
    "usecases.request_routing.module",
)

_modules: dict[str, AnalysisModule[Any]] = {}

M = TypeVar("M", bound=type[AnalysisModule[Any]])


class UnknownModule(KeyError):
    """Raised by ``get`` for a key no registered module carries (message in French)."""

    def __init__(self, key: str, known: list[str]) -> None:
        self.key = key
        self.known = known
        listed = ", ".join(known) if known else "aucun"
        self.message = f"Module d'analyse inconnu : « {key} ». Modules disponibles : {listed}."
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


def _path(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register(cls: M) -> M:
    """Class decorator: instantiate and register a module under its ``key``."""
    for attr in ("key", "title", "description", "version", "family", "inputs", "params_model"):
        if not hasattr(cls, attr):
            raise TypeError(f"{_path(cls)} lacks class attribute {attr!r}")
    if cls.family not in FAMILIES:
        raise ValueError(f"{_path(cls)}: unknown family {cls.family!r}")
    existing = _modules.get(cls.key)
    # A re-import (e.g. Streamlit's file watcher) of the same class is fine; a key clash is not.
    if existing is not None and _path(type(existing)) != _path(cls):
        raise ValueError(f"module key {cls.key!r} used by {_path(type(existing))} and {_path(cls)}")
    _modules[cls.key] = cls()
    return cls


def load() -> dict[str, AnalysisModule[Any]]:
    """Import every built-in module and return {key: module instance}, in ``BUILTIN`` order."""
    for dotted in BUILTIN:
        import_module(dotted)
    return dict(_modules)


def get(key: str) -> AnalysisModule[Any]:
    modules = load()
    try:
        return modules[key]
    except KeyError:
        raise UnknownModule(key, sorted(modules)) from None
