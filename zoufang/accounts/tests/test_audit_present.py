"""审计记录 read as sentences: events made by the product's own actions, presented for the audit administrator."""

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from zoufang.accounts import audit
from zoufang.accounts.audit_present import AuditPresenter
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_administrator, ensure_user
from zoufang.campaigns.models import CaseCategory
from zoufang.cases import actions
from zoufang.cases.services import draft_case
from zoufang.conftest import PASSWORD
from zoufang.core.testforms import form_values
from zoufang.planning.models import Assignment
from zoufang.planning.services import reassign
from zoufang.registry.models import Cadre
from zoufang.registry.presenters import TargetPresenter

Role = RoleGrant.Role
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def auditadmin(town: Any) -> Any:
    return ensure_administrator("auditadmin", PASSWORD, full_name="审计管理员", role=Role.AUDIT_ADMIN)


@pytest.fixture
def shown(auditadmin: Any) -> Any:
    """The newest event the product wrote, as the audit administrator reads it."""
    def newest(**filters: Any) -> Any:
        event = AuditEvent.objects.filter(**filters).order_by("-seq").first()
        return AuditPresenter(auditadmin).present([event])[0]
    return newest


def _dispatched(town: Any) -> Any:
    category = CaseCategory.objects.create(campaign=town.campaign, code="1", title="在收集社情民意方面", sort_order=1)
    case = draft_case(campaign=town.campaign, kind="problem", description="上下塘社区东侧路灯损坏，夜间出行不便",
                      raised_at=dt.datetime(2017, 6, 13, 10, tzinfo=SHANGHAI),
                      target=town.households["shangxiatang"][0], by=town.users["dept"])
    case = actions.register_case(case, by=town.users["office"], version=case.version, category=category)
    return actions.dispatch_case(case, town.police, by=town.users["office"], version=case.version)


def test_it_names_a_dispatched_case_its_category_and_its_unit(town, shown):
    case = _dispatched(town)
    registered = AuditPresenter(town.users["office"]).present(
        [AuditEvent.objects.filter(object_id=str(case.public_id), summary__startswith="登记").get()])[0]
    assert "类别：（空） → 在收集社情民意方面" in registered.changes
    row = shown(object_id=str(case.public_id))
    assert (row.object.label, row.object.name, row.object.ref) == ("问题与意见建议", case.number, str(case.public_id))
    assert "承办单位：（空） → 派出所" in row.changes
    assert "状态：待交办 → 待签收" in row.changes
    assert not any(str(town.police.pk) in line.split("：", 1)[1] for line in row.changes if "单位" in line)


def test_it_names_the_target_and_the_cadre_of_a_plan_changed_by_hand(town, shown):
    target = town.households["jijiadun"][0]
    wangwen = Cadre.objects.get(name="王文")
    assignment = Assignment.objects.create(campaign=town.campaign, target=target, unit=town.police)
    reassign(assignment, wangwen.pk, by=town.users["office"])
    row = shown(object_type="planning.Assignment")
    assert row.object.name == "赵**（计家墩村第1村民小组） → 王文"
    assert "走访人：（空） → 王文（镇党政班子）" in row.changes
    assert "走访单位：派出所 → 镇党政班子" in row.changes
    assert "人工锁定：否 → 是" in row.changes


def test_a_read_of_many_targets_names_the_first_few_masked_and_counts_the_rest(town, shown):
    targets = [*town.households["shangxiatang"], *town.households["jijiadun"], town.enterprise]
    TargetPresenter(town.users["office"]).record_list_read(targets, summary="走访对象列表")
    row = shown(action="read")
    assert row.object.name == ""  # a list's read is about no one record
    assert not row.object.deleted
    [line] = row.changes
    assert line.startswith("走访对象：张**（上下塘社区第1居民小组）、李**（上下塘社区第1居民小组）、王**（上下塘社区第1居民小组）、赵**（计家墩村第1村民小组）")
    assert line.endswith("等 6 个")
    assert "张建国" not in line
    assert "-" not in line


def test_a_grant_changed_in_the_admin_reads_with_the_users_name_and_the_role(town, shown):
    security = Client()
    security.force_login(ensure_administrator("sec1", PASSWORD, full_name="安全管理员甲", role=Role.SECURITY_ADMIN))
    url = "/admin/accounts/rolegrant/add/"
    added = security.post(url, {**form_values(security.get(url).content.decode(), "rolegrant_form"),
                                "user": town.users["leader"].pk, "role": Role.OFFICE, "region": town.town.pk})
    assert added.status_code == 302
    row = shown(object_type="accounts.RoleGrant")
    assert row.object.name == "王文（leader） · 走访办（情况统计组） · 锦溪镇"
    assert "角色：（空） → 走访办（情况统计组）" in row.changes


