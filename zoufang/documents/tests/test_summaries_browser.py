"""A unit's handler hands in its 工作总结 on a phone (390 px) from its page's head, is refused a wrong file, then the
office reads who has and has not at its desk (1280 px) and returns it for revision, and the handler reads why; the
office withdraws the return made in error and the handler reads it stands again; each page looked at in both widths
(decisions 0071, 0075, 0080)."""

from pathlib import Path
from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, PHONE, look
from zoufang.documents.models import Summary
from zoufang.documents.tests.test_summaries import PDF, owed  # noqa: F401 — the fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_unit_hands_in_its_summary_and_the_office_sees_who_has_not(
        browser: Any, live_server: Any, owed: Any, tmp_path: Path) -> None:  # noqa: F811
    slug = owed.campaign.slug
    wrong, right = tmp_path / "总结.xlsx", tmp_path / "派出所工作总结.pdf"
    wrong.write_bytes(b"PK\x03\x04 not a summary")
    right.write_bytes(PDF)
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    try:
        browser_login(page, live_server.url, "handler")
        page.goto(f"{live_server.url}/oversight/{slug}/units/{owed.police.public_id}/")
        page.wait_for_selector("#unit-summary")  # a line of the page's head (decision 0075)
        page.click("#unit-summary a")
        page.wait_for_selector("#upload-title")
        look(page, "summaries-unit-empty")
        page.set_input_files("#id_file", str(wrong))
        page.click("button:has-text('提交')")
        page.wait_for_selector("text=只能提交 Word")
        look(page, "summaries-unit-refused")
        page.set_input_files("#id_file", str(right))
        page.fill("#id_note", "定稿")
        page.click("button:has-text('提交')")
        page.wait_for_selector("text=已提交工作总结（第 1 版）")
        look(page, "summaries-unit-handed-in")
    finally:
        phone.close()
    assert Summary.objects.get().file_name == "派出所工作总结.pdf"
    desk = browser.new_context(viewport=DESKTOP)
    page = desk.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/documents/{slug}/")
        page.click("a:has-text('查看提交情况')")
        page.wait_for_selector("#summaries")
        texts = page.locator("#summaries tbody tr").all_inner_texts()
        assert any("派出所" in t and "已提交" in t for t in texts)
        assert any("镇党政班子" in t and "未提交" in t for t in texts)
        look(page, "summaries-office-list")
        # The office returns it for revision from the unit's page (decision 0075).
        page.click("#summaries a:has-text('派出所')")
        page.wait_for_selector("#return-title")
        page.fill("#id_reason", "缺少典型案例，请补充后重新提交")
        page.click("button:has-text('退回')")
        page.wait_for_selector("text=已退回第 1 版，并已通知派出所的承办人")
        look(page, "summaries-office-returned")
    finally:
        desk.close()
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    try:
        browser_login(page, live_server.url, "handler")
        page.goto(f"{live_server.url}/oversight/{slug}/units/{owed.police.public_id}/")
        page.wait_for_selector("#unit-summary:has-text('已退回（待重交）')")
        page.click("#unit-summary a")
        page.wait_for_selector("text=退回原因：缺少典型案例，请补充后重新提交")
        look(page, "summaries-unit-returned")
    finally:
        phone.close()
    desk = browser.new_context(viewport=DESKTOP)
    page = desk.new_page()
    try:  # the return was made in error: the office withdraws it, confirmed (decision 0080)
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/documents/{slug}/summaries/units/{owed.police.public_id}/")
        page.wait_for_selector("#withdraw-title")
        look(page, "summaries-office-withdraw-form")
        page.check("#id_confirm")
        page.click("button:has-text('撤销退回')")
        page.wait_for_selector("text=已撤销对第 1 版的退回")
        assert "退回已撤销" in page.inner_text("#versions")
        look(page, "summaries-office-withdrawn")
        page.goto(f"{live_server.url}/documents/{slug}/summaries/")
        page.wait_for_selector("#summaries")
        look(page, "summaries-office-list-withdrawn")
    finally:
        desk.close()
    phone = browser.new_context(viewport=PHONE)
    page = phone.new_page()
    try:
        browser_login(page, live_server.url, "handler")
        page.goto(f"{live_server.url}/documents/{slug}/summaries/units/{owed.police.public_id}/")
        page.wait_for_selector("#state-title:has-text('已提交')")
        look(page, "summaries-unit-withdrawn")
    finally:
        phone.close()
