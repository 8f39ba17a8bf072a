"""The office's 交办台 (zoufang/cases/board.py): its figures against a straightforward recount, bounded columns,
and the same queries for a few cases as for many."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zoufang.cases import board, workflow
from zoufang.cases.models import Case, CaseEvent
from zoufang.regions.models import Region
from zoufang.registry.tests.factories import TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.recorded_templates]  # reads response.context

S = Case.Status
TODAY = dt.date(2017, 6, 15)
OLD = dt.datetime(2017, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
RECENT = dt.datetime(2017, 6, 15, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def _case(make_case, status, *, target=None, arrived=OLD, raised=dt.date(2017, 6, 13), **fields):
    case = make_case(f"{status}：村道路灯不亮", target=target, raised=raised)
    Case.objects.filter(pk=case.pk).update(status=status, **fields)
    CaseEvent.objects.filter(case=case).update(at=arrived)
    return case


def _spread(cases_town, make_case, elsewhere=None):
    """Cases in every column, some in two, some late, some new; and the same again in another town."""
    late, soon = TODAY - dt.timedelta(days=3), TODAY + dt.timedelta(days=5)
    for target in (None, elsewhere) if elsewhere else (None,):
        _case(make_case, S.DRAFT, target=target, registration_due=late)
        _case(make_case, S.DRAFT, target=target, registration_due=soon, arrived=RECENT)
        _case(make_case, S.DRAFT, target=target, registration_due=None, arrived=RECENT)
        _case(make_case, S.DRAFT, target=target, registration_due=soon)
        _case(make_case, S.REGISTERED, target=target, handling_due=late, arrived=RECENT)
        _case(make_case, S.RETURNED, target=target, handling_due=soon, arrived=RECENT)
        _case(make_case, S.DISPATCHED, target=target, handling_due=late, overdue_since=late,
              requested_extension_days=5)
        _case(make_case, S.ACCEPTED, target=target, handling_due=soon, requested_extension_days=3, arrived=RECENT)
        _case(make_case, S.ACCEPTED, target=target, handling_due=late, overdue_since=late)
        _case(make_case, S.ESCALATED, target=target, handling_due=soon, arrived=RECENT)
        # Late when escalated: the clock stopped, so not overdue (the figures' 超期, oversight.figures).
        _case(make_case, S.SIGNOFF, target=target, handling_due=late, paused_since=late)
        _case(make_case, S.RESOLVED, target=target, handling_due=late, arrived=RECENT)
        _case(make_case, S.REPLIED, target=target, handling_due=soon)
        _case(make_case, S.CLOSED, target=target, handling_due=late, arrived=RECENT)


def _elsewhere(cases_town):
    other = Region.objects.create(name="周庄镇", level=Region.Level.TOWN, parent=cases_town.town.parent)
    village = Region.objects.create(name="祁浜村", level=Region.Level.VILLAGE, parent=other)
    return TargetFactory(region=village)


def _recount(cases_town):
    """The board's figures counted one case at a time: in the office's town, in the column, late, new."""
    since = board.new_since(TODAY)
    mine = [c for c in Case.objects.select_related("region") if c.region.path.startswith(cases_town.town.path)]
    latest = {c.pk: max(e.at for e in CaseEvent.objects.filter(case=c)) for c in mine}
    figures = {}
    for column in board.COLUMNS:
        members = set(Case.objects.filter(column.holds(TODAY)).values_list("pk", flat=True))
        inside = [c for c in mine if c.pk in members]

        def late(case, column=column):
            if not column.runs_late:
                return False
            if column.deadline == "registration_due":
                return case.registration_due is not None and case.registration_due < TODAY
            # 超期 as the figures count it: being handled, the clock running, the deadline past.
            return (case.status in workflow.HANDLING and case.paused_since is None
                    and case.handling_due is not None and case.handling_due < TODAY)

        figures[column.key] = {"total": len(inside), "overdue": sum(1 for c in inside if late(c)),
                               "new": sum(1 for c in inside if not late(c) and latest[c.pk] >= since)}
    late_drafts = sum(1 for c in mine if c.status == S.DRAFT and c.registration_due and c.registration_due < TODAY)
    return len(mine), late_drafts, figures


def test_it_counts_what_a_recount_finds_in_the_offices_town_only(client, cases_town, make_case):
    _spread(cases_town, make_case, _elsewhere(cases_town))
    client.force_login(cases_town.users["office"])
    response = client.get("/cases/board/")
    total, late_drafts, figures = _recount(cases_town)
    assert (response.context["total"], response.context["late_drafts"]) == (total, late_drafts) == (14, 1)
    assert {c["key"]: {k: c[k] for k in ("total", "overdue", "new")} for c in response.context["columns"]} == figures
    # Two columns share the dispatched case that is overdue and asks for an extension.
    assert figures["extension"] == {"total": 2, "overdue": 1, "new": 1}
    assert figures["overdue"] == {"total": 2, "overdue": 2, "new": 0}
    assert figures["to_answer"] == {"total": 2, "overdue": 0, "new": 1}
    page = response.content.decode()
    assert "共 14 件" in page
    assert "有 1 件已超过登记期限仍未登记。" in page


def test_each_column_shows_its_first_cases_in_order_with_the_rank_of_that_column(cases_town, make_case):
    _spread(cases_town, make_case, _elsewhere(cases_town))
    office = cases_town.users["office"]
    from zoufang.cases import access

    columns = {c["key"]: c for c in board.columns(access.visible_cases(office), TODAY, ())}
    for column in board.COLUMNS:
        shown = columns[column.key]["cases"]
        assert len(shown) == columns[column.key]["total"]  # all fit: every case of the column, each once
        ranks = [case.rank for case in shown]
        assert ranks == sorted(ranks)
        assert all(case.region.path.startswith(cases_town.town.path) for case in shown)
    extension = columns["extension"]["cases"]
    overdue = columns["overdue"]["cases"]
    shared = next(c for c in extension if c.status == S.DISPATCHED)
    assert shared.rank == board.OVERDUE
    assert [c.rank for c in overdue] == [board.OVERDUE, board.OVERDUE]
    assert [c.status for c in columns["draft"]["cases"]] == [S.DRAFT] * 4
    assert [c.rank for c in columns["draft"]["cases"]] == [board.OVERDUE, board.NEW, board.NEW, board.WAITING]


def test_a_long_column_shows_a_page_and_counts_the_rest(client, cases_town, make_case):
    """Twelve late drafts and one new: the column shows the eight due earliest, its header counts all thirteen."""
    for i in range(12):
        _case(make_case, S.DRAFT, registration_due=TODAY - dt.timedelta(days=20 - i))
    _case(make_case, S.DRAFT, registration_due=TODAY + dt.timedelta(days=2), arrived=RECENT)
    client.force_login(cases_town.users["office"])
    response = client.get("/cases/board/")
    draft = response.context["columns"][0]
    assert [c.registration_due for c in draft["cases"]] == [TODAY - dt.timedelta(days=20 - i) for i in range(8)]
    assert (draft["total"], draft["overdue"], draft["new"]) == (13, 12, 1)
    column = response.content.decode().split("board-draft")[1].split("board-to_dispatch")[0]
    assert "逾期 12" in column
    assert "新到 1" in column
    assert "查看全部 13 件" in column


def _queries(client, url):
    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_board_costs_the_same_queries_for_few_cases_as_for_many(client, cases_town, make_case):
    """The working-day calendar, the counts, the positions and the cases shown: four queries for the board whatever
    the number of cases."""
    from zoufang.cases import access

    client.force_login(cases_town.users["office"])
    _spread(cases_town, make_case)
    few = _queries(client, "/cases/board/")
    for _ in range(3):
        _spread(cases_town, make_case)
    assert _queries(client, "/cases/board/") == few
    cases = access.visible_cases(cases_town.users["office"])
    with CaptureQueriesContext(connection) as queries:
        board.columns(cases, TODAY, ("unit", "region"))
    assert len(queries) == 4, [q["sql"][:80] for q in queries.captured_queries]
