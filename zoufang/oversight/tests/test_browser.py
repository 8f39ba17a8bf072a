"""The leader reads the dashboard in real Chromium and drills down to the rows; the city office compares its towns.

Each flow runs once, at the width its user has (the leader a phone, the city office a desk), and each page is
looked at in both widths."""

import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, PHONE, each_width, fits, look, shoot
from zoufang.oversight import board as boards
from zoufang.oversight import views

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_reads_the_dashboard_and_opens_a_village_s_unvisited_targets(
        browser: Any, live_server: Any, counted: Any, monkeypatch: Any) -> None:
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "leader")
        assert page.locator("#board-title").inner_text() == "走访进度督查"
        village = page.locator("#t-coverage-village").locator("xpath=ancestor::section[1]")
        row = village.locator("tbody tr", has=page.locator("th", has_text="上下塘社区"))
        assert [t.strip() for t in row.locator("td").all_inner_texts()][:3] == ["3", "1", "2"]
        toc = page.locator("nav.board-toc")  # on a phone the jumps are one row that scrolls sideways
        assert toc.bounding_box()["height"] < 60
        assert toc.locator("ul").evaluate("list => list.scrollWidth > list.clientWidth")
        for width in each_width(page):
            fits(page, width, "oversight-dashboard")
            shoot(page, f"oversight-dashboard-{width}")
            shoot(village, f"oversight-village-{width}", full_page=False)  # a page of the by-village table
        with page.expect_navigation():
            row.locator("th a").click()
        assert page.locator("h1").inner_text() == "上下塘社区·未走访对象"
        assert page.locator("tbody tr").count() == 2
        look(page, "oversight-rows")
        page.go_back()
        page.click("text=全部下载xlsx")  # built in the background: the job's page, then the file
        page.wait_for_url("**/downloads/*/")
        look(page, "oversight-all-job")
        with page.expect_download() as download:
            page.click("[data-job-file]")
        assert download.value.suggested_filename.endswith("督查统计.xlsx")
        assert "问题办理漏斗" in load_workbook(io.BytesIO(download.value.path().read_bytes())).sheetnames
        # A table longer than a request writes (here: more than one row) is offered to the background instead.
        monkeypatch.setattr(views, "IN_REQUEST_ROWS", 1)
        page.goto(f"{live_server.url}/oversight/{counted.campaign.slug}/")
        units = page.locator("#t-coverage-unit").locator("xpath=ancestor::section[1]")
        with page.expect_navigation():
            units.get_by_role("link", name="下载xlsx").click()
        assert page.locator("h1").inner_text() == "各单位走访覆盖与进度"
        look(page, "oversight-long-table")
        page.get_by_role("button", name="在后台生成").click()
        page.wait_for_url("**/downloads/*/")
        with page.expect_download() as download:
            page.click("[data-job-file]")
        assert download.value.suggested_filename.endswith("各单位走访覆盖与进度.xlsx")
        sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
        assert [row[0] for row in sheet.iter_rows(values_only=True)][2:] == ["派出所", "镇党政班子", "合计"]
        # A long table shows its worst rows; the rest open under it, without a script (here: more than one row).
        monkeypatch.setattr(boards, "FOLD_SHOWN", 1)
        monkeypatch.setattr(boards, "FOLD_SLACK", 0)
        page.goto(f"{live_server.url}/oversight/{counted.campaign.slug}/")
        units = page.locator("#t-coverage-unit").locator("xpath=ancestor::section[1]")
        rest = units.locator("details.fold-rows")
        assert units.locator(".table-wrap").first.locator("tbody tr").count() == 1
        assert not rest.locator("tbody tr").first.is_visible()
        rest.locator("summary").click()
        assert rest.locator("tbody tr").first.is_visible()
        assert rest.locator("summary").inner_text() == "收起其余 1 行"
        for width in each_width(page):
            fits(page, width, "oversight-folded")
            shoot(units, f"oversight-folded-{width}", full_page=False)
    finally:
        context.close()


def test_the_city_office_compares_its_towns_and_drills_into_one_read_only(
        browser: Any, live_server: Any, towns: Any) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "city")  # with the second factor: the city office needs one
        assert page.locator("h1").inner_text() == "昆山市各镇走访督查"
        ranking = page.locator("#t-towns").locator("xpath=ancestor::section[1]")
        assert ranking.locator("tbody th").all_inner_texts() == ["周庄镇", "锦溪镇"]  # worst first on pace
        look(page, "oversight-city")
        # Its sixteen columns read on a desk without scrolling; on a phone the town stays in view as they scroll.
        wrap = ranking.locator(".table-wrap")
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth")
        page.set_viewport_size(PHONE)
        assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
        wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        town = ranking.locator("tbody th").first
        assert abs(town.bounding_box()["x"] - wrap.bounding_box()["x"]) < 2
        page.set_viewport_size(DESKTOP)
        with page.expect_navigation():
            page.get_by_role("link", name="满意率").click()
        assert ranking.locator("tbody th").all_inner_texts() == ["锦溪镇", "周庄镇"]
        with page.expect_navigation():
            ranking.locator("tbody th a", has_text="周庄镇").click()
        assert page.locator("#board-title").inner_text() == "走访进度督查"
        assert "7 / 30" in page.locator(".figures").first.inner_text()
        assert page.locator("form[method=post]").count() == 2  # signing out and 全部下载xlsx: nothing to act on
        look(page, "oversight-city-town")
    finally:
        context.close()


def test_the_overdue_cases_list_wraps_a_long_category_so_every_column_is_in_view_on_a_desk(
        browser: Any, live_server: Any, counted: Any) -> None:
    """超期·问题清单 (the dashboard's 超期未办结的问题 opened whole) holds a case's 类别, a seed item's whole sentence: it
    wraps within a measure, as on the dashboard, so 承办单位, 办理期限 and 状态 are not a screen to the right at 1280 px."""
    item = counted.cases["c2"].category
    item.title = "收集群众对教育、医疗、养老以及公共服务标准化、均等化、优质化等方面的意见建议；"
    item.save()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        for path in ("/", f"/oversight/{counted.campaign.slug}/rows/?what=cases&overdue=1"):
            page.goto(live_server.url + path)
            table = page.locator("table", has=page.locator("td", has_text="收集群众对教育"))
            wrap = table.locator("xpath=ancestor::div[contains(@class, 'table-wrap')][1]")
            assert table.evaluate("t => t.scrollWidth") <= wrap.evaluate("w => w.clientWidth"), path
        look(page, "oversight-overdue-rows")
    finally:
        context.close()
