"""Open311 GeoReport v2: the public reads what the office published; a partner with a key reads its region's
cases scrubbed and hands cases in; no raiser data leaves."""

import io
import json
import re
import urllib.request
from xml.etree import ElementTree as ET  # noqa: S405 — parses our own server's answers

import pytest
from django.core.management import CommandError, call_command

from zoufang import clock
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.cases import actions, open311_keys, publication
from zoufang.cases.models import Case, Open311Key
from zoufang.cases.transition import CaseError
from zoufang.conftest import PASSWORD
from zoufang.core.testforms import form_values

pytestmark = pytest.mark.django_db


def _dispatched(town, case):
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=town.category)
    return actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)


def test_it_lists_the_campaigns_categories_as_services(client, cases_town):
    response = client.get("/open311/v2/services.json", {"jurisdiction_id": "jinxi-test"})
    assert response.status_code == 200
    codes = [s["service_code"] for s in response.json()]
    assert codes == ["1", "1.1"]
    assert response.json()[1]["group"] == "在收集社情民意方面"
    xml = ET.fromstring(client.get("/open311/v2/services.xml").content)  # noqa: S314
    assert [s.findtext("service_code") for s in xml.findall("service")] == ["1", "1.1"]
    assert client.get("/open311/v2/services/1.1.json").json()["service_code"] == "1.1"
    assert client.get("/open311/v2/services/9.json").status_code == 404


def test_it_lists_without_a_key_only_what_the_office_published_in_its_own_words(client, cases_town, make_case):
    typed = "路灯坏了，我是周梅，身份证 3205 8319 8102 1554 76，手机１３８－６８８４－１２９０"
    published = _dispatched(cases_town, make_case(typed))
    _dispatched(cases_town, make_case("派出所门口积水，联系138 6884 1290"))  # handled, never published
    make_case("尚未登记的意见")  # a draft is not public either
    assert client.get("/open311/v2/requests.json").json() == []
    publication.publish_case(published, by=cases_town.users["office"], summary="上下塘社区一处路灯损坏，正在维修。")
    rows = client.get("/open311/v2/requests.json").json()
    assert [r["service_request_id"] for r in rows] == [str(published.public_id)]
    row = rows[0]
    assert row["description"] == "上下塘社区一处路灯损坏，正在维修。"
    assert row["status"] == "open"
    assert row["agency_responsible"] == "派出所"
    assert row["address"] == published.region.name
    text = json.dumps(rows, ensure_ascii=False)
    for secret in ("周梅", "3205", "6884", "６８８４", published.target.name, published.target.phone):
        assert secret not in text
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    assert client.get("/open311/v2/requests.json", {"service_code": "1"}).json()[0]["service_code"] == "1.1"
    assert client.get("/open311/v2/requests.json", {"start_date": "2017-06-14T00:00:00+08:00"}).json() == []
    one = client.get(f"/open311/v2/requests/{published.public_id}.xml")
    assert ET.fromstring(one.content).find("request").findtext("status") == "open"  # noqa: S314
    others = Case.objects.exclude(pk=published.pk)
    for case in others:  # an unpublished case is not found, whatever its id
        assert client.get(f"/open311/v2/requests/{case.public_id}.json").status_code == 404
    publication.unpublish_case(published, by=cases_town.users["office"])
    assert client.get("/open311/v2/requests.json").json() == []


def test_it_refuses_a_public_summary_naming_someone_or_holding_a_number(cases_town, make_case):
    case = _dispatched(cases_town, make_case())
    office = cases_town.users["office"]
    for summary, why in [("", "必填"), ("联系电话 138 6884 1290", "号码"), (f"{case.target.name}家门口路灯坏了", "姓名"),
                         (f"{case.target.address}路灯坏了", "地址"),
                         # as the public reads it: split by a space or a character that shows nothing, still the name
                         (f"{case.target.name[0]} {case.target.name[1:]}家门口路灯坏了", "姓名"),
                         (f"{case.target.name[0]}\u200b{case.target.name[1:]}家门口路灯坏了", "姓名")]:
        with pytest.raises(CaseError, match=why):
            publication.publish_case(case, by=office, summary=summary)
    with pytest.raises(CaseError, match="走访办"):
        publication.publish_case(case, by=cases_town.users["leader"], summary="路灯坏了")
    draft = make_case("另一件")
    with pytest.raises(CaseError, match="待登记"):
        publication.publish_case(draft, by=office, summary="路灯坏了")
    assert not Case.objects.filter(published_at__isnull=False).exists()


