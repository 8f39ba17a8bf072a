"""The 考核管理组 in real Chromium: runs the year's assessment, reviews it, adds a 加减分, freezes it, downloads it.

The group works at a desk: the flow runs at 1280 px, and each page is looked at on a phone too."""

from typing import Any

import pytest

from zoufang.assessment.models import Assessment
from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_assessor_runs_reviews_adjusts_freezes_and_downloads(
        browser: Any, live_server: Any, assessed: Any) -> None:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    slug = assessed.campaign.slug
    try:
        browser_login(page, live_server.url, "assessor")
        page.goto(f"{live_server.url}/assessment/{slug}/")
        look(page, "assessment-campaign")
        page.fill("input[name=starts_on]", "2017-05-01")
        page.click("#run button[type=submit]")
        page.wait_for_url("**/downloads/*/")  # the town is scored in the background: the job's page
        page.locator("a:has-text('打开第1版考核')").wait_for(timeout=15000)
        look(page, "assessment-run-job")
        with page.expect_navigation():
            page.click("a:has-text('打开第1版考核')")
        assert "（第1版）" in page.locator("h1").inner_text()
        police = page.locator("table.assessment-scores tbody tr", has=page.locator("th", has_text="派出所"))
        assert police.locator("td").nth(9).inner_text().strip() == "43.73"
        look(page, "assessment-review")

        with page.expect_navigation():
            police.locator("td").first.locator("a").click()  # the quota figure drills into the unit's oversight page
        assert "/oversight/" in page.url
        assert "派出所党员甲" in page.content()
        page.go_back()
        with page.expect_navigation():
            police.locator("th a").click()
        page.fill("input[name=points]", "2")
        page.fill("textarea[name=reason]", "获市级表彰（锦委〔2017〕8号）")
        with page.expect_navigation():
            page.click("form.action-form button[type=submit]")
        assert "获市级表彰" in page.locator("#h-adjust").locator("xpath=ancestor::section[1]").inner_text()
        look(page, "assessment-score")

        page.click("text=返回考核表")
        page.check("input[name=confirm]")
        with page.expect_navigation():
            page.click(".notice form button[type=submit]")
        assert "已定稿" in page.locator("h1").inner_text()
        assert police.locator("td").nth(11).inner_text().strip() == "45.73"
        look(page, "assessment-frozen")
        page.click("text=下载考核表（xlsx）")  # built in the background: the job's page, then the file
        page.wait_for_url("**/downloads/*/")
        with page.expect_download() as download:
            page.click("[data-job-file]")
        assert download.value.suggested_filename.endswith("-v1.xlsx")
        assert Assessment.objects.get().status == Assessment.Status.FROZEN
        page.goto(f"{live_server.url}/assessment/{slug}/")  # 历次考核: the first page of the list
        assert "（第1版）" in page.locator("table.assessment-runs").inner_text()
        look(page, "assessment-campaign-listed")
    finally:
        context.close()
