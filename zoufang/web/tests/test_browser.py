"""The office clerk logs in on a phone and on a desktop, in real Chromium, and reads the counts."""

from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts import twofactor
from zoufang.conftest import PASSWORD, SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _row(page: Any, name: str) -> list[str]:
    cells = page.locator("table.counts tr", has=page.locator("th", has_text=name)).first.locator("td")
    return [text.strip() for text in cells.all_inner_texts()]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_it_shows_the_office_the_counts_after_logging_in(browser, live_server, town, settings, width, height):
    settings.ZOUFANG_TODAY = "2017-06-15"
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        assert "/login/" in page.url
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", PASSWORD)
        page.screenshot(path=str(SHOTS / f"login-{width}.png"), full_page=True)
        page.click("button[type=submit]")
        # The office sees residents' full numbers: its first login enrols an authenticator.
        page.wait_for_url(f"{live_server.url}/account/2fa/**")
        assert page.locator("h1").inner_text() == "启用双因素认证"
        assert page.locator(".qr svg").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"enrol-{width}.png"), full_page=True)
        device = TOTPDevice.objects.get(user__username="office", confirmed=False)
        page.fill("input[name=code]", twofactor.current_code(device))
        page.click("form button[type=submit]")
        assert page.locator("h1").inner_text() == "双因素认证已启用"
        assert page.locator(".recovery-codes li").count() == 10
        page.screenshot(path=str(SHOTS / f"recovery-{width}.png"), full_page=True)
        page.click("text=我已保存，继续")
        page.wait_for_url(f"{live_server.url}/")
        assert page.locator("h1").inner_text() == "锦溪镇测试走访"
        # Columns: 户籍户, 非户籍常住户, 企业, 小计
        assert _row(page, "上下塘社区") == ["3", "0", "0", "3"]
        assert _row(page, "计家墩村") == ["2", "0", "1", "3"]
        assert _row(page, "合计") == ["5", "0", "1", "6"]
        # Nothing on the page is wider than the phone: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"home-{width}.png"), full_page=True)
    finally:
        context.close()
