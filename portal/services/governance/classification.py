"""Classification: the questionnaire's answers assessed by the engine, recorded, validated by compliance."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.access import can, require
from policies.rulebook import POLICY_VERSION
from policies.vocabulary import (
    Action,
    AiActClass,
    ImpactLevel,
    Principal,
    RiskProfile,
)
from portal.db.base import utcnow
from portal.db.models import (
    Classification,
)
from portal.repositories import governance as repo
from portal.services import audit
from portal.services.errors import InvalidInput
from portal.services.governance import engine
from portal.services.governance.obligations import ObligationsMixin
from portal.services.governance.views import (
    ClassificationView,
)
from portal.services.organisation import organisation_facts


class ClassificationMixin(ObligationsMixin):
    def preview(
        self,
        use_case_id: int,
        *,
        ai_act: Mapping[str, Any],
        rgpd: Mapping[str, Any],
        crpa: Mapping[str, Any],
        impact: Mapping[str, Any],
    ) -> engine.Assessment:
        """What the engines conclude from these answers, without recording anything."""
        with self._reader() as s:
            return engine.assess(self._use_case(s, use_case_id), ai_act, rgpd, crpa, impact,
                                 organisation_facts(s))

    def classify(
        self,
        principal: Principal,
        use_case_id: int,
        *,
        ai_act: Mapping[str, Any],
        rgpd: Mapping[str, Any] | None = None,
        crpa: Mapping[str, Any] | None = None,
        impact: Mapping[str, Any] | None = None,
    ) -> ClassificationView:
        """Record a new classification (history is kept) and derive the obligations from it.

        A compliance officer's classification is validated at once; a project lead's waits for one.
        Contradictory answers (:mod:`policies.consistency`) are warned, not refused: they are kept in
        the result and named in the audit event (the page shows them before saving).
        """
        rgpd, crpa, impact = dict(rgpd or {}), dict(crpa or {}), dict(impact or {})
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            require(principal, Action.ANSWER_QUESTIONNAIRE, owner_ids=[uc.lead_id])
            result = engine.assess(uc, ai_act, rgpd, crpa, impact, organisation_facts(s))
            previous = repo.latest_classification(s, uc.id)
            validates = can(principal, Action.VALIDATE_CLASSIFICATION)
            now = utcnow()
            row = Classification(
                use_case_id=uc.id,
                number=(previous.number + 1) if previous else 1,
                ai_act_answers=dict(ai_act),
                rgpd_answers=rgpd,
                crpa_answers=crpa,
                impact_answers=impact,
                risk_class=result.ai_act.risk_class.value,
                role=result.ai_act.role.value if result.ai_act.role else None,
                impact_level=result.impact.level.value if result.impact else None,
                dpia_required=result.rgpd.dpia.required,
                fria_required=result.ai_act.fria_required,
                complete=result.ai_act.complete,
                result=result.result_json(),
                policy_version=POLICY_VERSION,
                created_by_id=principal.person_id,
                created_by_name=principal.display_name,
                created_at=now,
                validated_by_id=principal.person_id if validates else None,
                validated_by_name=principal.display_name if validates else None,
                validated_at=now if validates else None,
            )
            s.add(row)
            s.flush()
            changes = self._sync(s, uc.id, result)
            audit.append(
                s, principal, "classify", "classification", row.id, use_case_id=uc.id,
                before={"risk_class": previous.risk_class, "impact_level": previous.impact_level} if previous else None,
                after={"risk_class": row.risk_class, "impact_level": row.impact_level, "role": row.role,
                       "dpia_required": row.dpia_required, "fria_required": row.fria_required,
                       "validated": validates},
                details={"number": row.number, "policy_version": POLICY_VERSION, "obligations": changes,
                         "contradictions": [c.id for c in result.contradictions]},
            )
            return ClassificationView.model_validate(row)

    def validate_classification(self, principal: Principal, use_case_id: int) -> ClassificationView:
        require(principal, Action.VALIDATE_CLASSIFICATION)
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            row = repo.latest_classification(s, uc.id)
            if row is None:
                raise InvalidInput(["Ce cas d'usage n'a pas encore de classification à valider."])
            if row.validated_at is None:
                row.validated_at = utcnow()
                row.validated_by_id = principal.person_id
                row.validated_by_name = principal.display_name
                s.flush()
                audit.append(s, principal, "validate", "classification", row.id, use_case_id=uc.id,
                             after={"number": row.number, "risk_class": row.risk_class})
            return ClassificationView.model_validate(row)

    def classification(self, use_case_id: int) -> ClassificationView | None:
        with self._reader() as s:
            row = repo.latest_classification(s, use_case_id)
            return ClassificationView.model_validate(row) if row else None

    def classification_history(self, use_case_id: int) -> list[ClassificationView]:
        with self._reader() as s:
            return [ClassificationView.model_validate(r) for r in repo.classifications(s, use_case_id)]

    def classifications_of(self, use_case_ids: list[int]) -> dict[int, RiskProfile]:
        """:meth:`classification_of` for many use cases in one query (lists: no query per row)."""
        with self._reader() as s:
            rows = repo.latest_profiles(s, use_case_ids)
        return {i: RiskProfile(AiActClass(rc) if rc else None, ImpactLevel(il) if il else None)
                for i, rc, il, _ in rows}

    def classification_of(self, use_case_id: int) -> RiskProfile:
        """The AI Act class and impact level of the latest classification (both None if none)."""
        with self._reader() as s:
            row = repo.latest_classification(s, use_case_id)
            if row is None:
                return RiskProfile()
            return RiskProfile(AiActClass(row.risk_class) if row.risk_class else None,
                               ImpactLevel(row.impact_level) if row.impact_level else None)
