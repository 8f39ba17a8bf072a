"""The office generates a 通报, a 简报 and a 专报 (on a category, decision 0074) in real Chromium (each through the queue: the job's page links to the
draft, then to the issued file), edits their text, issues them and downloads them: at its desk (1280 px); the
leader reads the issued 通报 on a phone (390 px). Each page is looked at in both widths."""

import io
from typing import Any

import pytest
from docx import Document as read_docx

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, PHONE, look
from zoufang.documents.models import Document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def generate_edit_issue(page: Any, base: str, kind: str, section: str, text: str, name: str,
                        subject: str = "") -> None:
    page.goto(f"{base}/")
    page.select_option("#id_kind", kind)
    if subject:
        page.select_option("#id_subject", subject)
    page.click("button:has-text('生成草稿')")
    page.wait_for_url("**/downloads/*/")  # the town's figures are computed in the background: the job's page
    page.locator("[data-job-file]").wait_for(timeout=15000)
    look(page, f"documents-{name}-generated-job")
    page.click("a:has-text('打开草稿')")
    page.wait_for_selector("#doc-title")
    look(page, f"documents-{name}-draft")
    page.fill(f"#text-{section}", text)
    page.click("button:has-text('保存草稿')")
    page.wait_for_selector("text=草稿已保存")
    assert page.input_value(f"#text-{section}") == text
    page.click("button:has-text('印发')")
    page.wait_for_url("**/downloads/*/")
    page.locator("[data-job-file]").wait_for(timeout=15000)
    look(page, f"documents-{name}-issued-job")
    page.goto(f"{base}/")
    page.wait_for_selector("#issued")


def test_the_office_issues_a_circular_and_a_briefing_and_downloads_them(
        browser: Any, live_server: Any, office_town: Any) -> None:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    base = f"{live_server.url}/documents/{office_town.campaign.slug}"
    try:
        browser_login(page, live_server.url, "office")
        page.click("a:has-text('通报简报')")
        page.wait_for_url(f"{base}/")
        generate_edit_issue(page, base, "circular", "requests", "请派出所本月底前办结超期问题。", "circular")
        generate_edit_issue(page, base, "briefing", "typical", "计家墩村走访中解决了路灯问题。", "briefing")
        top, _second = office_town.categories
        generate_edit_issue(page, base, "special", "suggestions", "（一）请镇党委研究派出所超期问题。", "special",
                            subject=f"category:{top.pk}")
        rows = page.locator("#issued tbody tr")
        assert rows.count() == 3
        assert "锦走访办〔2017〕1号" in rows.all_inner_texts()[2]
        assert "第1期" in rows.all_inner_texts()[1]
        assert "第1期" in rows.all_inner_texts()[0]  # the 专报's own series
        assert "专报" in rows.all_inner_texts()[0]
        look(page, "documents-index")
        with page.expect_download() as download:
            rows.nth(2).locator("a:has-text('下载 Word')").click()
        docx = read_docx(download.value.path())
        lines = [p.text for p in docx.paragraphs]
        assert "锦走访办〔2017〕1号" in lines
        assert "请派出所本月底前办结超期问题。" in lines
        briefing = Document.objects.get(kind="briefing")
        issued = [p.text for p in read_docx(io.BytesIO(bytes(briefing.content))).paragraphs]
        assert "计家墩村走访中解决了路灯问题。" in issued
        special = [p.text for p in read_docx(io.BytesIO(bytes(Document.objects.get(kind="special").content))).paragraphs]
        assert "（一）请镇党委研究派出所超期问题。" in special
    finally:
        context.close()
    # The leader reads the issued 通报 (no form to change it).
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "leader")
        page.goto(f"{base}/")
        assert page.locator("#new-title").count() == 0
        page.click("a:has-text('开展情况的通报')")
        page.wait_for_selector("#doc-title")
        assert "请派出所本月底前办结超期问题。" in page.locator(".document-text").inner_text()
        assert page.locator("textarea").count() == 0
        look(page, "documents-issued-leader")
        page.goto(f"{base}/")
        page.click("a:has-text('类问题情况的专报')")
        page.wait_for_selector("#doc-title")
        shown = page.locator(".document-text").inner_text()
        assert "请镇党委研究派出所超期问题。" in shown
        assert "报送：镇党委、政府主要领导" in shown
        look(page, "documents-special-leader")
    finally:
        context.close()
