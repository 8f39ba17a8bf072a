"""Beyond the town in real Chromium: the unit escalates to the upper office, the leader signs, the case arrives in
the city office's queue with the town's sign-off, the city office takes it on and answers; the town office sees it."""

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases import actions
from zoufang.cases.models import Case
from zoufang.cases.tests.test_browser import _act, _login
from zoufang.conftest import PASSWORD
from zoufang.core.testwidths import look, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_walks_escalate_sign_city_queue_and_city_answer(browser, live_server, cases_town, make_case):
    town = cases_town
    ensure_user("city", PASSWORD, full_name="昆山市六个一办公室", role=RoleGrant.Role.CITY_OFFICE,
                region=town.town.parent)
    case = make_case("农田灌溉渠道年久失修，漏水严重")
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    url = f"{live_server.url}/cases/{case.public_id}/"

    unit_context, unit = _login(browser, live_server, "handler", 1280)
    unit.goto(url)
    _act(unit, "escalate", {"reason": "涉及市级农田水利项目资金，本部门无法解决"},
         select={"route": "upper_office", "leader": str(town.wangwen.pk)})
    unit_context.close()
    leader_context, leader = _login(browser, live_server, "leader", 1280)
    leader.goto(f"{live_server.url}/cases/signoff/")
    leader.click("text=审阅并签字")
    _act(leader, "sign", {"note": "同意上报市活动办"})
    leader_context.close()

    context, city = _login(browser, live_server, "city", 1280)  # the city office's desk; its queue fits a phone too
    with city.expect_navigation():
        city.click("nav >> text=问题办理")
    assert "上报上一级活动办待办件" in city.locator("h1").inner_text()
    queue = city.locator("main").inner_text()
    for text in ("农田灌溉渠道", "锦溪镇", "王文", "同意上报市活动办", "涉及市级农田水利项目资金"):
        assert text in queue
    look(city, "upper-queue")
    city.click("text=审阅并受理")
    _act(city, "upper_accept", {"note": "转市水务局办理"})
    assert "上级活动办办理中" in city.locator(".page-head").inner_text()
    _act(city, "resolve", {"result": "市水务局已列入今年高标准农田改造，8月完工"})
    shoot(city, "upper-answered-1280")
    city.goto(f"{live_server.url}/cases/upper/?state=done")
    assert "市水务局已列入今年高标准农田改造" in city.locator("main").inner_text()
    context.close()

    office_context, office = _login(browser, live_server, "office", 390)
    office.goto(url)
    assert "已办结" in office.locator(".page-head").inner_text()
    history = office.locator("main").inner_text()
    assert "上级受理" in history
    assert "市水务局已列入今年高标准农田改造" in history
    assert office.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(office, f"upper-town-sees-{390}")
    office_context.close()
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED
