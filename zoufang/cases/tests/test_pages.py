"""The office's board, the unit's desk, the leader's queue, a case page and its action forms."""

import datetime as dt
import html
import io
import re
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from openpyxl import load_workbook

from zoufang import clock
from zoufang.cases import actions, answers, escalation
from zoufang.cases.models import Case
from zoufang.core.testforms import choice_rows
from zoufang.jobs.testing import cells, queued_file

pytestmark = pytest.mark.django_db


def _accepted(town, case):
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


@pytest.mark.parametrize(
    ("persona", "url", "status"),
    [("office", "/cases/board/", 200), ("handler", "/cases/board/", 404), ("handler", "/cases/desk/", 200),
     ("office", "/cases/desk/", 404), ("leader", "/cases/signoff/", 200), ("office", "/cases/weekly/", 200),
     ("handler", "/cases/weekly/", 404), ("office", "/cases/agenda/", 200), ("leader", "/cases/agenda/", 200),
     ("office", "/cases/shared/", 200), ("outsider", "/cases/", 404), ("village", "/cases/", 200)],
)
def test_it_opens_each_page_to_its_roles(client, cases_town, make_case, persona, url, status):
    make_case()
    client.force_login(cases_town.users[persona])
    assert client.get(url).status_code == status


def test_it_dispatches_from_the_case_page_and_the_unit_sees_it_on_its_desk(client, cases_town, make_case):
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/")
    assert "交办" in page.content.decode()
    response = client.post(f"/cases/{case.public_id}/dispatch/", {
        "dispatch-version": case.version, "dispatch-unit": town.police.pk, "dispatch-priority": "normal"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.DISPATCHED
    client.force_login(town.users["handler"])
    desk = client.get("/cases/desk/").content.decode()
    assert case.number in desk
    assert '<time datetime="2017-06-29">6月29日</time>' in desk


def test_a_co_handling_unit_is_told_it_assists_the_handling_unit_and_who_acts(client, cases_town, make_case):
    """协办单位: no form is its own on the case page; it reads that it assists the 承办单位, which signs for and acts on
    the case, instead of a bare 'nothing for you to do'."""
    town = cases_town
    case = actions.register_case(make_case(), by=town.users["office"], version=1, category=town.category)
    actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version,
                          co_handlers=[town.waterworks])
    client.force_login(town.users["water"])
    page = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", client.get(f"/cases/{case.public_id}/").content.decode())))
    assert "本单位是此件的协办单位，请配合承办单位派出所办理；签收、办结、申请延期、退单和上报由承办单位进行。" in page
    assert "当前没有需要您办理的操作" not in page


def test_the_callback_s_satisfaction_is_a_group_of_rows_that_posts_the_same_value(client, cases_town, make_case):
    """回访's 满意度 is a fieldset named by its legend, each choice a label of its own tied to its radio (the shared
    _field.html); what is posted is the form's name and value as before."""
    town = cases_town
    case = _accepted(town, make_case())
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已修复")
    case = answers.reply_case(case, by=town.users["handler"], version=case.version, channel="phone", content="已修复")
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert choice_rows(page, "满意度", "callback-satisfaction") == [
        ("satisfied", "满意"), ("fairly", "基本满意"), ("unsatisfied", "不满意")]
    response = client.post(f"/cases/{case.public_id}/callback/", {
        "callback-version": case.version, "callback-satisfaction": "fairly"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.satisfaction) == (Case.Status.CALLED_BACK, "fairly")


def test_it_warns_instead_of_acting_on_a_stale_form(client, cases_town, make_case):
    town = cases_town
    case = make_case()
    client.force_login(town.users["office"])
    actions.register_case(case, by=town.users["office"], version=1, category=town.category)
    response = client.post(f"/cases/{case.public_id}/register/", {
        "register-version": 1, "register-category": town.category.pk, "register-kind": "problem",
        "register-priority": "urgent"}, follow=True)
    page = response.content.decode()
    office = town.users["office"]
    assert f"已由{office.get_full_name() or '锦溪镇走访办'}于" in page  # who came first (by role if nameless)
    assert "登记，现为“待交办”" in page
    assert "您的操作未执行" in page
    assert "刷新" not in page
    assert "本页已是该件现在的情况，已不能再登记。" in page  # nothing typed to list: no pointer to an empty list
    case.refresh_from_db()
    assert case.priority == "normal"


def test_it_shows_the_leader_the_escalations_to_sign(client, cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case())
    escalation.escalate_case(case, by=town.users["handler"], version=case.version, route="coordination",
                             leader=town.wangwen, reason="需多部门协调")
    client.force_login(town.users["leader"])
    assert "需多部门协调" in client.get("/cases/signoff/").content.decode()
    client.force_login(town.users["office"])
    assert "需多部门协调" not in client.get("/cases/signoff/").content.decode()


def test_it_hides_a_case_from_an_outsider_with_404(client, cases_town, make_case):
    case = make_case()
    client.force_login(cases_town.users["outsider"])
    assert client.get(f"/cases/{case.public_id}/").status_code == 404
    assert client.post(f"/cases/{case.public_id}/register/", {"register-version": 1}).status_code == 404


def test_it_exports_the_weekly_problem_list_to_xlsx(client, cases_town, make_case):
    make_case("上下塘社区东侧路灯损坏")
    make_case("建议增设健身器材", kind=Case.Kind.SUGGESTION)
    client.force_login(cases_town.users["office"])
    response = queued_file(client, "/cases/weekly.xlsx", {"kind": "problem", "week": "2017-06-13"})
    assert response.status_code == 200
    assert client.get("/cases/weekly.xlsx", {"kind": "problem", "week": "2017-06-13"}).status_code == 405
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("问题清单（2017年6月12日—6月18日）")
    assert rows[1][:4] == ("序号", "编号", "类别", "内容")
    assert [r[3] for r in rows[2:]] == ["上下塘社区东侧路灯损坏"]


@pytest.mark.parametrize(("kind", "title", "listed"), [
    ("suggestion", "建议清单", "建议增设健身器材"), ("problem", "问题清单", "上下塘社区东侧路灯损坏")])
def test_the_weekly_pages_export_link_downloads_the_list_on_the_page(client, cases_town, make_case, kind, title,
                                                                      listed):
    make_case("上下塘社区东侧路灯损坏")
    make_case("建议增设健身器材", kind=Case.Kind.SUGGESTION)
    client.force_login(cases_town.users["office"])
    page = client.get("/cases/weekly/", {"kind": kind, "week": "2017-06-13", "status": "draft"}).content.decode()
    # A button (POST, built in the background): its hidden fields carry the list and its filters.
    form = re.search(r'<form method="post" action="([^"]*weekly\.xlsx)">(.*?)</form>', page).group(2)
    query = {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form)}
    assert query["kind"] == kind
    assert query["week"] == "2017-06-12"
    assert query["status"] == "draft"
    response = queued_file(client, "/cases/weekly.xlsx", query)
    assert title in unquote(response["Content-Disposition"])
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith(title)
    assert [r[3] for r in rows[2:]] == [listed]
    # the week links keep the list and its filters
    for week in ("2017-06-05", "2017-06-19"):
        found = re.search(rf'href="([^"]*week={week}[^"]*)"', page)
        assert found, week
        assert parse_qs(urlsplit(html.unescape(found.group(1))).query) == {"kind": [kind], "week": [week],
                                                                           "status": ["draft"]}


def test_it_suggests_a_likely_duplicate_on_the_case_page(client, cases_town, make_case):
    make_case("上下塘社区东侧路灯损坏，夜间出行不便")
    case = make_case("东侧路灯损坏了，晚上出行不方便", target=cases_town.households["shangxiatang"][2])
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "可能重复的件" in page
    assert "合并到此件" in page


def test_it_takes_a_hotline_call_into_the_same_flow(client, cases_town):
    client.force_login(cases_town.users["office"])
    assert client.get("/cases/new/").status_code == 200
    response = client.post("/cases/new/", {
        "campaign": cases_town.campaign.pk, "kind": "problem", "source": "hotline",
        "region": cases_town.jijiadun.pk, "description": "计家墩村桥头路灯不亮", "raiser_name": "张三",
        "raiser_phone": "13800001111"})
    assert response.status_code == 302
    case = Case.objects.get(description="计家墩村桥头路灯不亮")
    assert case.status == Case.Status.DRAFT
    assert case.source == Case.Source.HOTLINE
    assert str(case.registration_due) == "2017-06-19"
    assert case.events.get().action == "receive"


@pytest.mark.parametrize("persona", ["handler", "leader", "village", "outsider"])
def test_it_lets_only_the_office_take_calls(client, cases_town, persona):
    client.force_login(cases_town.users[persona])
    assert client.get("/cases/new/").status_code == 404


def test_it_lets_the_unit_accept_from_its_desk(client, cases_town, make_case):
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    client.force_login(town.users["handler"])
    assert 'name="accept-version"' in client.get("/cases/desk/").content.decode()
    client.post(f"/cases/{case.public_id}/accept/", {"accept-version": case.version})
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED


def test_an_accept_sent_twice_is_done_once_and_says_so(client, cases_town, make_case):
    """The same form again (a double click, a resend: decision 0058): the case's page, saying it was done, not a
    stale-version warning naming the handler themself."""
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    client.force_login(town.users["handler"])
    form = {"accept-version": case.version, "accept-note": "已签收"}
    sent = [client.post(f"/cases/{case.public_id}/accept/", form) for _sent in range(2)]
    assert [answer["Location"] for answer in sent] == [f"/cases/{case.public_id}/"] * 2
    case.refresh_from_db()
    assert (case.status, case.version, case.events.filter(action="accept").count()) == (Case.Status.ACCEPTED, 4, 1)
    assert "重复提交未再次办理" in client.get(f"/cases/{case.public_id}/").content.decode()


def test_a_resolve_and_a_reply_sent_twice_with_their_text_are_done_once_and_say_so(client, cases_town, make_case):
    """办结 with its result, then 答复 with its content, channel and day, each sent twice: the second is the first one
    again (decision 0058), not a stale-version warning naming the handler themself; nothing is written twice."""
    town = cases_town
    case = _accepted(town, make_case())
    client.force_login(town.users["handler"])
    page = f"/cases/{case.public_id}/"
    resolve = {"resolve-version": case.version, "resolve-result": "已修复路灯，群众满意"}
    reply = {"reply-version": case.version + 1, "reply-channel": "phone", "reply-content": "已电话告知修复情况",
             "reply-replied_on": "2017-06-15"}
    for action, form in (("resolve", resolve), ("reply", reply)):
        sent = [client.post(f"{page}{action}/", form) for _sent in range(2)]
        assert [answer.status_code for answer in sent] == [302, 302], action
        assert [answer["Location"] for answer in sent] == [page] * 2, action
        shown = client.get(page).content.decode()
        assert "重复提交未再次办理" in shown, action
        assert "已由" not in shown, action
    case.refresh_from_db()
    assert (case.status, case.version) == (Case.Status.REPLIED, 6)
    assert (case.events.filter(action="resolve").count(), case.events.filter(action="reply").count()) == (1, 1)
    assert case.replies.count() == 1


def test_a_reopen_sent_twice_with_its_reason_is_done_once_and_says_so(client, cases_town, make_case):
    """重办's form holds its reason, which the case event keeps as its note: the same form again is a resend."""
    town, office = cases_town, cases_town.users["office"]
    case = _accepted(town, make_case())
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已修")
    case = answers.reply_case(case, by=office, version=case.version, channel="phone", content="已修")
    case = answers.record_callback(case, by=office, version=case.version, satisfaction="unsatisfied", note="又坏了")
    client.force_login(office)
    page = f"/cases/{case.public_id}/"
    form = {"reopen-version": case.version, "reopen-reason": "群众不满意"}
    sent = [client.post(f"{page}reopen/", form) for _sent in range(2)]
    assert [answer["Location"] for answer in sent] == [page] * 2
    assert "重复提交未再次办理" in client.get(page).content.decode()
    case.refresh_from_db()
    assert (case.status, case.events.filter(action="reopen").count()) == (Case.Status.DISPATCHED, 1)


def test_a_reply_from_a_stale_page_with_other_text_is_still_refused(client, cases_town, make_case):
    """The same user, the same action, the version the form was drawn at, but another text: not a resend."""
    town = cases_town
    case = _accepted(town, make_case())
    case = actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已修复路灯")
    client.force_login(town.users["handler"])
    page = f"/cases/{case.public_id}/"
    form = {"reply-version": case.version, "reply-channel": "phone", "reply-content": "已电话告知修复情况",
            "reply-replied_on": "2017-06-15"}
    assert client.post(f"{page}reply/", form).status_code == 302
    other = client.post(f"{page}reply/", {**form, "reply-content": "已上门告知"}, follow=True)
    shown = other.content.decode()
    assert "重复提交未再次办理" not in shown
    assert "您的操作未执行" in shown
    case.refresh_from_db()
    assert (case.version, case.events.filter(action="reply").count(), case.replies.count()) == (6, 1, 1)


def test_it_shows_cases_in_the_admin_read_only(client, cases_town, make_case):
    from django.contrib.auth import get_user_model

    case = make_case()
    admin = get_user_model().objects.create_superuser("root", "root@example.cn", "x")
    client.force_login(admin)
    assert client.get("/admin/cases/case/").status_code == 200
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200


def test_the_board_puts_what_needs_action_now_first_and_never_hides_a_new_arrival(client, cases_town, make_case):
    """Ten drafts that arrived last week and are not yet due, one overdue, one arriving today with the latest
    deadline: the overdue one and the new one head the column, however many wait, and the header counts them."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zoufang.cases.models import CaseEvent

    waiting = [make_case(f"第{i}件：村道路灯不亮", raised=dt.date(2017, 6, 14)) for i in range(10)]
    late = make_case("河道垃圾无人清理", raised=dt.date(2017, 6, 9))
    CaseEvent.objects.filter(case__in=[*waiting, late]).update(at=dt.datetime(2017, 6, 9, 10, tzinfo=ZoneInfo("UTC")))
    new = make_case("今天收集：小区门口积水", raised=dt.date(2017, 6, 15))
    assert new.registration_due > max(c.registration_due for c in waiting) >= dt.date(2017, 6, 15) > late.registration_due
    client.force_login(cases_town.users["office"])
    page = client.get("/cases/board/").content.decode()
    column = page[page.index("board-draft"):page.index("board-to_dispatch")]
    shown = re.findall(r'<a href="/cases/[0-9a-f-]+/">([^<]+)</a>', column)
    assert shown[:2] == ["河道垃圾无人清理", "今天收集：小区门口积水"]
    assert len(shown) == 8
    assert '<span class="count">12</span>' in column
    assert "逾期 1" in column
    assert "新到 1" in column
    assert "查看全部 12 件" in column


def test_the_desk_puts_overdue_then_newly_dispatched_cases_first(client, cases_town, make_case):
    """The unit's 承办台: an accepted case with an early deadline, then one dispatched today (latest deadline)
    that waits for 签收: the new one comes before the accepted one, and the header counts it."""
    first = _accepted(cases_town, make_case("上下塘社区东侧路灯损坏"))
    fresh = make_case("小区门口积水", raised=dt.date(2017, 6, 15))
    fresh = actions.register_case(fresh, by=cases_town.users["office"], version=fresh.version,
                                  category=cases_town.category)
    fresh = actions.dispatch_case(fresh, cases_town.police, by=cases_town.users["office"], version=fresh.version)
    assert fresh.handling_due >= first.handling_due  # by deadline, then id, main listed it last
    assert fresh.pk > first.pk
    client.force_login(cases_town.users["handler"])
    page = client.get("/cases/desk/").content.decode()
    assert page.index("小区门口积水") < page.index("上下塘社区东侧路灯损坏")
    assert "待签收 1" in page


def test_a_handler_s_home_counts_what_its_desk_holds_as_the_desk_ranks_it(client, cases_town, make_case):
    """The handler starts the day on the home page: the desk's figures are there (an overdue case counts as overdue,
    not also as waiting for 签收), with the way to the desk; the office's home has no desk."""
    late = _accepted(cases_town, make_case("河道垃圾无人清理", raised=dt.date(2017, 5, 2)))
    Case.objects.filter(pk=late.pk).update(handling_due=dt.date(2017, 6, 1))
    fresh = make_case("小区门口积水", raised=dt.date(2017, 6, 15))
    fresh = actions.register_case(fresh, by=cases_town.users["office"], version=fresh.version,
                                  category=cases_town.category)
    actions.dispatch_case(fresh, cases_town.police, by=cases_town.users["office"], version=fresh.version)
    make_case("村道路灯不亮")  # a draft: not the unit's yet
    client.force_login(cases_town.users["handler"])
    page = client.get("/").content.decode()
    desk = page[page.index('id="desk-title"'):]
    desk = desk[:desk.index("</section>")]
    figures = dict((label, int(value)) for value, label in re.findall(
        r'<span class="value[^"]*">(\d+)</span><span class="label">([^<]+)</span>', desk))
    assert figures == {"待办的件": 2, "已超期": 1, "待签收": 1, "待回复反映人": 0}
    assert 'href="/cases/desk/"' in desk
    # A paused case past its old deadline is neither overdue nor new, on the home page as on the desk.
    paused = _accepted(cases_town, make_case("楼道堆放杂物", raised=dt.date(2017, 5, 3)))
    Case.objects.filter(pk=paused.pk).update(handling_due=dt.date(2017, 6, 1), paused_since=clock.now())
    page = client.get("/").content.decode()
    desk_page = client.get("/cases/desk/").content.decode()
    for figure in ("3 件", "超期 1", "待签收 1"):
        assert figure in desk_page
    desk = page[page.index('id="desk-title"'):]
    desk = desk[:desk.index("</section>")]
    assert dict((label, int(value)) for value, label in re.findall(
        r'<span class="value[^"]*">(\d+)</span><span class="label">([^<]+)</span>', desk)) == {
        "待办的件": 3, "已超期": 1, "待签收": 1, "待回复反映人": 0}
    client.force_login(cases_town.users["office"])
    assert 'id="desk-title"' not in client.get("/").content.decode()


