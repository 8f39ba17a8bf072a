"""A unit's handler on a phone, in real Chromium: a case it co-handles (协办) it reads and cannot act on; a case it
cannot handle it returns (退单), for another it asks more days (延期申请); the office, on a phone too, reads each
reason above its form and decides: dispatches again, grants the days. Each page is looked at in both widths."""

import pytest

from zoufang.cases import actions
from zoufang.cases.models import Case
from zoufang.cases.tests.test_browser import _act, _login
from zoufang.core.testwidths import PHONE, look

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server, username):
    return _login(browser, live_server, username, PHONE["width"])


def test_a_unit_on_a_phone_co_handles_returns_and_asks_for_days_and_the_office_decides(browser, live_server,
                                                                                        cases_town, make_case):
    town = cases_town
    office = town.users["office"]
    shared = actions.register_case(make_case(), by=office, version=1, category=town.category)
    shared = actions.dispatch_case(shared, town.waterworks, by=office, version=shared.version,
                                   co_handlers=[town.police])
    longer = actions.register_case(make_case("上下塘社区路面塌陷，雨天积水", target=town.households["shangxiatang"][1]),
                                   by=office, version=1, category=town.category)
    longer = actions.dispatch_case(longer, town.police, by=office, version=longer.version)
    url = f"{live_server.url}/cases/{{}}/".format

    context, unit = _phone(browser, live_server, "handler")
    unit.goto(f"{live_server.url}/cases/desk/")
    assert shared.number in unit.locator("section", has_text="本单位协办的件").inner_text()
    unit.goto(url(shared.public_id))
    assert unit.locator(".action-form").count() == 0
    assert "请配合承办单位水务站办理" in unit.locator("main").inner_text()
    look(unit, "case-co-handled")
    unit.goto(url(longer.public_id))
    _act(unit, "accept")
    _act(unit, "request_extension", {"days": "5", "reason": "需等村调解委员会现场勘界"})
    look(unit, "case-extension-asked")
    context.close()

    context, water = _phone(browser, live_server, "water")
    water.goto(url(shared.public_id))
    _act(water, "return", {"reason": "占道经营属城管中队管理，请改派"})
    context.close()

    context, desk = _phone(browser, live_server, "office")
    desk.goto(url(shared.public_id))
    brief = desk.locator(".step-brief").inner_text()
    assert "退单单位\n水务站" in brief
    assert "占道经营属城管中队管理，请改派" in brief
    look(desk, "case-returned-office")
    _act(desk, "dispatch", select={"unit": str(town.police.pk)})
    desk.goto(url(longer.public_id))
    assert "需等村调解委员会现场勘界" in desk.locator(".step-brief").inner_text()
    look(desk, "case-extension-office")
    _act(desk, "approve_extension")
    context.close()

    shared.refresh_from_db()
    longer.refresh_from_db()
    assert (shared.status, shared.unit, list(shared.co_handlers.all())) == (Case.Status.DISPATCHED, town.police, [])
    assert (longer.status, longer.requested_extension_days, longer.paused_since) == (Case.Status.ACCEPTED, None, None)
    assert [e.action for e in longer.events.all()][-2:] == ["request_extension", "approve_extension"]
