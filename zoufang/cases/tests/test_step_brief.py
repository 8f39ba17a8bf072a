"""办理要点: on a case page, what the current step's forms act on stands above them — what a leader signs, the
person and number the office answers, what the office or the city wrote when handing it on — for those who act."""

import re

import pytest

from zoufang.cases import actions, escalation
from zoufang.cases.models import Case
from zoufang.cases.tests.test_upper_office import _escalated, city  # noqa: F401 - the city office's fixture

pytestmark = pytest.mark.django_db


def _brief(page):
    """The 办理要点 panel's rows as (label, text), and whether it stands before the first action form."""
    found = re.search(r'<section class="panel step-brief".*?</section>', page, re.S)
    if found is None:
        return [], False
    rows = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", found.group(0), re.S)
    return [(label, re.sub(r"<[^>]+>", "", text)) for label, text in rows], found.start() < page.index("action-form")


def _brief_of(client, user, case):
    client.force_login(user)
    return _brief(client.get(f"/cases/{case.public_id}/").content.decode())


def _accepted(town, make_case, note=""):
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version, note=note)
    return actions.accept_case(case, by=town.users["handler"], version=case.version)


def test_the_leader_reads_what_he_signs_above_the_signature(client, cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case)
    escalation.escalate_case(case, by=town.users["handler"], version=case.version, route=Case.Route.COORDINATION,
                             leader=town.wangwen, reason="需水务站、城管中队共同处理")
    rows, first = _brief_of(client, town.users["leader"], case)
    assert rows == [("反映内容", "上下塘社区东侧路灯损坏，夜间出行不便"), ("承办单位", "派出所"),
                    ("上报去向", "镇级会商协调"), ("上报理由", "需水务站、城管中队共同处理")]
    assert first


def test_the_unit_reads_the_offices_dispatch_note(client, cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case, note="请三日内到现场查看")
    rows, _first = _brief_of(client, town.users["handler"], case)
    assert ("交办意见", "请三日内到现场查看") in rows


@pytest.mark.parametrize("reader", ["office", "handler"])
def test_the_extension_asked_for_reads_as_waiting_for_approval(client, cases_town, make_case, reader):
    """The office reads what it decides on; the unit, back on the case days later, reads its request as still
    waiting, not as days granted."""
    town = cases_town
    case = _accepted(town, make_case)
    actions.request_extension(case, by=town.users["handler"], version=case.version, days=5, reason="需等配件到货")
    rows, _first = _brief_of(client, town.users[reader], case)
    assert ("延期申请", "5 个工作日，待审批：需等配件到货") in rows
    assert ("现办理期限", "2017年6月29日") in rows  # what the extension would move


def test_the_office_dispatching_a_returned_case_again_reads_who_returned_it_and_why(client, cases_town, make_case):
    """退单: the office chooses another unit with the returning unit's reason in front of it, not in the history below."""
    town = cases_town
    case = make_case()
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    case = actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)
    actions.return_case(case, by=town.users["handler"], version=case.version, reason="路灯属水务站管理，请改派")
    rows, first = _brief_of(client, town.users["office"], case)
    assert rows == [("退单单位", "派出所"), ("退单理由", "路灯属水务站管理，请改派")]
    assert first


def test_the_office_answering_the_person_has_the_number_to_call_and_the_result(client, cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case)
    actions.resolve_case(case, by=town.users["handler"], version=case.version, result="已更换灯具")
    client.force_login(town.users["office"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    rows, first = _brief(page)
    assert rows == [("反映人", "张建国 · 13812340001"), ("办理结果", "已更换灯具")]
    assert first
    panel = re.search(r'<section class="panel step-brief".*?</section>', page, re.S).group(0)
    assert '<a href="tel:13812340001">13812340001</a>' in panel  # one tap to call


def test_a_reader_who_cannot_act_gets_no_brief(client, cases_town, make_case):
    town = cases_town
    case = _accepted(town, make_case)
    client.force_login(town.users["village"])
    page = client.get(f"/cases/{case.public_id}/")
    assert page.status_code == 200
    assert _brief(page.content.decode()) == ([], False)


def test_the_office_reads_what_the_city_said_when_it_sent_a_case_back(client, city, make_case):  # noqa: F811
    case = _escalated(city, make_case)
    escalation.return_to_town(case, by=city.users["city"], version=case.version,
                              instructions="补偿标准已有市级文件，请对照文件逐户解释")
    rows, first = _brief_of(client, city.users["office"], case)
    assert rows == [("上级活动办意见", "补偿标准已有市级文件，请对照文件逐户解释")]
    assert first


def test_the_city_office_reads_the_town_the_reason_and_the_signature(client, city, make_case):  # noqa: F811
    case = _escalated(city, make_case)
    rows, first = _brief_of(client, city.users["city"], case)
    assert rows == [("所在镇、村", "锦溪镇 · 上下塘社区"), ("反映内容", "农田灌溉渠道漏水严重"),
                    ("上报理由", "涉及市级农田水利项目资金，本部门无法解决"), ("镇签字", "王文"),
                    ("签字意见", "同意上报市活动办")]
    assert first
