"""Periodic reviews of deployed use cases, and the overview pages read: portfolio, attention, CRPA texts."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from policies import crpa
from policies.access import require
from policies.review import add_months, months_between_reviews, review_due
from policies.rulebook import load_rules
from policies.vocabulary import (
    Action,
    ImpactLevel,
    Principal,
    Role,
    Stage,
)
from portal.db.models import (
    PeriodicReview,
)
from portal.repositories import governance as repo
from portal.repositories import register as register_repo
from portal.services import audit, organisation
from portal.services.errors import InvalidInput
from portal.services.governance.base import (
    UNASSESSED_REVIEW_LEVEL,
)
from portal.services.governance.gates import GatesMixin
from portal.services.governance.views import (
    REVIEW_OUTCOMES,
    GateRequestView,
    PeriodicReviewView,
    PortfolioRow,
    ReviewStatus,
)
from portal.services.register import AttentionItem


class ReviewsMixin(GatesMixin):
    def record_review(self, principal: Principal, use_case_id: int, *, reviewed_on: dt.date | None = None,
                      outcome: str = "continue", notes: str = "", today: dt.date | None = None) -> PeriodicReviewView:
        require(principal, Action.RECORD_REVIEW)
        today = today or dt.date.today()
        reviewed_on = reviewed_on or today
        problems = []
        if reviewed_on > today:
            problems.append("Champ « Date de la revue » : ne peut pas être dans le futur.")
        if outcome not in REVIEW_OUTCOMES:
            problems.append(f"Champ « Conclusion » : valeur non prévue « {outcome} » ; valeurs possibles : "
                            f"{', '.join(REVIEW_OUTCOMES)}.")
        if problems:
            raise InvalidInput(problems)
        with self._writer.begin() as s:
            uc = self._use_case(s, use_case_id)
            if uc.stage not in (Stage.PILOT.value, Stage.EVALUATION.value, Stage.DEPLOYED.value):
                raise InvalidInput([f"Revue périodique sans objet à l'étape « {Stage(uc.stage).label} »."])
            cl = repo.latest_classification(s, uc.id)
            level = ImpactLevel(cl.impact_level) if cl and cl.impact_level else None
            months = months_between_reviews(level or UNASSESSED_REVIEW_LEVEL)
            row = PeriodicReview(
                use_case_id=uc.id, reviewed_on=reviewed_on, impact_level=level.value if level else None,
                cadence_months=months, next_due=add_months(reviewed_on, months), outcome=outcome,
                notes=(notes or "").strip(), reviewed_by_id=principal.person_id,
                reviewed_by_name=principal.display_name,
            )
            s.add(row)
            s.flush()
            audit.append(s, principal, "review", "use_case", uc.id, use_case_id=uc.id,
                         after={"reviewed_on": reviewed_on, "outcome": outcome, "next_due": row.next_due})
            return PeriodicReviewView.model_validate(row)

    def reviews(self, use_case_id: int) -> list[PeriodicReviewView]:
        with self._reader() as s:
            return [PeriodicReviewView.model_validate(r) for r in repo.reviews(s, use_case_id)]

    def review_statuses(self, today: dt.date | None = None, ids: list[int] | None = None,
                        lead_id: int | None = None) -> dict[int, ReviewStatus]:
        """The review status of every deployed use case (or of those of ``ids``, or led by ``lead_id``),
        keyed by use case id; reads the impact levels, last reviews and deployment dates, not the answers."""
        today = today or dt.date.today()
        with self._reader() as s:
            deployed = register_repo.search(s, stages=[Stage.DEPLOYED.value], ids=ids, lead_id=lead_id,
                                            children=False)
            if not deployed:
                return {}
            wanted = [uc.id for uc in deployed] if ids is not None or lead_id is not None else None
            levels = repo.latest_impact_levels(s, wanted)
            last_reviews = repo.last_reviews(s, wanted)
            deployed_on = repo.deployed_on(s, wanted)
            rules = load_rules("review")  # once for the list, not once per use case
            out = {}
            for uc in deployed:
                level_value = levels.get(uc.id)
                level = ImpactLevel(level_value) if level_value else None
                last = last_reviews.get(uc.id)
                since = last.reviewed_on if last else deployed_on.get(uc.id, uc.updated_at.date())
                due = review_due(level or UNASSESSED_REVIEW_LEVEL, since, today, rules)
                out[uc.id] = ReviewStatus(
                    use_case_id=uc.id, reference=uc.reference, title=uc.title, impact_level=level,
                    cadence_months=months_between_reviews(level or UNASSESSED_REVIEW_LEVEL, rules),
                    last_review=last.reviewed_on if last else None, since=since, due_date=due.due_date,
                    overdue=due.overdue,
                )
            return out

    def review_status(self, use_case_id: int, today: dt.date | None = None) -> ReviewStatus | None:
        return self.review_statuses(today, [use_case_id]).get(use_case_id)

    def overdue_reviews(self, today: dt.date | None = None, lead_id: int | None = None) -> list[ReviewStatus]:
        return sorted((r for r in self.review_statuses(today, lead_id=lead_id).values() if r.overdue),
                      key=lambda r: r.due_date)

    def review_labels(self, today: dt.date | None = None, ids: list[int] | None = None) -> dict[str, str]:
        """Reference -> the register's "Revue périodique" cell: overdue or up to date, and the due date
        (for the use cases of ``ids`` only when given: a page of the register)."""
        return {r.reference: ("En retard · " if r.overdue else "À jour · ") + r.due_date.strftime("%d/%m/%Y")
                for r in self.review_statuses(today, ids).values()}

    def portfolio(self, today: dt.date | None = None) -> list[PortfolioRow]:
        today = today or dt.date.today()
        reviews = self.review_statuses(today)
        with self._reader() as s:
            # one grouped query each: profiles without the answers, newest undecided request, open obligations
            classes = {row[0]: row for row in repo.latest_profiles(s)}
            pending = {i: Stage(to).label for i, to in repo.pending_stages(s).items()}
            open_obl = repo.open_obligation_counts(s)
            rows = []
            for uc in register_repo.search(s, children=False):
                cl = classes.get(uc.id)
                rv = reviews.get(uc.id)
                rows.append(PortfolioRow(
                    use_case_id=uc.id, reference=uc.reference, title=uc.title, stage=Stage(uc.stage),
                    risk_class=cl[1] if cl else None, impact_level=cl[2] if cl else None,
                    validated=bool(cl and cl[3]), pending_request=pending.get(uc.id),
                    review=rv.label_fr if rv else "", review_overdue=bool(rv and rv.overdue),
                    open_obligations=open_obl.get(uc.id, 0),
                ))
            return sorted(rows, key=lambda r: r.reference)

    def attention(self, principal: Principal, today: dt.date | None = None) -> list[AttentionItem]:
        """Governance items for the home page: held or refused gates, overdue reviews and obligations.
        Only the rows that call for attention are read (latest requests pending or refused, late
        obligations), each kind in one query: thousands of use cases stay quick."""
        today = today or dt.date.today()
        lead = principal.person_id if principal.roles == frozenset({Role.PROJECT_LEAD}) else None
        items: list[AttentionItem] = []
        with self._reader() as s:
            for req_row, dec_row, ref, title in repo.open_latest_requests(s, lead):
                req = self._request_view(req_row, _Header(ref, title), dec_row)  # type: ignore[arg-type]
                items.append(_gate_item(req))
        for rv in self.overdue_reviews(today, lead):
            items.append(AttentionItem(rv.use_case_id, rv.reference, rv.title,
                                       f"Revue périodique en retard : due le {rv.due_date.strftime('%d/%m/%Y')}.",
                                       "error"))
        if principal.has(Role.COMPLIANCE, Role.PROJECT_LEAD, Role.DIRECTOR):
            for ref, title, ob in self.overdue_obligations(today, lead):
                items.append(AttentionItem(ob.use_case_id, ref, title,
                                           f"Obligation en retard (échéance {ob.due_date:%d/%m/%Y}) : "
                                           f"{ob.title_fr}", "warning"))
        order = {"error": 0, "warning": 1, "info": 2}
        return sorted(items, key=lambda i: (order[i.severity], i.reference))

    def crpa_sheet(self, use_case_id: int) -> dict[str, Any]:
        """The sheet :mod:`policies.crpa` reads, from the use case and its questionnaire answers."""
        with self._reader() as s:
            uc = self._use_case(s, use_case_id)
            cl = repo.latest_classification(s, uc.id)
            answers = cl.crpa_answers if cl else {}
            org = organisation.current(s)
            return {
                "title": uc.title,
                "purpose": uc.problem,
                "administration": (org.name if org else "") or answers.get("administration") or "",
                "service": uc.service or uc.direction,
                "contact": (org.contact if org else "") or answers.get("contact") or "",
                "rules_url": answers.get("rules_url") or None,
                "automation": uc.automation,
                "contribution": uc.human_role or "",
                "data_sources": [{"name": d.name, "origin": d.producer} for d in uc.data_sources],
                # R311-3-1-2: the parameters with their source and weight, and the operations, as the sheet says
                "parameters": [{"name": p.get("name"), "source": p.get("source"), "weight": p.get("weight")}
                               for p in uc.parameters or []],
                "operations": list(uc.operations or []),
            }

    def crpa_mention(self, use_case_id: int) -> str:
        """The explicit mention (CRPA L311-3-1) for decisions taken with this use case."""
        try:
            return crpa.mention_text(self.crpa_sheet(use_case_id))
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None

    def crpa_explanation_gaps(self, use_case_id: int) -> list[str]:
        """What the sheet must still say for the explanation letter to be complete (French, one a line)."""
        return crpa.explanation_gaps(self.crpa_sheet(use_case_id))

    def crpa_explanation(self, use_case_id: int) -> str:
        """The answer template to a person's request for an explanation (R311-3-1-2), in Markdown."""
        try:
            return crpa.explanation_template(self.crpa_sheet(use_case_id))
        except ValueError as exc:
            raise InvalidInput([str(exc)]) from None


class _Header(NamedTuple):
    reference: str
    title: str


def _gate_item(req: GateRequestView) -> AttentionItem:
    """The attention line of a use case's latest gate request, pending or refused."""
    to = req.to_stage.label
    if req.decision is not None:
        return AttentionItem(req.use_case_id, req.reference, req.title,
                             f"Passage à l'étape « {to} » refusé le "
                             f"{req.decision.decided_on.strftime('%d/%m/%Y')} : {req.decision.reasons}", "error")
    if req.missing:
        return AttentionItem(req.use_case_id, req.reference, req.title,
                             f"Passage à l'étape « {to} » en attente ; conditions manquantes : " + " ".join(req.missing),
                             "warning")
    return AttentionItem(req.use_case_id, req.reference, req.title,
                         f"Passage à l'étape « {to} » à décider ({req.authority.label}).", "info")
