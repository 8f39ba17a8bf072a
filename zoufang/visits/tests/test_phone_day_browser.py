"""A cadre's day on a phone (390 px, touch, real Chromium): told in Chinese what became of each record, the typed
form kept through the back button and a lost login, a double tap storing one visit, no typed numbers left behind."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import shoot
from zoufang.visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_NUMBER = "13912345678"  # typed into 走访情况 by the cadre: never left in the phone's storage after sending


@contextmanager
def on_phone(browser: Any, url: str, **options: Any) -> Iterator[tuple[Any, Any]]:
    """The 派出所 cadre logged in on a touch phone, at 我的走访 (no service worker unless `options` allow one); no
    script error to the end."""
    context = browser.new_context(**{"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
                                     "service_workers": "block", **options})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        browser_login(page, url, "dept")
        page.goto(f"{url}/me/")
        yield context, page
        assert not errors
    finally:
        context.close()


@contextmanager
def _typing(browser: Any, url: str, target: Any) -> Iterator[tuple[Any, Any]]:
    """The 派出所 cadre on a touch phone with the visit form of `target` filled in; no script error to the end."""
    with on_phone(browser, url) as (context, page):
        _open_form(page, target)
        _fill_household(page)
        yield context, page


def _open_form(page: Any, target: Any) -> None:
    card = page.locator(f'[data-target="{target.public_id}"]')
    if card.get_attribute("open") is None:
        card.locator("summary").click()
    card.locator("[data-record]").click()
    page.wait_for_selector(".visit-form")


def _fill_household(page: Any) -> None:
    for question, value in [("household_survey.income_change", "up"), ("household_survey.satisfaction", "satisfied"),
                            ("six_ones_form.aspects", "public_opinion"), ("six_ones_form.satisfaction", "fair")]:
        page.locator(f'[data-q="{question}"] input[value="{value}"]').check()
    page.fill('[data-q="six_ones_form.public_opinion"] textarea', "希望增加老年人助餐点")
    page.fill("#v-summary", f"了解家庭生活情况，户主电话{PHONE_NUMBER}")
    page.click("#v-add-opinion")
    page.fill("[data-o=description]", "村口路灯坏了两个月")


def _keep_unsent(page: Any, target: Any) -> None:
    """A visit to `target` recorded on a network that drops every send: it waits in the outbox."""
    page.route("**/me/visits/", lambda route: route.abort())
    _open_form(page, target)
    _fill_household(page)
    page.click("text=保存并发送")
    page.wait_for_selector("#outbox li[data-status=pending]")


def _in_sight(page: Any, selector: str) -> bool:
    """On the phone's screen as it stands, not scrolled away above or below."""
    box = page.locator(selector).bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def _stored(page: Any) -> str:
    return page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")


def test_it_tells_the_cadre_each_record_was_sent_online_and_after_the_network_came_back(
        browser, live_server, visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    first, second = visiting.households["shangxiatang"][:2]
    with _typing(browser, live_server.url, first) as (context, page):
        page.click("text=保存并发送")
        page.wait_for_selector("#sent:has-text('已发送')")
        assert first.name in page.inner_text("#sent")
        assert _in_sight(page, "#sent")
        shoot(page, "phone-day-sent-390", full_page=False)

        context.set_offline(True)
        _open_form(page, second)
        _fill_household(page)
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        assert "当前无网络，联网后自动发送" in page.inner_text("#outbox")
        assert _in_sight(page, "#outbox")
        context.set_offline(False)
        page.wait_for_selector(f"#sent:has-text('{second.name}')", timeout=20000)
        shoot(page, "phone-day-sent-after-offline-390", full_page=False)
        assert Visit.objects.filter(target__in=[first, second]).count() == 2
        assert PHONE_NUMBER not in _stored(page)


def test_a_double_tap_on_send_stores_one_visit(browser, live_server, visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][0]
    with _typing(browser, live_server.url, household) as (_context, page):
        page.locator("text=保存并发送").dblclick()
        page.wait_for_selector("#sent:has-text('已发送')")
        page.wait_for_timeout(500)
        assert Visit.objects.filter(target=household).count() == 1


def test_the_typed_form_survives_the_back_button_and_a_lost_login_and_is_sent_once(
        browser, live_server, visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][0]
    with _typing(browser, live_server.url, household) as (context, page):
        shoot(page, "phone-day-form-390")

        # The phone's back button closes the form and stays on 我的走访; the typed form is offered back.
        page.go_back()
        page.wait_for_selector("#visit-form", state="hidden")
        assert page.url.endswith("/me/")
        _open_form(page, household)
        assert page.input_value("#v-summary") == f"了解家庭生活情况，户主电话{PHONE_NUMBER}"
        restored = page.locator('[data-q="six_ones_form.public_opinion"] textarea')
        assert restored.is_visible()  # the question its ticked answer asks is asked again
        assert restored.input_value() == "希望增加老年人助餐点"
        assert page.locator('[data-q="household_survey.income_change"] input[value="up"]').is_checked()
        assert page.input_value("[data-o=description]") == "村口路灯坏了两个月"
        assert "已恢复" in page.inner_text("#visit-form")
        shoot(page, "phone-day-draft-restored-390", full_page=False)

        # A reload keeps it too: the form the address names opens again, filled.
        page.reload()
        page.wait_for_selector(".visit-form")
        assert page.input_value("#v-summary") == f"了解家庭生活情况，户主电话{PHONE_NUMBER}"

        # The session ends (logged out in another tab); sending keeps the record and says how to go on.
        other = context.new_page()
        other.goto(f"{live_server.url}/me/")
        other.locator("nav button", has_text="退出").click()
        other.wait_for_url("**/login/**")
        assert not page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('zoufang.draft.'))")
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=login]")
        login_link = page.locator("#outbox a", has_text="重新登录")
        assert "/login/" in (login_link.get_attribute("href") or "")
        assert _in_sight(page, "#outbox")
        shoot(page, "phone-day-login-expired-390", full_page=False)
        assert not Visit.objects.exists()

        # Logged in again in the other tab: this tab sends without a reload, once.
        browser_login(other, live_server.url, "dept")
        other.close()
        page.bring_to_front()  # back to the form's tab
        page.wait_for_selector(f"#sent:has-text('{household.name}')", timeout=25000)
        assert Visit.objects.filter(target=household).count() == 1
        assert PHONE_NUMBER not in _stored(page)  # neither the draft nor the sent record is left on the phone
        _open_form(page, household)
        assert page.input_value("#v-summary") == ""
