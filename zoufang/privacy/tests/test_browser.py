"""The office in real Chromium: from 走访对象 to the request page, finds what it holds on 张建国, is refused the
erasure while his case is open, erases once it is closed. Every page at 390 and 1280 px (core.testwidths.look)."""

from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.conftest import browser_login
from zoufang.core.testwidths import look
from zoufang.privacy.tests.conftest import ID, SUMMARY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_finds_copies_and_erases(browser: Any, live_server: Any, resident: Any, settings: Any) -> None:  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.click("nav >> text=走访对象")
        page.click("text=个人信息查阅与删除")
        look(page, "privacy-ask")
        page.fill("input[name=number]", ID)
        page.click("form[action='/privacy/'] button[type=submit]")
        page.wait_for_load_state()
        assert SUMMARY in page.content()
        look(page, "privacy-found")
        page.check("input[name=reason][value=withdrawn]")
        page.check("input[name=confirm]")
        page.click("#erase button[type=submit]")
        page.wait_for_load_state()
        assert "尚未结案" in page.content()
        look(page, "privacy-refused")
        Case.objects.update(status=Case.Status.CLOSED)
        settings.ZOUFANG_TODAY = "2018-03-01"
        page.check("input[name=reason][value=withdrawn]")
        page.check("input[name=confirm]")
        page.click("#erase button[type=submit]")
        page.wait_for_load_state()
        assert "已删除持有身份证号码" in page.content()
        look(page, "privacy-erased")
    finally:
        page.context.close()
