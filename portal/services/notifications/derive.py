"""From what Vigie already records to what a person is told: audit events and due dates become
drafts (kind, object, recipients, French text). No database access here: the service gathers the
facts, these functions decide."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from policies import notifications as rules
from policies.rulebook import load_rules as load_gate_rules
from policies.vocabulary import Authority, GateDecision, Role, Stage

DECISION_FR = {
    GateDecision.APPROVE.value: "approuvée",
    GateDecision.APPROVE_WITH_CONDITIONS.value: "approuvée sous conditions",
    GateDecision.REFUSE.value: "refusée",
    GateDecision.SEND_BACK.value: "renvoyée pour compléments",
}
REPORT_FR = {"error": "un signalement d'erreur", "question": "une question", "objection": "une contestation"}


@dataclass(frozen=True)
class PersonFacts:
    id: int
    name: str
    email: str | None
    roles: frozenset[str]
    active: bool

    @property
    def reachable(self) -> bool:
        """Can sign in and read an inbox: active with at least one role."""
        return self.active and bool(self.roles)


@dataclass(frozen=True)
class UseCaseFacts:
    id: int
    reference: str
    title: str
    lead_id: int | None
    sponsor_id: int | None
    stage: str
    end_date: dt.date | None


@dataclass(frozen=True)
class GateFacts:
    id: int
    use_case_id: int
    from_stage: str
    to_stage: str
    authority: str
    requested_by_id: int | None
    requested_on: dt.date
    decided: bool = False


@dataclass
class Facts:
    people: dict[int, PersonFacts]
    use_cases: dict[int, UseCaseFacts]
    gate: Callable[[int], GateFacts | None] = lambda _id: None

    def with_role(self, *roles: Role) -> list[int]:
        wanted = {r.value for r in roles}
        return [p.id for p in self.people.values() if p.reachable and p.roles & wanted]


@dataclass(frozen=True)
class Draft:
    kind: str
    source_key: str
    use_case_id: int | None
    link: str
    title: str
    body: str
    urgency: str
    recipients: tuple[int, ...] = field(default=())


def _stage_fr(value: str) -> str:
    try:
        return Stage(value).label
    except ValueError:
        return value


def _uc_link(uc: UseCaseFacts) -> str:
    return f"sheet?ref={uc.reference}"


def _draft(kind: str, key: str, facts: Facts, uc: UseCaseFacts | None, body: str,
           concerned: Mapping[str, Iterable[int | None]], *, actor_id: int | None = None,
           link: str | None = None, urgency: str | None = None) -> Draft | None:
    rule = rules.kind_rule(kind)
    base: dict[str, Iterable[int | None]] = {"lead": [uc.lead_id] if uc else [], "sponsor": [uc.sponsor_id] if uc else [],
            "compliance": facts.with_role(Role.COMPLIANCE), "director": facts.with_role(Role.DIRECTOR)}
    ids = rules.recipients(kind, {**base, **concerned}, actor_id=actor_id)
    ids = [i for i in ids if i in facts.people and facts.people[i].reachable]
    if not ids:
        return None
    title = f"{rule.label_fr} — {uc.reference} {uc.title}" if uc else rule.label_fr
    return Draft(kind=kind, source_key=key, use_case_id=uc.id if uc else None,
                 link=link or (_uc_link(uc) if uc else "inbox"), title=title[:300], body=body,
                 urgency=urgency or rule.urgency, recipients=tuple(ids))


def deciders_for(authority: str, facts: Facts) -> list[int]:
    roles = load_gate_rules("gates")["deciders"].get(authority, [])
    return facts.with_role(*(Role(r) for r in roles))


def from_event(action: str, entity: str, entity_id: str, use_case_id: int | None, actor_id: int | None,
               payload: Mapping[str, Any], seq: int, facts: Facts) -> list[Draft]:
    """The drafts one audit event gives (none for most events)."""
    uc = facts.use_cases.get(use_case_id) if use_case_id is not None else None
    after = payload.get("after") or {}
    before = payload.get("before") or {}
    details = payload.get("details") or {}
    key = f"audit:{seq}"
    out: list[Draft | None] = []
    if entity == "gate_request" and action == "request" and uc:
        gate = facts.gate(int(entity_id))
        if gate is not None and gate.decided:
            return []  # decided before anyone was told: nothing left to decide
        authority = gate.authority if gate else str(after.get("authority", ""))
        missing = after.get("missing") or []
        body = (f"Une demande de passage de l'étape « {_stage_fr(str(after.get('from', '')))} » à l'étape "
                f"« {_stage_fr(str(after.get('to', '')))} » attend une décision "
                f"({_authority_fr(authority)}).")
        if missing:
            body += f" {len(missing)} condition(s) restent à remplir."
        out.append(_draft("gate_requested", key, facts, uc, body, {"deciders": deciders_for(authority, facts)},
                          actor_id=actor_id))
    elif entity == "gate_request" and action == "decide" and uc:
        decision = str(details.get("decision", ""))
        gate = facts.gate(int(entity_id))
        kind = "gate_sent_back" if decision == GateDecision.SEND_BACK.value else "gate_decided"
        body = (f"La demande de passage vers l'étape « {_stage_fr(gate.to_stage if gate else '')} » a été "
                f"{DECISION_FR.get(decision, decision)}. Étape actuelle : « {_stage_fr(str(after.get('stage', '')))} ». "
                "Les motifs et les conditions sont sur la fiche.")
        out.append(_draft(kind, key, facts, uc, body, {"requester": [gate.requested_by_id] if gate else []},
                          actor_id=actor_id))
    elif entity == "use_case" and action in ("suspend", "withdraw") and uc:
        what = "suspendu" if action == "suspend" else "retiré"
        out.append(_draft("use_case_stopped", key, facts, uc, f"Le cas d'usage a été {what}. Le motif est sur la fiche.",
                          {}, actor_id=actor_id))
    elif action == "raise_alert" and uc:
        urgent = str(details.get("severity", "")) == "critical"
        body = f"{'Alerte critique' if urgent else 'Alerte'} du suivi : {details.get('message', '')}"
        out.append(_draft("alert_raised", key, facts, uc, body, {}, actor_id=actor_id,
                          urgency="urgent" if urgent else None))
    elif action == "propose_suspension" and uc:
        out.append(_draft("suspension_proposed", key, facts, uc,
                          f"Le suivi propose de suspendre ce cas d'usage ({details.get('reason', '')}). La décision "
                          "revient à une personne habilitée.", {}, actor_id=actor_id))
    elif entity == "public_report" and action == "report" and uc:
        kind_fr = REPORT_FR.get(str(after.get("kind", "")), "un signalement")
        kind = "public_contestation" if after.get("kind") == "objection" else "public_report"
        # the message and the contact stay in the portal: only the compliance queue shows them
        body = f"Un usager a déposé {kind_fr} sur la fiche publiée. À traiter dans la page « Registre public »."
        out.append(_draft(kind, key, facts, uc, body, {}, actor_id=actor_id, link="public_register"))
    elif entity == "person" and action in ("set_roles", "apply_group_roles"):
        old, new = set(before.get("roles") or []), set(after.get("roles") or [])
        if old != new:
            labels = ", ".join(sorted(Role(r).label for r in new if r in Role._value2member_map_)) or "aucun"
            out.append(_draft("role_changed", key, facts, None, f"Vos rôles sont maintenant : {labels}.",
                              {"subject_person": [int(entity_id)]}, actor_id=actor_id, link="inbox"))
    elif action == "finish_analysis" and uc:
        failed = after.get("status") == "failed"
        kind = "analysis_failed" if failed else "analysis_finished"
        body = (f"L'exécution d'analyse n° {entity_id} a échoué." if failed
                else f"L'exécution d'analyse n° {entity_id} est terminée ; ses résultats sont sur la fiche.")
        out.append(_draft(kind, key, facts, uc, body, {"actor": [actor_id]}, actor_id=actor_id))
    return [d for d in out if d is not None]


def _authority_fr(value: str) -> str:
    try:
        return f"autorité : {Authority(value).label}"
    except ValueError:
        return "autorité non précisée"


def _fr(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _due_drafts(subject: str, ident: str, due: dt.date, today: dt.date, facts: Facts, uc: UseCaseFacts,
                kinds: tuple[str, str], what_fr: str, concerned: Mapping[str, Iterable[int | None]]) -> list[Draft]:
    """Reminder (soon), overdue notice, and escalation to the general direction, each once per due date."""
    state = rules.due_state(due, today, rules.soon_days(subject), rules.escalation_days())
    if state is None:
        return []
    soon_kind, late_kind = kinds
    base = f"due:{subject}:{ident}:{due.isoformat()}"
    out: list[Draft | None] = []
    if state == "soon":
        out.append(_draft(soon_kind, f"{base}:soon", facts, uc, f"{what_fr} : échéance le {_fr(due)}.", concerned))
    else:
        out.append(_draft(late_kind, f"{base}:overdue", facts, uc, f"{what_fr} : échéance dépassée depuis le "
                          f"{_fr(due)}.", concerned))
    if state == "escalated":
        out.append(_draft("escalation", f"{base}:escalated", facts, uc,
                          f"{what_fr} : en retard depuis le {_fr(due)}, au-delà du délai de "
                          f"{rules.escalation_days()} jours fixé par les règles.", concerned))
    return [d for d in out if d is not None]


def obligation_drafts(obligation_id: int, title_fr: str, owner_id: int | None, due: dt.date, uc: UseCaseFacts,
                      today: dt.date, facts: Facts) -> list[Draft]:
    return _due_drafts("obligation", str(obligation_id), due, today, facts, uc,
                       ("obligation_due_soon", "obligation_overdue"), f"Obligation « {title_fr} »",
                       {"owner": [owner_id or uc.lead_id]})


def review_drafts(due: dt.date, uc: UseCaseFacts, today: dt.date, facts: Facts) -> list[Draft]:
    return _due_drafts("review", str(uc.id), due, today, facts, uc, ("review_due_soon", "review_overdue"),
                       "Revue périodique", {})


def pilot_drafts(uc: UseCaseFacts, today: dt.date, facts: Facts) -> list[Draft]:
    if uc.stage != Stage.PILOT.value or uc.end_date is None:
        return []
    return _due_drafts("pilot_end", str(uc.id), uc.end_date, today, facts, uc, ("pilot_ending", "pilot_ended"),
                       "Fin de l'expérimentation (évaluation attendue)", {})


def waiting_gate_drafts(gate: GateFacts, uc: UseCaseFacts, today: dt.date, facts: Facts) -> list[Draft]:
    days = (today - gate.requested_on).days
    if days <= rules.gate_pending_days():
        return []
    d = _draft("gate_waiting", f"due:gate:{gate.id}:waiting", facts, uc,
               f"La demande de passage vers l'étape « {_stage_fr(gate.to_stage)} » attend une décision depuis le "
               f"{_fr(gate.requested_on)} ({_authority_fr(gate.authority)}).", {})
    return [d] if d else []
