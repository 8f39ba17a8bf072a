"""The rows behind a figure page by keyset (issue 14): the drill-down page and /rows walk every row once after a
cursor, a later page asks what the first does, and the total stops at paging.COUNT_CAP ("超过 N 条")."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang import clock
from zoufang.core import paging
from zoufang.oversight import api, drill
from zoufang.oversight.access import campaign_for

pytestmark = pytest.mark.recorded_templates  # reads response.context

WHATS = ["unvisited", "visits", "cases"]
# The API's `limit` defaults to drill.LIMIT, read once when the module is imported: imported here, before a test
# below shortens drill.LIMIT for the page, so the default stays 200 for every later test of the run.
assert api.RowsQuery.model_fields["limit"].default == drill.LIMIT


def _queries(client: Any, url: str, **headers: Any) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:300]
    return response, len(queries.captured_queries)


def _every_row(user: Any, slug: str, what: str) -> list[list[Any]]:
    reach = campaign_for(user, slug)
    table, _count = drill.table(reach, drill.narrowing(reach, {"what": what}), user, clock.today(), limit=None)
    return [_cells(what, row) for row in table.rows]


def _cells(what: str, row: list[Any]) -> list[str]:
    # A case table numbers its rows (序号) from 1 on each page: a keyset page does not know how many came before.
    return [str(cell) for cell in (row[1:] if what == "cases" else row)]


@pytest.mark.parametrize("what", WHATS)
def test_the_drill_down_page_walks_every_row_after_a_cursor(counted: Any, login: Any, monkeypatch: Any,
                                                            what: str) -> None:
    monkeypatch.setattr(drill, "LIMIT", 1)
    user = counted.users["office"]
    client = login(user)
    slug = counted.campaign.slug
    url = f"/oversight/{slug}/rows/?what={what}"
    client.get(url)  # first of its kind: the session, the process's caches
    seen, costs, cursor = [], [], None
    while True:
        response, cost = _queries(client, url + (f"&after={cursor}" if cursor else ""))
        page = response.context["page"]
        seen += [_cells(what, row) for row in page.table.rows]
        costs.append(cost)
        cursor = page.next_cursor
        if cursor is None:
            break
        assert "下一页" in response.content.decode()
    every = _every_row(user, slug, what)
    assert len(every) >= 2, what
    assert seen == every
    assert len(set(costs[:-1])) == 1  # every full page, the first and the later ones, asks the same queries
    assert f"共 {len(every)} 条" in response.content.decode()
    assert "第一页" in response.content.decode()
    assert client.get(url + "&after=garbage").context["page"].first  # a bad cursor shows the first page


def test_the_drill_down_total_stops_at_the_bound(counted: Any, login: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(drill, "LIMIT", 1)
    monkeypatch.setattr(paging, "COUNT_CAP", 1)
    client = login(counted.users["office"])
    html = client.get(f"/oversight/{counted.campaign.slug}/rows/?what=unvisited").content.decode()
    assert "超过 1 条" in html
    assert "共 " not in html


@pytest.mark.parametrize("what", WHATS)
def test_the_api_rows_walk_by_cursor_at_the_same_cost(counted: Any, api_token: Any, client: Any,
                                                      what: str) -> None:
    headers = api_token("office")
    url = f"/api/v1/oversight/{counted.campaign.slug}/rows?what={what}&limit=1"
    client.get(url, **headers)  # first of its kind: the token's last use, the process's caches
    seen, costs, after = [], [], None
    while True:
        response, cost = _queries(client, url + (f"&after={after}" if after else ""), **headers)
        answer = response.json()
        seen += [_cells(what, row) for row in answer["rows"]]
        costs.append(cost)
        after = answer["next"]
        if after is None:
            break
    whole = client.get(url.replace("limit=1", "limit=200"), **headers).json()
    assert seen == [_cells(what, row) for row in whole["rows"]]
    assert whole["next"] is None
    assert len(set(costs[:-1])) == 1
    by_offset = client.get(url + "&offset=1", **headers).json()
    assert [_cells(what, row) for row in by_offset["rows"]] == seen[1:2]
    assert by_offset["next"]  # an offset page also gives the cursor on


def test_the_api_rows_refuse_a_forged_cursor_and_a_deep_offset(counted: Any, api_token: Any, client: Any) -> None:
    headers = api_token("office")
    url = f"/api/v1/oversight/{counted.campaign.slug}/rows?what=cases"
    forged = client.get(f"{url}&after=bm90LWEtY3Vyc29y", **headers)
    assert forged.status_code == 400
    assert "不是本列表返回的 next 值" in forged.json()["detail"]
    deep = client.get(f"{url}&offset={paging.COUNT_CAP + 1}", **headers)
    assert deep.status_code in (400, 422)


def test_a_target_moved_out_of_the_campaigns_area_stays_in_the_unvisited_rows_last(counted: Any, login: Any,
                                                                                  api_token: Any,
                                                                                  monkeypatch: Any) -> None:
    """The unvisited rows are read in two parts (drill.unvisited_parts): the campaign's area from the region index,
    then targets that have moved out of it. Two targets moved to the county (whose path sorts before the town's)
    are neither lost nor first: every page walk, the API's offsets and the download end with them, once each."""
    from zoufang.oversight import figures

    campaign = counted.campaign
    moved = [row.target for row in figures.unvisited_assignments(campaign)[:2]]
    for target in moved:
        target.region = campaign.scope.parent
        target.save()
    monkeypatch.setattr(drill, "LIMIT", 1)
    user = counted.users["office"]
    every = _every_row(user, campaign.slug, "unvisited")
    assert len(every) >= 3
    assert sorted(row[1] for row in every[-2:]) == sorted(target.name for target in moved)

    client = login(user)
    url = f"/oversight/{campaign.slug}/rows/?what=unvisited"
    seen, cursor = [], None
    while True:
        page = client.get(url + (f"&after={cursor}" if cursor else "")).context["page"]
        seen += [_cells("unvisited", row) for row in page.table.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == every
    headers = api_token("office")
    api_url = f"/api/v1/oversight/{campaign.slug}/rows?what=unvisited&limit=1"
    for offset in range(len(every)):
        answer = client.get(f"{api_url}&offset={offset}", **headers).json()
        assert [_cells("unvisited", row) for row in answer["rows"]] == every[offset:offset + 1]
        assert answer["count"] == len(every)
        assert (answer["next"] is None) == (offset == len(every) - 1)
    last = client.get(f"{api_url}&offset={len(every) - 2}", **headers).json()["next"]
    assert last.startswith("1~")  # the cursor after a row of the second part names it
    assert [_cells("unvisited", row) for row in client.get(f"{api_url}&after={last}", **headers).json()["rows"]] \
        == every[-1:]
    assert client.get(f"{api_url}&after=7~{last[2:]}", **headers).status_code == 400
