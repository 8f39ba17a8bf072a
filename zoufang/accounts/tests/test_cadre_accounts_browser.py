"""干部账号 in Chromium: the office ticks a whole page from the table's head box, opens those accounts, then re-issues
their one-time passwords with the other button of the same form (the button pressed is sent though the busy form
disables it); the box column stays as narrow as its boxes."""

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import DESKTOP, look
from zoufang.registry.models import Cadre
from zoufang.registry.tests.factories import CadreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tick_the_page(page) -> None:
    page.locator("input[data-pick-all]").check()
    assert page.locator("input[type=checkbox][form=picked]:not(:checked)").count() == 0


def test_the_office_opens_then_reissues_a_ticked_page(browser, live_server, town):
    for n in range(3):
        CadreFactory(name=f"派出所党员{n}", unit=town.police, sort_order=n)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/cadre-accounts/?status=none")
        look(page, "cadre-accounts")
        box = page.locator("td.pick").first.bounding_box()
        assert box["width"] < 48, box  # the column is its box, not a share of the table
        _tick_the_page(page)
        with page.expect_navigation():
            page.get_by_role("button", name="为勾选的干部开通账号").click()
        assert page.locator("table tbody tr").count() == 3
        assert Cadre.objects.filter(unit=town.police, user__isnull=True).count() == 0
        opened = {row: page.locator("table tbody tr").nth(row).locator("td").nth(3).inner_text() for row in range(3)}

        page.goto(f"{live_server.url}/cadre-accounts/?unit={town.police.public_id}")
        _tick_the_page(page)
        with page.expect_navigation():
            page.get_by_role("button", name="为勾选的干部重设初始密码").click()
        page.wait_for_selector("text=干部账号的初始密码")
        look(page, "cadre-accounts-reissued")
        rows = page.locator("table tbody tr")
        assert rows.count() == 3
        assert all(rows.nth(row).locator("td").nth(3).inner_text() != opened[row] for row in range(3))
        assert page.locator("text=继续开通下一批").count() == 0
    finally:
        context.close()
