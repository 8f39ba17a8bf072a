"""我的走访 after a send, on a cadre's phone (390 px, touch, real Chromium): the 进度 panel, the figures and the
village tabs say what the page would say reloaded, without reloading it; 退出 with records still on the phone
warns that they stay there unsent, and can be called off."""

import datetime as dt
from typing import Any

import pytest

from zoufang.conftest import browser_login
from zoufang.core.testwidths import look
from zoufang.planning.models import Assignment
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import TargetFactory
from zoufang.visits.models import Visit
from zoufang.visits.mylist import assigned_targets
from zoufang.visits.page import LARGE_LIST
from zoufang.visits.tests.test_phone_day_browser import _fill_household, _keep_unsent, _open_form, on_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUMMARY = "() => [...document.querySelectorAll('[data-part]')].map(part => part.innerText).join('\\n')"


@pytest.fixture(autouse=True)
def _pinned_today(settings: Any) -> None:
    settings.ZOUFANG_TODAY = "2017-06-15"


def _send(page: Any, target: Any) -> None:
    _open_form(page, target)
    _fill_household(page)
    page.click("text=保存并发送")
    page.wait_for_selector(f"#sent:has-text('{target.name}')", timeout=20000)


def _reloads(page: Any) -> list[str]:
    """The loads of 我的走访 itself from now on (its fragments are not the page)."""
    loads: list[str] = []
    page.on("request", lambda request: loads.append(request.url) if request.url.endswith("/me/") else None)
    return loads


def test_the_pace_panel_and_figures_follow_a_send(browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url) as (context, page):
        pace = page.locator("section.pace")
        assert "本月应至少走访 1 个，已走访 0 个" in pace.inner_text()
        assert "还剩 3 个" in pace.inner_text()
        loads = _reloads(page)

        _send(page, household)
        page.wait_for_function("() => document.querySelector('section.pace').innerText.includes('还剩 2 个')")
        assert "本月应至少走访 1 个，已走访 1 个" in pace.inner_text()
        assert page.inner_text(".figures .figure:last-child .value") == "1"  # the opinion: one open case
        assert not loads
        after_send = page.evaluate(SUMMARY)
        look(page, "after-send-pace", full_page=False)

        page.reload()
        assert page.evaluate(SUMMARY) == after_send  # what the page says reloaded, word for word


def test_the_pace_says_the_day_a_late_plan_was_given_once(browser, live_server, visiting):
    """Given on 1 June, after the rule's 1 May: the panel the phone shows names that day once, as it counts from it."""
    visiting.campaign.plan_given_on = dt.date(2017, 6, 1)
    visiting.campaign.save()
    with on_phone(browser, live_server.url) as (context, page):
        pace = page.locator("section.pace").inner_text()
        assert "进度自走访分配下达之日（2017年6月1日）起计算" in pace
        assert pace.count("2017年6月1日") == 1
        look(page, "pace-given-late", full_page=False)


def test_the_village_tabs_count_a_send(browser, live_server, visiting):
    """A 兜底 cadre's hundreds of targets come one village at a time: the village's tab counts the visit."""
    household = visiting.households["shangxiatang"][0]
    cadre = visiting.users["dept"].cadre
    other = visiting.households["jijiadun"][0].region
    extra = TargetFactory.create_batch(LARGE_LIST, region=other)
    Assignment.objects.bulk_create([Assignment(campaign=visiting.campaign, target=t, unit=visiting.police, cadre=cadre)
                                    for t in extra])
    with on_phone(browser, live_server.url) as (context, page):
        page.goto(f"{live_server.url}/me/?village={_village(household)}")
        tab = page.locator(".village-tabs a[aria-current=page]")
        assert tab.locator(".muted").inner_text() == "0/2"
        loads = _reloads(page)

        _send(page, household)
        page.wait_for_function("() => document.querySelector('.village-tabs .current .muted').innerText === '1/2'")
        assert not loads
        after_send = page.evaluate(SUMMARY)
        look(page, "after-send-tabs")
        page.reload()
        assert page.evaluate(SUMMARY) == after_send


DUE = "() => [...document.querySelectorAll('#due li')].map(li => li.innerText)"


