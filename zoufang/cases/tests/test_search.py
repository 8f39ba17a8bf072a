"""Searching cases (the list page and GET /api/v1/cases/?q=): a number is found only as the searcher reads it.

A leader reads “请联系我138****1290”; matched against the stored text, “1386884” found and “1386885” not would
spell out the masked digits one query at a time.
"""

import pytest

from zoufang.cases.models import Case

pytestmark = pytest.mark.django_db

TEXT = "邻居家漏水，3号楼，请联系我13868841290"


@pytest.fixture
def numbered(make_case):
    return make_case(TEXT)


def _found(client, headers, q):
    return [item["id"] for item in client.get("/api/v1/cases/", {"q": q}, **headers).json()["items"]]


@pytest.mark.parametrize("q", ["13868841290", "1386884", "1386885", "86884", "请联系我138688", "１３８６８８４"])
def test_it_does_not_find_masked_digits_for_a_leader(client, api_token, numbered, q):
    assert _found(client, api_token("leader"), q) == []


@pytest.mark.parametrize("q", ["1290", "请联系我138", "3号楼", "漏水"])
def test_it_still_finds_what_a_leader_reads(client, api_token, numbered, q):
    assert _found(client, api_token("leader"), q) == [str(numbered.public_id)]


@pytest.mark.parametrize("persona", ["office", "handler"])
def test_it_finds_the_whole_number_for_those_who_read_it_in_full(client, api_token, numbered, cases_town, persona):
    Case.objects.filter(pk=numbered.pk).update(status=Case.Status.DISPATCHED, unit=cases_town.police)
    assert _found(client, api_token(persona), "1386884") == [str(numbered.public_id)]


def test_it_does_not_find_masked_digits_for_a_co_handling_unit(client, api_token, numbered, cases_town):
    Case.objects.filter(pk=numbered.pk).update(status=Case.Status.DISPATCHED, unit=cases_town.police)
    numbered.co_handlers.add(cases_town.waterworks)
    headers = api_token("water")
    assert client.get(f"/api/v1/cases/{numbered.public_id}", **headers).json()["description"].endswith("138****1290")
    assert _found(client, headers, "1290") == [str(numbered.public_id)]
    assert _found(client, headers, "1386884") == []


def test_it_does_not_find_masked_digits_on_the_list_page(login, numbered, cases_town):
    page = login(cases_town.users["leader"])
    assert "138****1290" in page.get("/cases/", {"q": "1290"}).content.decode()
    assert "138****1290" not in page.get("/cases/", {"q": "1386884"}).content.decode()
    office = login(cases_town.users["office"])
    assert "13868841290" in office.get("/cases/", {"q": "1386884"}).content.decode()
