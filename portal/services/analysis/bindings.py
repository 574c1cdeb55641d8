"""Which analysis module runs behind each use case (the binding table, one binding per use case)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import AnalysisBinding
from portal.repositories import analysis as repo
from portal.services import audit
from portal.services.analysis.base import AnalysisBase
from portal.services.analysis.storage import (
    _module,
)
from portal.services.analysis.views import (
    BindingView,
    ModuleInfo,
)
from portal.services.errors import NotFound
from usecases import registry
from usecases.base import AnalysisModule


class BindingsMixin(AnalysisBase):
    @staticmethod
    def modules() -> list[ModuleInfo]:
        return [ModuleInfo(m.key, m.title, m.description, m.version, [(s.name, s.title_fr) for s in m.inputs])
                for m in registry.load().values()]

    @staticmethod
    def module(key: str) -> AnalysisModule[Any]:
        return _module(key)

    def binding(self, use_case_id: int) -> BindingView | None:
        with self._reader() as s:
            b = repo.binding(s, use_case_id)
            return None if b is None else self._binding_view(b)

    def bindings(self) -> dict[int, BindingView]:
        with self._reader() as s:
            modules = registry.load()
            return {b.use_case_id: self._binding_view(b, modules) for b in repo.bindings(s)}

    def bindings_of(self, use_case_ids: Sequence[int]) -> dict[int, BindingView]:
        """The bindings of the use cases ``use_case_ids`` only (a selector's options), by use case."""
        with self._reader() as s:
            modules = registry.load()
            return {b.use_case_id: self._binding_view(b, modules) for b in repo.bindings_of(s, use_case_ids)}

    def bound_use_case_ids(self, limit: int = 50) -> list[int]:
        """The first ``limit`` use cases bound to a module, by reference."""
        with self._reader() as s:
            return repo.bound_ids(s, limit)

    def bound_modules(self) -> dict[int, str]:
        """Use case id -> key of its bound module, for every bound use case, in one light query."""
        with self._reader() as s:
            return repo.bound_keys(s)

    @staticmethod
    def _binding_view(b: AnalysisBinding, modules: Mapping[str, AnalysisModule[Any]] | None = None) -> BindingView:
        module = (modules if modules is not None else registry.load()).get(b.module_key)
        title = module.title if module is not None else f"{b.module_key} (module absent)"
        return BindingView(b.use_case_id, b.module_key, title, b.bound_at)

    def bind(self, principal: Principal, use_case_id: int, module_key: str) -> BindingView:
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.BIND_MODULE, owner_ids=[uc.lead_id])  # before naming the module
            module = _module(module_key)
            b = repo.binding(s, use_case_id)
            before = None if b is None else {"module": b.module_key}
            if b is None:
                b = AnalysisBinding(use_case_id=use_case_id, module_key=module.key)
                s.add(b)
            b.module_key = module.key
            b.bound_by_id = principal.person_id or None
            b.bound_at = dt.datetime.now(dt.UTC)
            s.flush()
            audit.append(s, principal, "bind_module", "analysis_binding", b.id, use_case_id=use_case_id,
                         before=before, after={"module": module.key, "version": module.version})
            return self._binding_view(b)

    def unbind(self, principal: Principal, use_case_id: int) -> None:
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.BIND_MODULE, owner_ids=[uc.lead_id])
            b = repo.binding(s, use_case_id)
            if b is None:
                raise NotFound("Ce cas d'usage n'est associé à aucun module d'analyse.")
            audit.append(s, principal, "unbind_module", "analysis_binding", b.id, use_case_id=use_case_id,
                         before={"module": b.module_key})
            s.delete(b)
