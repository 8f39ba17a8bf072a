"""Acceptance in real Chromium at 390 × 844: a visit online, a visit offline, both on the server exactly once."""

from typing import Any

import pytest

from zoufang.cases.models import Case
from zoufang.conftest import SHOTS, browser_login
from zoufang.core.testwidths import shoot
from zoufang.visits.models import Visit

FIRST_LOAD_BUDGET = 150 * 1024

# In both halves of make test, where the other browser tests run in SQLite's only (decision 0053).
pytestmark = [pytest.mark.browser, pytest.mark.every_database, pytest.mark.django_db(transaction=True)]



def _login(page: Any, url: str, username: str) -> None:
    browser_login(page, url, username)


def _choose(page: Any, question: str, value: str) -> None:
    page.locator(f'[data-q="{question}"] input[value="{value}"]').check()


def _open_form(page: Any, target: Any) -> None:
    card = page.locator(f'[data-target="{target.public_id}"]')
    card.locator("summary").click()
    card.locator("[data-record]").click()
    page.wait_for_selector(".visit-form")


def _phone(browser: Any) -> tuple[Any, Any, list[str]]:
    """A phone's window (390 × 844, no service worker) and the script errors its pages raise."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def _transferred(page: Any) -> int:
    return page.evaluate("""() => performance.getEntriesByType('navigation').concat(
        performance.getEntriesByType('resource')).reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)""")


def test_it_keeps_a_visit_recorded_offline_and_sends_each_once(browser, live_server, visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    SHOTS.mkdir(parents=True, exist_ok=True)
    enterprise, household = visiting.enterprise, visiting.households["shangxiatang"][0]
    context, page, errors = _phone(browser)
    try:
        _login(page, live_server.url, "dept")
        page.click("text=我的走访")
        page.wait_for_url(f"{live_server.url}/me/")
        page.wait_for_load_state("load")
        assert _transferred(page) <= FIRST_LOAD_BUDGET
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shoot(page, "my-list-390")

        # Online: the enterprise questionnaire and one opinion.
        _open_form(page, enterprise)
        _choose(page, "enterprise_survey.operation_state", "good")
        _choose(page, "enterprise_survey.service_awareness", "good")
        _choose(page, "enterprise_survey.service_efficiency", "fairly_good")
        _choose(page, "enterprise_survey.integrity", "good")
        _choose(page, "six_ones_form.aspects", "innovation")
        page.fill('[data-q="six_ones_form.innovation"] textarea', "计划建设企业技术中心")
        _choose(page, "six_ones_form.satisfaction", "satisfied")
        page.fill("#v-summary", "了解企业生产经营情况")
        page.click("#v-add-opinion")
        page.select_option("[data-o=kind]", "problem")
        page.select_option("[data-o=category]", "2.5")
        page.fill("[data-o=description]", "厂房扩建用地指标不足")
        shoot(page, "visit-form-390")
        page.click("text=保存并发送")
        page.wait_for_selector(f'[data-target="{enterprise.public_id}"] .state:text("已走访")')
        assert Visit.objects.filter(target=enterprise).count() == 1

        # Offline: the household visit waits in the outbox.
        context.set_offline(True)
        _open_form(page, household)
        _choose(page, "household_survey.income_change", "up")
        _choose(page, "household_survey.satisfaction", "satisfied")
        _choose(page, "six_ones_form.aspects", "public_opinion")
        page.fill('[data-q="six_ones_form.public_opinion"] textarea', "希望增加老年人助餐点")
        _choose(page, "six_ones_form.satisfaction", "fair")
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        assert "未发送的走访记录 1 条" in page.inner_text("#outbox")
        shoot(page, "outbox-offline-390")
        assert Visit.objects.filter(target=household).count() == 0

        # Back online: sent once; the outbox empties.
        context.set_offline(False)
        page.wait_for_selector("#outbox", state="hidden", timeout=20000)
        assert Visit.objects.filter(target=household).count() == 1
        assert Visit.objects.count() == 2
        assert not errors
    finally:
        context.close()

    case = Case.objects.get(description="厂房扩建用地指标不足")
    assert case.status == "draft"
    assert case.category.code == "2.5"
    office = browser.new_context(viewport={"width": 1280, "height": 800})
    page = office.new_page()
    try:
        _login(page, live_server.url, "office")
        page.goto(f"{live_server.url}/visits/{case.source_visit.public_id}/")
        assert "厂房扩建用地指标不足" in page.inner_text("main")
        assert "待登记" in page.inner_text("main")
        shoot(page, "visit-office-1280")
    finally:
        office.close()


def test_it_opens_offline_and_keeps_unsent_records_when_the_tab_is_closed(browser, live_server, visiting, settings):
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][1]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _login(page, live_server.url, "dept")
        page.goto(f"{live_server.url}/me/")
        page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now controlled by the service worker, which caches the page
        page.wait_for_function("!!navigator.serviceWorker.controller")
        context.set_offline(True)
        page.close()
        page = context.new_page()
        page.goto(f"{live_server.url}/me/")  # no network: served from the cache
        # The new tab's offline emulation is set up as it opens: wait until the page itself knows it is offline
        # before recording (a run under load once found the record stored: sent before the tab was offline).
        page.wait_for_function("() => !navigator.onLine")
        _open_form(page, household)
        _choose(page, "household_survey.income_change", "same")
        _choose(page, "household_survey.satisfaction", "satisfied")
        _choose(page, "six_ones_form.aspects", "policy")
        page.fill('[data-q="six_ones_form.policy"] textarea', "宣传富民政策")
        _choose(page, "six_ones_form.satisfaction", "satisfied")
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        record = _outbox(page)[0]
        assert not Visit.objects.exists()  # offline, the tab keeps the record and sends nothing
        # Closing a tab ends its DevTools session and with it the offline emulation: Chromium may put the dying tab
        # back online for a moment, long enough for its outbox to send (CI at stops 30 and 39; a script outside the
        # suite saw most tabs set offline while open, and some opened offline, send a request as they closed). A
        # phone's tab does not come back online as it closes, so what is checked past this point is the promise
        # itself: the record is never lost and never stored twice.
        page.close()
        page = context.new_page()
        page.goto(f"{live_server.url}/me/")  # still offline: the page and the unsent record come from the phone
        page.wait_for_function("() => !navigator.onLine")
        # The outbox first: a record gone from it was settled after the server had stored it.
        kept = record in _outbox(page) or Visit.objects.filter(client_uuid=record).exists()
        assert kept, "the record is neither on the server nor in the closed tab's outbox"
        context.set_offline(False)  # the open tab hears it is online and sends
        page.wait_for_selector("#outbox", state="hidden", timeout=20000)
        visit = Visit.objects.get()
        assert (str(visit.client_uuid), visit.target) == (record, household)
    finally:
        context.close()


def _outbox(page) -> list[str]:
    """The client UUIDs of the records waiting in this phone's outboxes (localStorage), oldest first."""
    return page.evaluate(
        """() => Object.keys(localStorage).filter(k => k.startsWith("zoufang.outbox."))
            .flatMap(k => JSON.parse(localStorage.getItem(k))).map(i => i.payload.client_uuid)"""
    )


