"""Agents' feedback as outcome monitoring reads it: the override rate per period from the agents' own
counts, with the reasons apart. Plain pandas, no IO."""

from __future__ import annotations

import math

import pandas as pd

from monitoring.outcomes import OutcomeReport

#: The reason that says the system itself was wrong (policies.vocabulary.OverrideReason).
WRONG_REASON = "suggestion_wrong"


def override_rate_from_feedback(feedback: pd.DataFrame, *, wrong_reason: str = WRONG_REASON) -> OutcomeReport:
    """The override rate per period from the agents' counts (columns ``period``, ``n_suggestions``,
    ``n_overridden`` and optionally ``override_reasons``: a mapping reason -> count), summed over services.

    Beside ``override_rate`` (every suggestion set aside), ``wrong_rate`` is the share set aside because
    the suggestion was wrong and ``reasons`` the counts by reason: an agent overriding on information the
    system could not have is not the system failing, and the two now read apart."""
    missing = [c for c in ("period", "n_suggestions", "n_overridden") if c not in feedback.columns]
    if missing:
        raise ValueError(f"Colonnes absentes des retours des agents : {', '.join(missing)}.")
    rows = []
    for label in sorted(feedback["period"].dropna().unique(), key=str):
        part = feedback[feedback["period"] == label]
        n = int(part["n_suggestions"].sum())
        n_over = int(part["n_overridden"].sum())
        reasons: dict[str, int] = {}
        for mapping in part["override_reasons"] if "override_reasons" in part.columns else ():
            for reason, count in dict(mapping or {}).items():
                reasons[str(reason)] = reasons.get(str(reason), 0) + int(count)
        rows.append({"period": str(label), "n": n, "n_overridden": n_over,
                     "override_rate": n_over / n if n else math.nan,
                     "wrong_rate": reasons.get(wrong_reason, 0) / n if n else math.nan, "reasons": reasons})
    table = pd.DataFrame(rows, columns=["period", "n", "n_overridden", "override_rate", "wrong_rate", "reasons"])
    return OutcomeReport("override", table, [])
