"""GovernanceService: classify, track obligations and evidence, request and decide stage gates,
suspend, withdraw, review. The stage of a use case changes here and nowhere else.

Parts, one file each: ``base`` (sessions, use case, facts), ``obligations`` (and evidence),
``classification``, ``gates`` (requests, decisions, suspension, withdrawal), ``reviews`` (periodic
reviews, portfolio, attention, CRPA texts) and ``lists`` (the compliance page's lists, counted and paged
in the database); ``engine`` holds the pure decisions they feed and ``views`` the read models."""

from __future__ import annotations

from portal.services.governance.lists import ListsMixin


class GovernanceService(ListsMixin):
    """The governance of the use cases: every stage change passes here."""