def test_it_never_sends_one_cadres_unsent_records_under_another_login(browser, live_server, visiting, settings):
    from zoufang.planning.models import Assignment

    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][0]
    Assignment.objects.filter(target=household).update(cadre=visiting.users["village"].cadre)
    context = browser.new_context(viewport={"width": 390, "height": 844}, service_workers="block")
    page = context.new_page()
    try:
        _login(page, live_server.url, "village")
        page.goto(f"{live_server.url}/me/")
        context.set_offline(True)
        _open_form(page, household)
        _choose(page, "household_survey.income_change", "down")
        _choose(page, "household_survey.satisfaction", "fair")
        _choose(page, "six_ones_form.aspects", "conflict")
        page.fill('[data-q="six_ones_form.conflict"] textarea', "邻里宅基地纠纷")
        _choose(page, "six_ones_form.satisfaction", "fair")
        page.click("text=保存并发送")
        page.wait_for_selector("#outbox li[data-status=pending]")
        context.clear_cookies()  # the village cadre's session ends; the department cadre logs in on the same phone
        context.set_offline(False)
        _login(page, live_server.url, "dept")
        page.goto(f"{live_server.url}/me/")
        page.wait_for_load_state("load")
        assert page.locator("#outbox").is_hidden()
        page.wait_for_timeout(500)
        assert not Visit.objects.exists()
        # Back under the village cadre's own login, the record is sent.
        context.clear_cookies()
        _login(page, live_server.url, "village")
        page.goto(f"{live_server.url}/me/")
        page.wait_for_selector("#outbox", state="hidden", timeout=20000)
        assert Visit.objects.get().cadre == visiting.users["village"].cadre
    finally:
        context.close()