def test_a_unit_s_desk_names_its_unit_once_and_a_desk_of_two_units_names_it_on_each_row(client, cases_town,
                                                                                          make_case):
    """派出所's handler reads 派出所 in the heading, not in a 承办单位 column of one value; a handler of two units
    sees whose each case is."""
    from zoufang.accounts.models import RoleGrant

    police = _accepted(cases_town, make_case("上下塘社区东侧路灯损坏"))
    water = actions.register_case(make_case("河道垃圾无人清理"), by=cases_town.users["office"], version=1,
                                  category=cases_town.category)
    actions.dispatch_case(water, cases_town.waterworks, by=cases_town.users["office"], version=water.version)
    handler = cases_town.users["handler"]
    client.force_login(handler)
    page = client.get("/cases/desk/").content.decode()
    assert police.number in page
    assert "河道垃圾无人清理" not in page
    assert "承办单位" not in page
    assert re.search(r'<h1>承办台</h1><span class="muted">派出所</span>', page)

    RoleGrant.objects.create(user=handler, role=RoleGrant.Role.UNIT_HANDLER, unit=cases_town.waterworks,
                             region=cases_town.town)
    page = client.get("/cases/desk/").content.decode()
    assert '<th scope="col">承办单位</th>' in page
    assert page.count(f'<td data-label="承办单位">{cases_town.police.name}</td>') == 1
    assert page.count(f'<td data-label="承办单位">{cases_town.waterworks.name}</td>') == 1


