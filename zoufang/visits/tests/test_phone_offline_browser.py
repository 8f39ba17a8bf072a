"""我的走访 opened without a network (390 px, touch, real Chromium, the service worker allowed): the copy the phone
kept says it is one, of when (the server's render, on the product's clock), and that records wait to be sent;
back online it says the figures are still that copy's and offers a reload."""

import datetime as dt
import re
from typing import Any

import pytest

from zoufang.core.testwidths import look
from zoufang.visits.models import Visit
from zoufang.visits.tests.test_phone_day_browser import _fill_household, _open_form, on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def test_the_copy_kept_for_offline_use_says_when_it_was_rendered_and_that_sending_waits(
        browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url, service_workers="allow") as (context, page):
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now through the service worker, which keeps a copy for offline use
        page.wait_for_function("() => !!navigator.serviceWorker.controller")
        note = page.locator("#offline-copy")
        assert note.is_hidden()  # from the network: nothing to say
        look(page, "phone-online", full_page=False)

        context.set_offline(True)
        page.goto(f"{live_server.url}/me/")  # the phone's copy
        page.wait_for_function("() => !navigator.onLine")
        assert note.is_visible()
        said = note.inner_text()
        assert re.search(r"离线：以下为2017年6月15日 \d{2}:\d{2}的数据", said), said  # the pinned day, not the machine's
        assert "联网后自动发送" in said
        look(page, "phone-offline-copy", full_page=False)

        _open_form(page, household)
        _fill_household(page)
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        assert note.is_visible()
        assert "联网后自动发送" not in page.inner_text("#outbox")  # said once, in the note above it
        look(page, "phone-offline-copy-unsent", full_page=False)

        context.set_offline(False)
        page.wait_for_selector(f"#sent:has-text('{household.name}')", timeout=20000)
        assert Visit.objects.filter(target=household).count() == 1
        said = note.inner_text()
        assert "离线" not in said
        assert re.search(r"网络已恢复：以下仍为2017年6月15日 \d{2}:\d{2}的数据", said), said
        look(page, "phone-offline-copy-back-online", full_page=False)
        with page.expect_navigation():
            note.locator("a", has_text="刷新").click()
        assert note.is_hidden()


def test_a_copy_opened_the_next_morning_offers_the_phones_time_not_the_copys(browser, live_server, visiting):
    """A cadre loads 我的走访 in the evening and opens the kept copy, without a network, in a village the next
    morning: the visit's time is the phone's clock now, on the product's calendar (the server's pinned day
    included), not the moment the copy was rendered, and a time after that moment is not refused as later than now."""
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url, service_workers="allow") as (context, page):
        context.clock.install()  # the phone's own clock, which the test moves on
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # through the service worker, which keeps the copy
        page.wait_for_function("() => !!navigator.serviceWorker.controller")
        rendered = dt.datetime.fromisoformat(page.evaluate(
            "() => JSON.parse(document.getElementById('visit-data').textContent).now"))

        context.set_offline(True)
        context.clock.fast_forward("14:00:00")  # the night passes
        page.goto(f"{live_server.url}/me/")
        page.wait_for_function("() => !navigator.onLine")
        assert page.locator("#offline-copy").is_visible()
        _open_form(page, household)
        offered = dt.datetime.fromisoformat(page.input_value("#v-when"))
        expected = rendered.replace(tzinfo=None) + dt.timedelta(hours=14)
        assert abs(offered - expected) < dt.timedelta(minutes=5), (offered, expected)
        _fill_household(page)
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")  # kept to send, not refused as later than now
