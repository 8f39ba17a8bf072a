"""The office picks three cases on 问题办理 in real Chromium, on a phone (390 px, its cards), and goes on to the 专报
form with their numbers, then makes the draft (decision 0077). Each page is looked at in both widths."""

from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look
from zoufang.documents.models import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_picks_three_cases_on_a_phone_and_makes_a_special_report(browser: Any, live_server: Any,
                                                                          office_town: Any) -> None:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/cases/")
    assert page.locator("[data-pick-count]").inner_text() == "已选 0 件"
    look(page, "cases-list-pick")
    picked = [office_town.cases[name] for name in ("c1", "c2", "c3")]
    for case in picked:
        page.locator(f"input[name=pick][value='{case.public_id}']").click()
    assert page.locator("[data-pick-count]").inner_text() == "已选 3 件"
    look(page, "cases-list-picked")
    with page.expect_navigation():
        page.get_by_role("button", name="以选定的问题生成专报").click()
    assert "已从问题办理选定 3 件问题" in page.locator("main").inner_text()
    assert page.input_value("#id_kind") == "special"
    assert page.input_value("#id_subject") == "cases"
    assert sorted(page.input_value("#id_numbers").split()) == sorted(c.number for c in picked)
    look(page, "documents-special-picked")
    page.click("button:has-text('生成草稿')")
    page.wait_for_url("**/downloads/*/")
    page.locator("[data-job-file]").wait_for(timeout=15000)
    made = Document.objects.get()
    assert sorted(made.subject["cases"]) == sorted(str(c.public_id) for c in picked)
    assert made.title == "关于3件群众反映问题办理情况的专报"
    context.close()
