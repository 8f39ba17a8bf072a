"""The office asks for the town plan in real Chromium: the job's page shows its progress bar, the worker builds
it, the page turns into a download link by itself (polling), the file is in 我的下载 and opens with openpyxl.

The office works at its desk: each flow runs at 1280 px, and each page is looked at on a phone too."""

import pytest
from openpyxl import load_workbook

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, look
from zoufang.jobs import services
from zoufang.jobs.models import Download

# In both halves of make test, where the other browser tests run in SQLite's only (decision 0053).
pytestmark = [pytest.mark.browser, pytest.mark.every_database, pytest.mark.django_db(transaction=True)]


def _office_on_the_plan_page(browser, live_server, town, settings):
    """The office signed in on the plan page; nothing runs a job until the test does, as a worker would (the page
    is seen while the job waits). Returns the context, the page and the console's errors."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/plan/?campaign={town.campaign.slug}")
    return context, page, errors


def test_the_office_downloads_the_town_plan_through_the_queue(browser, live_server, town, settings, tmp_path):
    context, page, errors = _office_on_the_plan_page(browser, live_server, town, settings)
    try:
        look(page, "jobs-plan-buttons", full_page=False)
        page.click("text=下载分配表（xlsx）")
        page.wait_for_url(f"{live_server.url}/downloads/*/")
        assert page.locator("h1").inner_text() == "锦溪镇测试走访分配表"
        assert page.locator("[data-job-label]").inner_text() == "排队中"
        bar = page.locator("[role=progressbar]")
        assert bar.is_visible()
        assert bar.get_attribute("aria-valuenow") == "0"
        look(page, "jobs-queued")
        download = Download.objects.get()
        assert services.run(download.pk) == "done"  # the worker's part
        link = page.locator("[data-job-file]")
        link.wait_for(timeout=15000)  # the page polls, sees it done, and shows the link
        assert page.locator("[data-job-label]").inner_text() == "已完成"
        assert bar.get_attribute("aria-valuenow") == "100"
        look(page, "jobs-done")
        page.click("nav >> text=我的下载")
        page.wait_for_url(f"{live_server.url}/downloads/")
        assert "锦溪镇测试走访分配表" in page.locator("main").inner_text()
        look(page, "jobs-list")
        with page.expect_download() as fetched:
            page.click("[data-job-file]")
        assert fetched.value.suggested_filename == "锦溪镇测试走访分配表.xlsx"
        saved = tmp_path / "plan.xlsx"
        fetched.value.save_as(saved)
        assert load_workbook(saved).sheetnames
        assert not errors, errors
    finally:
        context.close()


def test_the_office_previews_a_plan_run_through_the_queue(browser, live_server, town, settings):
    """预览重新分配 runs the planner in the background: the job's page shows the bar while it waits, then (polling)
    the planner's report; the small town's plan does not prove 不重不漏 (nobody covers 计家墩村), so it says why and
    offers no 确认重新分配."""
    context, page, errors = _office_on_the_plan_page(browser, live_server, town, settings)
    try:
        page.click("text=预览重新分配")
        page.wait_for_url(f"{live_server.url}/downloads/*/")
        assert page.locator("h1").inner_text() == "锦溪镇测试走访重新分配预览"
        assert page.locator("[role=progressbar]").get_attribute("aria-valuenow") == "0"
        download = Download.objects.get(kind="plan_run")
        assert services.run(download.pk) == "done"  # the worker's part
        page.locator("#run-title").wait_for(timeout=15000)  # the page polls, sees it done, reloads with the report
        assert page.locator("#run-title").inner_text() == "重新分配预览（尚未写入）"
        assert "计家墩村" in page.locator(".plan-preview [role=alert]").inner_text()
        assert page.locator("text=确认重新分配").count() == 0
        look(page, "jobs-plan-run")
        assert not errors, errors
    finally:
        context.close()


def test_the_pages_with_queued_buttons_fit_a_phone_and_a_desk(browser, live_server, town):
    """The pages whose downloads became buttons (下载答案明细xlsx, 督查明细 下载xlsx) and the unit's paged plan page: no
    sideways scrolling, no console error; screenshots to look at."""
    from zoufang.forms.services import load_shipped_forms
    from zoufang.planning.models import Assignment

    load_shipped_forms()
    target = town.households["shangxiatang"][0]
    Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police,
                              cadre=town.police.cadres.first())
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        browser_login(page, live_server.url, "office")
        cadre = town.police.cadres.first()
        for name, path in (("visits", "/visits/"), ("rows", f"/oversight/{town.campaign.slug}/rows/?what=unvisited"),
                           ("plan-unit", f"/plan/units/{town.police.public_id}/?campaign={town.campaign.slug}"
                                         f"&cadre={cadre.public_id}")):
            page.goto(live_server.url + path)
            if name == "visits":
                assert page.locator("button", has_text="下载答案明细xlsx").count() >= 1
            look(page, f"queue3-{name}")
        assert page.locator("button", has_text="锁定").count() == 1
        assert not errors, errors
    finally:
        context.close()
