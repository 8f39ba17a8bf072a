"""Escalations beyond the town (上报上一级活动办): the city office's queue and what it does with a case.

The city office of 昆山市 sees in its queue only what a town's leader signed up to it; it takes it on and
answers, or sends it back with instructions; the town office is told and sees the case's state at the city.
"""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.campaigns.models import Campaign
from zoufang.cases import actions, answers, escalation, upper
from zoufang.cases.models import Case, CaseEvent
from zoufang.cases.presenters import CasePresenter
from zoufang.cases.tests.test_concurrency import _in_threads
from zoufang.cases.transition import InvalidInput, StaleVersion
from zoufang.conftest import PASSWORD
from zoufang.jobs.testing import cells, queued_file
from zoufang.regions.models import Region

S = Case.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def city(cases_town):
    """昆山市's office over 锦溪镇; 太仓市's office over a town of its own, with a case signed up to it there."""
    town = cases_town
    kunshan = town.town.parent
    town.users["city"] = ensure_user("city", PASSWORD, full_name="昆山市六个一办公室",
                                     role=RoleGrant.Role.CITY_OFFICE, region=kunshan)
    town.users["city"].email = "city@example.cn"
    town.users["city"].save()
    taicang = Region.objects.create(name="太仓市", level=Region.Level.COUNTY, parent=kunshan.parent)
    shaxi = Region.objects.create(name="沙溪镇", level=Region.Level.TOWN, parent=taicang)
    town.users["taicang"] = ensure_user("taicang", PASSWORD, role=RoleGrant.Role.CITY_OFFICE, region=taicang)
    other = Campaign.objects.create(slug="shaxi-test", name="沙溪镇走访", scope=shaxi,
                                    starts_on=dt.date(2017, 1, 1), ends_on=dt.date(2017, 12, 31))
    town.shaxi_case = Case.objects.create(
        campaign=other, kind=Case.Kind.PROBLEM, description="沙溪镇的上报件", raised_at=timezone.now(),
        status=S.ESCALATED, escalation_route=Case.Route.UPPER_OFFICE, signed_at=timezone.now())
    return town


def _escalated(town, make_case, route=Case.Route.UPPER_OFFICE, sign=True, description="农田灌溉渠道漏水严重"):
    case = make_case(description)
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    case = actions.accept_case(case, by=town.users["handler"], version=case.version)
    case = escalation.escalate_case(case, by=town.users["handler"], version=case.version, route=route,
                                    leader=town.wangwen, reason="涉及市级农田水利项目资金，本部门无法解决")
    if sign:
        case = escalation.sign_escalation(case, by=town.users["leader"], version=case.version, note="同意上报市活动办")
    return case


def test_it_holds_only_signed_upper_office_cases_of_its_towns(city, make_case):
    town = city
    signed = _escalated(town, make_case)
    unsigned = _escalated(town, make_case, sign=False, description="待签字的上报件")
    coordination = _escalated(town, make_case, route=Case.Route.COORDINATION, description="镇级会商的件")
    assert unsigned.status == S.SIGNOFF
    assert coordination.status == S.ESCALATED
    assert list(upper.queue(town.users["city"])) == [signed]
    assert list(upper.queue(town.users["taicang"])) == [town.shaxi_case]
    for name in ("office", "leader", "handler", "outsider"):
        assert not upper.queue(town.users[name]).exists()
    # The city office may act only on what was signed up to it; nobody else acts as the city.
    assert set(CasePresenter(town.users["city"]).allowed_actions(signed)) == {"upper_accept", "upper_return"}
    assert CasePresenter(town.users["city"]).allowed_actions(coordination) == []
    # Not signed up to it: the city office is no actor on that case (it only reads the towns' cases).
    with pytest.raises(PermissionDenied):
        escalation.accept_upper(coordination, by=town.users["city"], version=coordination.version)
    with pytest.raises(PermissionDenied):
        escalation.accept_upper(signed, by=town.users["office"], version=signed.version)
    with pytest.raises(PermissionDenied):
        escalation.accept_upper(signed, by=town.users["taicang"], version=signed.version)


