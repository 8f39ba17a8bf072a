"""A unit's handler in real Chromium on a phone (390 px; each page looked at on a desktop too): 我的考核 in the
nav, its unit's score, the indicators."""

import datetime as dt
from typing import Any

import pytest

from zoufang.assessment.services import freeze_assessment, run_assessment
from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_handler_reads_its_own_score(browser: Any, live_server: Any, assessed: Any) -> None:
    assessor = assessed.users["assessor"]
    assessment = run_assessment(assessed.campaign, starts_on=dt.date(2017, 5, 1), ends_on=dt.date(2017, 12, 31),
                                title="2017年度考核", by=assessor)
    freeze_assessment(assessment, by=assessor)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "handler")
        page.click("nav >> text=我的考核")
        page.wait_for_selector("section.assessment-mine")
        rows = page.locator("section.assessment-mine")
        assert rows.count() == 1
        assert "派出所" in rows.first.inner_text()
        look(page, "assessment-my-scores")
        page.click("text=各项指标")
        page.wait_for_selector("table.assessment-detail")
        assert "返回我的考核得分" in page.inner_text("body")
        assert "登记加减分" not in page.inner_text("body")
        look(page, "assessment-my-score")
    finally:
        context.close()
