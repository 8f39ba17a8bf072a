"""The office finds a household by its whole ID number in real Chromium, at its desk (1280 px); the result page
fits a phone too."""

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_finds_a_household_by_its_whole_id_number(browser, live_server, town):
    target = town.households["jijiadun"][1]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/targets/")
        box = page.locator("input[name=q]")  # the rule for numbers is the box's description, shown under it
        described = box.get_attribute("aria-describedby") or ""
        assert described
        assert "须输入完整号码" in page.locator(f"#{described.split()[0]}").inner_text()
        page.fill("input[name=q]", target.id_number)
        with page.expect_navigation():
            page.locator("input[name=q]").press("Enter")
        body = page.locator("main").inner_text()
        assert target.name in body
        assert all(other.name not in body for other in town.households["shangxiatang"])
        look(page, "target-number-search")
    finally:
        context.close()
