"""A page printed from the browser is the page's own content: the office prints one-time passwords, lists and walk
cards from the page, and paper has no use for the site's header, menu, footer or buttons."""

import pytest

from zoufang.accounts import cadre_accounts
from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP
from zoufang.registry.tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_printed_one_time_passwords_leave_the_frame_and_the_buttons_off(browser, live_server, town, monkeypatch):
    monkeypatch.setattr(cadre_accounts, "OPEN_BATCH", 2)
    for n in range(3):
        CadreFactory(name=f"派出所党员{n}", unit=town.police, sort_order=n)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/cadre-accounts/")
        page.locator("form:has(input[name=all]) button").click()
        page.wait_for_selector("text=干部账号的初始密码")
        assert page.locator("#next-batch").is_visible()
        page.emulate_media(media="print")
        for frame in (".topbar", ".nav", ".footer", "#next-batch", "[data-print]"):
            assert not page.locator(frame).first.is_visible(), frame
        assert page.locator("h1").is_visible()
        assert page.locator("table tbody tr").count() == 2
        assert page.locator("table").is_visible()
    finally:
        context.close()
