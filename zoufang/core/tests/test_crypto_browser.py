"""The office finds a household by its whole ID number in real Chromium, on a phone and on a desktop."""

import pytest

from zoufang.conftest import SHOTS, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_it_finds_a_household_by_its_whole_id_number(browser, live_server, town, width, height):
    target = town.households["jijiadun"][1]
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/targets/")
        assert "完整的身份证号" in (page.locator("input[name=q]").get_attribute("placeholder") or "")
        page.fill("input[name=q]", target.id_number)
        page.locator("input[name=q]").press("Enter")
        page.wait_for_load_state()
        body = page.locator("main").inner_text()
        assert target.name in body
        assert all(other.name not in body for other in town.households["shangxiatang"])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"target-number-search-{width}.png"), full_page=True)
    finally:
        context.close()