def test_it_takes_the_case_on_answers_it_and_the_town_replies(city, make_case, django_capture_on_commit_callbacks):
    town = city
    case = _escalated(town, make_case)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = escalation.accept_upper(case, by=town.users["city"], version=case.version, note="转市水务局办理")
    assert case.status == S.UPPER_ACCEPTED
    assert [m.to for m in mail.outbox] == [["office@example.cn"]]
    assert "上一级活动办已受理" in mail.outbox[0].subject
    # Taken on: the town office no longer acts on it; the city office answers.
    assert CasePresenter(town.users["office"]).allowed_actions(case) == []
    assert set(CasePresenter(town.users["city"]).allowed_actions(case)) == {"resolve", "explain", "upper_return"}
    with pytest.raises(PermissionDenied):
        actions.resolve_case(case, by=town.users["office"], version=case.version, result="镇里自己办结")
    with django_capture_on_commit_callbacks(execute=True):
        case = actions.resolve_case(case, by=town.users["city"], version=case.version,
                                    result="市水务局已将该渠道列入今年高标准农田改造，8月完工")
    assert case.status == S.RESOLVED
    assert "已办结" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["office@example.cn"]
    case = answers.reply_case(case, by=town.users["office"], version=case.version, channel="phone",
                              content="市里已列入改造计划")
    assert case.status == S.REPLIED
    assert not upper.queue(town.users["city"]).exists()
    done = upper.rows(upper.queue(town.users["city"], done=True), town.users["city"])
    assert [row.case for row in done] == [case]
    assert done[0].answer == "市水务局已将该渠道列入今年高标准农田改造，8月完工"
    assert done[0].leader == "王文"
    assert done[0].signed_note == "同意上报市活动办"
    assert list(case.events.values_list("action", flat=True))[-4:] == ["sign", "upper_accept", "resolve", "reply"]


def test_it_explains_what_cannot_be_solved_now(city, make_case):
    town = city
    case = _escalated(town, make_case)
    case = escalation.accept_upper(case, by=town.users["city"], version=case.version)
    case = escalation.explain_case(case, by=town.users["city"], version=case.version,
                                   explanation="需列入明年市级项目库，今年无法实施")
    assert case.status == S.EXPLAINED
    assert case.explanation == "需列入明年市级项目库，今年无法实施"


