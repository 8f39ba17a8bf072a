"""办理要点 on a phone in real Chromium: the leader reads what he signs in the first screen, above the signature, and
signs it there."""

import pytest

from zoufang.cases import actions, escalation
from zoufang.cases.models import Case
from zoufang.conftest import browser_login
from zoufang.core.testwidths import PHONE, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_on_a_phone_reads_the_escalation_above_the_signature(browser, live_server, cases_town, make_case):
    town = cases_town
    case = actions.register_case(make_case(), by=town.users["office"], version=1, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    escalation.escalate_case(case, by=town.users["handler"], version=case.version, route=Case.Route.COORDINATION,
                             leader=town.wangwen, reason="需水务站、城管中队共同处理")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    browser_login(page, live_server.url, "leader")
    page.goto(f"{live_server.url}/cases/signoff/")
    with page.expect_navigation():
        page.get_by_role("link", name="审阅并签字").click()
    reason = page.locator(".step-brief dd", has_text="需水务站、城管中队共同处理")
    sign = page.locator("#act-sign button[type=submit]")
    assert reason.bounding_box()["y"] + reason.bounding_box()["height"] <= sign.bounding_box()["y"]
    assert sign.bounding_box()["y"] + sign.bounding_box()["height"] <= PHONE["height"]  # both in the first screen
    look(page, "case-signoff-brief")
    with page.expect_navigation():
        sign.click()
    assert page.locator(".notice-good").count() == 1, page.locator("main").inner_text()
    context.close()
    case.refresh_from_db()
    assert case.status == Case.Status.ESCALATED
