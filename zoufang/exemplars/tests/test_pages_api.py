"""The 典型 pages and API: who sees what (a cadre of another village neither nominates nor reads drafts), the
edit conflict, xlsx, and the 推荐为典型 link on the visit and case pages."""

import io
import re
import uuid

import pytest
from openpyxl import load_workbook

from zoufang.core.testdownloads import saved_name
from zoufang.core.testforms import choice_rows
from zoufang.exemplars import services
from zoufang.exemplars.models import Exemplar
from zoufang.exemplars.tests.conftest import ADDRESS, RESIDENT, at
from zoufang.visits.models import Visit

pytestmark = pytest.mark.recorded_templates  # reads response.context

TEXT = f"走访{RESIDENT}家（{ADDRESS}），记下老人就医难，当周联系社区医生上门。"


def pending(town, by="dept"):
    exemplar, _created = services.nominate(town.visit, kind=Exemplar.Kind.PRACTICE, title=f"给{RESIDENT}家送医上门",
                                           text=TEXT, by=town.users[by])
    return exemplar


def url(town, exemplar, action=""):
    return f"/exemplars/{town.campaign.slug}/{exemplar.public_id}/" + (f"{action}/" if action else "")


def test_the_visit_page_offers_the_nomination_to_its_cadre_and_not_to_a_reader(typical, login):
    page = login(typical.users["dept"]).get(f"/visits/{typical.visit.public_id}/").content.decode()
    assert f"/exemplars/nominate/visit/{typical.visit.public_id}/" in page
    page = login(typical.users["auditor"]).get(f"/visits/{typical.visit.public_id}/")
    assert "推荐为典型" not in page.content.decode()


def test_the_case_page_offers_the_nomination_to_the_handling_unit(typical, login):
    page = login(typical.users["handler"]).get(f"/cases/{typical.case.public_id}/").content.decode()
    assert f"/exemplars/nominate/case/{typical.case.public_id}/" in page


def test_a_cadre_nominates_from_the_page_and_a_retry_makes_nothing_new(typical, login):
    client = login(typical.users["dept"])
    form = f"/exemplars/nominate/visit/{typical.visit.public_id}/"
    assert "推荐为典型" in client.get(form).content.decode()
    data = {"kind": "practice", "title": "送医上门", "text": TEXT, "submission_id": str(uuid.uuid4())}
    response = client.post(form, data)
    exemplar = Exemplar.objects.get()
    assert response.status_code == 302
    assert response.url == url(typical, exemplar)
    assert client.post(form, data).status_code == 302
    assert Exemplar.objects.count() == 1
    bad = client.post(form, {**data, "title": "", "submission_id": str(uuid.uuid4())})
    assert bad.status_code == 400
    assert "标题：必填" in bad.content.decode()


def test_the_kind_is_a_group_of_rows_named_by_its_legend_and_a_missing_one_is_said_there(typical, login):
    """典型类型 is a fieldset named by its legend, each kind a label of its own tied to its radio (the shared
    _field.html); posted without a kind, the form comes back with the rule under the group and nothing saved."""
    client = login(typical.users["dept"])
    form = f"/exemplars/nominate/visit/{typical.visit.public_id}/"
    page = client.get(form).content.decode()
    assert choice_rows(page, "典型类型", "kind") == [
        ("practice", "好做法"), ("solved", "问题解决典型"), ("cadre", "先进个人")]
    bad = client.post(form, {"title": "送医上门", "text": TEXT, "submission_id": str(uuid.uuid4())})
    assert bad.status_code == 400
    group = re.search(r'<legend>典型类型</legend>(.*?)</fieldset>', bad.content.decode(), re.S)
    assert group is not None
    assert '<div class="errorlist small bad">典型类型：请选择。</div>' in group[1]
    assert not Exemplar.objects.exists()


def test_a_cadre_of_another_village_can_neither_nominate_nor_read_a_draft(typical, login):
    exemplar = pending(typical)
    client = login(typical.users["village2"])
    assert client.get(f"/exemplars/nominate/visit/{typical.visit.public_id}/").status_code == 404
    assert client.post(f"/exemplars/nominate/case/{typical.case.public_id}/", {}).status_code == 404
    assert client.get(url(typical, exemplar)).status_code == 404
    queue = client.get(f"/exemplars/{typical.campaign.slug}/review/")
    assert queue.status_code == 200
    assert exemplar.title not in queue.content.decode()
    # Once published, a village of the campaign reads it (masked).
    services.publish(exemplar, by=typical.users["xuanchuan"], version=exemplar.version)
    page = client.get(url(typical, exemplar)).content.decode()
    assert "给周*家送医上门" in page
    assert RESIDENT not in page
    assert ADDRESS not in page