def test_it_sends_the_case_back_with_instructions_and_the_town_dispatches_it_again(
        city, make_case, django_capture_on_commit_callbacks, settings):
    town = city
    case = _escalated(town, make_case)
    with pytest.raises(InvalidInput):
        escalation.return_to_town(case, by=town.users["city"], version=case.version, instructions=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = escalation.return_to_town(case, by=town.users["city"], version=case.version,
                                         instructions="属镇级水利维修范围，请水利站按小型工程维修")
    assert case.status == S.UPPER_RETURNED
    assert "上一级活动办退回镇办理" in mail.outbox[0].subject
    assert "小型工程维修" in mail.outbox[0].body
    event = case.events.order_by("-version").first()
    assert (event.action, event.from_status, event.note) == ("upper_return", S.ESCALATED,
                                                             "属镇级水利维修范围，请水利站按小型工程维修")
    assert set(CasePresenter(town.users["office"]).allowed_actions(case)) == {"dispatch", "resolve", "explain"}
    assert CasePresenter(town.users["city"]).allowed_actions(case) == []
    settings.ZOUFANG_TODAY = "2017-06-20"
    case = actions.dispatch_case(case, town.waterworks, by=town.users["office"], version=case.version)
    assert case.status == S.DISPATCHED
    assert case.dispatched_on == dt.date(2017, 6, 20)
    assert case.handling_due == dt.date(2017, 7, 4)  # a fresh limit of 10 working days
    assert not upper.queue(town.users["city"]).exists()
    assert [c.pk for c in upper.queue(town.users["city"], done=True)] == [case.pk]


def test_it_refuses_a_stale_version_and_changes_nothing(city, make_case):
    town = city
    case = _escalated(town, make_case)
    version = case.version
    escalation.accept_upper(case, by=town.users["city"], version=version)
    with pytest.raises(StaleVersion):
        escalation.return_to_town(case, by=town.users["city"], version=version, instructions="退回")
    with pytest.raises(StaleVersion):  # the town office read the same version before the city took it on
        actions.resolve_case(case, by=town.users["office"], version=version, result="镇里已办结")
    case.refresh_from_db()
    assert case.status == S.UPPER_ACCEPTED
    assert case.version == version + 1
    assert CaseEvent.objects.filter(case=case, version__gt=version).count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_the_city_and_the_town_win_when_they_act_at_once(city, make_case):
    town = city
    case = _escalated(town, make_case)
    version = case.version

    def act(i):
        fresh = Case.objects.get(pk=case.pk)
        if i % 2:
            return escalation.accept_upper(fresh, by=town.users["city"], version=version, note=f"受理{i}")
        return actions.resolve_case(fresh, by=town.users["office"], version=version, result=f"镇里办结{i}")

    results = _in_threads(6, act)
    winners = [r for r in results if isinstance(r, Case)]
    assert len(winners) == 1, results
    assert all(isinstance(r, StaleVersion) for r in results if r not in winners), results
    case.refresh_from_db()
    assert case.version == version + 1
    assert CaseEvent.objects.filter(case=case, version=version + 1).count() == 1


def test_the_api_lists_the_queue_and_acts_with_versions(client, city, make_case, api_token):
    town = city
    case = _escalated(town, make_case)
    _escalated(town, make_case, sign=False, description="待签字的上报件")
    headers = api_token("city")
    data = client.get("/api/v1/cases/upper-office", **headers).json()
    assert data["count"] == 1
    item = data["items"][0]
    assert (item["id"], item["town"], item["signoff_leader"], item["signed_note"]) == (
        str(case.public_id), "锦溪镇", "王文", "同意上报市活动办")
    assert item["escalation_reason"] == "涉及市级农田水利项目资金，本部门无法解决"
    assert item["allowed_actions"] == ["upper_accept", "upper_return"]
    assert item["raiser"]["full"] is False  # the city office reads the raiser masked
    for name in ("office", "handler", "outsider"):
        # Not a city office: an empty queue (a list answers for its caller's scope, as the other lists do).
        answer = client.get("/api/v1/cases/upper-office", **api_token(name))
        assert (answer.status_code, answer.json()["items"], answer.json()["count"]) == (200, [], 0)
    assert client.get("/api/v1/cases/upper-office?state=done", **api_token("taicang")).json()["count"] == 0
    stale = client.post(f"/api/v1/cases/{case.public_id}/upper-accept", {"version": case.version - 1},
                        content_type="application/json", **headers)
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    office = client.post(f"/api/v1/cases/{case.public_id}/upper-accept", {"version": case.version},
                         content_type="application/json", **api_token("office"))
    assert office.status_code == 403
    ok = client.post(f"/api/v1/cases/{case.public_id}/upper-accept", {"version": case.version, "note": "受理"},
                     content_type="application/json", **headers)
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "upper_accepted"
    back = client.post(f"/api/v1/cases/{case.public_id}/upper-return",
                       {"version": case.version + 1, "instructions": "请镇里先行维修"},
                       content_type="application/json", **headers)
    assert back.json()["status"] == "upper_returned"
    done = client.get("/api/v1/cases/upper-office?state=done", **headers).json()
    assert [i["upper_answer"] for i in done["items"]] == ["请镇里先行维修"]
    # The town office sees the case's state at the city.
    assert client.get(f"/api/v1/cases/{case.public_id}", **api_token("office")).json()["status_label"] == \
        "上级活动办退回镇办理"


def test_the_page_and_the_xlsx_show_the_towns_sign_off(client, city, make_case):
    town = city
    case = _escalated(town, make_case)
    client.force_login(town.users["city"])
    page = client.get(reverse("cases:upper")).content.decode()
    for text in ("农田灌溉渠道漏水严重", "锦溪镇", "王文", "同意上报市活动办", "涉及市级农田水利项目资金", "审阅并受理"):
        assert text in page
    assert "沙溪镇的上报件" not in page
    book = load_workbook(io.BytesIO(queued_file(client, reverse("cases:upper_xlsx")).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "编号", "镇")
    assert rows[2][1:3] == (case.number, "锦溪镇")
    assert rows[2][8] == "王文"
    detail = client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert 'id="act-upper_accept"' in detail
    client.post(reverse("cases:act", args=[case.public_id, "upper_accept"]),
                {"upper_accept-version": case.version, "upper_accept-note": "受理"})
    case.refresh_from_db()
    assert case.status == S.UPPER_ACCEPTED
    client.force_login(town.users["office"])
    assert "上级活动办办理中" in client.get(reverse("cases:detail", args=[case.public_id])).content.decode()
    assert client.get(reverse("cases:upper")).status_code == 404
    assert client.post(reverse("cases:upper_xlsx")).status_code == 404  # queued, refused as before


def test_the_queued_upper_queue_is_the_file_the_request_built(client, city, make_case):
    """The city office's xlsx runs on the queue (docs/jobs.md): the same workbook, pending and done."""
    from zoufang.cases import lists
    from zoufang.cases.upper_views import upper_rows, upper_table

    _escalated(city, make_case)
    user = city.users["city"]
    client.force_login(user)
    for state in ("", "done"):
        _done, title, rows = upper_rows(user, state)
        direct = lists.xlsx(title, upper_table(rows), upper.COLUMNS, upper.WIDTHS)
        assert cells(queued_file(client, reverse("cases:upper_xlsx"), {"state": state}).content) == cells(direct)


def test_the_town_offices_board_shows_the_case_at_the_city_and_when_it_comes_back(city, make_case):
    from zoufang.cases import access
    from zoufang.cases.board import columns

    town = city
    case = _escalated(town, make_case)
    case = escalation.accept_upper(case, by=town.users["city"], version=case.version)

    def column_of(pk):
        board = columns(access.visible_cases(town.users["office"]), dt.date(2017, 6, 15), ())
        return [c["key"] for c in board if pk in {x.pk for x in c["cases"]}]

    assert column_of(case.pk) == ["escalated"]
    case = escalation.return_to_town(case, by=town.users["city"], version=case.version, instructions="请镇里办理")
    assert column_of(case.pk) == ["to_dispatch"]
