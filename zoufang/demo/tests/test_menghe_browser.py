"""The 孟河镇 office walks its demo in real Chromium: home, plan, visits and a visit with its filled-in form.

The walk runs once, at the office's desk (1280 px); each page is looked at on a phone too (screenshots in
ZOUFANG_SHOTS)."""

import pytest

from zoufang.conftest import browser_login, menghe_campaign
from zoufang.core.testwidths import DESKTOP, look
from zoufang.demo import menghe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_menghe_office_walks_home_plan_visits_and_a_filled_form(browser, live_server, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    campaign = menghe_campaign()  # 孟河镇 alone: built once a run
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, menghe.OFFICE)
        assert page.locator("h1").inner_text() == campaign.name
        assert "进行中" in page.locator(".page-head .period").inner_text()
        assert "锦溪" not in page.content()
        look(page, "menghe-home")  # nothing is wider than the screen: wide tables scroll inside their own box

        page.locator(".page-head a", has_text="分配").click()
        page.wait_for_url(f"{live_server.url}/plan/?campaign={campaign.slug}")
        assert campaign.name in page.locator("h1").inner_text()
        assert "不重不漏：已核验" in page.content()
        look(page, "menghe-plan")

        page.locator("nav a", has_text="走访记录").click()
        page.wait_for_url(f"{live_server.url}/visits/")
        rows = page.locator("table.cards tbody tr")
        assert rows.count() == 20
        look(page, "menghe-visits")

        rows.first.locator("a").click()
        page.wait_for_url(f"{live_server.url}/visits/*/")
        text = page.content()
        assert any(title in text for title in ("企业走访调查表", "群众入户调查表", "干部调查问卷", "名士意见建议采集表"))
        look(page, "menghe-visit")
    finally:
        context.close()
