"""The compliance page's lists, counted and paged in the database: the gate queue, the classifications
to validate, the portfolio by class and level, what is late and the decided gates. Nothing here reads
the whole portfolio: each list reads its page, each figure is one grouped query, and the late reviews
(computed from every deployed use case's level and last review) are cached until the next write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, NamedTuple

from policies.obligations import is_settled
from policies.vocabulary import AiActClass, ImpactLevel, Stage
from portal.repositories import governance_lists as lists
from portal.services.cache import StampedCache
from portal.services.governance.reviews import ReviewsMixin
from portal.services.governance.views import (
    ClassificationView,
    GateRequestView,
    ObligationView,
    PortfolioRow,
    ReviewStatus,
)

#: The filter value of « not classified » (risk class) and « not assessed » (impact level).
NONE = lists.NONE


class _Header(NamedTuple):
    reference: str
    title: str


class ListsMixin(ReviewsMixin):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lists_cache: StampedCache[Any] = StampedCache(self._reader, size=16)

    # ---- gate requests --------------------------------------------------------------------------

    def pending_count(self) -> int:
        with self._reader() as s:
            return lists.pending_count(s)

    def pending_page(self, offset: int = 0, limit: int = 20) -> list[GateRequestView]:
        """One page of :meth:`pending_requests` (newest first)."""
        with self._reader() as s:
            return [self._request_view(req, _Header(ref, title), None)  # type: ignore[arg-type]
                    for req, ref, title in lists.pending_page(s, offset, limit)]

    def decided_count(self) -> int:
        with self._reader() as s:
            return lists.decided_count(s)

    def decided_page(self, offset: int = 0, limit: int = 50) -> list[GateRequestView]:
        """One page of the decided requests, newest request first, each with its decision."""
        with self._reader() as s:
            return [self._request_view(req, _Header(ref, title), dec)  # type: ignore[arg-type]
                    for req, dec, ref, title in lists.decided_page(s, offset, limit)]

    # ---- classifications ------------------------------------------------------------------------

    def to_validate_count(self) -> int:
        """How many use cases have a latest classification not validated yet."""
        with self._reader() as s:
            return lists.unvalidated_count(s)

    def to_validate_page(self, offset: int = 0, limit: int = 20) -> list[tuple[str, str, ClassificationView]]:
        """(reference, title, classification) of one page of the classifications to validate, by reference."""
        with self._reader() as s:
            return [(ref, title, ClassificationView.model_validate(cl))
                    for cl, ref, title in lists.unvalidated_page(s, offset, limit)]

    def class_level_counts(self) -> dict[tuple[AiActClass | None, ImpactLevel | None], int]:
        """(risk class, impact level) -> how many use cases, by their latest classification (None: not
        classified, or level not assessed)."""
        def compute() -> list[tuple[str | None, str | None, int]]:
            with self._reader() as s:
                return lists.class_level_counts(s)
        rows = self._lists_cache.get(("class_level_counts",), compute)  # a grouped scan of the register
        out: dict[tuple[AiActClass | None, ImpactLevel | None], int] = {}
        for cls, level, n in rows:
            key = (AiActClass(cls) if cls else None, ImpactLevel(level) if level else None)
            out[key] = out.get(key, 0) + n
        return out

    def portfolio_count(self, *, text: str | None = None, classes: Sequence[str] = (),
                        levels: Sequence[str] = ()) -> int:
        """How many use cases :meth:`portfolio_page` lists with these filters (``NONE``: not classified,
        or level not assessed)."""
        with self._reader() as s:
            return lists.portfolio_count(s, text=text, classes=classes, levels=levels)

    def portfolio_page(self, *, text: str | None = None, classes: Sequence[str] = (), levels: Sequence[str] = (),
                       offset: int = 0, limit: int = 50, today: dt.date | None = None) -> list[PortfolioRow]:
        """One page of :meth:`portfolio` narrowed by a text in the reference or title, by risk class and
        by impact level; the review, pending request and open obligations of the page's rows only."""
        today = today or dt.date.today()
        with self._reader() as s:
            rows = lists.portfolio_page(s, text=text, classes=classes, levels=levels, offset=offset, limit=limit)
            ids = [r[0] for r in rows]
            pending = {i: Stage(to).label for i, to in lists.pending_stages(s, ids).items()} if ids else {}
            open_obl = lists.open_obligation_counts(s, ids) if ids else {}
        reviews = self.review_statuses(today, ids) if ids else {}
        out = []
        for uc_id, ref, title, stage, cls, level, validated_at in rows:
            rv = reviews.get(uc_id)
            out.append(PortfolioRow(
                use_case_id=uc_id, reference=ref, title=title, stage=Stage(stage),
                risk_class=AiActClass(cls) if cls else None, impact_level=ImpactLevel(level) if level else None,
                validated=validated_at is not None, pending_request=pending.get(uc_id),
                review=rv.label_fr if rv else "", review_overdue=bool(rv and rv.overdue),
                open_obligations=open_obl.get(uc_id, 0),
            ))
        return out

    # ---- what is late -------------------------------------------------------------------------------

    def late_reviews(self, today: dt.date | None = None) -> list[ReviewStatus]:
        """:meth:`overdue_reviews` of the whole portfolio, cached per day until the next write."""
        today = today or dt.date.today()
        return self._lists_cache.get(("late_reviews", today), lambda: self.overdue_reviews(today))

    def late_obligation_count(self, today: dt.date | None = None) -> int:
        return len(self._late_obligation_ids(today or dt.date.today()))

    def late_obligation_page(self, offset: int = 0, limit: int = 50,
                             today: dt.date | None = None) -> list[tuple[str, str, ObligationView]]:
        """One page of :meth:`overdue_obligations` (in its order); only the page's records are read whole."""
        ids = self._late_obligation_ids(today or dt.date.today())[offset:offset + limit]
        if not ids:
            return []
        with self._reader() as s:
            rows = lists.obligations_with_case(s, ids)
            views = self._obligation_views(s, [rec for rec, _, _ in rows])
        return [(ref, title, v) for (_, ref, title), v in zip(rows, views, strict=True)]

    def _late_obligation_ids(self, today: dt.date) -> list[int]:
        """The ids of the overdue obligations, from the candidates' status and justification (not their
        rows), cached per day until the next write."""
        def compute() -> list[int]:
            with self._reader() as s:
                facts = lists.late_obligation_facts(s, today)
            return [rid for rid, status, justification in facts if not is_settled(status, justification)]
        return self._lists_cache.get(("late_obligations", today), compute)
