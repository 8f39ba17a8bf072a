"""A case leaving a unit while something of that unit's is pending (延期申请, 上报签字, 协办).

A request made by a unit dies with the unit's hand-over (退单, 签字上报, 改派): the history names it, and the
unit the case goes to next sees no request it never made; its clock is the fresh limit of its own dispatch
(docs/cases.md, Deadlines), running until it asks for something itself. Each test walks the real actions.
"""

import datetime as dt

import pytest

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases import actions, answers, board, escalation
from zoufang.cases.models import Case
from zoufang.conftest import PASSWORD, api_token_for
from zoufang.registry.models import Unit

S = Case.Status
pytestmark = pytest.mark.django_db
ASKED = "需协调管线迁移，申请延期"


def _accepted(town, case, co_handlers=None):
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version,
                                 co_handlers=co_handlers)
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


def _asked(town, case, co_handlers=None):
    """派出所 accepted it on 15 June and asked for 5 more working days the same day: the clock stands still."""
    case = _accepted(town, case, co_handlers)
    case = actions.request_extension(case, by=town.users["handler"], version=case.version, days=5, reason=ASKED)
    assert case.paused_since == dt.date(2017, 6, 15)
    return case


def _escalate(town, case, route=Case.Route.COORDINATION):
    return escalation.escalate_case(case, by=town.users["handler"], version=case.version, route=route,
                                    leader=town.wangwen, reason="涉及多个部门，需镇里协调")


def _signed(town, case, route=Case.Route.COORDINATION):
    case = _escalate(town, case, route)
    return escalation.sign_escalation(case, by=town.users["leader"], version=case.version, note="同意会商")


def _to_water(town, case, settings, note="会商决定由水务站牵头办理"):
    """Dispatched again on Monday 19 June, to 水务站."""
    settings.ZOUFANG_TODAY = "2017-06-19"
    return actions.dispatch_case(case, town.waterworks, by=town.users["office"], version=case.version, note=note)


def _sees_no_request(client, town, case, user="water"):
    """What the unit the case went to sees: no request on the page, its brief or the API; its clock runs."""
    client.force_login(town.users[user])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "延期申请" not in page.split("办理记录")[0]  # neither the case's fields nor the 办理要点 above the forms
    assert ASKED not in page.split("办理记录")[0]
    assert "暂停计时" not in page
    listed = client.get("/cases/").content.decode()
    assert case.number in listed
    assert "暂停计时" not in listed
    desk = client.get("/cases/desk/").content.decode()
    assert "暂停计时" not in desk
    api = _api(client, user, case)
    assert api["requested_extension_days"] is None
    assert api["paused"] is False
    assert "request_extension" in api["allowed_actions"]  # it may ask for its own
    return page, api


def _api(client, user, case):
    return client.get(f"/api/v1/cases/{case.public_id}", **api_token_for(client, user)).json()


def test_the_unit_that_returns_it_takes_its_request_with_it(cases_town, make_case, client, settings):
    town = cases_town
    case = _asked(town, make_case())
    case = actions.return_case(case, by=town.users["handler"], version=case.version, reason="属水务站职责")
    assert (case.requested_extension_days, case.extension_reason, case.paused_since) == (None, "", None)
    assert case.events.get(action="return").data["dropped_extension"] == {"days": 5, "unit": "派出所", "by": "return"}
    case = _to_water(town, case, settings)
    assert (case.handling_due, case.paused_working_days, case.extension_days) == (dt.date(2017, 7, 3), 0, 0)
    page, api = _sees_no_request(client, town, case)
    assert "派出所的延期申请（5 个工作日）随退单作废" in page
    assert api["history"][-2]["notice"] == "派出所的延期申请（5 个工作日）随退单作废"


def test_the_leaders_signature_takes_the_case_and_its_request_off_the_unit(cases_town, make_case, client):
    town = cases_town
    case = _asked(town, make_case())
    case = _signed(town, case)
    assert case.status == S.ESCALATED
    assert (case.requested_extension_days, case.extension_reason, case.paused_since) == (None, "", None)
    assert case.events.get(action="sign").data == {
        "route": "coordination", "dropped_extension": {"days": 5, "unit": "派出所", "by": "sign"}}
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "派出所的延期申请（5 个工作日）随签字上报作废" in page
    assert "延期申请" not in page.split("办理记录")[0]
    assert "approve_extension" not in _api(client, "office", case)["allowed_actions"]
    assert board.counts(Case.objects.all(), dt.date(2017, 6, 15))["columns"]["extension"]["total"] == 0


def test_the_unit_it_is_reassigned_to_sees_no_request_it_never_made(cases_town, make_case, client, settings):
    town = cases_town
    case = _to_water(town, _signed(town, _asked(town, make_case())), settings)
    assert case.unit == town.waterworks
    assert case.requested_extension_days is None
    # A fresh limit from its own dispatch: 10 working days from 19 June, nothing paused, nothing extended.
    assert (case.handling_due, case.paused_since, case.paused_working_days, case.extension_days) == (
        dt.date(2017, 7, 3), None, 0, 0)
    _sees_no_request(client, town, case)
    assert board.counts(Case.objects.all(), dt.date(2017, 6, 19))["columns"]["extension"]["total"] == 0
    case = actions.request_extension(case, by=town.users["water"], version=case.version, days=3, reason="水务站自己的申请")
    assert case.requested_extension_days == 3


