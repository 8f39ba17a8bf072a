"""The monthly 会商 agenda (/cases/agenda/): each unit's figures counted in the database mean what a recount of the
cases says; the lists show their oldest cases and link to the whole; the page costs the same for more cases."""

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.cases import deadlines, lists, workflow
from zoufang.cases.models import Case
from zoufang.cases.tests.conftest import in_state
from zoufang.registry.models import Unit

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context

S = Case.Status
JUNE = dt.date(2017, 6, 1)
TODAY = dt.date(2017, 6, 15)  # cases_town's day: 超期 is overdue on it, whichever month is shown


def _recount(cases: list[Case], month: dt.date) -> dict[str, tuple[int, int, int]]:
    """What the agenda's table means, counted case by case."""
    start, end = lists.month_bounds(month)
    lines: dict[str, list[int]] = {}
    for case in cases:
        if case.status in workflow.HANDLING:
            line = lines.setdefault(case.unit.name, [0, 0, 0])  # being handled, a case has its unit
            line[0] += 1
            line[1] += deadlines.is_overdue(case, TODAY)
        if case.unit and case.resolved_at and start <= case.resolved_at < end:
            lines.setdefault(case.unit.name, [0, 0, 0])[2] += 1
    return {name: (a, b, c) for name, (a, b, c) in lines.items()}


def test_it_counts_each_unit_as_a_recount_of_its_cases_does(agenda_units: Any) -> None:
    cases = list(Case.objects.select_related("unit"))
    agenda = lists.monthly_agenda(Case.objects.all(), JUNE)
    figures = {line.name: (line.open, line.overdue, line.resolved_in_month) for line in agenda.units}
    assert len(figures) == len(agenda.units)  # one line a unit
    assert figures == _recount(cases, JUNE)
    assert figures == {"派出所": (4, 2, 2), "水务站": (3, 1, 1), "城管中队": (3, 0, 0), "文体站": (0, 0, 1),
                       "农服中心": (1, 1, 0)}
    # worst first: most overdue, then most open, then by name
    assert [line.name for line in agenda.units] == ["派出所", "水务站", "农服中心", "城管中队", "文体站"]
    # every overdue case of a unit, earliest deadline first, when nothing bounds them (the meeting papers)
    police = agenda.units[0]
    assert [c.handling_due for c in police.overdue_cases] == [dt.date(2017, 6, 2), dt.date(2017, 6, 5)]
    assert [c.pk for c in agenda.units[2].overdue_cases] == [
        c.pk for c in cases if c.unit == agenda_units["farm"] and deadlines.is_overdue(c, TODAY)]
    assert agenda.unit_total == {"open": 11, "overdue": 4, "resolved_in_month": 4}  # 合计 of the lines
    # another month: the same open and overdue cases, and the cases finished in it (派出所's two in May)
    may = {line.name: line.resolved_in_month for line in lists.monthly_agenda(Case.objects.all(),
                                                                              dt.date(2017, 5, 1)).units}
    assert may == {name: counts[2] for name, counts in _recount(cases, dt.date(2017, 5, 1)).items()}
    assert may["派出所"] == 2


def _table(page: str) -> list[tuple[str, ...]]:
    body = page[page.index('id="units"'):]
    body = body[body.index("<tbody>"):body.index("</tbody>")]
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row))
            for row in re.findall(r"<tr>(.*?)</tr>", body)]