def test_the_outsider_and_the_third_party_read_no_typical_case(typical, login):
    exemplar = pending(typical)
    services.publish(exemplar, by=typical.users["xuanchuan"], version=exemplar.version)
    for who in ("outsider", "auditor"):
        client = login(typical.users[who])
        assert client.get(f"/exemplars/{typical.campaign.slug}/").status_code == 404
        assert client.get(url(typical, exemplar)).status_code == 404


def test_the_publicity_group_reviews_edits_and_a_stale_form_is_refused(typical, login):
    exemplar = pending(typical)
    client = login(typical.users["xuanchuan"])
    queue = client.get(f"/exemplars/{typical.campaign.slug}/review/").content.decode()
    assert "给周梅家送医上门" in queue
    assert "派出所党员甲（部门党员干部）" in queue
    page = client.get(url(typical, exemplar)).content.decode()
    draft, preview = page.split("发布后显示为")
    assert f"走访{RESIDENT}家" in draft
    assert "走访周*家（（地址已隐去））" in preview
    client.post(url(typical, exemplar, "edit"), {"version": 1, "title": "送医上门", "text": TEXT + "已落实。"})
    stale = client.post(url(typical, exemplar, "edit"), {"version": 1, "title": "另一人的标题", "text": TEXT})
    assert stale.status_code == 409
    assert "已被他人修改" in stale.content.decode()
    exemplar.refresh_from_db()
    assert (exemplar.title, exemplar.version) == ("送医上门", 2)
    refused = client.post(url(typical, exemplar, "decline"), {"version": 2, "reason": ""})
    assert refused.status_code == 400
    assert "未采用理由" in refused.content.decode()
    assert client.post(url(typical, exemplar, "publish"), {"version": 2}).status_code == 302
    exemplar.refresh_from_db()
    assert exemplar.status == Exemplar.Status.PUBLISHED


@pytest.mark.parametrize("who", ["office", "dept"])
def test_only_the_publicity_group_may_publish_from_the_page(typical, login, who):
    exemplar = pending(typical)
    assert login(typical.users[who]).post(url(typical, exemplar, "publish"), {"version": 1}).status_code == 404
    exemplar.refresh_from_db()
    assert exemplar.status == Exemplar.Status.PENDING


