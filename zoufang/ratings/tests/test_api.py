"""/api/v1/ratings/…: the same figures and readers as the pages; item changes at the version read."""

import datetime as dt

import pytest

from zoufang.ratings.models import SupervisionItem
from zoufang.registry.models import Unit

pytestmark = pytest.mark.django_db
PHONE = "13812345678"


def test_it_lists_the_departments_a_page_at_a_time_each_page_counting_its_own(rated, client, api_token,
                                                                             django_assert_num_queries):
    url, headers = f"/api/v1/ratings/{rated.town.campaign.slug}/units", api_token("office")
    response = client.get(url, **headers)
    assert response.status_code == 200
    body = response.json()
    expected = [u.name for u in Unit.objects.filter(name__in=["镇党政班子", "派出所", "上下塘社区居委会"])
                .order_by("sort_order", "name", "id")]
    assert ([u["name"] for u in body["items"]], body["count"], body["next"]) == (expected, 3, None)
    police = next(u for u in body["items"] if u["name"] == "派出所")
    assert police["overall"] == {"total": 6, "good": 3, "fairly_good": 1, "average": 1, "poor": 1,
                                 "favourable": 66.7, "score": 73.3}
    assert police["old_answers"] == 1
    assert police["aspects"][0] == {"aspect": "服务意识", "grades": {
        "total": 2, "good": 1, "fairly_good": 0, "average": 0, "poor": 1, "favourable": 50.0, "score": 50.0}}
    # One department a page: the same figures, the same queries on every page (its answers only, not the town's).
    client.get(f"{url}?page_size=1", **headers)  # the token's first use
    with django_assert_num_queries(6) as first:  # the page's tally rows: one query whatever the answers
        one = client.get(f"{url}?page_size=1", **headers).json()
    names, cursor = [u["name"] for u in one["items"]], one["next"]
    while cursor:
        with django_assert_num_queries(len(first.captured_queries)):
            page = client.get(f"{url}?page_size=1&after={cursor}", **headers).json()
        names += [u["name"] for u in page["items"]]
        if page["items"][0]["name"] == "派出所":
            assert page["items"][0] == police
        cursor = page["next"]
    assert names == expected
    # A department sees its own only.
    own = client.get(url, **api_token("paichusuo")).json()
    assert [u["name"] for u in own["items"]] == ["派出所"]


def test_a_departments_detail_masks_comments_and_hides_the_enterprise_from_the_department(rated, client, api_token):
    url = f"/api/v1/ratings/{rated.town.campaign.slug}/units/{rated.units['派出所'].public_id}"
    office = client.get(url, **api_token("office")).json()
    assert [m["month"] for m in office["months"]] == ["2017-05", "2017-06"]
    assert (office["comments"]["count"], office["comments"]["next"]) == (3, None)  # a page, as other lists
    assert any(c["enterprise"] == "计家墩纺织有限公司" for c in office["comments"]["items"])
    assert PHONE not in str(office)
    assert "138****5678" in str(office)
    own = client.get(url, **api_token("paichusuo")).json()
    assert {c["enterprise"] for c in own["comments"]["items"]} == {""}
    other = f"/api/v1/ratings/{rated.town.campaign.slug}/units/{rated.units['镇党政班子'].public_id}"
    assert client.get(other, **api_token("paichusuo")).status_code == 404
    assert client.get(url, **api_token("outsider")).status_code == 404


def test_a_departments_comments_a_page_at_a_time_差_first_then_一般_latest_first(rated, client, api_token,
                                                                              django_assert_num_queries):
    url = f"/api/v1/ratings/{rated.town.campaign.slug}/units/{rated.units['派出所'].public_id}/comments"
    headers = api_token("office")
    whole = client.get(url, **headers).json()
    # 2017-06-02 差 (the 民警), then the two without 差 or 一般, latest first: 2017-05-10 较好, the old wording.
    assert [c["day"] for c in whole["items"]] == ["2017-06-02", "2017-05-10", "2017-04-20"]
    client.get(f"{url}?page_size=1", **headers)  # the token's first use
    with django_assert_num_queries(9) as first:
        page = client.get(f"{url}?page_size=1", **headers).json()
    days, cursor = [c["day"] for c in page["items"]], page["next"]
    assert page["count"] == 3
    while cursor:
        with django_assert_num_queries(len(first.captured_queries)):
            page = client.get(f"{url}?page_size=1&after={cursor}", **headers).json()
        days += [c["day"] for c in page["items"]]
        cursor = page["next"]
    assert days == [c["day"] for c in whole["items"]]
    assert client.get(url, **api_token("outsider")).status_code == 404


def test_the_office_closes_an_item_and_a_stale_version_gets_409(rated, client, api_token):
    item = SupervisionItem.objects.get(unit__name="派出所")
    base = f"/api/v1/ratings/{rated.town.campaign.slug}/items/{item.public_id}"
    headers = api_token("office")
    listed = client.get(f"/api/v1/ratings/{rated.town.campaign.slug}/items", **headers).json()
    assert {i["unit_name"] for i in listed["items"]} == {"派出所", "镇党政班子"}
    assigned = client.post(f"{base}/assign", {"version": 1, "assignee": "office"}, content_type="application/json",
                           **headers)
    assert assigned.status_code == 200
    assert assigned.json()["assignee"] == "office"
    stale = client.post(f"{base}/close", {"version": 1, "result": "办结"}, content_type="application/json", **headers)
    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    empty = client.post(f"{base}/close", {"version": 2, "result": ""}, content_type="application/json", **headers)
    assert empty.status_code == 400
    assert "落实情况：必填" in empty.json()["detail"]
    done = client.post(f"{base}/close", {"version": 2, "result": "已整改"}, content_type="application/json", **headers)
    assert done.status_code == 200
    assert done.json()["status"] == "done"


def test_a_department_and_a_leader_may_not_change_an_item(rated, client, api_token):
    item = SupervisionItem.objects.get(unit__name="派出所")
    url = f"/api/v1/ratings/{rated.town.campaign.slug}/items/{item.public_id}/close"
    for who in ("paichusuo", "leader"):
        response = client.post(url, {"version": 1, "result": "自行办结"}, content_type="application/json",
                               **api_token(who))
        assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def more_items(rated, number):
    """`number` further open items of the police's 差 answer, due one day apart (one per aspect code)."""
    first = SupervisionItem.objects.get(unit__name="派出所")
    return [SupervisionItem.objects.create(
        campaign=first.campaign, answer=first.answer, aspect=f"extra{n}", aspect_label=f"补充项{n}", unit=first.unit,
        description="补充督查", due_on=first.due_on + dt.timedelta(days=n + 1)) for n in range(number)]


def test_the_items_page_by_cursor_in_constant_queries(rated, client, api_token, django_assert_max_num_queries):
    more_items(rated, 5)
    listing, headers = f"/api/v1/ratings/{rated.town.campaign.slug}/items", api_token("office")
    expected = [str(i.public_id) for i in SupervisionItem.objects.order_by("status", "due_on", "id")]
    with django_assert_max_num_queries(20) as first_queries:
        page = client.get(f"{listing}?page_size=3", **headers).json()
    assert page["count"] == 7
    seen = [i["id"] for i in page["items"]]
    while page["next"]:
        with django_assert_max_num_queries(len(first_queries)):
            page = client.get(f"{listing}?page_size=3&after={page['next']}", **headers).json()
        seen += [i["id"] for i in page["items"]]
    assert seen == expected
    refused = client.get(f"{listing}?after=abc", **headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "after：不是本列表返回的 next 值"
