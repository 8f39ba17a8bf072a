"""我的走访 on a cadre's phone, second pass (390 px, touch, real Chromium): nothing of a resident left on the phone
after 退出, a household waiting to be sent not recorded twice, the list brought up to date by the server's answer,
a refused form taking the cadre to its first bad field, the search among hundreds of targets, and the photo page
pointed to after a send."""

import time
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from zoufang.conftest import browser_login
from zoufang.core.testwidths import look, shoot
from zoufang.planning.models import Assignment
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit
from zoufang.visits.tests.test_phone_day_browser import _fill_household, _in_sight, _open_form, on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CACHED = "() => caches.keys().then(names => Promise.all(names.map(n => caches.open(n).then(c => c.keys()))))" \
         ".then(lists => [].concat(...lists).map(r => r.url))"


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def _offline(page: Any, url: str) -> str:
    """What the phone shows of `url` without a network: nothing at all when it kept no copy."""
    try:
        page.goto(url)
    except PlaywrightError:
        return ""
    return page.content()


def test_it_leaves_no_residents_list_on_the_phone_after_logout(browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url, service_workers="allow") as (context, page):
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now through the service worker, which keeps a copy for offline use
        page.wait_for_function("() => caches.keys().then(k => k.length > 0)")
        assert any(url.endswith("/me/") for url in page.evaluate(CACHED))
        context.set_offline(True)
        page.goto(f"{live_server.url}/me/")
        assert household.name in page.inner_text("#mylist")  # offline, the cadre still has the list
        context.set_offline(False)

        page.goto(f"{live_server.url}/me/")
        page.locator("nav button", has_text="退出").click()
        page.wait_for_url("**/login/**")
        assert not [url for url in page.evaluate(CACHED) if "/me/" in url]

        # Another cadre picks up the phone and logs in; offline, the first one's list is nowhere.
        browser_login(page, live_server.url, "village")
        context.set_offline(True)
        assert household.name not in _offline(page, f"{live_server.url}/me/")


def test_a_household_waiting_to_be_sent_is_edited_not_recorded_twice(browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url) as (context, page):
        context.set_offline(True)
        _open_form(page, household)
        _fill_household(page)
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        card = page.locator(f'[data-target="{household.public_id}"]')
        assert card.locator(".state").inner_text() == "待发送"

        # Opened again: the form says a record is waiting and offers to change it rather than record another.
        card.locator("[data-record]").click()
        waiting = page.locator("#visit-form .waiting-note")
        assert "待发送" in waiting.inner_text()
        look(page, "phone-second-waiting", full_page=False)
        waiting.locator("button", has_text="修改这条记录").click()
        assert page.input_value("#v-summary").startswith("了解家庭生活情况")
        page.fill("#v-summary", "改过的走访情况")
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        assert page.locator("#outbox li").count() == 1

        context.set_offline(False)
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        page.wait_for_selector(f"#sent:has-text('{household.name}')", timeout=20000)
        visits = list(Visit.objects.filter(target=household))
        assert [v.summary for v in visits] == ["改过的走访情况"]


def test_a_send_shows_progress_then_updates_the_counts_and_points_to_the_photos(browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url) as (context, page):
        assert page.inner_text(".figures .figure:first-child .value") == "0/3"
        assert household.name in page.inner_text("section.due")
        lists: list[str] = []
        page.on("request", lambda request: lists.append(request.url) if request.url.endswith("/me/") else None)

        _open_form(page, household)
        _fill_household(page)
        network = context.new_cdp_session(page)  # a weak network: the answer takes a while
        network.send("Network.emulateNetworkConditions",
                     {"offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1})
        button = page.locator("#visit-form button[type=submit]")
        button.click()
        page.wait_for_timeout(300)
        assert button.is_disabled()
        assert "正在发送" in button.inner_text()
        shoot(page, "phone-second-sending-390", full_page=False)

        page.wait_for_selector(f"#sent:has-text('{household.name}')", timeout=20000)
        visit = Visit.objects.get(target=household)
        assert page.inner_text(".figures .figure:first-child .value") == "1/3"
        assert page.inner_text(".figures .figure:nth-child(2) .value") == "1/2"  # 户籍户
        assert household.name not in page.inner_text("section.due")
        photos = page.locator("#sent a", has_text="添加照片")
        assert photos.get_attribute("href") == f"/visits/{visit.public_id}/"
        assert _in_sight(page, "#sent")
        look(page, "phone-second-sent", full_page=False)
        assert not lists  # brought up to date from the answer, not by loading the list again
        photos.click()
        page.wait_for_selector("input[type=file][name=photo]", state="attached")


def test_a_missing_answer_takes_the_cadre_to_the_field_named(browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url) as (context, page):
        _open_form(page, household)
        _fill_household(page)
        page.evaluate("""() => document.querySelectorAll('[data-q="household_survey.satisfaction"] input')
                                .forEach(i => { i.checked = false; })""")
        page.click("text=保存并发送")
        field = '[data-q="household_survey.satisfaction"]'
        page.wait_for_function(f"() => document.querySelector('{field}').contains(document.activeElement)")
        assert _in_sight(page, field)
        problem = page.inner_text("#visit-form .notice-bad")
        assert "对党委政府富民惠民工作的总体评价" in problem
        look(page, "phone-second-missing", full_page=False)
        assert not Visit.objects.exists()


def test_the_search_over_three_hundred_targets_is_a_search_key_and_quick(browser, live_server, visiting):
    cadre = visiting.users["dept"].cadre
    groups = [visiting.households["shangxiatang"][0].region, visiting.households["jijiadun"][0].region]
    targets = [TargetFactory(region=groups[n % 2], name=f"住户{n:03d}", address=f"测试路{n}号") for n in range(300)]
    Assignment.objects.bulk_create([Assignment(campaign=visiting.campaign, target=t, unit=visiting.police, cadre=cadre)
                                    for t in targets])
    with on_phone(browser, live_server.url) as (context, page):
        search = page.locator("#my-search")
        assert search.get_attribute("enterkeyhint") == "search"
        started = time.monotonic()
        search.fill("住户12")  # narrowed as it is typed, among the village shown
        page.wait_for_function("() => document.querySelectorAll('[data-target]:not([hidden])').length === 5")
        assert time.monotonic() - started < 1
        started = time.monotonic()
        search.press("Enter")  # the phone's 搜索 key: every village's targets
        page.wait_for_url("**/me/?q=*")
        assert time.monotonic() - started < 5
        names = page.locator("[data-target] .name").all_inner_texts()
        assert sorted(names) == [f"住户12{n}" for n in range(10)]
        shoot(page, "phone-second-search-390", full_page=False)