def test_the_queued_weekly_list_is_the_file_the_request_built(client, cases_town, make_case):
    """The weekly list runs on the queue (docs/jobs.md): the same workbook as building it in the request, with the
    page's filters; those who see no lists are refused as before."""
    from zoufang.cases import lists
    from zoufang.cases.report_views import weekly_list

    make_case("上下塘社区东侧路灯损坏")
    make_case("建议增设健身器材", kind=Case.Kind.SUGGESTION)
    office = cases_town.users["office"]
    client.force_login(office)
    for asked in ({"kind": "problem", "week": "2017-06-13"}, {"kind": "suggestion", "week": "2017-06-13", "status": "open"}):
        chosen = weekly_list(office, asked)
        direct = lists.xlsx(chosen.title, lists.rows(chosen.cases, office))
        assert cells(queued_file(client, "/cases/weekly.xlsx", asked).content) == cells(direct)
    client.force_login(cases_town.users["handler"])
    assert client.post("/cases/weekly.xlsx", {"week": "2017-06-13"}).status_code == 404


def test_the_desk_says_a_case_due_today_is_due_today_and_names_its_category(client, cases_town, make_case):
    """A handler reads 今日到期, not 剩 0 个工作日, and the category's words beside its bare code (1.1)."""
    case = _accepted(cases_town, make_case())
    Case.objects.filter(pk=case.pk).update(handling_due=dt.date(2017, 6, 15))
    client.force_login(cases_town.users["handler"])
    desk = client.get("/cases/desk/").content.decode()
    assert "今日到期" in desk
    assert "剩 0 个工作日" not in desk
    assert "1.1 收集群众对社会热点" in desk
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "（今日到期）" in page


