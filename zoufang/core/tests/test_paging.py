"""Keyset cursors (core.paging): signed, so a cursor changed by hand is refused before it reaches a query, and
every row read once in the database's own order, nullable keys included, on SQLite and PostgreSQL."""

import base64
import json

import pytest

from zoufang.core import paging
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db


def walk(queryset, size=1, by_id=False):
    rows, cursor = [], None
    while True:
        page = paging.keyset_page(queryset, cursor, size, by_id=by_id)
        rows += [row.pk for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            return rows


@pytest.mark.parametrize("order", [("parent_id", "id"), ("-parent_id", "id"), ("parent__name", "-id"),
                                   ("-parent__name", "id"), ("path", "id")])
def test_it_reads_every_row_once_in_the_databases_order(town, order):
    regions = Region.objects.order_by(*order)
    assert Region.objects.filter(parent=None).exists()  # the NULL key is exercised
    assert walk(regions) == [region.pk for region in regions]
    assert walk(regions, size=3) == [region.pk for region in regions]
    joined = regions.select_related("parent__parent")
    assert walk(joined, size=3, by_id=True) == [region.pk for region in regions]


def test_a_page_read_by_id_is_the_page_with_its_related_rows(town, django_assert_num_queries):
    regions = Region.objects.select_related("parent__parent").order_by("-path", "id")
    with django_assert_num_queries(2):  # the ids in the list's order, then their rows and related rows by id
        page = paging.keyset_page(regions, None, 4, by_id=True)
        parents = [region.parent and region.parent.name for region in page.rows]
    expected = list(regions[:4])
    assert page.rows == expected
    assert parents == [region.parent and region.parent.name for region in expected]
    assert page.next_cursor == paging.keyset_page(regions, None, 4).next_cursor
    assert paging.keyset_page(regions.none(), None, 4, by_id=True).rows == []


def _forged(fields, values):
    return paging._signer(fields).sign_object(values)


def test_it_refuses_a_cursor_changed_by_hand(town):
    regions = Region.objects.order_by("path", "id")
    cursor = paging.keyset_page(regions, None, 1).next_cursor
    payload, signature = cursor.rsplit(".", 1)
    moved = base64.urlsafe_b64encode(json.dumps(["", 0]).encode()).decode().rstrip("=")
    for bad in (f"{moved}.{signature}", "garbage", "", payload, f"{payload}.x", "bm90LWEtY3Vyc29y"):
        with pytest.raises(paging.BadCursor):
            paging.after(regions, bad)
    # Written for another list's order: refused, even though each value would fit.
    other = paging.keyset_page(Region.objects.order_by("name", "id"), None, 1).next_cursor
    with pytest.raises(paging.BadCursor):
        paging.after(regions, other)


@pytest.mark.parametrize("values", [["a\x00b", 1], ["x", "not-a-number"], [{"t": "2017-06-01T09:00"}, 1],
                                    [{"q": 1}, 1], [["x"], 1], ["x"]])
def test_a_signed_cursor_of_the_wrong_shape_is_refused_not_a_500(town, values):
    """Defence in depth: even a cursor signed with this key must hold values of the fields' types."""
    regions = Region.objects.order_by("path", "id")
    with pytest.raises(paging.BadCursor):
        list(paging.after(regions, _forged(["path", "id"], values)))


def test_a_row_gone_between_the_ids_and_the_rows_does_not_end_the_list(town):
    """`sliced(by_id=True)` reads ids, then rows: a row deleted in between would leave the page one short, and a
    short page reads as the last one (no cursor, the rows after it never shown). The slice is read again."""
    from django.db import connection

    regions = Region.objects.select_related("parent").order_by("path", "id")
    every = [region.pk for region in regions]
    victim = every[1]
    state = {"armed": True}

    def delete_before_the_rows(execute, sql, params, many, context):
        if state["armed"] and " IN (" in sql:  # the second query, the rows by id
            state["armed"] = False
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM regions_region WHERE id = %s", [victim])
        return execute(sql, params, many, context)

    Region.objects.filter(parent_id=victim).update(parent=None)  # nothing protects the row from the delete
    with connection.execute_wrapper(delete_before_the_rows):
        page = paging.keyset_page(regions, None, 2, by_id=True)
    assert not state["armed"]  # the row was deleted between the two queries
    assert [region.pk for region in page.rows] == [every[0], every[2]]
    assert page.next_cursor is not None  # more rows follow: the page is not taken for the last
    assert walk(regions, size=2, by_id=True) == [pk for pk in every if pk != victim]
