"""The 锦溪镇 2017 demo holds cases in every state; its weekly problem list exports to xlsx and reads back."""

import io

import pytest
from openpyxl import load_workbook

from zoufang.cases.models import Case
from zoufang.jobs.testing import queued_file


@pytest.fixture
def on_the_demo_day(settings):
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_it_holds_a_case_in_every_state(demo, db):
    statuses = set(Case.objects.filter(campaign=demo).values_list("status", flat=True))
    assert statuses == set(Case.Status.values)
    # The cases demo's own flows (not the visits' opinions, which demo_handling plays): two overdue.
    assert Case.objects.filter(campaign=demo, source_visit__isnull=True, overdue_since__isnull=False).count() == 2
    assert Case.objects.filter(campaign=demo, requested_extension_days__isnull=False).count() == 1


def test_it_loads_the_cases_once(demo, db):
    from zoufang.cases.demo import load_demo_cases

    before = Case.objects.count()
    load_demo_cases(demo, lambda message: None)
    assert Case.objects.count() == before


def test_it_exports_the_demos_weekly_problem_list_and_reads_it_back(demo, client, on_the_demo_day):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="office"))
    response = queued_file(client, "/cases/weekly.xlsx", {"kind": "problem", "week": "2017-05-08"})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "问题清单（2017年5月8日—5月14日）"
    contents = [row[3] for row in rows[2:]]
    assert "小区内电动车夜间被盗多起，希望加强巡逻" in contents
    assert "企业用工紧张，希望政府组织专场招聘" in contents
    assert [row[0] for row in rows[2:]] == list(range(1, len(rows) - 1))


@pytest.mark.parametrize(("username", "page"), [
    ("office", "/cases/board/"), ("paichusuo", "/cases/desk/"), ("leader", "/cases/signoff/"),
    ("office", "/cases/agenda/"), ("office", "/cases/shared/?start=2017-05-01"),
])
def test_it_gives_every_view_something_to_show(demo, client, on_the_demo_day, username, page):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    body = client.get(page).content.decode()
    assert "暂无可查看" not in body
    assert "没有待" not in body
    assert "没有内容相近的件" not in body


def test_its_collected_cases_tell_a_towns_story_on_the_demo_day(demo, db):
    """Older opinions mostly answered and closed with the person's word recorded, recent ones with the
    departments, two slow units overdue, a few escalated or reopened, the last days' still on the office's desk."""
    import datetime as dt
    from collections import Counter

    from zoufang import clock
    from zoufang.cases.models import CaseEvent
    from zoufang.cases.workflow import HANDLING
    from zoufang.oversight import case_counters, figures
    from zoufang.workdays.calendar import Calendar

    today = dt.date(2017, 6, 15)
    collected = Case.objects.filter(campaign=demo, source_visit__isnull=False, registered_on__isnull=False)
    statuses = Counter(collected.values_list("status", flat=True))
    total = sum(statuses.values())
    assert total > 150
    assert 0.5 <= statuses[Case.Status.CLOSED] / total <= 0.75
    assert 0.1 <= sum(statuses[s] for s in HANDLING) / total <= 0.35
    waiting = collected.filter(status=Case.Status.REGISTERED)
    assert 1 <= waiting.count() <= 10
    assert all(day >= dt.date(2017, 6, 12) for day in waiting.values_list("registered_on", flat=True))
    older = collected.filter(raised_at__date__lt=dt.date(2017, 5, 15))
    assert older.filter(status=Case.Status.CLOSED).count() >= 0.85 * older.count()
    # The dashboard's “overdue by unit” names the two slow units (beside the cases demo's own); the rest keep up.
    rows = figures.case_figures(demo, "unit", today).rows
    assert {"交警中队", "建管所"} <= {row.label for row in rows if row.overdue}
    assert collected.filter(overdue_since__isnull=False).values("unit").distinct().count() == 2
    assert next(row for row in rows if row.label == "劳保所").on_time_rate >= 80
    # Answered and called back: mostly satisfied, a few not; some reopened, some escalated.
    closed = collected.filter(status=Case.Status.CLOSED)
    assert not closed.filter(satisfaction="").exists()
    rated = Counter(closed.values_list("satisfaction", flat=True))
    assert rated[Case.Satisfaction.SATISFIED] > 0.6 * sum(rated.values())
    assert rated[Case.Satisfaction.UNSATISFIED] >= 1
    assert collected.filter(reopen_count__gt=0).exists()
    assert set(collected.exclude(escalation_route="").values_list("escalation_route", flat=True)) == {
        Case.Route.LEADERSHIP, Case.Route.UPPER_OFFICE}
    # Played through the actions, on working days, as the product would have kept it.
    events = CaseEvent.objects.filter(case__in=collected, action__in=["dispatch", "resolve", "close"])
    calendar = Calendar([2017])
    days = {clock.local(at).date() for at in events.values_list("at", flat=True)}
    assert all(calendar.is_workday(day) for day in days)
    assert max(days) <= today
    assert case_counters.verify(demo.pk).ok
