import re

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.registry.models import Target
from zoufang.registry.tests.factories import TargetFactory

pytestmark = pytest.mark.recorded_templates  # reads response.context


def _names(html: str) -> set[str]:
    return set(re.findall(r'<td class="title"[^>]*><a href="/targets/[0-9a-f-]+/">([^<]+)</a>', html))


def test_it_shows_a_village_cadre_only_their_communitys_targets(town, login):
    html = login(town.users["village"]).get("/targets/").content.decode()
    assert _names(html) == {t.name for t in town.households["shangxiatang"]}
    assert "共 <b>3</b> 条" in html


def test_it_shows_the_office_every_target_of_the_town(town, login):
    html = login(town.users["office"]).get("/targets/").content.decode()
    assert len(_names(html)) == 6


def test_it_filters_by_kind_and_shows_that_kinds_columns(town, login):
    html = login(town.users["office"]).get("/targets/", {"kind": Target.Kind.ENTERPRISE}).content.decode()
    assert _names(html) == {"锦溪精密机械有限公司"}
    assert "91110000600037341L" in html
    assert ">信用代码</th>" in html
    assert ">身份证号</th>" not in html


def test_it_filters_by_region_including_its_subtree(town, login):
    client = login(town.users["office"])
    html = client.get("/targets/", {"region": str(town.jijiadun.public_id)}).content.decode()
    assert _names(html) == {t.name for t in town.households["jijiadun"]} | {"锦溪精密机械有限公司"}


def test_it_searches_names_and_addresses(town, login):
    target = town.households["jijiadun"][1]
    client = login(town.users["office"])
    assert _names(client.get("/targets/", {"q": target.address}).content.decode()) == {target.name}
    assert _names(client.get("/targets/", {"q": target.name}).content.decode()) == {target.name}


def test_a_region_out_of_scope_shows_none_of_its_targets_and_is_answered_as_an_unknown_one(town, login):
    """Decision 0035: a region the user does not see is answered as a malformed or unknown one (the filter is
    dropped, a notice says so): the user's own targets only, never the other region's, nor its name."""
    client = login(town.users["village"])
    own = {t.name for t in town.households["shangxiatang"]}
    for region in (str(town.jijiadun.public_id), "00000000-0000-0000-0000-000000000000", "not-a-uuid"):
        html = client.get("/targets/", {"region": region}).content.decode()
        assert _names(html) == own
        assert "参数“region”有误：所指的区划不存在或不在您的可见范围内" in html
        assert town.jijiadun.name not in html
        assert ">清除</a>" not in html


def test_a_bad_kind_or_cursor_shows_every_target_with_a_notice(town, login):
    client = login(town.users["office"])
    for query in ({"kind": "nonsense"}, {"after": "garbage"}):
        html = client.get("/targets/", query).content.decode()
        assert len(_names(html)) == 6
        assert f"参数“{next(iter(query))}”有误" in html
    assert "须是以下之一：户籍户" in client.get("/targets/", {"kind": "x"}).content.decode()