def test_it_lets_the_office_publish_from_the_case_page(login, cases_town, make_case):
    case = _dispatched(cases_town, make_case())
    page = login(cases_town.users["office"]).get(f"/cases/{case.public_id}/")
    assert "公开到公众查询" in page.content.decode()
    response = login(cases_town.users["office"]).post(f"/cases/{case.public_id}/publication/",
                                                      {"summary": "上下塘社区一处路灯损坏，正在维修。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_published
    assert case.published_by == cases_town.users["office"]
    assert "上下塘社区一处路灯损坏" in login(cases_town.users["office"]).get(f"/cases/{case.public_id}/").content.decode()
    assert "公开到公众查询" not in login(cases_town.users["handler"]).get(f"/cases/{case.public_id}/").content.decode()


def test_a_handler_who_reads_the_case_is_refused_before_the_publication_form_is_read(login, cases_town, make_case):
    """Decision 0044: the unit's handler opens the case but publishes nothing; its filled forms and its empty one
    are refused alike (403 naming why), never answered as the office's invalid summary is, and nothing changes."""
    case = _dispatched(cases_town, make_case())
    publication.publish_case(case, by=cases_town.users["office"], summary="上下塘社区一处路灯损坏，正在维修。")
    handler = login(cases_town.users["handler"])
    assert handler.get(f"/cases/{case.public_id}/").status_code == 200
    audited = AuditEvent.objects.count()
    for sent in ({"unpublish": "1"}, {"summary": "路灯已修好"}, {"summary": ""}, {}):
        refused = handler.post(f"/cases/{case.public_id}/publication/", sent)
        assert refused.status_code == 403, sent
        assert "只有本区域的走访办可以公开或撤回公开问题" in refused.content.decode()
    page = refused.content.decode()  # the site's own page (403.html): its menu, and a way back
    assert '<a class="btn btn-plain" href="/">返回首页</a>' in page
    assert "问题办理" in page
    case.refresh_from_db()
    assert (case.is_published, case.public_summary) == (True, "上下塘社区一处路灯损坏，正在维修。")
    assert AuditEvent.objects.count() == audited


def _security_admin(cases_town):
    return ensure_user("security", PASSWORD, role=RoleGrant.Role.SECURITY_ADMIN, region=cases_town.town)


def test_it_gives_a_partner_key_its_regions_cases_scrubbed_and_audits_every_use(client, cases_town, make_case):
    name = cases_town.households["shangxiatang"][0].name
    typed = (f"{name}反映：{name}家门口路灯坏了，身份证 3205 8319 8102 1554 76，"
             "手机１３８－６８８４－１２９０，座机 0512-5722 3456")
    inside = _dispatched(cases_town, make_case(typed))
    outside = _dispatched(cases_town, make_case("计家墩村桥头路灯不亮", target=cases_town.households["jijiadun"][0]))
    issued = open311_keys.add_key(_security_admin(cases_town), name="12345热线", region="上下塘社区")
    rows = client.get("/open311/v2/requests.json", {"api_key": issued.secret}).json()
    assert [r["service_request_id"] for r in rows] == [str(inside.public_id)]
    assert rows[0]["description"] == (
        f"{name[0]}{'*' * (len(name) - 1)}反映：{name[0]}{'*' * (len(name) - 1)}家门口路灯坏了，"
        "身份证 320583********5476，手机138****1290，座机 051*****3456")
    assert client.get(f"/open311/v2/requests/{outside.public_id}.json", {"api_key": issued.secret}).status_code == 404
    assert client.get(f"/open311/v2/requests/{inside.public_id}.json", {"api_key": issued.secret}).status_code == 200
    uses = AuditEvent.objects.filter(object_type="cases.Open311Key", action=AuditEvent.Action.READ)
    assert uses.count() == 2
    assert "12345热线" in uses.first().summary
    assert client.get("/open311/v2/requests.json", {"api_key": "wrong"}).status_code == 403


def test_it_lets_the_security_administrator_add_list_rotate_and_revoke_keys(client, cases_town, make_case):
    _dispatched(cases_town, make_case())
    _security_admin(cases_town)
    out, err = io.StringIO(), io.StringIO()
    call_command("open311", "keys", "add", "--name", "12345热线", "--region", "锦溪镇", "--by", "security",
                 stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert "只保存其摘要" in err.getvalue()
    key = Open311Key.objects.get()
    assert key.digest == Open311Key.digest_of(secret)
    assert secret not in key.digest
    assert key.region == cases_town.town
    assert key.issued_by.username == "security"
    assert len(client.get("/open311/v2/requests.json", {"api_key": secret}).json()) == 1
    listing = io.StringIO()
    call_command("open311", "keys", "list", stdout=listing)
    assert "12345热线" in listing.getvalue()
    assert secret not in listing.getvalue()
    rotated = io.StringIO()
    call_command("open311", "keys", "rotate", str(key.pk), "--by", "security", stdout=rotated, stderr=io.StringIO())
    new_secret = rotated.getvalue().strip()
    assert client.get("/open311/v2/requests.json", {"api_key": secret}).status_code == 403
    assert client.get("/open311/v2/requests.json", {"api_key": new_secret}).status_code == 200
    new_key = Open311Key.objects.get(disabled_on__isnull=True)
    call_command("open311", "keys", "revoke", str(new_key.pk), "--by", "security", stdout=io.StringIO())
    listing = io.StringIO()
    call_command("open311", "keys", "list", stdout=listing)
    assert f"{clock.day(clock.local(new_key.created_at).date())}\tsecurity\t{clock.day(clock.today())} 停用（security）" in (
        listing.getvalue())  # days as staff write them, not 2017-06-15
    assert not re.search(r"\d{4}-\d\d-\d\d", listing.getvalue()), listing.getvalue()
    assert client.get("/open311/v2/requests.json", {"api_key": new_secret}).status_code == 403
    with pytest.raises(CommandError, match="安全管理员"):
        call_command("open311", "keys", "add", "--name", "x", "--region", "锦溪镇", "--by", "office",
                     stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有名为"):
        call_command("open311", "keys", "add", "--name", "x", "--region", "火星", "--by", "security",
                     stdout=io.StringIO())
    trail = list(AuditEvent.objects.filter(object_type="cases.Open311Key").exclude(action=AuditEvent.Action.READ)
                 .values_list("summary", flat=True))
    assert len(trail) == 4  # issued, revoked and reissued by the rotation, revoked


def test_it_takes_a_hotline_case_in_with_an_api_key(client, cases_town):
    secret = open311_keys.add_key(_security_admin(cases_town), name="12345热线平台", region="锦溪镇").secret
    refused = client.post("/open311/v2/requests.json", {"api_key": "wrong", "service_code": "1.1",
                                                         "description": "路灯坏了"})
    assert refused.status_code == 403
    response = client.post("/open311/v2/requests.json", {
        "api_key": secret, "service_code": "1.1", "description": "计家墩村桥头路灯不亮", "address_string": "计家墩村桥头",
        "first_name": "三", "last_name": "张", "phone": "13800001111"})
    assert response.status_code == 201, response.content
    case = Case.objects.get(public_id=response.json()[0]["service_request_id"])
    assert case.source == Case.Source.OPEN311
    assert case.status == Case.Status.DRAFT
    assert case.raiser_name == "张三"
    assert case.registration_due is not None
    assert case.region is None  # a town-wide platform: the office places it when registering
    village = open311_keys.add_key(_security_admin(cases_town), name="社区平台", region="上下塘社区").secret
    handed = client.post("/open311/v2/requests.json", {"api_key": village, "service_code": "1.1",
                                                        "description": "社区东门路灯不亮", "lat": "31.17", "long": "120.9"})
    assert Case.objects.get(public_id=handed.json()[0]["service_request_id"]).region == cases_town.shangxiatang
    assert AuditEvent.objects.filter(object_type="cases.Open311Key", summary__contains="提交问题").count() == 2


def test_it_serves_a_third_party_client_over_http(live_server, cases_town, make_case):
    case = _dispatched(cases_town, make_case())
    publication.publish_case(case, by=cases_town.users["office"], summary="上下塘社区一处路灯损坏，正在维修。")
    with urllib.request.urlopen(f"{live_server.url}/open311/v2/services.json") as response:  # noqa: S310
        assert [s["service_code"] for s in json.load(response)] == ["1", "1.1"]
    with urllib.request.urlopen(f"{live_server.url}/open311/v2/requests.xml?status=open") as response:  # noqa: S310
        assert len(ET.fromstring(response.read()).findall("request")) == 1  # noqa: S314


def test_a_publication_sent_twice_is_told_it_was_published(login, cases_town, make_case):
    """Decision 0058: the same 公开 sent again (a double click, a resend), its summary already what the public reads and
    published by this clerk, writes nothing and is answered as done: not that the clerk's summary was not saved."""
    case = _dispatched(cases_town, make_case())
    clerk = login(cases_town.users["office"])
    sent = {"summary": "上下塘社区一处路灯损坏，正在维修。", "seen": ""}
    assert clerk.post(f"/cases/{case.public_id}/publication/", sent).status_code == 302
    case.refresh_from_db()
    changes = AuditEvent.objects.exclude(action=AuditEvent.Action.READ)  # the page it goes back to reads the case
    published_at, events = case.published_at, changes.count()
    again = clerk.post(f"/cases/{case.public_id}/publication/", sent, follow=True).content.decode()
    assert "未能公开" not in again
    assert "已公开" in again
    case.refresh_from_db()
    assert (case.published_at, case.public_summary) == (published_at, sent["summary"])
    assert changes.count() == events


def test_two_clerks_publishing_one_case_do_not_overwrite_each_other(login, cases_town, make_case):
    case = _dispatched(cases_town, make_case())
    office = cases_town.users["office"]
    first, second = login(office), login(office)

    def opened(client):
        page = client.get(f"/cases/{case.public_id}/").content.decode()
        return re.search(r'name="seen" value="(\d*)"', page).group(1)

    seen_first, seen_second = opened(first), opened(second)
    assert seen_first == seen_second == ""
    assert first.post(f"/cases/{case.public_id}/publication/",
                      {"summary": "上下塘社区一处路灯损坏，正在维修。", "seen": seen_first}).status_code == 302
    refused = second.post(f"/cases/{case.public_id}/publication/",
                          {"summary": "路灯已报修。", "seen": seen_second}, follow=True).content.decode()
    assert "您的摘要未保存" in refused
    assert "路灯已报修。" in refused  # the second clerk's text is shown back, not lost
    case.refresh_from_db()
    assert case.public_summary == "上下塘社区一处路灯损坏，正在维修。"
    # Having read the first clerk's summary, the second may replace it deliberately.
    assert second.post(f"/cases/{case.public_id}/publication/",
                       {"summary": "路灯已报修。", "seen": opened(second)}).status_code == 302
    case.refresh_from_db()
    assert case.public_summary == "路灯已报修。"


def test_a_withdrawal_from_a_page_drawn_before_another_clerk_published_again_withdraws_nothing(
        login, cases_town, make_case):
    case = _dispatched(cases_town, make_case())
    office = cases_town.users["office"]
    publication.publish_case(case, by=office, summary="上下塘社区一处路灯损坏，正在维修。")
    first, second = login(office), login(office)
    url = f"/cases/{case.public_id}/publication/"

    def withdraw_form(client):  # the page's 撤回公开 form as drawn
        page = client.get(f"/cases/{case.public_id}/").content.decode()
        return form_values(page, action=url, having={"unpublish": "1"})

    stale = withdraw_form(first)
    assert second.post(url, {"summary": "路灯已修复。", "seen": form_values(
        second.get(f"/cases/{case.public_id}/").content.decode(), action=url, containing="summary")["seen"]}
                       ).status_code == 302
    refused = first.post(url, stale, follow=True).content.decode()
    assert "重新公开了此件，公开摘要为“路灯已修复。”，未撤回" in refused
    case.refresh_from_db()
    assert (case.public_summary, case.published_at is not None) == ("路灯已修复。", True)
    # Having read the new summary, the clerk withdraws it deliberately; sent again, it changes nothing more.
    fresh = withdraw_form(first)
    assert first.post(url, fresh).status_code == 302
    withdrawals = AuditEvent.objects.filter(summary__startswith="撤回公开问题").count()
    assert first.post(url, fresh).status_code == 302
    case.refresh_from_db()
    assert case.published_at is None
    assert AuditEvent.objects.filter(summary__startswith="撤回公开问题").count() == withdrawals


def test_a_retried_post_with_an_idempotency_key_is_taken_once(client, cases_town):
    hotline = open311_keys.add_key(_security_admin(cases_town), name="12345热线平台", region="锦溪镇").secret
    other = open311_keys.add_key(_security_admin(cases_town), name="社区平台", region="锦溪镇").secret
    call = {"service_code": "1.1", "description": "计家墩村桥头路灯不亮", "address_string": "计家墩村桥头"}

    def post(secret, key, **changed):
        return client.post("/open311/v2/requests.json", {"api_key": secret, **call, **changed},
                           HTTP_IDEMPOTENCY_KEY=key)

    first = post(hotline, '"8e3b0c7a-5a1f-4f3c-9d1e-2b6f4a7c9e01"')
    retried = post(hotline, "8e3b0c7a-5a1f-4f3c-9d1e-2b6f4a7c9e01")  # the same key, bare rather than quoted
    assert first.status_code == retried.status_code == 201, first.content
    assert first.json() == retried.json()
    assert Case.objects.filter(source=Case.Source.OPEN311).count() == 1
    # Another partner's equal key is its own: a second case, not the first partner's answer.
    theirs = post(other, "8e3b0c7a-5a1f-4f3c-9d1e-2b6f4a7c9e01")
    assert theirs.status_code == 201
    assert theirs.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    # The same key with other content is another call: refused in the spec's error list, nothing made.
    changed = post(hotline, "8e3b0c7a-5a1f-4f3c-9d1e-2b6f4a7c9e01", description="另一件：河道有垃圾")
    assert changed.status_code == 422
    assert "Idempotency-Key" in changed.json()[0]["description"]
    assert Case.objects.filter(source=Case.Source.OPEN311).count() == 2
    for bad in ("", '""', "键" * 3, "x" * 256, "a\tb"):
        refused = post(hotline, bad)
        assert refused.status_code == 400, bad
        assert "Idempotency-Key" in refused.json()[0]["description"]
    assert Case.objects.filter(source=Case.Source.OPEN311).count() == 2
    # Without the header every POST is a new case, as the spec has it.
    assert client.post("/open311/v2/requests.json", {"api_key": hotline, **call}).status_code == 201
    assert Case.objects.filter(source=Case.Source.OPEN311).count() == 3
    uses = AuditEvent.objects.filter(object_type="cases.Open311Key").values_list("summary", flat=True)
    assert sum("重复提交问题" in summary for summary in uses) == 1


@pytest.mark.parametrize(("field", "value", "limit"), [
    ("description", "路灯不亮" * 1001, 4000), ("last_name", "张" * 101, 100), ("phone", "0512-57221234 转 123456", 20),
    ("account_id", "a" * 65, 64), ("address_string", "桥头" * 101, 200), ("address_id", "9" * 65, 64),
    ("media_url", "https://example.org/" + "p" * 490, 500)])
def test_a_value_longer_than_a_case_keeps_is_refused_naming_it_not_cut(client, cases_town, field, value, limit):
    secret = open311_keys.add_key(_security_admin(cases_town), name="12345热线平台", region="锦溪镇").secret
    call = {"api_key": secret, "service_code": "1.1", "description": "计家墩村桥头路灯不亮",
            "address_string": "计家墩村桥头", field: value}
    refused = client.post("/open311/v2/requests.json", call)
    assert refused.status_code == 400, refused.content
    name = "last_name 与 first_name" if field == "last_name" else field
    assert refused.json()[0]["description"] == f"{name} 过长：最多 {limit} 个字，收到 {len(value)} 个字"
    assert not Case.objects.filter(source=Case.Source.OPEN311).exists()


def test_a_platform_name_longer_than_a_key_keeps_is_refused_not_cut(cases_town):
    with pytest.raises(open311_keys.KeyRefused, match="平台名称：不能超过100个字，输入为101个字"):
        open311_keys.add_key(_security_admin(cases_town), name="热" * 101, region="锦溪镇")
    assert not Open311Key.objects.exists()
