"""The weekly 问题清单 page (/cases/weekly/): a page at a time after a cursor, the total shown, the whole list in the
xlsx built in the background; each page in the same number of queries, however many cases the week holds."""

import datetime as dt
import html
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zoufang.cases.models import Case
from zoufang.cases.report_views import weekly_list
from zoufang.jobs.testing import queued_file

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context

WEEK = {"kind": "problem", "week": "2017-06-13"}


def _week(make_case: Any, n: int) -> None:
    for i in range(n):
        make_case(f"第{i}件：村道路灯不亮", raised=dt.date(2017, 6, 12 + i % 7))


def _next(page: str) -> str:
    found = re.search(r'<a class="btn btn-plain btn-small" href="([^"]*after=[^"]*)">下一页</a>', page)
    return "/cases/weekly/" + html.unescape(found.group(1)) if found else ""


def test_it_shows_the_week_a_page_at_a_time_and_exports_all_of_it(client: Any, cases_town: Any, make_case: Any,
                                                                   settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 3
    _week(make_case, 7)
    make_case("上周的路灯", raised=dt.date(2017, 6, 9))
    make_case("建议增设健身器材", kind=Case.Kind.SUGGESTION)
    office = cases_town.users["office"]
    client.force_login(office)
    expected = [c.number for c in weekly_list(office, WEEK).cases]
    assert len(expected) == 7
    seen, numbers, counts, url = [], [], [], "/cases/weekly/?kind=problem&week=2017-06-13"
    client.get(url)  # warm per-process caches
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
        page = response.content.decode()
        assert "共 <b>7</b> 条" in page
        assert "全部清单请下载xlsx" in page
        seen += [row[1] for row in response.context["table"]]
        numbers += [row[0] for row in response.context["table"]]
        for week in ("2017-06-05", "2017-06-19"):  # the other weeks start at their first page
            link = html.unescape(re.search(rf'href="([^"]*week={week}[^"]*)"', page).group(1))
            assert parse_qs(urlsplit(link).query) == {"kind": ["problem"], "week": [week]}
        url = _next(page)
    assert seen == expected
    assert numbers == list(range(1, 8))  # 序号 runs on across the pages
    assert len(counts) == 3
    assert len(set(counts)) == 1, counts
    assert client.get("/cases/weekly/?kind=problem&week=2017-06-13&after=garbage&start=x").status_code == 200
    # the whole week in the workbook, as the list's own rows
    book = load_workbook(io.BytesIO(queued_file(client, "/cases/weekly.xlsx", WEEK).content))
    rows = list(book.active.iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[1]) for r in rows] == [(n, number) for n, number in enumerate(expected, start=1)]


def test_a_week_of_more_cases_costs_the_same_queries(client: Any, cases_town: Any, make_case: Any,
                                                     settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 3
    client.force_login(cases_town.users["office"])

    def queries() -> list[int]:
        counts, url = [], "/cases/weekly/?kind=problem&week=2017-06-13"
        client.get(url)
        for _page in range(2):
            with CaptureQueriesContext(connection) as captured:
                page = client.get(url).content.decode()
            counts.append(len(captured))
            url = _next(page)
        return counts

    _week(make_case, 7)
    few = queries()
    _week(make_case, 20)
    assert queries() == few


def test_a_category_takes_its_own_items_not_those_of_a_category_whose_code_starts_alike(cases_town: Any,
                                                                                        make_case: Any) -> None:
    """Category 1 is 1 and 1.1, 1.2 …; a campaign of ten or more categories has a 10 and its 10.1, which are not 1's."""
    from zoufang.campaigns.models import CaseCategory
    from zoufang.cases import lists

    ten = CaseCategory.objects.create(campaign=cases_town.campaign, code="10", title="其他方面", sort_order=20)
    ten_one = CaseCategory.objects.create(campaign=cases_town.campaign, code="10.1", parent=ten, title="其他", sort_order=21)
    one_one = CaseCategory.objects.get(campaign=cases_town.campaign, code="1.1")
    ours, theirs = make_case("路灯损坏"), make_case("其他问题")
    Case.objects.filter(pk=ours.pk).update(category=one_one)
    Case.objects.filter(pk=theirs.pk).update(category=ten_one)
    monday = dt.date(2017, 6, 12)
    chosen = lists.weekly(Case.objects.all(), Case.Kind.PROBLEM, monday, category="1")
    assert list(chosen) == [ours]
    assert list(lists.weekly(Case.objects.all(), Case.Kind.PROBLEM, monday, category="10")) == [theirs]
    assert list(lists.weekly(Case.objects.all(), Case.Kind.PROBLEM, monday, category="1.1")) == [ours]