def test_the_list_and_its_xlsx_show_the_published_masked(typical, login):
    exemplar = pending(typical)
    services.publish(exemplar, by=typical.users["xuanchuan"], version=1)
    services.nominate(typical.case, kind=Exemplar.Kind.SOLVED, title="还在审核的", text=TEXT,
                      by=typical.users["office"])  # pending: not listed
    client = login(typical.users["leader"])
    page = client.get(f"/exemplars/{typical.campaign.slug}/").content.decode()
    assert "给周*家送医上门" in page
    assert RESIDENT not in page
    assert "还在审核的" not in page
    response = client.get(f"/exemplars/{typical.campaign.slug}/xlsx/")
    assert saved_name(response) == "锦溪镇测试走访典型名单.xlsx"
    book = load_workbook(io.BytesIO(response.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "给周*家送医上门" in cells
    assert not any(RESIDENT in str(c) for c in cells)
    assert sum(1 for c in cells if c == "好做法") == 1


def test_the_api_nominates_edits_with_if_match_and_publishes(typical, client, api_token):
    cadre = api_token("dept")
    body = {"visit": str(typical.visit.public_id), "kind": "practice", "title": "送医上门", "text": TEXT,
            "submission_id": str(uuid.uuid4())}
    created = client.post("/api/v1/exemplars/nominations", body, content_type="application/json", **cadre)
    assert created.status_code == 201, created.content
    assert client.post("/api/v1/exemplars/nominations", body, content_type="application/json",
                       **cadre).status_code == 200
    both = client.post("/api/v1/exemplars/nominations", {**body, "case": str(typical.case.public_id)},
                       content_type="application/json", **cadre)
    assert both.status_code == 400
    assert "visit、case" in both.json()["detail"]
    exemplar_id = created.json()["id"]
    item = f"/api/v1/exemplars/{typical.campaign.slug}/{exemplar_id}"
    publicity = api_token("xuanchuan")
    assert client.get(item, **publicity)["ETag"] == '"1"'
    edited = client.put(item, {"title": "送医上门记", "text": TEXT}, content_type="application/json",
                        HTTP_IF_MATCH='"1"', **publicity)
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    stale = client.put(item, {"title": "x", "text": TEXT, "version": 1}, content_type="application/json", **publicity)
    assert stale.status_code == 409
    assert stale.json()["version"] == 2
    assert client.post(f"{item}/publish", {}, content_type="application/json", **publicity).status_code == 428
    unreadable = client.post(f"{item}/publish", {}, content_type="application/json", HTTP_IF_MATCH="\xb2", **publicity)
    assert unreadable.status_code == 400  # a superscript digit was a server error
    assert "If-Match" in unreadable.json()["errors"]
    assert client.post(f"{item}/publish", {"version": 2}, content_type="application/json",
                       **cadre).status_code == 403
    published = client.post(f"{item}/publish", {"version": 2}, content_type="application/json", **publicity)
    assert published.status_code == 200
    assert published.json()["title"] == "送医上门记"
    listed = client.get(f"/api/v1/exemplars/{typical.campaign.slug}", **api_token("leader")).json()["items"]
    assert [e["id"] for e in listed] == [exemplar_id]
    assert RESIDENT not in listed[0]["text"]
    assert client.get(item, **api_token("outsider")).status_code == 404


def test_the_api_hides_a_draft_from_a_village_it_is_not_in(typical, client, api_token):
    exemplar = pending(typical)
    headers = api_token("village2")
    assert client.get(f"/api/v1/exemplars/{typical.campaign.slug}/{exemplar.public_id}", **headers).status_code == 404
    nominated = client.post("/api/v1/exemplars/nominations", {
        "case": str(typical.case.public_id), "kind": "solved", "title": "楼道灯", "text": "楼道灯当天修好了，居民满意。"},
        content_type="application/json", **headers)
    assert nominated.status_code == 404


def nominated(town, number):
    """A pending 典型 of another visit of the same cadre to the same household."""
    visit = Visit.objects.create(campaign=town.campaign, target=town.visit.target, cadre=town.visit.cadre,
                                 client_uuid=uuid.uuid4(), content_hash=f"x{number}", visited_at=at("2017-06-03"),
                                 mode=Visit.Mode.HOME)
    exemplar, _created = services.nominate(visit, kind=Exemplar.Kind.PRACTICE, title=f"好做法{number}", text=TEXT,
                                           by=town.users["dept"])
    return exemplar


def published_five(town):
    """Five published 典型, the newest last (each published by the 宣传报道组)."""
    made = []
    for number in range(5):
        exemplar = nominated(town, number)
        made.append(services.publish(exemplar, by=town.users["xuanchuan"], version=exemplar.version))
    return made


def test_the_api_list_pages_by_cursor_in_constant_queries(typical, client, api_token,
                                                          django_assert_max_num_queries):
    made = published_five(typical)
    listing, headers = f"/api/v1/exemplars/{typical.campaign.slug}", api_token("leader")
    with django_assert_max_num_queries(30) as first_queries:
        first = client.get(f"{listing}?page_size=2", **headers).json()
    assert [e["id"] for e in first["items"]] == [str(made[4].public_id), str(made[3].public_id)]
    assert first["count"] == 5
    seen = [e["id"] for e in first["items"]]
    cursor = first["next"]
    while cursor:
        with django_assert_max_num_queries(len(first_queries)):
            page = client.get(f"{listing}?page_size=2&after={cursor}", **headers).json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next"]
    assert seen == [str(e.public_id) for e in reversed(made)]
    refused = client.get(f"{listing}?after={first['next']}x", **headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "after：不是本列表返回的 next 值"


def test_the_published_list_and_the_queue_page_by_cursor(typical, login, settings, django_assert_max_num_queries):
    settings.ZOUFANG_PAGE_SIZE = 2
    made = published_five(typical)
    client = login(typical.users["leader"])
    listing = f"/exemplars/{typical.campaign.slug}/"
    with django_assert_max_num_queries(40) as first_queries:
        first = client.get(listing)
    assert [r["exemplar"] for r in first.context["rows"]] == [made[4], made[3]]
    with django_assert_max_num_queries(len(first_queries)):
        second = client.get(listing, {"after": first.context["page"].next_cursor})
    assert [r["exemplar"] for r in second.context["rows"]] == [made[2], made[1]]
    assert "下一页" in second.content.decode()
    assert "第一页" in second.content.decode()
    forged = client.get(listing, {"after": "x" + first.context["page"].next_cursor})
    assert [r["exemplar"] for r in forged.context["rows"]] == [made[4], made[3]]
    drafts = [nominated(typical, number) for number in range(10, 13)]
    queue = login(typical.users["xuanchuan"]).get(f"/exemplars/{typical.campaign.slug}/review/")
    assert [i["exemplar"] for i in queue.context["items"]] == drafts[:2]
    assert queue.context["page"].next_cursor
