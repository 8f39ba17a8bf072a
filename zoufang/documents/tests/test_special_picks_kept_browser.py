"""The office ticks three cases on a list narrowed to one unit, takes the unit off by its chip, and finds the three
ticked; it opens a case from the list, adds it (加入专报), goes back, and finds four; the 专报 form receives the four
(decision 0084). A typed search not applied is told before the filtered 专报 is sent. A village cadre's list names its
village once. In real Chromium, at 390 and 1280 px (look)."""

from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ticked(page: Any) -> set[str]:
    return set(page.eval_on_selector_all("input[name=pick][type=checkbox]:checked", "boxes => boxes.map(b => b.value)"))


def test_ticks_survive_a_chip_taken_off_and_a_case_added_from_its_own_page(browser: Any, live_server: Any,
                                                                         office_town: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    c1, c2, c3, c6 = (office_town.cases[name] for name in ("c1", "c2", "c3", "c6"))
    page.goto(f"{live_server.url}/cases/?unit={office_town.police.public_id}")  # c6, c1, c2 (and merged c5)
    for case in (c6, c1, c2):
        page.locator(f"input[name=pick][value='{case.public_id}']").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 3 件"
    with page.expect_navigation():
        page.get_by_role("button", name="取消此条件").click()
    assert "unit=" not in page.url
    assert ticked(page) == {str(c.public_id) for c in (c6, c1, c2)}
    assert page.locator("[data-pick-count]").inner_text() == "已选 3 件"
    # A search typed and not applied: the filtered 专报 says it is of the cases listed.
    note = page.locator("[data-filter-changed]")
    assert not note.is_visible()
    page.fill("#q", "c3")
    assert note.is_visible()
    look(page, "cases-list-ticks-kept")
    page.fill("#q", "")
    with page.expect_navigation():
        page.locator(f"a[href^='/cases/{c3.public_id}/']").click()  # its link carries the three ticks
    panel = page.locator(".report-picks")
    assert "已选 3 件" in panel.inner_text()
    with page.expect_navigation():
        panel.get_by_role("button", name="加入专报").click()
    assert "已选 4 件（含本件）" in panel.inner_text()
    look(page, "case-detail-picks")
    with page.expect_navigation():
        page.locator(".breadcrumb a").first.click()
    assert ticked(page) == {str(c.public_id) for c in (c6, c1, c2, c3)}
    assert page.locator("[data-pick-count]").inner_text() == "已选 4 件"
    with page.expect_navigation():
        page.get_by_role("button", name="以选定的问题生成专报").click()
    assert "已从问题办理选定 4 件问题" in page.locator("main").inner_text()
    assert sorted(page.input_value("#id_numbers").split()) == sorted(c.number for c in (c6, c1, c2, c3))
    look(page, "documents-form-four-picks")
    context.close()


def test_a_village_cadre_s_list_names_the_village_in_its_heading(browser: Any, live_server: Any,
                                                                office_town: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "village")
    page.goto(f"{live_server.url}/cases/")
    assert page.locator(".page-head").inner_text().endswith(office_town.shangxiatang.name)
    assert page.locator("td[data-label='村（社区）']").count() == 0
    look(page, "cases-list-village")
    page.locator("td.title a").first.click()
    look(page, "case-detail-village")
    context.close()