def test_the_new_units_clock_runs_again_when_its_own_escalation_is_refused(cases_town, make_case, settings):
    town = cases_town
    case = _to_water(town, _signed(town, _asked(town, make_case())), settings)
    case = actions.accept_case(case, by=town.users["water"], version=case.version)
    case = escalation.escalate_case(case, by=town.users["water"], version=case.version, route="coordination",
                                    leader=town.wangwen, reason="仍需会商")
    settings.ZOUFANG_TODAY = "2017-06-21"
    case = escalation.refuse_escalation(case, by=town.users["leader"], version=case.version, note="由水务站自行办理")
    assert case.status == S.ACCEPTED
    assert case.paused_since is None  # no request of 派出所's keeps 水务站's clock standing
    assert case.paused_working_days == 2
    assert case.handling_due == dt.date(2017, 7, 5)


def test_the_unit_the_city_office_sends_it_back_to_sees_no_request(cases_town, make_case, client, settings):
    town = cases_town
    town.users["city"] = ensure_user("city", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=town.town.parent)
    case = _signed(town, _asked(town, make_case()), route=Case.Route.UPPER_OFFICE)
    case = escalation.return_to_town(case, by=town.users["city"], version=case.version, instructions="由镇水务站办理")
    case = _to_water(town, case, settings, note="按市活动办意见交水务站")
    assert case.requested_extension_days is None
    _sees_no_request(client, town, case)


def test_a_request_left_on_a_case_signed_before_the_fix_dies_when_it_is_dispatched_again(
        cases_town, make_case, client, settings):
    town = cases_town
    case = _signed(town, _accepted(town, make_case()))
    # Signed while this version kept the request: the database still holds some such cases.
    Case.objects.filter(pk=case.pk).update(requested_extension_days=5, extension_reason=ASKED)
    case = _to_water(town, Case.objects.get(pk=case.pk), settings)
    assert (case.requested_extension_days, case.extension_reason) == (None, "")
    assert case.events.get(action="dispatch", version=case.version).data["dropped_extension"] == {
        "days": 5, "unit": "派出所", "by": "reassign"}
    page, _api = _sees_no_request(client, town, case)
    assert "派出所的延期申请（5 个工作日）随改派作废" in page


def test_a_reopened_case_goes_back_with_a_fresh_clock_and_no_old_request(cases_town, make_case, client, settings):
    town = cases_town
    case = _signed(town, _asked(town, make_case()))
    office = town.users["office"]
    case = actions.resolve_case(case, by=office, version=case.version, result="会商后已修复")
    case = answers.reply_case(case, by=office, version=case.version, channel="phone", content="已修复")
    case = answers.record_callback(case, by=office, version=case.version, satisfaction="unsatisfied")
    settings.ZOUFANG_TODAY = "2017-06-19"
    case = answers.reopen_case(case, by=office, version=case.version, reason="路灯仍不亮")
    assert (case.status, case.unit, case.handling_due) == (S.DISPATCHED, town.police, dt.date(2017, 7, 3))
    _sees_no_request(client, town, case, user="handler")


def test_a_refused_escalation_leaves_the_units_own_request_pending(cases_town, make_case):
    town = cases_town
    case = _escalate(town, _asked(town, make_case()))
    case = escalation.refuse_escalation(case, by=town.users["leader"], version=case.version, note="自行办理")
    assert case.status == S.ACCEPTED
    assert (case.requested_extension_days, case.paused_since) == (5, dt.date(2017, 6, 15))  # still 派出所's
    case = actions.approve_extension(case, by=town.users["office"], version=case.version)
    assert case.extension_days == 5


def test_a_co_handler_leaves_with_the_unit_it_assisted(cases_town, make_case, client, settings):
    town = cases_town
    case = _signed(town, _asked(town, make_case(), co_handlers=[town.waterworks]))
    client.force_login(town.users["water"])
    assert case.number not in client.get("/cases/desk/").content.decode()  # escalated: nothing to assist now
    settings.ZOUFANG_TODAY = "2017-06-19"
    sanitation = Unit.objects.create(name="城管中队", kind=Unit.Kind.TOWN_DEPARTMENT, region=town.town)
    case = actions.dispatch_case(case, sanitation, by=town.users["office"], version=case.version,
                                 note="会商决定由城管中队办理")
    assert list(case.co_handlers.all()) == []
    assert client.get(f"/cases/{case.public_id}/").status_code == 404  # 水务站 assisted 派出所, not 城管中队
    assert case.number not in client.get("/cases/desk/").content.decode()


def test_a_sign_off_once_given_is_not_pending_for_the_unit_it_is_dispatched_to(cases_town, make_case, client,
                                                                                settings):
    town = cases_town
    case = _to_water(town, _signed(town, _accepted(town, make_case())), settings)
    client.force_login(town.users["leader"])
    assert case.number not in client.get("/cases/signoff/").content.decode()
    assert _api(client, "leader", case)["allowed_actions"] == []
    client.force_login(town.users["water"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "待分管领导签字" not in page.split("办理记录")[0]
    assert "已签字" in page  # the signed escalation stays as the case's history: why it came to 水务站
    assert "accept" in _api(client, "water", case)["allowed_actions"]


def test_the_board_offers_the_request_for_a_decision_only_once_the_leader_has_answered(cases_town, make_case):
    town = cases_town
    case = _escalate(town, _asked(town, make_case()))
    columns = board.counts(Case.objects.all(), dt.date(2017, 6, 15))["columns"]
    # Waiting for the signature: the office cannot decide the extension (workflow: no decision in 待分管领导签字).
    assert (columns["extension"]["total"], columns["escalated"]["total"]) == (0, 1)
    escalation.refuse_escalation(case, by=town.users["leader"], version=case.version, note="自行办理")
    columns = board.counts(Case.objects.all(), dt.date(2017, 6, 15))["columns"]
    assert (columns["extension"]["total"], columns["escalated"]["total"]) == (1, 0)
