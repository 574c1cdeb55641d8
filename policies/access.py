"""Who may do what: the role × action matrix, checked by every service before it writes.

Two kinds of grant:

* ``ANY``: every holder of the role may act on any use case;
* ``OWN``: the holder may act only on a use case they lead (a project lead on their project). A use
  case without a lead is nobody's own: only the roles granted ``ANY`` may act on it.

The UI may hide a button with :func:`can`; the services call :func:`require`, which is the check
that counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from policies.vocabulary import Action, Principal, Role


class Scope(Enum):
    ANY = "any"
    OWN = "own"


A, OWN = Scope.ANY, Scope.OWN
D, P, C, AD, R = Role.DIRECTOR, Role.PROJECT_LEAD, Role.COMPLIANCE, Role.ADMIN, Role.READER

#: action -> {role: scope}; a role absent from the row may not act.
MATRIX: dict[Action, dict[Role, Scope]] = {
    Action.CREATE_USE_CASE: {D: A, P: A, AD: A},
    Action.EDIT_USE_CASE: {D: A, P: OWN, AD: A},
    # Leaving a use case without a project lead opens it to nobody but the direction and the
    # administrators: a decision of theirs, audited as "clear_lead".
    Action.CLEAR_LEAD: {D: A, AD: A},
    Action.MANAGE_DATA_SOURCES: {P: OWN, C: A, AD: A},
    Action.MANAGE_RISKS: {P: OWN, C: A, AD: A},
    Action.EXPORT_REGISTER: {D: A, P: A, C: A, AD: A, R: A},
    Action.ANSWER_QUESTIONNAIRE: {P: OWN, C: A, AD: A},
    Action.VALIDATE_CLASSIFICATION: {C: A},
    Action.MANAGE_OBLIGATIONS: {P: OWN, C: A, AD: A},
    Action.REQUEST_GATE: {D: A, P: OWN},
    # Who may decide a given gate also depends on the approving authority the impact level requires:
    # that finer rule lives with the gates, this row only says who may decide gates at all.
    Action.DECIDE_GATE: {D: A, C: A},
    Action.SUSPEND_USE_CASE: {D: A, C: A},
    Action.RECORD_REVIEW: {C: A, D: A},
    Action.PUBLISH_REGISTER: {C: A, AD: A},
    Action.SET_SCORING_WEIGHTS: {AD: A},
    Action.SCORE_USE_CASE: {D: A, P: OWN},
    Action.MANAGE_BUDGET: {D: A, AD: A},
    Action.SAVE_SCENARIO: {D: A},
    Action.BIND_MODULE: {P: OWN, AD: A},
    Action.RUN_ANALYSIS: {P: OWN, C: A, AD: A},
    Action.SET_REFERENCE_RUN: {P: OWN, C: A},
    Action.CONFIGURE_MONITORING: {P: OWN, C: A, AD: A},
    Action.RUN_MONITORING: {P: OWN, C: A, AD: A},
    Action.RECORD_OUTCOMES: {P: OWN, AD: A},
    Action.ACKNOWLEDGE_ALERT: {P: OWN, C: A, D: A},
    # Deployment in waves: the project lead plans; a wave's go/no-go follows the gate authority of the
    # impact level (finer rule in the deployment service); a rollback is decided like a suspension.
    Action.PLAN_DEPLOYMENT: {D: A, P: OWN},
    Action.DECIDE_WAVE: {D: A, C: A},
    Action.ROLL_BACK: {D: A, C: A},
    Action.MANAGE_PROCUREMENT: {P: OWN, C: A, AD: A},
    Action.MANAGE_PEOPLE: {AD: A},
    Action.MANAGE_ORGANISATION: {AD: A},
    Action.REVOKE_SESSION: {AD: A},
    Action.VIEW_AUDIT: {C: A, AD: A, D: A},
    # Needs come from anyone signed in (readers included); the direction and project leads triage them.
    Action.SUBMIT_NEED: {D: A, P: A, C: A, AD: A, R: A},
    Action.TRIAGE_NEED: {D: A, P: A},
    Action.RECORD_ADOPTION: {P: OWN, D: A, AD: A},
    Action.RECORD_RESIDENT_MEASURES: {P: OWN, D: A, AD: A},
}


class PermissionDenied(Exception):
    """Raised by :func:`require`; the message is French and names the action."""


def can(principal: Principal, action: Action, *, owner_ids: Iterable[int | None] | None = None) -> bool:
    """True when one of the principal's roles grants ``action``.

    ``owner_ids`` are the people who own the target use case (its project lead); an ``OWN`` grant
    holds only when the principal is one of them, so a target without an owner (``[None]``) is
    nobody's own. Without a target at all (``None``: creating, listing) an ``OWN`` grant holds: the
    target does not exist yet.
    """
    row = MATRIX.get(action, {})
    owners = None if owner_ids is None else {o for o in owner_ids if o is not None}
    for role in principal.roles:
        scope = row.get(role)
        if scope is Scope.ANY:
            return True
        if scope is Scope.OWN and (owners is None or (principal.person_id is not None
                                                      and principal.person_id in owners)):
            return True
    return False


def require(principal: Principal, action: Action, *, owner_ids: Iterable[int | None] | None = None) -> None:
    """Raise :class:`PermissionDenied` unless :func:`can` allows the action."""
    owners = None if owner_ids is None else list(owner_ids)
    if can(principal, action, owner_ids=owners):
        return
    roles = ", ".join(sorted(r.label for r in principal.roles)) or "aucun rôle"
    row = MATRIX.get(action, {})
    if any(row.get(r) is Scope.OWN for r in principal.roles):
        raise PermissionDenied(
            f"Action refusée : {principal.display_name} ({roles}) ne peut {action.label} "
            "que sur les cas d'usage dont il ou elle est chef de projet."
        )
    raise PermissionDenied(f"Action refusée : le rôle {roles} ne permet pas de {action.label}.")


def roles_allowed(action: Action) -> dict[Role, Scope]:
    """The row of the matrix for ``action`` (for documentation and the administration page)."""
    return dict(MATRIX.get(action, {}))
