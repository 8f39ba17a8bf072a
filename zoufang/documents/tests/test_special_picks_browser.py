"""The office picks a case on the case list's first page, goes on to the next page, picks another, narrows the
list, and the 专报 form receives both (decision 0079); the form then shows its subject fields for a 专报 only. In real
Chromium, at 390 and 1280 px (look)."""

from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_picks_are_kept_across_pages_and_filters_and_reach_the_form(browser: Any, live_server: Any, office_town: Any,
                                                                  settings: Any) -> None:
    settings.ZOUFANG_PAGE_SIZE = 2  # page one: c6, c1; page two: c2, c3 (newest first)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/cases/")
    c6, c3, c2 = (office_town.cases[name] for name in ("c6", "c3", "c2"))
    page.locator(f"input[name=pick][value='{c6.public_id}']").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 1 件"
    with page.expect_navigation():
        page.get_by_role("button", name="下一页").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 1 件"  # page one's pick, carried
    page.locator(f"input[name=pick][value='{c3.public_id}']").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 2 件"
    look(page, "cases-list-picks-page-two")
    page.select_option("#status", "accepted")  # c2 only: both picks carried by the filter's form
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 2 件"
    page.locator(f"input[name=pick][value='{c2.public_id}']").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 3 件"
    look(page, "cases-list-picks-filtered")
    with page.expect_navigation():
        page.get_by_role("button", name="以选定的问题生成专报").click()
    assert "已从问题办理选定 3 件问题" in page.locator("main").inner_text()
    assert sorted(page.input_value("#id_numbers").split()) == sorted(c.number for c in (c6, c3, c2))
    assert page.locator("#id_subject").is_visible()
    page.select_option("#id_kind", "briefing")
    assert not page.locator("#id_subject").is_visible()
    assert not page.locator("#id_numbers").is_visible()
    look(page, "documents-form-briefing")
    page.select_option("#id_kind", "special")
    assert page.locator("#id_numbers").is_visible()
    look(page, "documents-form-special-picks")
    context.close()


def test_the_bar_clears_the_picks_and_a_case_page_starts_a_report(browser: Any, live_server: Any, office_town: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    c1, c2 = (office_town.cases[name] for name in ("c1", "c2"))
    page.goto(f"{live_server.url}/cases/?status=accepted&pick={c1.public_id}")
    page.locator(f"input[name=pick][value='{c2.public_id}']").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 2 件"
    with page.expect_navigation():
        page.get_by_role("link", name="清空").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 0 件"
    assert page.locator("#status").input_value() == "accepted"  # the filter stays
    page.goto(f"{live_server.url}/cases/{c2.public_id}/")
    look(page, "case-detail-special-report")
    with page.expect_navigation():
        page.get_by_role("button", name="加入专报").click()
    assert "已选 1 件（含本件）" in page.locator(".report-picks").inner_text()  # added to the picks (decision 0084)
    with page.expect_navigation():
        page.get_by_role("button", name="以选定的 1 件生成专报").click()
    assert "已从问题办理选定 1 件问题" in page.locator("main").inner_text()
    assert page.input_value("#id_numbers") == c2.number
    context.close()
