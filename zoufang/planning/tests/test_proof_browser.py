"""In real Chromium: the office's plan page says its proof was never computed, 现在计算 runs it in the background,
and the page then shows the stored result with when it was computed and its problems, at 390 and 1280 px."""

import pytest

from zoufang.conftest import SHOTS, browser_login
from zoufang.core.testwidths import look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_computes_the_plan_proof_and_reads_it_on_a_phone_and_a_desktop(browser, live_server, town):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/plan/?campaign={town.campaign.slug}")
        assert "本活动的分配尚未核验" in page.inner_text("#check")
        page.click("#check button[type=submit]")
        page.wait_for_selector("text=分配核验已计算")
        page.click("text=查看分配核验")
        page.wait_for_selector("text=计算于")
        assert "未通过核验的问题" in page.inner_text("#check")
        assert page.locator("ol.plan-problems li").count() >= 2
        look(page, "plan-proof")
    finally:
        context.close()
