"""In real Chromium: a department cadre puts a visit forward as a 典型, the 宣传报道组 edits and publishes it, and a
leader reads it on the list, masked.

The flow runs once: the cadre and the leader on a phone (390 px), the 宣传报道组 at its desk (1280 px); each page
is looked at in both widths."""

from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, PHONE, look, rows_to_tap, tap_far_end
from zoufang.exemplars.models import Exemplar
from zoufang.exemplars.tests.conftest import ADDRESS, RESIDENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cadre_nominates_and_the_publicity_group_edits_and_publishes(
        browser: Any, live_server: Any, typical: Any) -> None:
    slug = typical.campaign.slug
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "dept")
        page.goto(f"{live_server.url}/visits/{typical.visit.public_id}/")
        with page.expect_navigation():
            page.click("text=推荐为典型")
        look(page, "exemplars-nominate")
        form = page.locator("#nominate form")
        rows_to_tap(form)
        tap_far_end(form, "kind", "practice")
        page.fill("input[name=title]", f"{RESIDENT}家的就医难题当周解决")
        page.fill("textarea[name=text]", f"走访{RESIDENT}家（{ADDRESS}），记下老人就医难，当周联系社区医生上门。")
        with page.expect_navigation():
            page.click("#nominate button[type=submit]")
        assert "已推荐" in page.content()
        look(page, "exemplars-nominated")
        context.clear_cookies()

        page.set_viewport_size(DESKTOP)
        browser_login(page, live_server.url, "xuanchuan")
        with page.expect_navigation():
            page.click("nav.nav >> text=典型")
        with page.expect_navigation():
            page.click("text=待审核")
        look(page, "exemplars-queue")
        with page.expect_navigation():
            page.click(f"text={RESIDENT}家的就医难题当周解决")
        assert "走访周*家（（地址已隐去））" in page.content()  # the preview of what will be published
        page.click("#edit summary")
        page.fill("#edit input[name=title]", f"{RESIDENT}家：医生上门")
        with page.expect_navigation():
            page.click("#edit button[type=submit]")
        assert "已保存修改" in page.content()
        assert "第 2 版" in page.content()
        look(page, "exemplars-review")
        with page.expect_navigation():
            page.click("form[action$='/publish/'] button")
        assert "已发布" in page.content()
        look(page, "exemplars-published")
        exemplar = Exemplar.objects.get()
        assert (exemplar.status, exemplar.version) == (Exemplar.Status.PUBLISHED, 3)
        context.clear_cookies()

        page.set_viewport_size(PHONE)
        browser_login(page, live_server.url, "leader")
        page.goto(f"{live_server.url}/exemplars/{slug}/")
        listed = page.locator("article.exemplar").inner_text()
        assert "周*家：医生上门" in listed
        assert RESIDENT not in listed
        look(page, "exemplars-list")
        with page.expect_download() as download:
            page.click("text=下载xlsx")
        assert download.value.suggested_filename.endswith(".xlsx")
    finally:
        context.close()
