"""Every list costs what it shows (issue 14): a page of the API and of the list pages asks the same number of
queries on a town of a few rows and on one grown tenfold, and `next` reads the following page by keyset."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.planning.models import Assignment
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits import services
from zoufang.visits.tests.conftest import household_answers

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context

GROWN = 40
API_LISTS = ["/api/v1/targets", "/api/v1/cases/", "/api/v1/me/targets", "/api/v1/units", "/api/v1/cadres",
             "/api/v1/regions", "/api/v1/forms/household_survey/answers"]
PAGES = {"office": ["/visits/", "/cases/", "/targets/"], "dept": ["/me/", "/me/summary/"]}


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.ZOUFANG_PAGE_SIZE = 5


def _visit(user: Any, target: Any, day: int) -> None:
    services.record_visit(user, services.VisitSubmission(
        client_uuid=uuid.uuid4(), target_id=target.public_id, mode="home",
        visited_at=dt.datetime(2017, 6, day, 9, tzinfo=dt.UTC), answers=household_answers(),
        opinions=[services.Opinion(kind="problem", description=f"路灯不亮 {target.pk}")]))


def _grow(town: Any, start: int = 0, count: int = GROWN) -> None:
    """More targets assigned to the 派出所 party member, each visited with an opinion (a case draft)."""
    user = town.users["dept"]
    group = town.households["shangxiatang"][0].region
    for index, target in enumerate(TargetFactory.create_batch(count, region=group)):
        Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police, cadre=user.cadre)
        _visit(user, target, 1 + (start + index) % 14)


def _queries(client: Any, url: str, **headers: str) -> int:
    client.get(url, **headers)  # first of its kind: the session, the token's last use, the process's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.content[:300])
    return len(queries.captured_queries)


def test_an_api_page_costs_the_same_on_a_town_and_one_grown_tenfold(client, visiting, api_token):
    _grow(visiting, count=4)
    office, dept = api_token("office"), api_token("dept")
    small = {url: _queries(client, f"{url}?page_size=5", **(dept if "/me/" in url else office)) for url in API_LISTS}
    _grow(visiting, start=4)
    grown = {url: _queries(client, f"{url}?page_size=5", **(dept if "/me/" in url else office)) for url in API_LISTS}
    assert grown == small
    assert max(grown.values()) <= 12


@pytest.mark.parametrize("url", ["/api/v1/targets", "/api/v1/cases/", "/api/v1/me/targets",
                                 "/api/v1/forms/household_survey/answers"])
def test_next_reads_the_following_page_by_keyset(client, visiting, api_token, url):
    _grow(visiting, count=12)
    headers = api_token("dept" if "/me/" in url else "office")
    first = client.get(f"{url}?page_size=5", **headers).json()
    assert first["next"]
    assert first["count"] >= 12
    second = client.get(f"{url}?page_size=5&after={first['next']}", **headers).json()
    by_offset = client.get(f"{url}?page_size=5&page=2", **headers).json()
    key = "visit_id" if "/answers" in url else "id"
    assert [row[key] for row in second["items"]] == [row[key] for row in by_offset["items"]]
    assert not {row[key] for row in first["items"]} & {row[key] for row in second["items"]}
    same_cost = _queries(client, f"{url}?page_size=5&after={second['next']}", **headers)
    assert same_cost == _queries(client, f"{url}?page_size=5", **headers)


def test_a_forged_cursor_is_a_400_in_chinese(client, visiting, api_token):
    _grow(visiting, count=3)
    headers = api_token("office")
    response = client.get("/api/v1/targets?after=bm90LWEtY3Vyc29y", **headers)
    assert response.status_code == 400
    assert "after：不是本列表返回的 next 值" in response.json()["detail"]
    # A real cursor with one character changed, or one of another list (another order): refused alike.
    cursor = client.get("/api/v1/cases/?page_size=1", **headers).json()["next"]
    changed = cursor[:5] + ("A" if cursor[5] != "A" else "B") + cursor[6:]
    for url in (f"/api/v1/cases/?after={changed}", f"/api/v1/targets?after={cursor}"):
        refused = client.get(url, **headers)
        assert refused.status_code == 400, url
        assert "不是本列表返回的 next 值" in refused.json()["detail"]


def test_numbered_pages_stop_where_the_count_does(client, visiting, api_token):
    """An OFFSET grows with the page number: `page` reaches the first COUNT_CAP rows; past them, `after`."""
    headers = api_token("office")
    assert client.get("/api/v1/targets?page_size=200&page=50", **headers).status_code == 200
    deep = client.get("/api/v1/targets?page_size=200&page=51", **headers)
    assert deep.status_code == 400
    assert "请用 after" in deep.json()["detail"]


def test_a_list_page_costs_the_same_on_a_town_and_one_grown_tenfold(client, visiting, login):
    _grow(visiting, count=4)
    small = {}
    for username, urls in PAGES.items():
        login(visiting.users[username])
        small.update({url: _queries(client, url) for url in urls})
    _grow(visiting, start=4)
    grown = {}
    for username, urls in PAGES.items():
        login(visiting.users[username])
        grown.update({url: _queries(client, url) for url in urls})
    # 我的走访 shows one person's whole list (their work, not the campaign's): the same queries for 4 or 44.
    assert grown == small


def test_the_office_visit_list_pages_after_a_cursor(client, visiting, login):
    _grow(visiting, count=25)
    login(visiting.users["office"])
    first = client.get("/visits/")
    page = first.context["page"]
    assert len(page.rows) == 20
    assert page.next_cursor
    second = client.get(f"/visits/?after={page.next_cursor}")
    rows = second.context["page"].rows
    assert len(rows) == 5
    assert second.context["page"].next_cursor is None
    assert not {v.pk for v in page.rows} & {v.pk for v in rows}
    assert [v.visited_at for v in [*page.rows, *rows]] == sorted((v.visited_at for v in [*page.rows, *rows]),
                                                                reverse=True)
    assert "更早的走访" in first.content.decode()
    assert "回到最新" in second.content.decode()
    assert client.get("/visits/?after=garbage").status_code == 200  # a bad cursor shows the newest page


def test_one_persons_pages_do_not_grow_with_the_rest_of_the_campaign(client, visiting, login):
    """我的走访, the cadre's visit page and an assigned target's page: the same queries when other cadres' work grows."""
    user = visiting.users["dept"]
    target = visiting.enterprise
    services.record_visit(user, services.VisitSubmission(
        client_uuid=uuid.uuid4(), target_id=target.public_id, mode="home",
        visited_at=dt.datetime(2017, 6, 5, 9, tzinfo=dt.UTC), answers={
            "enterprise_survey": {"operation_state": "good", "service_awareness": "good",
                                  "service_efficiency": "fairly_good", "integrity": "good", "difficulties": ["land"]},
            "six_ones_form": {"aspects": ["innovation"], "innovation": "研发中心", "satisfaction": "satisfied"}}))
    visit = target.visits.get()
    login(user)
    urls = ["/me/", f"/visits/{visit.public_id}/", f"/targets/{target.public_id}/"]
    small = {url: _queries(client, url) for url in urls}
    other = visiting.users["village"]
    group = visiting.households["shangxiatang"][0].region
    for index, extra in enumerate(TargetFactory.create_batch(30, region=group)):
        Assignment.objects.create(campaign=visiting.campaign, target=extra, unit=visiting.police, cadre=other.cadre)
        _visit(other, extra, 1 + index % 14)
    login(user)
    assert {url: _queries(client, url) for url in urls} == small
