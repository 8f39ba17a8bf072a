"""`Moves.store` writes the kept records to match: the gone deleted, the new created, the changed rewritten by their
primary key in one statement run for each row (no CASE … WHEN compiled per row and column)."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from zoufang.core.moves import moves
from zoufang.oversight.models import CaseCounted

pytestmark = pytest.mark.django_db

WEEK, MONTH = dt.date(2017, 6, 12), dt.date(2017, 6, 1)


def _fields(part: tuple[str, int, dt.date | None]) -> dict[str, object]:
    status, flags, due = part
    return {"status": status, "flags": flags, "due": due, "week": WEEK, "month": MONTH}


def _stored(campaign_id: int) -> dict[int, tuple[str, int, dt.date | None]]:
    return {case: (status, flags, due) for case, status, flags, due in CaseCounted.objects
            .filter(campaign_id=campaign_id).values_list("case", "status", "flags", "due")}


def test_it_deletes_creates_and_rewrites_the_records_to_match(town):
    campaign = town.campaign.pk
    before = {1: ("registered", 1, None), 2: ("dispatched", 3, dt.date(2017, 6, 20)), 3: ("accepted", 7, None)}
    CaseCounted.objects.bulk_create([CaseCounted(case=pk, campaign_id=campaign, **_fields(part))
                                     for pk, part in before.items()])
    now = {2: ("accepted", 11, dt.date(2017, 6, 29)), 3: ("resolved", 15, None), 4: ("registered", 1, None)}
    with transaction.atomic():  # the kept rows locked to the end, as the counters' callers hold them
        kept_rows = {row.case: row for row in CaseCounted.objects.filter(case__in=[1, 2, 3]).select_for_update()}
        spread: list[tuple[object, int]] = []
        found = moves([1, 2, 3, 4], before, now, lambda part, sign: spread.append((part, sign)))

        def fields(part: tuple[str, int, dt.date | None]) -> dict[str, object]:
            return {"campaign_id": campaign, **_fields(part)}

        with CaptureQueriesContext(connection) as queries:
            found.store(CaseCounted, "case", kept_rows, fields)

    assert _stored(campaign) == now
    rewrites = [q["sql"] for q in queries.captured_queries if "UPDATE " in q["sql"]]
    assert len(rewrites) == 1
    assert "CASE" not in rewrites[0]
    assert sorted(spread, key=repr) == sorted([(before[1], -1), (before[2], -1), (now[2], 1), (before[3], -1),
                                               (now[3], 1), (now[4], 1)], key=repr)
