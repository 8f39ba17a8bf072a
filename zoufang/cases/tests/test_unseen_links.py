"""A case's links to another case (merged into, follows, followed by) name it only where the reader may open it
(decision 0049): the 上下塘社区's village reads its own case, merged into or following one of 计家墩村 it does not see;
the town's office sees both. Elsewhere the API gives null and the page says so without number or link."""

import pytest

from zoufang.cases import answers
from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(cases_town, make_case):
    """上下塘's two cases: one merged into a 计家墩村 case, one a later call following a closed 计家墩村 case."""
    there = cases_town.households["jijiadun"][0]
    master = make_case("计家墩村桥头路灯不亮", target=there)
    merged = answers.merge_case(make_case("桥头的路灯还是不亮"), master, by=cases_town.users["office"], version=1)
    closed = make_case("计家墩村河道有垃圾", target=there)
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    follows = make_case("河道垃圾又有了")
    Case.objects.filter(pk=follows.pk).update(follows=closed)
    return {"master": master, "merged": merged, "closed": closed, "follows": follows}


def _get(client, headers, case):
    response = client.get(f"/api/v1/cases/{case.public_id}", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_names_a_linked_case_only_to_a_reader_who_may_open_it(client, api_token, linked):
    village, office = api_token("village"), api_token("office")
    assert _get(client, village, linked["merged"])["merged_into"] is None
    assert _get(client, village, linked["follows"])["follows"] is None
    assert _get(client, office, linked["merged"])["merged_into"] == str(linked["master"].public_id)
    assert _get(client, office, linked["follows"])["follows"] == str(linked["closed"].public_id)
    assert _get(client, office, linked["closed"])["followed_by"] == [str(linked["follows"].public_id)]
    listed = {row["id"]: row for row in client.get("/api/v1/cases/", **village).json()["items"]}
    assert str(linked["master"].public_id) not in listed
    assert listed[str(linked["merged"].public_id)]["merged_into"] is None
    assert listed[str(linked["follows"].public_id)]["follows"] is None
    everything = {row["id"]: row for row in client.get("/api/v1/cases/", **office).json()["items"]}
    assert everything[str(linked["merged"].public_id)]["merged_into"] == str(linked["master"].public_id)
    assert everything[str(linked["follows"].public_id)]["follows"] == str(linked["closed"].public_id)


def test_the_list_reads_the_links_a_reader_may_open_in_one_query(client, api_token, linked, make_case,
                                                                 django_assert_max_num_queries):
    """More linked cases on the page cost no more queries: one for the page's links, not one per row."""
    village = api_token("village")
    client.get("/api/v1/cases/", **village)
    with django_assert_max_num_queries(20) as before:
        client.get("/api/v1/cases/", **village)
    master = linked["master"]
    for n in range(3):
        duplicate = make_case(f"第{n}次：桥头的路灯还是不亮")
        Case.objects.filter(pk=duplicate.pk).update(status=Case.Status.MERGED, merged_into=master)
    with django_assert_max_num_queries(len(before.captured_queries)):
        rows = client.get("/api/v1/cases/", **village).json()["items"]
    assert sum(1 for row in rows if row["status"] == "merged") == 4
    assert all(row["merged_into"] is None for row in rows)


def test_the_page_says_a_link_the_reader_may_not_open_without_number_or_link(client, cases_town, linked):
    client.force_login(cases_town.users["village"])
    merged = client.get(f"/cases/{linked['merged'].public_id}/").content.decode()
    assert "已并入另一件" in merged
    assert linked["master"].number not in merged
    assert str(linked["master"].public_id) not in merged
    follows = client.get(f"/cases/{linked['follows'].public_id}/").content.decode()
    assert "接续另一件已结案的来电" in follows
    assert linked["closed"].number not in follows
    assert str(linked["closed"].public_id) not in follows
    client.force_login(cases_town.users["office"])
    merged = client.get(f"/cases/{linked['merged'].public_id}/").content.decode()
    assert f'href="/cases/{linked["master"].public_id}/"' in merged
    assert "已并入另一件" not in merged
    follows = client.get(f"/cases/{linked['follows'].public_id}/").content.decode()
    assert f'href="/cases/{linked["closed"].public_id}/"' in follows
    assert "接续另一件已结案的来电" not in follows


def test_the_history_of_a_repeat_call_does_not_name_the_closed_case_a_reader_may_not_open(client, cases_town,
                                                                                           make_case):
    """The creation note of a call that follows a closed case says so without its number: the village reads its own
    case's history, and the closed case of 计家墩村 is named only through the link the page scopes."""
    import datetime as dt

    from zoufang.cases.services import receive_case_once

    closed = make_case("计家墩村河道有垃圾", target=cases_town.households["jijiadun"][0])
    Case.objects.filter(pk=closed.pk).update(status=Case.Status.CLOSED)
    again, _ = receive_case_once(
        campaign=cases_town.campaign, kind=Case.Kind.PROBLEM, description="河道垃圾又有了",
        raised_at=dt.datetime(2017, 6, 14, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        source=Case.Source.HOTLINE, region=cases_town.shangxiatang, by=cases_town.users["office"],
        repeat_of=Case.objects.get(pk=closed.pk))
    client.force_login(cases_town.users["village"])
    page = client.get(f"/cases/{again.public_id}/").content.decode()
    assert "接续另一件已结案的来电" in page
    assert closed.number not in page
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{again.public_id}/").content.decode()
    assert f'href="/cases/{closed.public_id}/">{closed.number}</a>' in page
