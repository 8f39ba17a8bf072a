"""干部账号 at a town's size: the list a page at a time along the list's order (keyset, bounded count), filtered by
unit or village committee, by 已开通/未开通 and by name; each page asks the same queries however many cadres the town
has."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zoufang.conftest import Town
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.factories import CadreFactory

pytestmark = pytest.mark.recorded_templates  # reads response.context

LIST = "/cadre-accounts/"


@pytest.fixture(autouse=True)
def _small_pages(settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 4


@pytest.fixture
def cadres_next_door(town: Town) -> Cadre:
    from zoufang.conftest import _region
    from zoufang.regions.models import Region

    zhouzhuang = _region("周庄镇", Region.Level.TOWN, town.town.parent)
    unit = Unit.objects.create(name="周庄镇党政办", kind=Unit.Kind.TOWN_DEPARTMENT, region=zhouzhuang)
    return CadreFactory(name="周庄党员甲", unit=unit)


def _grow(town: Town, count: int, start: int = 0) -> list[Cadre]:
    return [CadreFactory(name=f"派出所党员{start + n:03d}", unit=town.police, sort_order=start + n)
            for n in range(count)]


def _ordered(town: Town) -> list[str]:
    """The town's cadres in the list's order, as the database sorts names (code points or its collation)."""
    return list(Cadre.objects.filter(unit__region__path__startswith=town.town.path)
                .order_by("unit__sort_order", "unit__name", "sort_order", "name", "id").values_list("name", flat=True))


def _office(client: Client, town: Town) -> Client:
    client.force_login(town.users["office"])
    return client


def _names(response: Any) -> list[str]:
    return [cadre.name for cadre in response.context["page"].rows]


def _walk(client: Client, **params: str) -> list[str]:
    names, cursor = [], None
    while True:
        response = client.get(LIST, {**params, **({"after": cursor} if cursor else {})})
        assert response.status_code == 200
        names += _names(response)
        cursor = response.context["page"].next_cursor
        if cursor is None:
            return names


def _queries(client: Client, url: str) -> int:
    client.get(url)  # the first of its kind: the session, the process's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_it_shows_the_town_a_page_at_a_time_every_cadre_once_in_unit_order(client, town):
    _grow(town, 9)
    _office(client, town)

    first = client.get(LIST)

    assert len(_names(first)) == 4
    text = first.content.decode()
    assert "共 <b>12</b> 名" in text
    assert "下一页" in text
    expected = _ordered(town)
    assert _walk(client) == expected
    assert len(expected) == 12


def test_a_page_asks_the_same_queries_on_a_town_grown_tenfold(client, town):
    _grow(town, 9)
    _office(client, town)
    cursor = client.get(LIST).context["page"].next_cursor
    small = {_queries(client, LIST), _queries(client, f"{LIST}?after={cursor}"),
             _queries(client, f"{LIST}?status=none&q=党员")}
    _grow(town, 120, start=9)
    cursor = client.get(LIST).context["page"].next_cursor
    deep = client.get(LIST, {"after": client.get(LIST, {"after": cursor}).context["page"].next_cursor})
    assert deep.status_code == 200
    grown = {_queries(client, LIST), _queries(client, f"{LIST}?after={cursor}"),
             _queries(client, f"{LIST}?status=none&q=党员")}
    assert grown == small
    assert len(grown) == 1


def test_it_filters_by_unit_by_account_and_by_name(client, town):
    _grow(town, 5)
    _office(client, town)
    committee = Unit.objects.get(name="上下塘社区居委会")

    assert _walk(client, unit=str(committee.public_id)) == ["居委会干部甲"]
    assert _walk(client, status="open") == [n for n in _ordered(town) if n in {"王文", "派出所党员甲", "居委会干部甲"}]
    assert _walk(client, status="none") == [f"派出所党员{n:03d}" for n in range(5)]
    assert _walk(client, q="党员003") == ["派出所党员003"]
    assert _walk(client, unit=str(town.police.public_id), status="open") == ["派出所党员甲"]
    page = client.get(LIST, {"status": "none"}).content.decode()
    assert "共 <b>5</b> 名" in page
    assert "清除" in page


def test_a_filter_that_is_not_one_shows_the_whole_town_and_says_so(client, town, cadres_next_door):
    _office(client, town)
    response = client.get(LIST, {"unit": str(cadres_next_door.unit.public_id), "status": "bogus"}, follow=True)

    notices = " ".join(str(m) for m in response.context["messages"])
    assert "单位" in notices
    assert "未开通" in notices  # the status's rule names the choices as the menu does
    assert "周庄党员甲" not in response.content.decode()
    assert len(_names(response)) == 3


def test_a_rows_change_goes_back_to_the_page_and_filters_it_was_made_on(client, town):
    grown = _grow(town, 9)
    _office(client, town)
    cursor = client.get(LIST, {"status": "none"}).context["page"].next_cursor
    on_page = _names(client.get(LIST, {"status": "none", "after": cursor}))
    cadre = next(c for c in grown if c.name == on_page[0])
    listed = f"status=none&after={cursor}&evil=1"

    response = client.post(f"{LIST}{cadre.public_id}/", {"action": "link", "username": "outsider", "shown": "",
                                                        "listed": listed})

    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=none&after={cursor}#c-{cadre.public_id}"