def test_the_assigned_cadre_records_a_visit_from_the_target_s_page(browser, live_server, visiting, settings):
    """走访对象 → a household → 记录走访 opens 我的走访 on that household's form; back to the list, the address is the
    list's again (a reload does not reopen the form). The office, which reads the page but visits no one, has no
    such button."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][0]
    context, page, errors = _phone(browser)
    try:
        _login(page, live_server.url, "dept")
        page.goto(f"{live_server.url}/targets/{household.public_id}/")
        shoot(page, "target-record-390")
        page.click("text=记录走访")
        page.wait_for_selector(".visit-form")
        assert page.locator("#visit-form h2").inner_text() == f"记录走访：{household.name}"
        page.click("text=返回列表")
        assert page.url == f"{live_server.url}/me/"
        assert page.locator("#mylist").is_visible()
        assert not errors
    finally:
        context.close()
    from django.test import Client

    office = Client()
    office.force_login(visiting.users["office"])
    page_html = office.get(f"/targets/{household.public_id}/").content.decode()
    assert household.name in page_html
    assert "记录走访" not in page_html


def test_the_boxes_to_tick_are_thumb_sized_and_never_beside_a_button_that_sends_or_deletes(browser, live_server,
                                                                                         visiting, settings):
    """On a phone, 已当场解决 sits with the visit's account (走访情况), the questionnaires and opinions between it and
    保存并发送; an opinion's 当场解决 and 删除 stand at the two ends of one line. Every one is at least 44 px high,
    and what the boxes say is what the server keeps."""
    settings.ZOUFANG_TODAY = "2017-06-15"
    household = visiting.households["shangxiatang"][0]
    context, page, errors = _phone(browser)
    try:
        _login(page, live_server.url, "dept")
        page.goto(f"{live_server.url}/me/")
        _open_form(page, household)
        page.click("#v-add-opinion")
        settled, save = page.locator("label:has(#v-spot)"), page.locator(".visit-form button[type=submit]")
        on_spot, drop = page.locator("label:has([data-o=settled_on_spot])"), page.locator(".opinion button.link")
        add = page.locator("#v-add-opinion")
        boxes = {name: locator.bounding_box() for name, locator in
                 (("settled", settled), ("save", save), ("on_spot", on_spot), ("drop", drop), ("add", add))}
        assert all(box["height"] >= 44 for box in boxes.values()), boxes
        assert boxes["save"]["y"] - (boxes["add"]["y"] + boxes["add"]["height"]) >= 24  # the button just above
        below_settled = page.evaluate("""() => [...document.querySelectorAll('.visit-form fieldset.questionnaire')]
            .every(f => f.getBoundingClientRect().top > document.querySelector('label:has(#v-spot)')
                        .getBoundingClientRect().bottom)""")
        assert below_settled
        assert boxes["save"]["y"] - (boxes["settled"]["y"] + boxes["settled"]["height"]) > 300
        middle = {name: box["y"] + box["height"] / 2 for name, box in boxes.items()}
        assert middle["on_spot"] == pytest.approx(middle["drop"], abs=1)  # one line
        assert boxes["drop"]["x"] - (boxes["on_spot"]["x"] + boxes["on_spot"]["width"]) > 100  # its two ends
        shoot(page, "visit-form-ticks-390")

        settled.click()
        on_spot.click()
        page.select_option("[data-o=category]", "2.5")
        page.fill("[data-o=description]", "楼道灯不亮，已当场报修")
        _choose(page, "household_survey.income_change", "same")
        _choose(page, "household_survey.satisfaction", "satisfied")
        _choose(page, "six_ones_form.aspects", "policy")
        page.fill('[data-q="six_ones_form.policy"] textarea', "宣传富民政策")
        _choose(page, "six_ones_form.satisfaction", "satisfied")
        save.click()
        page.wait_for_selector(f'[data-target="{household.public_id}"] .state:text("已走访")')
        assert not errors
    finally:
        context.close()
    visit = Visit.objects.get(target=household)
    assert visit.settled_on_spot
    assert Case.objects.get(source_visit=visit).settled_on_spot