def test_an_unknown_status_on_the_case_list_is_every_case_said_in_chinese_and_nothing_to_clear(client, cases_town,
                                                                                               make_case):
    """?status=handling (no such stage or status): every case, 全部 selected, a notice naming the parameter and the
    choices by their labels (the menu's words, not the URL's), and no 清除 for a filter that is not applied."""
    make_case("上下塘社区东侧路灯损坏")
    client.force_login(cases_town.users["office"])
    for query in ({"status": "handling"}, {"kind": "nonsense"}, {"route": "elsewhere"}, {"after": "garbage"}):
        response = client.get("/cases/", query)
        page = response.content.decode()
        name = next(iter(query))
        assert response.status_code == 200
        assert f"参数“{name}”有误" in page, query
        assert "上下塘社区东侧路灯损坏" in page
        assert ">清除</button>" not in page, query
        assert not re.search(r"<option value=\"[a-z_]+\" selected>", page), query
    page = html.unescape(client.get("/cases/", {"status": "handling"}).content.decode())
    notice = page.split("参数“status”有误")[1].split("</div>")[0]
    assert "待登记" in notice
    assert "上级活动办办理中" in notice
    assert notice.count("待交办") == 1  # a stage and a status of the same name: listed once
    assert not re.search(r"to_dispatch|upper_accepted|draft", notice), notice
    filtered = client.get("/cases/", {"status": "draft"}).content.decode()
    assert ">清除</button>" in filtered
    assert "有误" not in filtered


