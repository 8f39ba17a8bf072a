"""The office's monthly 会商 agenda and weekly list in real Chromium, looked at on a phone and at a desk."""

import datetime as dt

import pytest

from zoufang.cases import lists
from zoufang.cases.models import Case
from zoufang.cases.tests.conftest import in_state
from zoufang.conftest import browser_login
from zoufang.core.testwidths import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_reads_the_agenda_and_walks_the_weekly_list(browser, live_server, cases_town, make_case,
                                                                agenda_units, settings, monkeypatch):
    settings.ZOUFANG_PAGE_SIZE = 3
    monkeypatch.setattr(lists, "AGENDA_LISTED", 2)
    police = cases_town.police
    for day in range(2, 10):
        in_state(make_case, Case.Status.ACCEPTED, police, overdue=True, due=f"2017-06-{day:02d}",
                 raised=dt.date(2017, 5, 15))
    for day in (5, 8, 12):
        in_state(make_case, Case.Status.SIGNOFF, police, raised=dt.date(2017, 6, day))
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/cases/agenda/?month=2017-06")
    assert "第 1 / 2 页" in page.locator("#units").inner_text()
    assert "等 10 件" in page.locator("#units").inner_text()
    look(page, "cases-agenda")
    with page.expect_navigation():
        page.locator("#units").get_by_role("link", name="下一页").click()
    assert "第 2 / 2 页" in page.locator("#units").inner_text()
    page.goto(f"{live_server.url}/cases/agenda/?month=2017-06")
    with page.expect_navigation():
        page.get_by_role("link", name="等 10 件").click()
    assert "承办单位：派出所" in page.locator("main").inner_text()
    look(page, "cases-list-unit-overdue")

    page.goto(f"{live_server.url}/cases/weekly/?kind=problem&week=2017-06-13")
    assert "共 10 条" in page.locator(".list-meta").inner_text()  # those raised in the week of 13 June
    look(page, "cases-weekly")
    with page.expect_navigation():
        page.get_by_role("link", name="下一页").click()
    assert page.locator("tbody tr").first.locator("td").first.inner_text() == "4"
    look(page, "cases-weekly-page-2")
    context.close()
