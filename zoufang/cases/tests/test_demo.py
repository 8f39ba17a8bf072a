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
    assert Case.objects.filter(campaign=demo, overdue_since__isnull=False).count() == 2
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
    assert rows[0][0] == "问题清单（2017年05月08日—05月14日）"
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
