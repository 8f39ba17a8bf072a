"""A drill-down page counts its rows in the database only when the page leaves some out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.oversight.drill import _count
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db


def test_a_short_page_or_a_download_is_not_counted_again():
    for n in range(3):
        Region.objects.create(name=f"区{n}", level=Region.Level.CITY)
    rows = Region.objects.all()
    with CaptureQueriesContext(connection) as queries:
        assert _count(rows, [1, 2], 0, 20) == 2
        assert _count(rows, [1, 2, 3], 0, None) == 3
        assert _count(rows, [1], 40, 20) == 41
    assert len(queries) == 0
    assert _count(rows, [1, 2], 0, 2) == Region.objects.count()
    assert _count(rows, [], 40, 20) == Region.objects.count()
