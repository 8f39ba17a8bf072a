"""A resident walks into the town office: 查阅、复制 what it holds on them, and 删除 it (个人信息保护法 第四十四至四十七条).

张建国 of 上下塘社区 was visited by 派出所's party member, answered the questionnaires, raised a problem on the visit and
called the hotline from the same phone; a callback of the visit is on record."""

import datetime as dt
import io
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from zoufang import clock
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.callbacks.models import CallbackAttempt, CallbackSample
from zoufang.campaigns.config import read_campaign_file, shipped_campaign_path
from zoufang.cases.models import Case, CaseEvent, CaseReply
from zoufang.conftest import PASSWORD
from zoufang.forms.models import FormAnswer
from zoufang.oversight import figures
from zoufang.planning.models import Assignment
from zoufang.privacy.tests.conftest import ID, PHONE, SUMMARY, _client, _close, _erase
from zoufang.registry.identifiers import ID_NUMBER_RULE
from zoufang.registry.models import Target
from zoufang.visits.models import Visit


def _figures(campaign: Any, today: dt.date) -> list[str]:
    """What the dashboard shows of the campaign: coverage by village and by cadre with the total, the cases' figures."""
    coverage = [figures.coverage(campaign, by, today) for by in ("village", "cadre")]
    return [repr([(c.rows, c.total) for c in coverage]), repr(figures.case_totals(campaign, today)),
            repr(figures.case_figures(campaign, "unit", today)), str(figures.visited_targets(campaign)),
            str(Visit.objects.count()), str(Case.objects.count())]


@pytest.mark.django_db
def test_it_lists_every_record_held_on_the_person_by_id_number_in_full_and_audits_the_read(resident):
    before = AuditEvent.objects.order_by("-seq").first().seq
    response = _client(resident.users["office"]).post("/privacy/", {"number": ID.lower()})
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("张建国", ID, PHONE, "上下塘社区1号", SUMMARY, "办家庭农场", "屋顶漏雨", "已告知张建国维修安排",
                  resident.problem.number):
        assert shown in page, shown
    assert "建议村口加装路灯" not in page  # the hotline call is found by phone, not by ID number
    reads = AuditEvent.objects.filter(action=AuditEvent.Action.READ, seq__gt=before).order_by("seq")
    assert [(r.object_type, r.object_id) for r in reads] == [("registry.Target", str(resident.zhang.public_id))]
    assert "个人信息查阅" in reads[0].summary
    assert "320583********" in reads[0].summary
    assert ID not in reads[0].summary


