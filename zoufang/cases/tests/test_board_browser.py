"""The office's 交办台, 共性问题 and the region tree in real Chromium, looked at on a phone and at a desk."""

import datetime as dt

import pytest

from zoufang.cases.models import Case
from zoufang.cases.tests.test_board import RECENT, TODAY, _case
from zoufang.conftest import browser_login
from zoufang.core.testwidths import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_looks_at_its_board_its_shared_problems_and_its_regions(browser, live_server, cases_town,
                                                                            make_case, monkeypatch):
    monkeypatch.setattr("zoufang.web.tree.WHOLE_TREE", 3)
    monkeypatch.setattr("zoufang.cases.similarity.SHOWN_CASES", 3)
    for i in range(12):
        _case(make_case, Case.Status.DRAFT, registration_due=TODAY - dt.timedelta(days=20 - i),
              raised=dt.date(2017, 5, 20))
    _case(make_case, Case.Status.REGISTERED, handling_due=TODAY + dt.timedelta(days=3), arrived=RECENT)
    for text in ("上下塘社区路灯不亮", "路灯不亮，晚上看不见路", "东街路灯不亮好几天了", "西街路灯不亮没人修",
                 "企业招工难，缺技术工人", "企业招工难，希望政府搭建平台", "建议增设健身器材", "河道垃圾无人清理",
                 "小区门口积水", "医保报销手续繁琐"):
        make_case(text)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/cases/board/")
    assert "查看全部 22 件" in page.locator(".board-draft").inner_text()
    look(page, "board-columns")
    page.goto(f"{live_server.url}/cases/shared/?start=2017-06-01&end=2017-06-15")
    assert "另有 1 件" in page.locator("main").inner_text()
    look(page, "shared-problems")
    page.goto(f"{live_server.url}/regions/")
    with page.expect_navigation():
        page.get_by_role("link", name="展开下级").first.click()
    assert "第1居民小组" in page.locator(".tree").inner_text()
    look(page, "regions-opened")
    context.close()
