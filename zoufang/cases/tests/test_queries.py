"""Lists cost the same number of queries for 2 cases as for 12: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.cases import actions

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context


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


def test_the_case_list_pages_after_a_cursor_in_constant_queries(client, cases_town, make_case, settings):
    """/cases/ reads a page after the last case shown (keyset, no growing OFFSET): walking the pages shows every
    case once in the list's order, filters kept, each page in the same number of queries."""
    from zoufang.cases.models import Case

    settings.ZOUFANG_PAGE_SIZE = 3
    client.force_login(cases_town.users["office"])
    _dispatched(cases_town, make_case, 7)
    expected = list(Case.objects.filter(status="dispatched").order_by("-raised_at", "id").values_list("pk", flat=True))
    client.get("/cases/?status=dispatched")  # warm per-process caches
    seen, counts, url = [], [], "/cases/?status=dispatched"
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        seen += [row["case"].pk for row in response.context["rows"]]
        counts.append(len(queries))
        assert "共 <b>7</b> 件" in response.content.decode()
        cursor = response.context["page"].next_cursor
        url = f"/cases/?status=dispatched&after={cursor}" if cursor else ""
    assert seen == expected
    assert len(set(counts)) == 1, counts
    assert client.get("/cases/?after=garbage").status_code == 200  # a bad cursor: the first page


def test_a_handler_sees_each_case_of_their_units_once_whether_responsible_or_co_handling(cases_town, make_case):
    from zoufang.accounts.models import RoleGrant
    from zoufang.cases import access
    from zoufang.cases.models import Case

    _dispatched(cases_town, make_case, 3)
    shared, *_rest = Case.objects.filter(unit=cases_town.police).order_by("id")
    shared.co_handlers.add(cases_town.waterworks)
    handler = cases_town.users["handler"]
    RoleGrant.objects.create(user=handler, role=RoleGrant.Role.UNIT_HANDLER, unit=cases_town.waterworks,
                             region=cases_town.town)
    for user, expected in ((handler, 3), (cases_town.users["water"], 1)):
        seen = list(access.visible_cases(user).order_by("-raised_at", "id"))
        assert len(seen) == len(set(seen)) == access.visible_cases(user).count() == expected
    assert list(access.visible_cases(cases_town.users["water"])) == [shared]