def test_a_cadre_reads_the_opinions_it_collected_on_its_visit_and_its_list_not_on_the_case_page(client, cases_town,
                                                                                                api_token):
    """A visiting cadre (README: `dept`, 我的走访) follows what it collected where it works: the visit's page and 我的走访
    give each opinion's words and status. The case's own page — the handling history, the units' notes, the raiser's
    call-back — is for those who handle or oversee it: 404 for the cadre, as for the matrix's oracle (Oracle.opens)."""
    import uuid

    from django.urls import reverse

    from zoufang.cases.services import draft_case
    from zoufang.planning.models import Assignment
    from zoufang.visits.models import Visit

    town = cases_town
    officer, target = town.users["dept"].cadre, town.households["jijiadun"][0]
    Assignment.objects.create(campaign=town.campaign, target=target, cadre=officer, unit=officer.unit)
    moment = dt.datetime(2017, 6, 13, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    visit = Visit.objects.create(campaign=town.campaign, target=target, cadre=officer, client_uuid=uuid.uuid4(),
                                 content_hash=uuid.uuid4().hex, visited_at=moment, mode=Visit.Mode.HOME)
    case = draft_case(campaign=town.campaign, kind=Case.Kind.SUGGESTION, description="建议社区卫生服务站延长周末门诊时间",
                      raised_at=moment, target=target, source_visit=visit, by=town.users["dept"])
    client.force_login(town.users["dept"])
    assert case.description in client.get(reverse("visits:visit", args=[visit.public_id])).content.decode()
    assert case.description in client.get(reverse("visits:my_list")).content.decode()
    assert client.get(reverse("cases:detail", args=[case.public_id])).status_code == 404
    assert client.get(f"/api/v1/cases/{case.public_id}", **api_token("dept")).status_code == 404


def test_a_cadre_s_list_links_each_opinion_to_where_the_cadre_reads_it(client, cases_town):
    """我的走访 lists its targets' open opinions; each the cadre reads on a visit's page links to it there, at the
    opinion (the case page is not the cadre's: decision 0057). One raised on another cadre's visit, which that page
    does not show the cadre, or to the hotline, has no page of the cadre's: listed, with no link."""
    import uuid

    from django.urls import reverse

    from zoufang.cases.services import draft_case
    from zoufang.planning.models import Assignment
    from zoufang.registry.tests.factories import CadreFactory
    from zoufang.visits.models import Visit

    town = cases_town
    officer, target = town.users["dept"].cadre, town.households["jijiadun"][0]
    Assignment.objects.create(campaign=town.campaign, target=target, cadre=officer, unit=officer.unit)
    moment = dt.datetime(2017, 6, 13, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))

    def visit_by(cadre) -> Visit:
        return Visit.objects.create(campaign=town.campaign, target=target, cadre=cadre, client_uuid=uuid.uuid4(),
                                    content_hash=uuid.uuid4().hex, visited_at=moment, mode=Visit.Mode.HOME)

    own, others = visit_by(officer), visit_by(CadreFactory(unit=town.police))

    def opinion(text: str, visit: Visit | None) -> Case:
        return draft_case(campaign=town.campaign, kind=Case.Kind.SUGGESTION, description=text, raised_at=moment,
                          target=target, source_visit=visit, by=None)

    mine = opinion("建议社区卫生服务站延长周末门诊时间", own)
    theirs = opinion("反映村口路灯不亮", others)
    called = opinion("来电反映垃圾清运不及时", None)
    client.force_login(town.users["dept"])
    page = client.get(reverse("visits:my_list")).content.decode()
    anchor = f'{reverse("visits:visit", args=[own.public_id])}#opinion-{mine.public_id}'
    assert re.search(rf'<a href="{re.escape(anchor)}">{mine.description}</a>', page), page
    for unlinked in (theirs, called):
        assert unlinked.description in page
        assert f"#opinion-{unlinked.public_id}" not in page
    visit_page = client.get(reverse("visits:visit", args=[own.public_id])).content.decode()
    assert f'id="opinion-{mine.public_id}"' in visit_page
    assert theirs.description not in client.get(reverse("visits:visit", args=[others.public_id])).content.decode()


