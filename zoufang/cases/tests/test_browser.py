"""A case's life in real Chromium: the office registers and dispatches, the unit accepts and resolves,
the office replies, records a satisfied callback and closes it."""


import pytest

from zoufang.cases import actions, answers
from zoufang.cases.models import Case
from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look, rows_to_tap, shoot, tap_far_end

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def _login(browser, live_server, username, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    browser_login(page, live_server.url, username)
    return context, page


def _act(page, action, fields=None, *, select=None, check=None):
    form = page.locator(f"#act-{action}")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for name, value in (fields or {}).items():
        form.locator(f"[name={action}-{name}]").fill(value)
    for name, value in (select or {}).items():
        form.locator(f"select[name={action}-{name}]").select_option(value)
    if check:
        form.get_by_label(check, exact=True).check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.locator(".notice-good").count() == 1, page.locator("main").inner_text()


def test_it_takes_a_case_from_draft_to_closed_in_the_browser(browser, live_server, cases_town, make_case):
    """The office works at its desk (1280 px), the unit's handler on a phone (390 px); each page is looked at in
    both widths."""
    case = make_case()
    url = f"{live_server.url}/cases/{case.public_id}/"
    office_context, office = _login(browser, live_server, "office", 1280)
    with office.expect_navigation():
        office.click("text=问题办理")
    assert "交办台" in office.locator("h1").inner_text()
    office.goto(url)
    _act(office, "register", select={"category": str(cases_town.category.pk)})
    _act(office, "dispatch", select={"unit": str(cases_town.police.pk)})
    look(office, "case-dispatched")

    unit_context, unit = _login(browser, live_server, "handler", 390)
    unit.goto(f"{live_server.url}/cases/desk/")
    assert "6月29日" in unit.locator("main").inner_text()  # a list says this year's days without it
    look(unit, "case-desk")
    unit.click(f"text={case.description}")
    _act(unit, "accept")
    _act(unit, "resolve", {"result": "已更换灯具，恢复照明"})
    unit_context.close()

    office.goto(url)
    _act(office, "reply", {"content": "路灯已修复，感谢反映"}, select={"channel": "phone"})
    _act(office, "callback", check="满意")
    _act(office, "close")
    assert "已结案" in office.locator(".page-head").inner_text()
    look(office, "case-closed")
    office_context.close()
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.events.count() == 8


def test_the_office_on_a_phone_records_the_callback_by_tapping_a_row(browser, live_server, cases_town, make_case):
    """回访's 满意度 choices are rows a thumb hits (at least 44 px high, as wide as the form); a tap at a row's far end
    chooses it, and the value saved is the choice's."""
    town = cases_town
    case = actions.register_case(make_case(), by=town.users["office"], version=1, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已更换灯具")
    case = answers.reply_case(case, by=town.users["handler"], version=case.version, channel="phone", content="已修复")
    context, office = _login(browser, live_server, "office", PHONE["width"])
    office.goto(f"{live_server.url}/cases/{case.public_id}/")
    form = office.locator("#act-callback")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    rows_to_tap(form)
    tap_far_end(form, "callback-satisfaction", "fairly")
    look(office, "case-callback")
    with office.expect_navigation():
        form.locator("button[type=submit]").click()
    assert office.locator(".notice-good").count() == 1
    context.close()
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Case.Status.CALLED_BACK, "fairly")


def test_it_returns_extends_escalates_merges_and_reopens_in_the_browser(browser, live_server, cases_town, make_case):
    town = cases_town
    width = 1280
    case = make_case()
    duplicate = make_case("东侧路灯损坏了，晚上出行不方便", target=town.households["shangxiatang"][1])
    url = f"{live_server.url}/cases/{case.public_id}/"
    office_context, office = _login(browser, live_server, "office", width)
    office.goto(f"{live_server.url}/cases/{duplicate.public_id}/")
    office.click("text=合并到此件")
    with office.expect_navigation():
        office.click("text=确认合并")  # a merge is not undone: a second, deliberate tap
    assert "已合并" in office.locator(".page-head").inner_text()
    office.goto(url)
    _act(office, "register", select={"category": str(town.category.pk)})
    _act(office, "dispatch", select={"unit": str(town.waterworks.pk)})

    water_context, water = _login(browser, live_server, "water", width)
    water.goto(url)
    _act(water, "return", {"reason": "路灯属派出所辖区巡查，请改派"})
    assert "/cases/desk/" in water.url
    water_context.close()

    office.goto(url)
    _act(office, "dispatch", select={"unit": str(town.police.pk)})
    unit_context, unit = _login(browser, live_server, "handler", width)
    unit.goto(url)
    _act(unit, "accept")
    _act(unit, "request_extension", {"days": "3", "reason": "灯具需采购"})
    assert "暂停计时" in unit.locator(".page-head").inner_text()
    office.goto(url)
    _act(office, "approve_extension")
    unit.goto(url)
    _act(unit, "escalate", {"reason": "涉及市级电力部门，本部门无法解决"}, select={"route": "upper_office",
                                                                                   "leader": str(town.wangwen.pk)})
    leader_context, leader = _login(browser, live_server, "leader", width)
    leader.goto(f"{live_server.url}/cases/signoff/")
    leader.click("text=审阅并签字")
    _act(leader, "sign", {"note": "同意上报市活动办"})
    assert "已上报" in leader.locator(".page-head").inner_text()
    leader_context.close()

    office.goto(url)
    _act(office, "resolve", {"result": "市供电公司已更换线路"})
    _act(office, "reply", {"content": "线路已更换"}, select={"channel": "phone"})
    _act(office, "callback", {"note": "仍时亮时不亮"}, check="不满意")
    _act(office, "reopen", {"reason": "回访不满意，重办"})
    assert "待签收" in office.locator(".page-head").inner_text()
    shoot(office, "case-reopened-1280")
    office_context.close()
    unit_context.close()
    case.refresh_from_db()
    assert case.reopen_count == 1
    assert case.unit == town.police
    assert list(case.duplicates.all()) == [duplicate]
    assert [e.action for e in case.events.all()] == [
        "draft", "register", "dispatch", "return", "dispatch", "accept", "request_extension", "approve_extension",
        "escalate", "sign", "resolve", "reply", "callback", "reopen"]


def test_it_publishes_a_case_with_the_offices_summary_in_the_browser(browser, live_server, cases_town, make_case):
    """At the office's desk (1280 px); the published case's page is looked at on a phone too."""
    import json
    import urllib.request

    from zoufang.cases import actions

    case = make_case("路灯坏了，我是周梅，电话 138 6884 1290")
    case = actions.register_case(case, by=cases_town.users["office"], version=case.version,
                                 category=cases_town.category)
    context, office = _login(browser, live_server, "office", 1280)
    office.goto(f"{live_server.url}/cases/{case.public_id}/")
    panel = office.locator("#publication")
    panel.locator("summary").click()
    panel.locator("textarea[name=summary]").fill("电话 138 6884 1290 的居民反映路灯坏了")
    with office.expect_navigation():
        panel.locator("button[type=submit]").first.click()
    assert "不能含电话" in office.locator("main").inner_text()
    panel = office.locator("#publication")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    panel.locator("textarea[name=summary]").fill("上下塘社区一处路灯损坏，正在维修。")
    with office.expect_navigation():
        panel.locator("button[type=submit]").first.click()
    assert office.locator(".notice-good").count() == 1
    look(office, "case-published")
    context.close()
    with urllib.request.urlopen(f"{live_server.url}/open311/v2/requests.json") as response:  # noqa: S310
        rows = json.load(response)
    assert [r["description"] for r in rows] == ["上下塘社区一处路灯损坏，正在维修。"]
