"""交办 on a phone in real Chromium: the 协办单位 found by name, ticked with a thumb, the 承办单位 out of reach."""

import pytest

from zoufang.cases import actions
from zoufang.cases.models import Case
from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look, tap_far_end

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_office_on_a_phone_dispatches_with_a_co_handler_found_by_name(browser, live_server, cases_town, make_case):
    town = cases_town
    case = actions.register_case(make_case(), by=town.users["office"], version=1, category=town.category)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "office")
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    form = page.locator("#act-dispatch")
    form.locator("select[name=dispatch-unit]").select_option(str(town.police.pk))
    main = form.locator(f"input[name=dispatch-co_handlers][value='{town.police.pk}']")
    assert main.is_disabled()  # the 承办单位 cannot also be its own 协办单位

    form.get_by_label("按名称查找协办单位").fill("水务")
    assert form.locator(".unit-group", has_text="村（居）委会").is_hidden()
    row = form.locator("label.option", has_text="水务站")
    box = row.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 0.4 * form.bounding_box()["width"]
    tap_far_end(form, "dispatch-co_handlers", str(town.waterworks.pk))
    form.get_by_label("按名称查找协办单位").fill("")
    assert "已选 水务站" in form.locator(".unit-group", has_text="镇部门").locator("summary").inner_text()
    look(page, "case-dispatch-co-handlers")

    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".notice-good").count() == 1, page.locator("main").inner_text()
    assert "协办：水务站" in page.locator("main").inner_text()
    context.close()
    case.refresh_from_db()
    assert (case.status, case.unit, list(case.co_handlers.all())) == (
        Case.Status.DISPATCHED, town.police, [town.waterworks])
