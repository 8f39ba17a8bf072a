"""In real Chromium at 390 px: the office computes the flags (a job), finds a cadre's bulk entry, checks it and clears it with a reason, or
upholds it (查实) and sees it stay on the page as a finding."""

import pytest

from zoufang.conftest import SHOTS, browser_login
from zoufang.core.testwidths import look, shoot
from zoufang.integrity.models import FlagClearance
from zoufang.integrity.scans import compute_scan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_clears_a_flag_with_a_reason(browser, live_server, visiting, desk_entry):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.click("text=真实性提示")
        page.wait_for_url(f"{live_server.url}/integrity/{visiting.campaign.slug}/")
        # Not computed yet: the page says so and computes it as a job (its page, then back to the list).
        assert "本活动的走访真实性提示尚未计算" in page.inner_text(".scan-missing")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(page, "integrity-flags-missing-390")
        page.click("text=现在计算")
        page.click("text=查看走访真实性提示")
        page.wait_for_url(f"{live_server.url}/integrity/{visiting.campaign.slug}/")
        assert "计算于" in page.inner_text(".page-head")
        flag = page.locator(".integrity-flags li", has_text="事后批量补录")
        assert "一次补录 6 次走访" in flag.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(page, "integrity-flags-390")
        flag.locator("summary").click()
        flag.locator("textarea[name=reason]").fill("电话核实：走访属实，手机故障后统一补录")
        flag.locator("button", has_text="排除（走访属实）").click()
        page.wait_for_selector("text=已核实排除，理由已记入审计")
        assert FlagClearance.objects.get().reason == "电话核实：走访属实，手机故障后统一补录"
        assert page.locator(".integrity-flags li", has_text="事后批量补录").count() == 0
    finally:
        context.close()


def test_the_office_upholds_a_flag_and_it_stays_as_a_finding(browser, live_server, visiting, desk_entry):
    """Once, at 390 px; the page with the finding is looked at on a desktop too."""
    compute_scan(visiting.campaign)  # as the job stores it, with no decision yet
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/integrity/{visiting.campaign.slug}/")
        flag = page.locator(".integrity-flags li", has_text="事后批量补录")
        flag.locator("summary").click()
        flag.locator("textarea[name=reason]").fill("入户核实：所列对象均称5月未见走访干部，系事后补造")
        flag.locator("button", has_text="查实（计入考核）").click()
        page.wait_for_selector("text=已核实查实，记入审计，计入考核")
        upheld = page.locator(".integrity-flags li", has_text="事后批量补录")
        assert "核实查实：入户核实" in upheld.inner_text()
        assert "已查实 1 条" in page.inner_text(".integrity-counts")
        look(page, "integrity-upheld")
        assert FlagClearance.objects.get().outcome == "upheld"
    finally:
        context.close()