@pytest.mark.django_db
def test_it_finds_the_hotline_call_by_phone_number_however_it_is_typed(resident):
    response = _client(resident.users["office"]).post("/privacy/", {"number": "138 1234 0001"})
    page = response.content.decode()
    assert "建议村口加装路灯" in page
    assert "屋顶漏雨" in page
    assert SUMMARY in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.READ, object_id=str(resident.hotline.public_id)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "message"), [
    (ID[:-1] + ("0" if ID[-1] != "0" else "1"), str(ID_NUMBER_RULE)),
    ("1381234000", "电话号码应为11位手机号"),
    ("张建国", "只能含数字"),
    ("", "这个字段是必填项"),
])
def test_it_refuses_a_number_that_breaks_its_rule_naming_the_rule(resident, typed, message):
    response = _client(resident.users["office"]).post("/privacy/", {"number": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


@pytest.mark.django_db
def test_no_one_but_the_office_may_ask_and_an_office_sees_only_its_area(resident):
    for name in ("leader", "dept", "village", "auditor", "outsider"):
        client = _client(resident.users[name])
        assert client.get("/privacy/").status_code == 404, name
        for url in ("/privacy/", "/privacy/copy.xlsx", "/privacy/erase/"):
            assert client.post(url, {"number": ID}).status_code == 404, (name, url)
    elsewhere = ensure_user("jjd_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=resident.jijiadun)
    page = _client(elsewhere).post("/privacy/", {"number": PHONE}).content.decode()
    assert "没有持有这个电话号码的记录" in page
    assert "张建国" not in page
    assert _client(resident.users["office"]).get("/targets/").content.decode().count("/privacy/") == 1
    assert "/privacy/" not in _client(resident.users["leader"]).get("/targets/").content.decode()


@pytest.mark.django_db
def test_the_copy_is_an_xlsx_of_every_record_read_back(resident):
    response = _client(resident.users["office"]).post("/privacy/copy.xlsx", {"number": PHONE})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["说明", "走访对象", "走访记录", "问题与意见建议", "回访抽查"]
    cover = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert cover["回访抽查"] == "1 条"
    assert cover["电话号码"] == PHONE
    assert cover["走访对象"] == "1 条"
    assert cover["问题与意见建议"] == "2 条"
    target = list(book["走访对象"].iter_rows(min_row=2, values_only=True))  # under the sheet's title
    assert target[0][:6] == ("对象类型", "名称/户主姓名", "所在区划", "地址", "联系电话", "身份证号码")
    assert target[1][:6] == ("户籍户", "张建国", "上下塘社区 第1居民小组", "上下塘社区1号", PHONE, ID)
    visit = list(book["走访记录"].iter_rows(min_row=3, values_only=True))
    assert visit[0][5] == SUMMARY
    assert "办家庭农场" in visit[0][6]
    assert "【" in visit[0][6]
    cases = {row[5]: row for row in book["问题与意见建议"].iter_rows(min_row=3, values_only=True)}
    assert set(cases) == {"张建国家（上下塘社区1号）屋顶漏雨", "建议村口加装路灯"}
    assert cases["建议村口加装路灯"][7] == "138-1234-0001"
    assert cases["张建国家（上下塘社区1号）屋顶漏雨"][8] == "上下塘社区 第1居民小组"  # the village, not only the group
    assert "已告知张建国维修安排" in cases["张建国家（上下塘社区1号）屋顶漏雨"][12]
    sample = list(book["回访抽查"].iter_rows(min_row=3, values_only=True))
    assert sample[0][3] == "走访属实"
    assert "张建国确认走访属实" in sample[0][6]
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert {e.object_id for e in exports} == {str(resident.zhang.public_id), str(resident.hotline.public_id)}


@pytest.mark.django_db
def test_the_copy_prints_each_section_as_a_titled_boxed_table_with_its_moments_in_chinese(resident):
    """Printed for the person: each sheet says what it is, its cells boxed and each row as tall as its text; its
    moments read 2017年6月2日 10:30 as the pages say them, never 2017-06-02 10:30."""
    response = _client(resident.users["office"]).post("/privacy/copy.xlsx", {"number": PHONE})
    book = load_workbook(io.BytesIO(response.content))
    moment = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}")
    cover = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert moment.fullmatch(cover["出具时间"])
    for name in ("走访对象", "走访记录", "问题与意见建议", "回访抽查"):
        sheet = book[name]
        assert sheet["A1"].value == f"个人信息副本：{name}"
        assert sheet["A1"].font.name
        assert sheet["A2"].font.b
        assert sheet["A2"].border.left.style == "thin"
        assert sheet["A3"].border.bottom.style == "thin"
        assert sheet.freeze_panes == "A3"
    assert moment.fullmatch(book["走访记录"]["A3"].value)
    history = book["问题与意见建议"].cell(3, 13).value  # after 所在区划 (h3)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", history), history
    assert book["问题与意见建议"].row_dimensions[3].height > 16 * 3


@pytest.mark.django_db
def test_the_copy_holds_the_callback_answers_labelled_by_the_script_s_questions(resident):
    """What the person said on the callback, worded as the script asked it; an answer the script no longer asks
    is still what was recorded, and is in the copy too."""
    config = read_campaign_file(shipped_campaign_path("jinxi-2017")).data
    resident.campaign.config = {**resident.campaign.config, "callbacks": config["callbacks"]}
    resident.campaign.save()
    answers = {"visited": "yes", "same_visitor": "yes", "mode": "home", "answered": "none_raised",
               "satisfaction": "fairly", "opinion": "希望村口路灯早点修好", "remark": "张建国本人接听"}
    CallbackSample.objects.filter(pk=resident.sample.pk).update(answers=answers)
    CallbackAttempt.objects.filter(sample=resident.sample).update(answers=answers)
    response = _client(resident.users["office"]).post("/privacy/copy.xlsx", {"number": ID})
    sheet = load_workbook(io.BytesIO(response.content))["回访抽查"]
    header = [cell.value for cell in sheet[2]]
    given = list(sheet.iter_rows(min_row=3, values_only=True))[0][header.index("回访答案")]
    assert given.splitlines() == [
        "今年以来是否有干部到您家（单位）走访或联系过您？：是", "走访人是否是记录中的这位干部本人？：是",
        "当时是以什么方式走访的？：上门入户", "您当时反映的问题或意见是否得到了回复？：没有反映问题",
        "您对这次走访是否满意？：基本满意", "您还有什么意见或建议？：希望村口路灯早点修好",
        "回访问卷中已没有的问题（remark）：张建国本人接听"]
    page = _client(resident.users["office"]).post("/privacy/", {"number": ID}).content.decode()
    assert "您对这次走访是否满意？：基本满意" in page


@pytest.mark.django_db
def test_erasure_is_refused_naming_what_to_do_while_a_case_is_open_or_a_running_campaign_assigns_them(resident):
    office = _client(resident.users["office"])
    response = _erase(office)
    page = response.content.decode()
    assert f"问题 {resident.problem.number}" in page
    assert "尚未结案" in page
    assert "正在进行的走访活动" in page
    assert "取消这一分配" in page
    _close(resident.problem, resident.hotline)
    assert "尚未结案" not in _erase(office).content.decode()
    resident.zhang.refresh_from_db()
    assert (resident.zhang.name, resident.zhang.phone, resident.zhang.id_number) == ("张建国", PHONE, ID)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE).exists()


@pytest.mark.django_db
def test_erasure_needs_a_reason_the_confirmation_and_a_note_for_other(resident):
    office = _client(resident.users["office"])
    page = office.post("/privacy/erase/", {"number": ID, "reason": "other"}).content.decode()
    assert "理由为“其他”时须写明理由说明" in page
    assert "这个字段是必填项" in page
    resident.zhang.refresh_from_db()
    assert resident.zhang.name == "张建国"


@pytest.mark.django_db
def test_erasure_takes_the_person_out_of_every_record_and_leaves_the_figures_as_they_were(resident, settings):
    settings.ZOUFANG_TODAY = "2018-03-01"  # the campaign ended on 2017-12-31
    _close(resident.problem, resident.hotline)
    today = dt.date(2018, 3, 1)
    before = _figures(resident.campaign, today)
    audited = AuditEvent.objects.count()
    office = _client(resident.users["office"])
    response = _erase(office, PHONE, reason="other", note="本人来电要求删除")
    assert response.status_code == 200
    assert "已删除持有电话号码 138****0001 的个人信息" in response.content.decode()
    zhang = Target.objects.get(pk=resident.zhang.pk)
    assert (zhang.name, zhang.address, zhang.phone, zhang.id_number, zhang.phone_index, zhang.id_number_index) == (
        "已删除", "", "", "", "", "")
    visit = Visit.objects.get(pk=resident.visit.pk)
    assert "张建国" not in visit.summary
    assert "上下塘社区1号" not in visit.summary
    assert "0001" in visit.summary
    assert "138 1234 0001" not in visit.summary
    assert visit.version == resident.visit.version + 1
    # Stamped by the product's one clock, as every other change: on the (pinned) day it was made.
    assert (clock.local(visit.modified_at).date(), clock.local(zhang.modified_at).date()) == (today, today)
    answer = FormAnswer.objects.get(visit=visit)
    assert "张建国" not in str(answer.data)
    assert PHONE not in str(answer.data)
    assert answer.data["satisfaction"] == "satisfied"
    hotline = Case.objects.get(pk=resident.hotline.pk)
    assert (hotline.raiser_name, hotline.raiser_phone, hotline.raiser_phone_index) == ("", "", "")
    problem = Case.objects.get(pk=resident.problem.pk)
    assert "张建国" not in problem.description
    assert problem.status == Case.Status.CLOSED
    assert "张建国" not in CaseReply.objects.get(case=problem).content
    sample = CallbackSample.objects.get(pk=resident.sample.pk)
    assert sample.answers == {"remark": "张**本人接听"}
    assert sample.outcome == CallbackSample.Outcome.CONFIRMED
    assert CallbackAttempt.objects.get(sample=sample).note == "拨打138****0001，张**确认走访属实"
    assert CaseEvent.objects.filter(case=problem).exists()
    assert _figures(resident.campaign, today) == before
    rows = list(AuditEvent.objects.order_by("seq")[audited:])
    updates = [r for r in rows if r.action == AuditEvent.Action.UPDATE]
    # the target, the visit, its answer, the two cases, the reply (the events carry no text about him)
    assert sorted(r.object_type for r in updates) == sorted(
        ["registry.Target", "visits.Visit", "forms.FormAnswer", "cases.Case", "cases.Case", "cases.CaseReply",
         "callbacks.CallbackSample", "callbacks.CallbackAttempt"])
    trail = repr([(r.summary, r.changes) for r in rows])
    for erased in ("张建国", PHONE, "138-1234-0001", ID, "上下塘社区1号", ID[6:14]):
        assert erased not in trail, erased
    assert all("本人来电要求删除" in r.summary and "138****0001" in r.summary for r in updates)
    # Idempotent: the number finds nothing more; a retry writes nothing.
    audited = AuditEvent.objects.count()
    retry = _erase(office, PHONE, reason="other", note="本人来电要求删除")
    assert "无需删除" in retry.content.decode()
    assert AuditEvent.objects.count() == audited
    assert "没有持有这个身份证号码的记录" in office.post("/privacy/", {"number": ID}).content.decode()


@pytest.mark.django_db
def test_an_enterprise_keeps_its_name_and_loses_only_the_person_s_number(resident, settings):
    settings.ZOUFANG_TODAY = "2018-03-01"
    enterprise = resident.enterprise
    response = _erase(_client(resident.users["office"]), enterprise.phone, reason="purpose_met")
    assert "已删除" in response.content.decode()
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.address, enterprise.phone) == ("锦溪精密机械有限公司", "计家墩村工业区8号", "")
    assert Assignment.objects.filter(target=enterprise).exists()
