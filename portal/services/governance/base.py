"""What every part of the governance service shares: its sessions, the use case, the facts the engine reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from policies import suppliers
from policies.vocabulary import (
    ImpactLevel,
    Stage,
)
from portal.db.models import (
    ObligationRecord,
    UseCase,
)
from portal.repositories import deployment as deployment_repo
from portal.repositories import governance as repo
from portal.repositories import register as register_repo
from portal.services import editing
from portal.services.errors import InvalidInput, NotFound
from portal.services.governance import engine

#: Gate conditions the decision itself fulfils (the act's number and date), not the request.
ACT_CONDITIONS = frozenset({"GATE-DEP-05", "GATE-DEP-06"})
#: Level assumed for the review cadence of a deployed use case whose impact is not assessed.
UNASSESSED_REVIEW_LEVEL = ImpactLevel.IV


def _stage(value: Stage | str, field: str = "Étape visée") -> Stage:
    try:
        return Stage(value)
    except ValueError:
        for s in Stage:
            if str(value).strip().lower() == s.label.lower():
                return s
        choices = ", ".join(s.value for s in Stage)
        raise InvalidInput([f"Champ « {field} » : valeur non prévue « {value} » ; valeurs possibles : {choices}."]) \
            from None


def audit_jsonable(data: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


class GovernanceBase(editing.UseCaseLookup):
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session], data_dir: Path) -> None:
        self._reader = reader
        self._writer = writer
        self.data_dir = Path(data_dir)

    def use_case_id(self, reference: str) -> int:
        with self._reader() as s:
            uc = register_repo.by_reference(s, reference.strip())
            if uc is None:
                raise NotFound(f"Cas d'usage « {reference} » introuvable.")
            return uc.id

    @staticmethod
    def _records(s: Session, use_case_id: int) -> list[ObligationRecord]:
        return list(repo.obligations(s, use_case_id))

    def _facts(self, s: Session, uc: UseCase, today: dt.date, **kwargs: Any):
        cl = repo.latest_classification(s, uc.id)
        if uc.stage == Stage.SUSPENDED.value and "suspended_from" not in kwargs:
            last = repo.last_suspension(s, uc.id)
            kwargs["suspended_from"] = last.from_stage if last else None
        facts = engine.gate_facts(uc, cl, self._records(s, uc.id), today, **kwargs)
        # bought or delegated high-risk AI: the supplier's documents on file (Déploiement et achat)
        if suppliers.is_bought_high_risk(uc.provider_type, cl.risk_class if cl else None):
            missing = suppliers.missing_documents(deployment_repo.document_kinds(s, uc.id))
            facts = facts.model_copy(update={"bought_high_risk": True, "supplier_documents_missing": missing})
        return facts
