"""In real Chromium: the office reads the ratings page (a chart drawn from each table) at 390 and 1280 px, opens
a 督查 item, names itself responsible and closes it with what was done."""

import pytest

from zoufang.conftest import SHOTS, browser_login, menghe_campaign
from zoufang.core.testwidths import DESKTOP, look
from zoufang.ratings.models import SupervisionItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_reads_the_ratings_and_closes_a_supervision_item(browser, live_server, rated, settings):
    settings.ZOUFANG_TODAY = "2017-06-20"
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug = rated.town.campaign.slug
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/ratings/{slug}/")
        page.wait_for_load_state("load")
        assert "各部门评价分布" in page.inner_text("h2#units-title")
        assert page.locator("table.ratings-units tbody tr").count() == 3
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert "超期" in page.inner_text(".ratings-items")  # due 2017-06-16
        look(page, "ratings")

        page.locator(".ratings-items a", has_text="派出所").click()
        page.wait_for_selector("h1:text('督查事项')")
        assert "138****5678" in page.inner_text("dl.fields")
        page.select_option("#assignee", "office")
        page.click("details#assign button[type=submit]")
        page.wait_for_selector("text=已指定督查责任人")
        page.fill("#result", "约谈派出所负责人，已公开值班电话，企业认可")
        look(page, "ratings-item")
        page.click("details#close button[type=submit]")
        page.wait_for_selector("text=督查事项已办结，落实情况已记入审计")
        item = SupervisionItem.objects.get(unit__name="派出所")
        assert (item.status, item.assignee.username, item.result) == ("done", "office", "约谈派出所负责人，已公开值班电话，企业认可")
        page.goto(f"{live_server.url}/ratings/{slug}/units/{item.unit.public_id}/")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        look(page, "ratings-unit")
    finally:
        context.close()


def test_the_menghe_office_reads_its_demo_ratings_on_a_phone_and_a_desktop(browser, live_server, settings):
    from zoufang.demo import menghe

    settings.ZOUFANG_TODAY = "2017-06-15"
    campaign = menghe_campaign()  # 孟河镇 alone: built once a run
    context = browser.new_context(viewport=DESKTOP)  # the office's desk; the page read on a phone too
    page = context.new_page()
    try:
        browser_login(page, live_server.url, menghe.OFFICE)
        page.locator(".page-head a", has_text="企业评价").click()
        page.wait_for_url(f"{live_server.url}/ratings/{campaign.slug}/")
        assert page.locator("table.ratings-units tbody tr").count() >= 5
        assert "已办结" in page.inner_text(".ratings-items")
        assert "超期" in page.inner_text(".ratings-items")
        look(page, "ratings-menghe")  # the charts drawn anew at each width (each_width waits for them)
    finally:
        context.close()
