"""The office in real Chromium: from 走访对象 to the request page, finds what it holds on 张建国, is refused the
erasure while his case is open, erases once it is closed. Every page at 390 and 1280 px (core.testwidths.look)."""

from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.conftest import browser_login
from zoufang.core.testwidths import look
from zoufang.privacy.tests.conftest import ID, SUMMARY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_finds_copies_and_erases(browser: Any, live_server: Any, resident: Any, settings: Any) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.click("nav >> text=走访对象")
        page.click("text=个人信息查阅与删除")
        look(page, "privacy-ask")
        page.fill("input[name=number]", ID)
        with page.expect_navigation():
            page.click("form[action='/privacy/'] button[type=submit]")
        assert SUMMARY in page.content()
        look(page, "privacy-found")
        page.check("input[name=reason][value=withdrawn]")
        page.check("input[name=confirm]")
        with page.expect_navigation():
            page.click("#erase button[type=submit]")
        assert "尚未结案" in page.content()
        look(page, "privacy-refused")
        Case.objects.update(status=Case.Status.CLOSED)
        settings.ZOUFANG_TODAY = "2018-03-01"
        page.check("input[name=reason][value=withdrawn]")
        page.check("input[name=confirm]")
        with page.expect_navigation():
            page.click("#erase button[type=submit]")
        assert "已删除持有身份证号码" in page.content()
        look(page, "privacy-erased")
    finally:
        page.context.close()


def test_the_register_re_imported_leaves_the_erased_resident_out_until_the_office_lifts_it(
        browser: Any, live_server: Any, resident: Any, settings: Any, tmp_path: Any) -> None:
    from zoufang.privacy.tests.test_suppression import _erased, _register
    from zoufang.registry.models import Target
    from zoufang.registry.tests.test_import_support import xlsx_file

    _erased(resident, settings)
    register = tmp_path / "原始花名册.xlsx"
    register.write_bytes(xlsx_file(_register()).read())
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/imports/")
        page.select_option("select[name=kind]", "households")
        page.set_input_files("input[name=file]", str(register))
        page.uncheck("input[name=dry_run]")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("ul.report-notes")
        notes = page.locator("ul.report-notes").inner_text()
        assert "第2行【身份证号码】：该身份证号码对应的个人信息已于2018年3月1日按本人要求删除（撤回同意），不再导入" in notes
        assert Target.objects.filter(name="李春花").exists()
        look(page, "privacy-import-left-out")
        page.goto(f"{live_server.url}/privacy/")
        page.fill("input[name=number]", ID)
        page.click("form[action='/privacy/'] button[type=submit]")
        page.wait_for_selector("#lift")
        look(page, "privacy-held")
        page.fill("#lift input[name=note]", "本人书面同意重新登记")
        page.check("#lift input[name=confirm]")
        page.click("#lift button[type=submit]")
        page.wait_for_selector("text=已解除")
        look(page, "privacy-lifted")
    finally:
        page.context.close()


def test_the_office_corrects_an_address_and_is_told_of_an_edit_made_meanwhile(
        browser: Any, live_server: Any, resident: Any) -> None:
    from django.db.models import F

    from zoufang.registry.models import Target

    form = f"form:has(input[name=target][value='{resident.zhang.public_id}'])"
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/privacy/")
        page.fill("input[name=number]", ID)
        page.click("form[action='/privacy/'] button[type=submit]")
        page.wait_for_selector("#correct")
        page.fill(f"{form} input[name=address]", "上下塘社区3号")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("text=已更正")
        look(page, "privacy-corrected")
        Target.objects.filter(pk=resident.zhang.pk).update(address="上下塘社区9号", version=F("version") + 1)
        page.fill(f"{form} input[name=phone]", "13912340002")
        page.click(f"{form} button[type=submit]")
        page.wait_for_selector("text=您的更正未保存")
        look(page, "privacy-correct-stale")
        assert Target.objects.get(pk=resident.zhang.pk).phone != "13912340002"
    finally:
        page.context.close()
