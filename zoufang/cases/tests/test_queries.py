"""Lists cost the same number of queries for 2 cases as for 12: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.cases import actions

pytestmark = pytest.mark.django_db


def _dispatched(town, make_case, n):
    for i in range(n):
        case = make_case(f"第{i}件：路灯不亮")
        case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
        actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)


def _queries(client, url, **headers):
    client.get(url, **headers)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize(("persona", "url"), [
    ("office", "/cases/"), ("office", "/cases/board/"), ("handler", "/cases/desk/"),
    ("office", "/cases/weekly/?week=2017-06-12"), ("office", "/cases/agenda/"),
])
def test_it_reads_a_page_of_cases_without_a_query_per_case(client, cases_town, make_case, persona, url):
    client.force_login(cases_town.users[persona])
    _dispatched(cases_town, make_case, 2)
    few = _queries(client, url)
    _dispatched(cases_town, make_case, 10)
    assert _queries(client, url) == few


def test_it_lists_cases_in_the_api_without_a_query_per_case(client, cases_town, make_case, api_token):
    headers = api_token("office")
    _dispatched(cases_town, make_case, 2)
    few = _queries(client, "/api/v1/cases/", **headers)
    _dispatched(cases_town, make_case, 10)
    assert _queries(client, "/api/v1/cases/", **headers) == few