def test_the_due_list_after_a_send_is_the_one_a_reload_shows(browser, live_server, visiting):
    """Over LARGE_LIST targets the page shows one village's cards; the one due next may be in another village, so
    after a send the 待走访 list comes from the server: five again, as reloaded, and the new one opens its form."""
    user = visiting.users["dept"]
    extra = TargetFactory.create_batch(LARGE_LIST, region=visiting.households["jijiadun"][0].region)
    Assignment.objects.bulk_create([Assignment(campaign=visiting.campaign, target=t, unit=visiting.police,
                                               cadre=user.cadre) for t in extra])
    due = [item.target for item in assigned_targets(user) if not item.visited]
    first = next(t for t in due[:5] if t.kind == Target.Kind.REGISTERED_HOUSEHOLD)
    following = due[5]
    elsewhere = next(t for t in [extra[0], visiting.households["shangxiatang"][0]]
                     if _village(t) != _village(following))
    with on_phone(browser, live_server.url) as (context, page):
        page.goto(f"{live_server.url}/me/?village={_village(elsewhere)}")
        assert not page.locator(f'[data-target="{following.public_id}"]').count()  # its card is not on this page
        assert len(page.evaluate(DUE)) == 5
        page.locator(f'#due [data-record="{first.public_id}"]').click()
        page.wait_for_selector(".visit-form")
        _fill_household(page)
        page.click("text=保存并发送")
        page.wait_for_selector(f"#sent:has-text('{first.name}')", timeout=20000)
        page.wait_for_function(f"() => document.querySelector('#due [data-record=\"{following.public_id}\"]')")
        after_send = page.evaluate(DUE)
        assert len(after_send) == 5
        assert page.inner_text("#due .due-more") == f"共 {len(due) - 1} 个未走访，见下方名单"
        look(page, "after-send-due")
        page.locator(f'#due [data-record="{following.public_id}"]').click()  # its form, though its card is not here
        page.wait_for_selector(".visit-form")
        assert following.name in page.inner_text("#visit-form h2")
        page.go_back()
        page.wait_for_selector("#visit-form", state="hidden")

        page.reload()
        assert page.evaluate(DUE) == after_send
        assert page.inner_text("#due .due-more") == f"共 {len(due) - 1} 个未走访，见下方名单"


def _village(target: Any) -> str:
    from zoufang.regions.models import Region

    ids = [int(part) for part in target.region.path.split(".") if part]
    return str(Region.objects.get(pk__in=ids, level=Region.Level.VILLAGE).public_id)


OUTBOX = "() => Object.keys(localStorage).filter(k => k.startsWith('zoufang.outbox.'))" \
         ".map(k => JSON.parse(localStorage.getItem(k)).length).reduce((a, b) => a + b, 0)"


def test_logout_with_records_unsent_warns_and_can_be_called_off(browser, live_server, visiting):
    household = visiting.households["shangxiatang"][0]
    with on_phone(browser, live_server.url) as (context, page):
        _keep_unsent(page, household)

        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.locator("nav button", has_text="退出").click()
        page.wait_for_timeout(1500)  # had it logged out, the login page would be shown by now
        assert asked
        assert "1 条走访记录" in asked[0]
        assert "不会发送" in asked[0]
        assert page.url.endswith("/me/")
        assert page.evaluate(OUTBOX) == 1

        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        page.locator("nav button", has_text="退出").click()
        page.wait_for_url("**/login/**")
        assert page.evaluate(OUTBOX) == 1  # kept on the phone, for this cadre's next login
        assert not Visit.objects.exists()

        page.unroute("**/me/visits/")
        browser_login(page, live_server.url, "dept")
        page.goto(f"{live_server.url}/me/")
        page.wait_for_selector(f"#sent:has-text('{household.name}')", timeout=20000)
        assert Visit.objects.filter(target=household).count() == 1
        assert page.evaluate(OUTBOX) == 0
        page.once("dialog", lambda dialog: asked.append(dialog.message))  # nothing unsent: no question
        page.locator("nav button", has_text="退出").click()
        page.wait_for_url("**/login/**")
        assert len(asked) == 2


def test_the_pace_panel_reads_from_the_left_on_a_phone(browser, live_server, visiting):
    """A campaign's name too long to stand beside 进度 starts under it, at the panel's left edge, not pushed to the
    right as a desk's aside is; and 落后 N 个 is not broken before its 个."""
    visiting.campaign.name = "锦溪镇2017年度常态化推进“六个一”基层走访调研"
    visiting.campaign.save()
    with on_phone(browser, live_server.url) as (_context, page):
        heading = page.locator("section.pace .panel-head h2").bounding_box()
        aside = page.locator("section.pace .panel-head .aside").bounding_box()
        assert aside["y"] >= heading["y"] + heading["height"] - 1  # on a line of its own
        assert abs(aside["x"] - heading["x"]) <= 1
        marks = page.locator("section.pace strong.bad")
        assert [mark.inner_text() for mark in marks.all()] == ["落后 2 个", "逾期未完成 1 个"]
        assert marks.evaluate_all("els => els.map(el => el.getClientRects().length)") == [1, 1]