def test_a_deleted_account_says_so_and_keeps_its_id(town, shown):
    temp = ensure_user("linshi", PASSWORD, full_name="临时工小李", role=Role.OFFICE, region=town.town)
    pk = temp.pk
    temp.delete()
    row = shown(object_type="auth.User", object_id=str(pk))
    assert (row.object.deleted, row.object.ref, row.object_line) == (True, str(pk), "用户（已删除）")


def test_personal_numbers_and_residents_names_are_masked_for_the_audit_administrator(town, client, auditadmin):
    target = town.households["shangxiatang"][0]
    audit.record(town.users["office"], AuditEvent.Action.UPDATE, target, summary=f"修改{target.name}的电话",
                 changes={"phone": ["13812340001", "13912345678"], "note": "身份证 320583194503031234，电话 13812340001",
                          "unknown_key": {"nested": [1, 2]}})
    client.force_login(auditadmin)
    html = client.get("/audit/").content.decode()
    for secret in ("13812340001", "13912345678", "320583194503031234", target.name):
        assert secret not in html
    assert "走访对象：<b class=\"audit-object\">张**（上下塘社区第1居民小组）</b>" in html
    assert "修改张**的电话" in html
    assert "138****0001 → 139****5678" in html
    assert "身份证 320583********1234" in html
    assert "unknown_key：nested：1 → 2" in html  # a nested pair reads as a top-level one: old → new


def _some_events(town: Any, n: int) -> None:
    """Events that each name other records: targets, units, cadres and accounts."""
    targets = [*town.households["shangxiatang"], *town.households["jijiadun"], town.enterprise]
    cadres = list(Cadre.objects.all())
    for i in range(n):
        target = targets[i % len(targets)]
        audit.record(town.users["office"], AuditEvent.Action.READ, target, summary="网页查看走访对象完整信息")
        assignment, _new = Assignment.objects.get_or_create(campaign=town.campaign, target=target,
                                                            defaults={"unit": town.police})
        reassign(assignment, cadres[i % len(cadres)].pk, by=town.users["office"])
        ensure_user(f"temp{i}", PASSWORD, role=Role.OFFICE, region=town.town)


def test_the_page_reads_the_named_records_once_per_model_however_many_rows(town, client, auditadmin):
    client.force_login(auditadmin)
    _some_events(town, 2)
    client.get("/audit/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/audit/").status_code == 200
    _some_events(town, 8)
    with CaptureQueriesContext(connection) as many:
        html = client.get("/audit/").content.decode()
    assert AuditEvent.objects.count() > 30
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "走访人：（空） → " in html


def test_the_export_presents_as_the_page_does(town, client, auditadmin):
    case = _dispatched(town)
    client.force_login(auditadmin)
    response = client.get("/audit/?format=xlsx&object_type=cases.Case")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = next(row for row in rows if row and row[0] == "序号")
    assert header[4:7] == ("对象", "摘要", "变更内容")
    dispatched = next(row for row in rows if row and row[5] and str(row[5]).startswith("交办"))
    assert dispatched[4] == f"问题与意见建议：{case.number}"
    assert "承办单位：（空） → 派出所" in dispatched[6].split("\n")
    ids = {row[0]: row[2] for row in book["编号与校验值"].iter_rows(min_row=4, values_only=True) if row[0]}
    assert ids[dispatched[0]] == str(case.public_id)
    html = client.get("/audit/?action=export").content.decode()
    assert "对象类型：cases.Case" in html


def test_an_update_import_s_differences_read_old_to_new(town, shown):
    """An update import records each changed column as [old, new] under `fields`: read as 旧 → 新, as a change of a
    record's own field is, not as a list of two values."""
    target = town.households["shangxiatang"][0]
    audit.record(town.users["office"], AuditEvent.Action.UPDATE, target, summary="按更新导入户籍户.xlsx：第3行",
                 changes={"file": "户籍户.xlsx", "row": 3, "fields": {"门牌号": ["东街1号", "东街2号"]}})
    row = shown(object_type="registry.Target")
    [fields] = [line for line in row.changes if "门牌号" in line]
    assert fields.endswith("门牌号：东街1号 → 东街2号")
