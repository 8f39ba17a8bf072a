"""The 孟河镇 office walks its demo in real Chromium, on a phone and on a desktop: home, plan, visits and a
visit with its filled-in form (screenshots in ZOUFANG_SHOTS)."""

from typing import Any

import pytest

from zoufang.conftest import PASSWORD, SHOTS, browser_login, menghe_campaign
from zoufang.demo import menghe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Any, width: int) -> None:
    # Nothing is wider than the screen: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_menghe_office_walks_home_plan_visits_and_a_filled_form(browser, live_server, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    settings.ZOUFANG_DEMO_PASSWORD = PASSWORD
    campaign = menghe_campaign()  # 孟河镇 alone: built once a run
    for width, height in ((1280, 800), (390, 844)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        try:
            browser_login(page, live_server.url, menghe.OFFICE)
            assert page.locator("h1").inner_text() == campaign.name
            assert "进行中" in page.locator(".page-head .period").inner_text()
            assert "锦溪" not in page.content()
            _fits(page, width)
            page.screenshot(path=str(SHOTS / f"menghe-home-{width}.png"), full_page=True)

            page.locator(".page-head a", has_text="分配").click()
            page.wait_for_url(f"{live_server.url}/plan/?campaign={campaign.slug}")
            assert campaign.name in page.locator("h1").inner_text()
            assert "不重不漏：已核验" in page.content()
            _fits(page, width)
            page.screenshot(path=str(SHOTS / f"menghe-plan-{width}.png"), full_page=True)

            page.locator("nav a", has_text="走访记录").click()
            page.wait_for_url(f"{live_server.url}/visits/")
            rows = page.locator("table.cards tbody tr")
            assert rows.count() == 20
            _fits(page, width)
            page.screenshot(path=str(SHOTS / f"menghe-visits-{width}.png"), full_page=True)

            rows.first.locator("a").click()
            page.wait_for_url(f"{live_server.url}/visits/*/")
            text = page.content()
            assert any(title in text for title in ("企业走访调查表", "群众入户调查表", "干部调查问卷", "名士意见建议采集表"))
            _fits(page, width)
            page.screenshot(path=str(SHOTS / f"menghe-visit-{width}.png"), full_page=True)
        finally:
            context.close()