def test_it_pages_the_list(town, login, settings):
    """A page after a cursor (keyset, no OFFSET): the second page holds the rest, none twice, in the same number
    of queries as the first."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ZOUFANG_PAGE_SIZE = 4
    client = login(town.users["office"])
    client.get("/targets/")  # the session's first request does its own bookkeeping
    with CaptureQueriesContext(connection) as first_queries:
        response = client.get("/targets/")
    first = response.content.decode()
    cursor = response.context["page"].next_cursor
    with CaptureQueriesContext(connection) as second_queries:
        second_response = client.get("/targets/", {"after": cursor})
    second = second_response.content.decode()
    assert "共 <b>6</b> 条" in first
    assert "下一页" in first
    assert "第一页" in second
    assert "下一页" not in second
    assert second_response.context["page"].next_cursor is None
    assert len(_names(first)) == 4
    assert len(_names(second)) == 2
    assert _names(first).isdisjoint(_names(second))
    assert len(first_queries) == len(second_queries)
    assert client.get("/targets/", {"after": "garbage"}).status_code == 200  # a bad cursor: the first page


def test_it_keeps_the_filters_in_the_paging_links(town, login, settings):
    settings.ZOUFANG_PAGE_SIZE = 2
    response = login(town.users["office"]).get("/targets/", {"kind": Target.Kind.REGISTERED_HOUSEHOLD})
    cursor = response.context["page"].next_cursor
    assert f"?kind=registered_household&amp;after={cursor}" in response.content.decode()


@pytest.mark.parametrize(("persona", "full"), [("office", True), ("village", True), ("leader", False)])
def test_it_masks_id_and_phone_numbers_by_role(town, login, persona, full):
    target = town.households["shangxiatang"][0]
    html = login(town.users[persona]).get("/targets/", {"kind": Target.Kind.REGISTERED_HOUSEHOLD}).content.decode()
    masked_id = target.id_number[:6] + "********" + target.id_number[-4:]
    assert (target.id_number in html) is full
    assert (target.phone in html) is full
    assert (masked_id in html) is not full


def test_it_asks_no_more_queries_for_a_longer_page(town, login, settings, django_assert_max_num_queries):
    TargetFactory.create_batch(40, region=town.shangxiatang)
    client = login(town.users["office"])
    settings.ZOUFANG_PAGE_SIZE = 5
    client.get("/targets/")  # warm the session
    # 11: the page's queries, the audited read of full identities (lock the chain's head, insert, move head),
    # and the office's second factor (django-otp loads the session's device, so a reset takes effect at once).
    with django_assert_max_num_queries(11) as small:
        client.get("/targets/")
    settings.ZOUFANG_PAGE_SIZE = 50
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/targets/")
    assert len(_names(response.content.decode())) == 46


def test_it_shows_a_target_with_its_region_breadcrumb(town, login):
    target = town.households["jijiadun"][0]
    html = login(town.users["leader"]).get(f"/targets/{target.public_id}/").content.decode()
    assert f"<h1>{target.name}</h1>" in html
    assert re.search(r"锦溪镇</a></span><span><a [^>]*>计家墩村</a></span><span><a [^>]*>第1村民小组", html)
    assert target.id_number not in html


@pytest.mark.parametrize(("kind", "label"), [
    (Target.Kind.REGISTERED_HOUSEHOLD, "户主姓名"), (Target.Kind.ENTERPRISE, "企业名称"),
    (Target.Kind.PROJECT, "项目名称"), (Target.Kind.NOTABLE_PERSON, "姓名"),
])
def test_it_names_a_targets_name_by_its_kind(town, login, kind, label):
    """An enterprise has no 户主: its page says 企业名称, not the model's 名称/户主姓名 for every kind."""
    target = TargetFactory(region=town.shangxiatang, kind=kind)
    html = login(town.users["office"]).get(f"/targets/{target.public_id}/").content.decode()
    assert f"<dt>{label}</dt><dd>{target.name}</dd>" in html
    assert "名称/户主姓名" not in html


def test_it_marks_demo_data(town, login):
    target = town.households["jijiadun"][0]
    Target.objects.filter(pk=target.pk).update(is_demo=True)
    html = login(town.users["office"]).get(f"/targets/{target.public_id}/").content.decode()
    assert "演示数据" in html


def test_it_audits_a_full_read(town, login):
    target = town.households["shangxiatang"][0]
    html = login(town.users["office"]).get(f"/targets/{target.public_id}/").content.decode()
    assert target.id_number in html
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ, object_id=str(target.public_id))
    assert event.actor == town.users["office"]


def test_it_does_not_audit_a_masked_read(town, login):
    target = town.households["shangxiatang"][0]
    login(town.users["leader"]).get(f"/targets/{target.public_id}/")
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


@pytest.mark.parametrize("persona", ["outsider", "village", "auditor", "dept"])
def test_it_answers_404_for_a_target_out_of_scope(town, login, persona):
    target = town.households["jijiadun"][0]
    response = login(town.users[persona]).get(f"/targets/{target.public_id}/")
    assert response.status_code == 404
    assert "页面不存在，或您无权查看。" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()


def test_it_answers_404_for_an_unknown_target(town, login):
    response = login(town.users["office"]).get("/targets/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404


def test_it_names_the_village_and_group_of_each_household(town, login):
    html = login(town.users["office"]).get("/targets/", {"kind": Target.Kind.REGISTERED_HOUSEHOLD}).content.decode()
    assert "上下塘社区 第1居民小组" in html
    assert "计家墩村 第1村民小组" in html


def test_it_audits_a_list_page_that_shows_full_id_numbers(town, login):
    from zoufang.accounts.models import AuditEvent

    login(town.users["office"]).get("/targets/")
    event = AuditEvent.objects.get(action="read", object_type="registry.Target")
    assert len(event.changes["targets"]) == 6
    login(town.users["leader"]).get("/targets/")
    assert AuditEvent.objects.filter(action="read").count() == 1
