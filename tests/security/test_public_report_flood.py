"""Security: a flood on one entry no longer closes the report form for everyone,
and the refused posts are counted for the administrators without storing who posted.

Before the fix thirty distinct posts an hour on any entry closed every entry's form, and refused posts
left no trace.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from policies.access import PermissionDenied
from portal.db.models import PublicReport, PublicReportRefusal
from portal.services.errors import InvalidInput
from tests.portal.test_public_register import piloted_case


def _piloted(services, people, title):  # type: ignore[no-untyped-def]
    """A use case in pilot, ready to publish (as the public register tests make one)."""
    uc = piloted_case(services, people, title, "L'agent valide chaque proposition.")
    services.public_register.publish(people["compliance"], uc.id)
    return uc.reference


def test_a_flood_on_one_entry_leaves_the_others_open_and_is_counted(services, people):
    flooded = _piloted(services, people, "Orientation des demandes vers le bon service")
    quiet = _piloted(services, people, "Tri des courriers entrants")
    svc = services.public_reports
    assert (svc.per_entry, svc.per_hour) == (5, 30)
    refused = 0
    for n in range(40):
        try:
            svc.submit({"reference": flooded, "kind": "objection", "message": f"Message de flood numéro {n}."})
        except InvalidInput as exc:
            assert "Cette fiche a reçu beaucoup de signalements" in str(exc)
            refused += 1
    assert refused == 35
    # a resident on another entry is still heard
    rid = svc.submit({"reference": quiet, "kind": "question", "message": "Quelles données sont utilisées ?"})
    assert rid
    with pytest.raises(InvalidInput, match="déjà été reçu"):
        svc.submit({"reference": quiet, "kind": "question", "message": "Quelles données sont utilisées ?"})
    with services.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(PublicReport)) == 6
    counts = {(c.reference, c.reason): c.count for c in svc.refusals(people["admin"])}
    assert counts == {(flooded, "entry_limit"): 35, (quiet, "duplicate"): 1}
    assert svc.refusals(people["compliance"])
    with pytest.raises(PermissionDenied):
        svc.refusals(people["director"])
    # nothing about who posted: the count table holds the hour, the entry, the reason and a number
    with services.db.reader() as s:
        columns = {c["name"] for c in inspect(s.get_bind()).get_columns(PublicReportRefusal.__tablename__)}
    assert columns == {"id", "hour", "use_case_id", "reason", "count"}


def test_the_per_entry_limit_is_a_setting():
    from portal.settings import SettingsError, load_settings

    assert load_settings({}).public_reports_per_entry == 5
    assert load_settings({"VIGIE_PUBLIC_REPORTS_PER_ENTRY": "0"}).public_reports_per_entry == 0
    with pytest.raises(SettingsError, match="VIGIE_PUBLIC_REPORTS_PER_ENTRY"):
        load_settings({"VIGIE_PUBLIC_REPORTS_PER_ENTRY": "-1"})