def test_a_category_reads_without_the_list_punctuation_of_the_document_it_was_copied_from(client, cases_town,
                                                                                        make_case):
    """The campaign keeps 1.1's words as the seed's list writes them (…意见建议；), but a page or a list's cell names
    the category without the list's closing ；, as a heading would."""
    from zoufang.cases import lists

    case = make_case()
    case = actions.register_case(case, by=cases_town.users["office"], version=case.version, category=cases_town.category)
    words = "1.1 收集群众对社会热点、改革难点、民生重点等方面问题的意见建议"
    client.force_login(cases_town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert f"{words}</dd>" in page
    assert f"{words}；" not in page
    assert lists.rows(Case.objects.filter(pk=case.pk), cases_town.users["office"])[0][2] == words
    assert str(case.category) == words


def test_the_list_says_which_drafts_are_past_or_at_their_registration_deadline(client, cases_town, make_case):
    """A draft's 期限 is its 登记 day; one already past it (raised 9 June, due 13 June) reads 已超过登记期限 and one
    due today (raised 13 June) 今日到期, as the board counts them; one due next week says only its day. The case's
    page says it by its 登记期限 too."""
    import datetime as dt

    late = make_case("河道垃圾无人清理", raised=dt.date(2017, 6, 9))
    today = make_case("村道路灯不亮", raised=dt.date(2017, 6, 13))
    later = make_case("小区门口积水", raised=dt.date(2017, 6, 15))
    client.force_login(cases_town.users["office"])
    page = client.get("/cases/").content.decode()

    def deadline(case):
        row = page[page.index(f"/cases/{case.public_id}/"):]
        return re.sub(r"<[^>]+>", " ", re.search(r'data-label="期限">(.*?)</td>', row).group(1)).split()

    assert deadline(late) == ["登记", "6月13日", "已超过登记期限"]
    assert deadline(today) == ["登记", "6月15日", "今日到期"]
    assert deadline(later) == ["登记", "6月19日"]
    detail = client.get(f"/cases/{late.public_id}/").content.decode()
    dd = re.search(r"<dt>登记期限</dt><dd>(.*?)</dd>", detail).group(1)
    assert re.sub(r"<[^>]+>", "", dd) == "2017年6月13日 已超过登记期限"
    assert '<span class="bad">已超过登记期限</span>' in dd
