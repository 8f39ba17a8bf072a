"""The office clerk logs in, in real Chromium, and reads the counts; imports an update; the menu fits a phone.

The office's flows run once, at its desk (1280 px), and each page is looked at on a phone too."""

import datetime as dt
import io
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts import twofactor
from zoufang.conftest import PASSWORD, browser_login
from zoufang.core.testwidths import DESKTOP, look, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _row(page: Any, name: str) -> list[str]:
    cells = page.locator("table.counts tr", has=page.locator("th", has_text=name)).first.locator("td")
    return [text.strip() for text in cells.all_inner_texts()]


def test_it_shows_the_office_the_counts_after_logging_in(browser, live_server, town, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        assert "/login/" in page.url
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", PASSWORD)
        look(page, "login")
        page.click("button[type=submit]")
        # The office sees residents' full numbers: its first login enrols an authenticator.
        page.wait_for_url(f"{live_server.url}/account/2fa/**")
        assert page.locator("h1").inner_text() == "启用双因素认证"
        assert page.locator(".qr svg").count() == 1
        look(page, "enrol")
        device = TOTPDevice.objects.get(user__username="office", confirmed=False)
        page.fill("input[name=code]", twofactor.current_code(device))
        with page.expect_navigation():
            page.click("form button[type=submit]")
        assert page.locator("h1").inner_text() == "双因素认证已启用"
        assert page.locator(".recovery-codes li").count() == 10
        look(page, "recovery")
        page.click("text=我已保存，继续")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("h1").inner_text() == "锦溪镇测试走访"
        # Columns: 户籍户, 非户籍常住户, 企业, 小计
        assert _row(page, "上下塘社区") == ["3", "0", "0", "3"]
        assert _row(page, "计家墩村") == ["2", "0", "1", "3"]
        assert _row(page, "合计") == ["5", "0", "1", "6"]
        # Nothing on the page is wider than the phone: wide tables scroll inside their own box.
        look(page, "home")
    finally:
        context.close()


def test_it_lists_an_update_imports_changes_before_writing(browser, live_server, town, tmp_path, settings):
    from django.test import Client

    from zoufang.registry.imports import run_import
    from zoufang.registry.models import Target
    from zoufang.registry.tests.factories import id_number

    header = "户别,村（社区）,户主姓名,身份证号码,地址\n"
    number = id_number(950, born=dt.date(1966, 6, 6))  # a birthday the factory's sequence never gives
    first = (header + f"户籍户,上下塘社区,张三,{number},上下塘街12号\n").encode()
    assert run_import("households", io.BytesIO(first), filename="h.csv", campaign=town.campaign).ok
    # A long file name without spaces, as offices name them: the confirm button that names it wraps on a phone.
    renamed = tmp_path / "jinxi-households-update-2017-06-checked.csv"
    renamed.write_text(header + f"户籍户,计家墩村,张四,{number},计家墩路3号\n", encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP)
    client = Client()
    client.force_login(town.users["office"])  # the login page has its own test above
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/imports/")
        page.select_option("select[name=kind]", "households")
        page.set_input_files("input[name=file]", str(renamed))
        page.uncheck("input[name=dry_run]")
        page.check("input[name=update]")
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("ol.report-changes li")
        assert "户主姓名“张三”→“张四”" in page.locator("ol.report-changes").inner_text()
        assert Target.objects.get(id_number=number).name == "张三"
        look(page, "import-update")
        page.click("text=确认以上变更，正式导入")
        page.wait_for_selector("text=已记入审计")
        assert Target.objects.get(id_number=number).name == "张四"
    finally:
        context.close()


def test_a_file_of_many_rows_is_checked_in_the_background_and_confirmed_on_the_job_s_page(
        browser, live_server, town, tmp_path, settings, monkeypatch):
    """Above QUEUE_ROWS (one here) 仅检查 is a job: its page shows the report with 正式导入, which queues the import."""
    from django.test import Client

    from zoufang.registry.models import Target
    from zoufang.registry.tests.factories import id_number
    from zoufang.web import import_views

    monkeypatch.setattr(import_views, "QUEUE_ROWS", 1)
    header = "户别,村（社区）,户主姓名,身份证号码,地址\n"
    born = dt.date(1966, 7, 7)
    good = tmp_path / "户籍户.csv"
    good.write_text(header + "".join(f"户籍户,上下塘社区,王{n}号,{id_number(960 + n, born=born)},上下塘街{n}号\n"
                                     for n in range(3)), encoding="utf-8")
    bad = tmp_path / "有错.csv"
    bad.write_text(header + "户籍户,不存在村,赵六,,某路1号\n户籍户,上下塘社区,,,上下塘街9号\n", encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP)
    client = Client()
    client.force_login(town.users["office"])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        for upload, name in ((bad, "bad"), (good, "good")):
            page.goto(f"{live_server.url}/imports/")
            page.select_option("select[name=kind]", "households")
            page.set_input_files("input[name=file]", str(upload))
            page.click("form[enctype] button[type=submit]")
            page.wait_for_url(f"{live_server.url}/downloads/*/")
            page.wait_for_selector("#report")
            look(page, f"import-check-job-{name}")
            if upload is bad:  # every bad row said in Chinese, nothing offered to import
                assert "第2行【村（社区）】" in page.locator("ol.report-errors").inner_text()
                assert page.locator("text=正式导入").count() == 0
        page.click("text=正式导入“户籍户.csv”")
        page.wait_for_selector("text=导入成功，数据已写入。")
        assert Target.objects.filter(name__startswith="王", name__endswith="号").count() == 3
        look(page, "import-job-done")
    finally:
        context.close()


@pytest.mark.parametrize("username", ["office", "leader", "dept", "village"])
def test_the_menu_fits_a_phone_and_every_page_has_its_icon(browser, live_server, town, settings, username):
    """At 390 px every menu item, 退出 included, is inside the screen without scrolling sideways (neither the
    page nor the menu itself), and nothing the page loads — /favicon.ico included — is missing."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    try:
        browser_login(page, live_server.url, username)
        # The main pages of the role's menu (a plain cadre's cases are on 我的走访, not 问题办理).
        for path in ["/", "/targets/", "/regions/", "/me/" if username == "dept" else "/cases/"]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
            # no menu (the main one, the 问题办理 tabs …) hides items in a sideways scroll of its own
            hiding = "ns => ns.filter(n => n.scrollWidth > n.clientWidth + 1).map(n => n.className)"
            assert page.eval_on_selector_all("nav, nav > div", hiding) == [], path
            items = page.locator("nav.nav .nav-inner > a:visible, nav.nav .nav-inner button")
            assert items.count() >= 4
            for box in (items.nth(i).bounding_box() for i in range(items.count())):
                assert box is not None
                assert box["x"] >= 0
                assert box["x"] + box["width"] <= 390
            logout = page.get_by_role("button", name="退出")
            assert logout.is_visible()
            assert logout.bounding_box()["y"] + logout.bounding_box()["height"] <= 844
        shoot(page, f"menu-{username}-390", full_page=False)
        icon = page.request.get(f"{live_server.url}/favicon.ico")
        assert icon.status == 200
        assert icon.headers["content-type"] == "image/x-icon"
        assert icon.body()[:4] == b"\x00\x00\x01\x00"  # an ICO file
        assert page.locator("link[rel=icon]").count() >= 1
        assert missing == []
        page.get_by_role("button", name="退出").click()
        page.wait_for_url("**/login/**")
    finally:
        context.close()


def test_the_region_tree_opens_by_its_toggle_and_goes_to_targets_by_a_name(browser, live_server, town, settings):
    """The toggle of a branch holds only its label (nothing focusable inside a <summary>: WCAG 4.1.2); the
    region's name beside it is the link. A keyboard reaches both: the name by Tab, the toggle by Tab and Enter."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/regions/")
        branch = page.locator(f"#r-{town.jijiadun.public_id}")
        child = branch.get_by_role("link", name="第1村民小组")
        assert branch.locator(":scope > details").get_attribute("open") is None
        assert not child.is_visible()
        toggle = branch.locator(":scope > details > summary")
        assert toggle.inner_text() == "计家墩村的下级区划"  # its accessible name, read out though not drawn
        toggle.focus()
        page.keyboard.press("Enter")
        child.wait_for(state="visible")
        look(page, "regions-opened")
        branch.get_by_role("link", name="计家墩村", exact=True).click()
        page.wait_for_url(f"**/targets/?region={town.jijiadun.public_id}")
    finally:
        context.close()


def test_the_target_search_placeholder_fits_a_phone(browser, live_server, town, settings):
    """At 390 px (and a 360 px phone) the 走访对象 search box shows its whole placeholder, not a cut-off one."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    for width in (390, 360):
        context = browser.new_context(viewport={"width": width, "height": 844})
        page = context.new_page()
        try:
            browser_login(page, live_server.url, "office")
            page.goto(f"{live_server.url}/targets/")
            box = page.locator("input[name=q]")
            text, inner = box.evaluate(
                "el => { const s = getComputedStyle(el); const c = document.createElement('canvas').getContext('2d');"
                " c.font = s.font; return [c.measureText(el.placeholder).width,"
                " el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)]; }")
            assert text <= inner, (width, text, inner)
            assert page.get_by_text("身份证号、电话须输入完整号码").is_visible()
            shoot(page, f"targets-search-{width}", full_page=False)
        finally:
            context.close()
