"""The office clerk's admin change lists on a phone (web/admin.css, web/admin.js): each cell on one line, the list
scrolling sideways inside its own box, the filters before the list and folded to their titles, in Chinese."""

import pytest

from zoufang.core.testwidths import PHONE, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_fits_a_change_list_and_its_filters_on_a_phone(browser, live_server, office_admin, settings):
    context = browser.new_context(viewport=PHONE)
    session = office_admin.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        page.click("nav.nav a:has-text('管理后台')")  # the menu leads there on a phone too
        page.wait_for_url(f"{live_server.url}/admin/")
        page.goto(f"{live_server.url}/admin/registry/cadre/")
        filters, results = page.locator("#changelist-filter"), page.locator("#changelist-form .results")
        assert filters.bounding_box()["y"] < results.bounding_box()["y"]  # not after the last of 100 rows
        titles = page.locator("#changelist-filter details > summary").all_inner_texts()
        assert "按角色" in [title.strip() for title in titles]
        assert page.locator("#changelist-filter details[open]").count() == 0
        # 村（社区）干部 and every other cell on one line: the rows are as high as one line of text.
        line = page.locator("#result_list tbody tr").first.bounding_box()["height"]
        assert line < 50
        assert all(row.bounding_box()["height"] == line for row in page.locator("#result_list tbody tr").all())
        assert page.evaluate("(box => box.scrollWidth > box.clientWidth)(document.querySelector('.results'))")
        look(page, "admin-cadres")
        page.click("#changelist-filter summary:has-text('按角色')")
        page.click("#changelist-filter a:has-text('村（社区）干部')")
        page.wait_for_url("**/admin/registry/cadre/?role__exact=*")
        assert page.locator("#changelist-filter details[open]").count() == 1  # the filter in use stays open
        look(page, "admin-cadres-filtered")
    finally:
        context.close()