def test_the_page_shows_the_units_worst_first_a_page_at_a_time(client: Any, cases_town: Any, agenda_units: Any,
                                                               settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 2
    client.force_login(cases_town.users["office"])
    shown = []
    for number in (1, 2, 3):
        page = client.get("/cases/agenda/", {"month": "2017-06", "units": number}).content.decode()
        assert "共 5 个单位" in page
        assert f"第 {number} / 3 页" in page
        shown += [row[:4] for row in _table(page)]
        footer = page[page.index("<tfoot>"):page.index("</tfoot>")]
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", footer)]
        assert cells[:4] == ["合计", "11", "4", "4"]  # every unit's, whichever page is shown
    assert shown == [("派出所", "4", "2", "2"), ("水务站", "3", "1", "1"), ("农服中心", "1", "1", "0"),
                     ("城管中队", "3", "0", "0"), ("文体站", "0", "0", "1")]
    for asked, number in (("9", 3), ("x", 1), ("-1", 1)):  # past the end the last page; no number the first
        page = client.get("/cases/agenda/", {"month": "2017-06", "units": asked}).content.decode()
        assert f"第 {number} / 3 页" in page


def test_it_lists_a_units_first_overdue_cases_and_links_to_all_of_them(client: Any, cases_town: Any,
                                                                      make_case: Any) -> None:
    police = cases_town.police
    may = dt.date(2017, 5, 15)
    late = [in_state(make_case, S.ACCEPTED, police, overdue=True, due=f"2017-06-{day:02d}", raised=may)
            for day in range(9, 2, -1)]
    in_state(make_case, S.ACCEPTED, cases_town.waterworks, overdue=True, due="2017-06-09", raised=may)  # another unit's
    client.force_login(cases_town.users["office"])
    page = client.get("/cases/agenda/").content.decode()
    row = next(row for row in _table(page) if row[0] == "派出所")
    earliest = sorted(late, key=lambda c: c.handling_due)[: lists.OVERDUE_LISTED]
    assert row[4] == "、".join(f"{c.number}（6月{c.handling_due.day}日）" for c in earliest) + " 等 7 件"
    link = re.search(r'href="(/cases/\?status=overdue&amp;unit=[0-9a-f-]+)">等 7 件', page).group(1)
    listed = client.get(link.replace("&amp;", "&"))
    assert sorted(r["case"].pk for r in listed.context["rows"]) == sorted(c.pk for c in late)
    assert "承办单位：派出所" in listed.content.decode()
    # The chip takes the unit off and keeps the rest of the narrowing: a button of the list's form (decision 0084).
    assert '承办单位：派出所<button class="chip-off" type="submit" form="case-list" name="drop" value="unit"' \
        in listed.content.decode()
    off = client.get(link.replace("&amp;", "&") + "&drop=unit")
    assert off["Location"] == "/cases/?status=overdue"
    # An id that names no unit the office sees: every overdue case, and the page says the filter was not used.
    unseen = client.get("/cases/?status=overdue&unit=not-a-unit").content.decode()
    assert "参数“unit”有误：所指的单位不存在或不在您的可见范围内" in unseen
    assert "承办单位：" not in unseen


def test_it_lists_the_oldest_escalations_and_links_to_the_rest(client: Any, cases_town: Any, make_case: Any,
                                                               monkeypatch: Any) -> None:
    monkeypatch.setattr(lists, "AGENDA_LISTED", 2)
    police = cases_town.police
    signing = [in_state(make_case, S.SIGNOFF, police, raised=dt.date(2017, 6, day)) for day in (12, 5, 8)]
    upper = [in_state(make_case, status, police, route=Case.Route.UPPER_OFFICE, raised=dt.date(2017, 6, day))
             for status, day in ((S.ESCALATED, 9), (S.UPPER_ACCEPTED, 3), (S.ESCALATED, 14))]
    in_state(make_case, S.ESCALATED, police, route=Case.Route.COORDINATION)
    in_state(make_case, S.UPPER_RETURNED, police, route=Case.Route.UPPER_OFFICE)  # sent back: no longer upstairs
    client.force_login(cases_town.users["office"])
    response = client.get("/cases/agenda/")
    agenda = response.context["agenda"]
    assert [c.pk for c in agenda.signoff.cases] == [signing[1].pk, signing[2].pk]
    assert agenda.signoff.total == 3
    assert [(r.route, [c.pk for c in r.cases], r.total) for r in agenda.escalated] == [
        ("coordination", [agenda.escalated[0].cases[0].pk], 1), ("upper_office", [upper[1].pk, upper[0].pk], 3)]
    page = response.content.decode()
    assert "上报上一级活动办（3）" in page
    assert "仅列最早的 2 件，查看全部 3 件" in page
    for link, expected in (("/cases/?status=signoff", signing), ("/cases/?route=upper_office", upper)):
        assert f'href="{link}"' in page
        listed = client.get(link)
        assert sorted(r["case"].pk for r in listed.context["rows"]) == sorted(c.pk for c in expected)


def _everything(town: Any, make_case: Any, n: int) -> None:
    """n cases in each list the agenda shows, for n units."""
    for i in range(n):
        unit = Unit.objects.create(name=f"第{Unit.objects.count()}单位", kind=Unit.Kind.TOWN_DEPARTMENT,
                                   region=town.town)
        in_state(make_case, S.SIGNOFF, unit, overdue=True, due="2017-06-01", raised=dt.date(2017, 5, 15))
        in_state(make_case, S.ESCALATED, unit, route=Case.Route.COORDINATION)
        in_state(make_case, S.UPPER_ACCEPTED, unit, route=Case.Route.UPPER_OFFICE)
        in_state(make_case, S.ACCEPTED, unit, overdue=True, due=f"2017-06-{i % 9 + 1:02d}", raised=dt.date(2017, 5, 15))
        in_state(make_case, S.RESOLVED, unit, resolved="2017-06-14")
        in_state(make_case, S.DRAFT, None)


def _queries(client: Any, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, sessions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/cases/agenda/", "/cases/agenda/?units=2"])
def test_the_agenda_costs_the_same_queries_for_more_cases(client: Any, cases_town: Any, make_case: Any,
                                                          settings: Any, monkeypatch: Any, url: str) -> None:
    settings.ZOUFANG_PAGE_SIZE = 3
    monkeypatch.setattr(lists, "AGENDA_LISTED", 2)
    monkeypatch.setattr(lists, "OVERDUE_LISTED", 1)
    client.force_login(cases_town.users["office"])
    _everything(cases_town, make_case, 4)
    few = _queries(client, url)
    _everything(cases_town, make_case, 8)
    assert _queries(client, url) == few
