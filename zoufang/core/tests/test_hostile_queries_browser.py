"""A bad query parameter in real Chromium (decision 0035): the page shows its default with a notice naming the
parameter, at a phone's and a desktop's width."""

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD, browser_login
from zoufang.core.testwidths import look

# In both halves of make test, where the other browser tests run in SQLite's only (decision 0053).
pytestmark = [pytest.mark.browser, pytest.mark.every_database, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_default_with_a_notice_for_a_bad_year_month_or_unit(browser, live_server, town, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    ensure_user("city", PASSWORD, full_name="昆山市六个一办公室", role=RoleGrant.Role.CITY_OFFICE,
                region=town.town.parent)
    pages = [
        ("city", f"/oversight/city/{town.town.parent.public_id}/?year=99999&sort=worst", "hostile-city",
         ["参数“year”有误", "参数“sort”有误"]),
        ("office", "/cases/agenda/?month=2017-13", "hostile-agenda", ["参数“month”有误"]),
        ("office", f"/oversight/{town.campaign.slug}/rows/?unit=not-a-unit&what=visits", "hostile-rows",
         ["参数“unit”有误：所指的单位不存在或不在您的可见范围内"]),
    ]
    for username, path, name, notices in pages:
        context = browser.new_context(viewport={"width": 390, "height": 844})
        page = context.new_page()
        browser_login(page, live_server.url, username)
        response = page.goto(live_server.url + path)
        assert response.status == 200
        shown = page.locator(".notice-warn").all_inner_texts()
        for notice in notices:
            assert any(notice in text for text in shown), (name, shown)
        look(page, name)
        context.close()
