"""Assemble a :class:`~policies.obligations.GovernanceProfile` from the engines' results."""

from __future__ import annotations

from typing import Any

from policies import ai_act, crpa, impact, rgpd
from policies.obligations import GovernanceProfile
from policies.vocabulary import Stage


def build_profile(
    *,
    ai_act_result: ai_act.AiActResult | None = None,
    rgpd_result: rgpd.RgpdResult | None = None,
    crpa_result: crpa.CrpaResult | None = None,
    impact_result: impact.ImpactResult | None = None,
    stage: Stage | None = None,
    public_body: bool = True,
    **overrides: Any,
) -> GovernanceProfile:
    """The profile the obligation rules read; ``overrides`` set any field directly."""
    fields: dict[str, Any] = {"public_body": public_body, "stage": stage}
    if ai_act_result is not None:
        fields.update(ai_act.profile_fields(ai_act_result))
    if rgpd_result is not None:
        fields.update(
            personal_data=rgpd_result.sources.personal_data,
            special_categories=rgpd_result.sources.special_categories,
            dpia_required=rgpd_result.dpia.required,
            art22=rgpd_result.art22.applies,
        )
    if crpa_result is not None:
        fields.update(
            individual_decisions=crpa_result.individual_decisions,
            crpa_secret=crpa_result.secret_applies,
            crpa_publication_required=crpa_result.publication_required,
        )
    if impact_result is not None:
        fields["impact_level"] = impact_result.level
    fields.update(overrides)
    return GovernanceProfile(**fields)
