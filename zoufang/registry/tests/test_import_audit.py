"""Every stored record an import changes or deletes is audited on its own, with each changed field's old and new
value as the rest of the trail keeps them (ID and phone numbers masked), and the report lists the same changes."""

import pytest

from zoufang.accounts import audit
from zoufang.accounts.audit_present import AuditPresenter
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.accounts.services import ensure_user
from zoufang.conftest import PASSWORD
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests import test_import_cadres, test_import_leaders, test_import_units
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import csv_file, id_number, make_town, region
from zoufang.registry.tests.test_import_targets import ENTERPRISE_HEADER, credit_code


@pytest.fixture
def campaign(db):
    campaign = make_town(["上下塘社区", "计家墩村", "周家浜村"])
    Unit.objects.create(name="镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP, region=campaign.scope)
    return campaign


@pytest.fixture
def office(campaign):
    """锦溪镇's 走访办, who imports the town's registry."""
    return ensure_user("jinxi_office", PASSWORD, role=RoleGrant.Role.OFFICE, region=campaign.scope)


def _households(*rows: tuple[str, str, str]) -> list[list[object]]:
    """(name, phone, address) of households in 上下塘社区, ID numbers by position."""
    return [HEADER] + [["户籍户", "上下塘社区", "", "", name, 3, phone, id_number(i), address, "否"]
                       for i, (name, phone, address) in enumerate(rows)]


def _record_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__in=[AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE])
                .order_by("seq"))


@pytest.mark.django_db
def test_it_audits_each_household_whose_phone_or_address_a_reimport_changes(campaign, office):
    first = _households(("张三", "13800001290", "幸福路1号"), ("李四", "13800002222", "幸福路2号"),
                        ("王五", "13800003333", "幸福路3号"))
    assert run_import("households", csv_file(first), filename="h.csv", campaign=campaign, by=office).ok
    again = _households(("张三", "13912345678", "幸福路1号"), ("李四", "13800002222", "长寿路8号"),
                        ("王五", "13800003333", "幸福路3号"))

    report = run_import("households", csv_file(again), filename="户籍户.csv", campaign=campaign, by=office)

    assert (report.updated, report.unchanged) == (2, 1)
    zhang, li = Target.objects.get(id_number=id_number(0)), Target.objects.get(id_number=id_number(1))
    phone_event, address_event = _record_events()
    assert phone_event.object_id == str(zhang.public_id)
    assert phone_event.actor == office
    assert phone_event.changes["file"] == "户籍户.csv"
    assert phone_event.changes["row"] == 2
    assert phone_event.changes["fields"] == {"联系电话": ["138****1290", "139****5678"]}
    assert address_event.object_id == str(li.public_id)
    assert address_event.changes["row"] == 3
    assert address_event.changes["fields"] == {"地址": ["幸福路2号", "长寿路8号"]}
    trail = str([(e.summary, e.changes) for e in AuditEvent.objects.all()])
    assert "13800001290" not in trail
    assert "13912345678" not in trail
    assert id_number(0) not in trail
    # The report lists what the trail holds: one change per record, the same fields.
    assert [(c.row, c.fields) for c in report.changes] == [
        (2, [("联系电话", "138****1290", "139****5678")]), (3, [("地址", "幸福路2号", "长寿路8号")])]
    assert audit.verify().ok


@pytest.mark.django_db
def test_the_audit_page_reads_a_changed_phone_old_to_new(campaign, office):
    rows = _households(("张三", "13800001290", "幸福路1号"))
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)
    rows[1][6] = "13912345678"
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)

    [event] = _record_events()
    [shown] = AuditPresenter(office).present([event])
    assert "变更字段：联系电话：138****1290 → 139****5678" in shown.changes


@pytest.mark.django_db
def test_a_reimport_of_the_same_file_audits_no_record(campaign, office):
    rows = _households(("张三", "13800001290", "幸福路1号"), ("李四", "13800002222", "幸福路2号"))
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)
    before = AuditEvent.objects.count()

    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)

    assert (report.unchanged, report.changes) == (2, [])
    assert AuditEvent.objects.count() == before + 1  # the import itself, no record
    assert not _record_events()


@pytest.mark.django_db
def test_a_refused_reimport_writes_no_audit_row(campaign, office):
    rows = _households(("张三", "13800001290", "幸福路1号"), ("李四", "13800002222", "幸福路2号"))
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)
    before = AuditEvent.objects.count()
    rows[1][6] = "13912345678"
    rows[2][7] = "320583197001011230"  # a bad check digit: the whole file is refused

    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)

    assert not report.ok
    assert AuditEvent.objects.count() == before
    assert Target.objects.get(id_number=id_number(0)).phone == "13800001290"


@pytest.mark.django_db
def test_a_rename_and_a_phone_change_of_one_household_are_one_audit_row(campaign, office):
    rows = _households(("张三", "13800001290", "幸福路1号"))
    run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office)
    rows[1][4], rows[1][6] = "张叁", "13912345678"

    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign, by=office, update=True)

    assert report.ok, report.errors
    [event] = _record_events()
    assert event.changes["fields"] == {"户主姓名": ["张三", "张叁"], "联系电话": ["138****1290", "139****5678"]}
    [change] = report.changes
    assert change.renamed
    assert str(change).startswith("第2行 身份证号码320583********")


@pytest.mark.django_db
def test_it_audits_an_enterprise_whose_representative_data_changes(campaign, office):
    code = credit_code(3)
    rows = [ENTERPRISE_HEADER, ["甲有限公司", code, "上下塘社区", "工业路1号", "中小", "否", "纺织", "051257000001"]]
    run_import("enterprises", csv_file(rows), filename="e.csv", campaign=campaign, by=office)
    rows[1][3], rows[1][5], rows[1][7] = "工业路9号", "是", "13912345678"

    report = run_import("enterprises", csv_file(rows), filename="e.csv", campaign=campaign, by=office)

    assert report.updated == 1
    [event] = _record_events()
    assert event.object_id == str(Target.objects.get(credit_code=code).public_id)
    assert event.changes["fields"] == {"地址": ["工业路1号", "工业路9号"], "重点": ["否", "是"],
                                       "联系电话": ["051*****0001", "139****5678"]}
    assert event.changes["key"] == f"统一社会信用代码{code}"


@pytest.mark.django_db
def test_it_audits_a_cadre_whose_title_phone_supervisor_or_villages_change(campaign, office):
    header = test_import_cadres.HEADER
    rows = [header, ["王文", "镇党政班子", "镇党政领导", "组长", "13800001290", "", "上下塘社区"],
            ["吴恽", "镇党政班子", "镇党政领导", "副组长", "", "", ""],
            ["张三", "镇党政班子", "镇党政领导", "", "", "王文", ""]]
    assert run_import("cadres", csv_file(rows), filename="c.csv", campaign=campaign, by=office).ok
    rows[1][3:5] = ["党委书记", "13912345678"]
    rows[1][6] = "计家墩村、周家浜村"
    rows[3][5] = "吴恽"

    report = run_import("cadres", csv_file(rows), filename="c.csv", campaign=campaign, by=office)

    assert (report.updated, report.unchanged) == (2, 1)
    wang_event, zhang_event = _record_events()
    assert wang_event.object_id == str(Cadre.objects.get(name="王文").public_id)
    assert wang_event.changes["fields"] == {"职务": ["组长", "党委书记"], "手机号码": ["138****1290", "139****5678"],
                                            "挂钩村（社区）": ["上下塘社区", "计家墩村、周家浜村"]}
    assert zhang_event.changes["fields"] == {"上一级": ["王文（镇党政班子）", "吴恽（镇党政班子）"]}
    [shown, _zhang] = AuditPresenter(office).present([wang_event, zhang_event])
    assert "手机号码：138****1290 → 139****5678" in shown.changes[-1]


@pytest.mark.django_db
def test_it_audits_a_unit_whose_kind_or_party_members_change(campaign, office):
    header = test_import_units.HEADER
    rows = [header, ["派出所", "镇部门", "锦溪镇", "31", "3"], ["综治办", "镇部门", "锦溪镇", "", "4"]]
    assert run_import("units", csv_file(rows), filename="u.csv", by=office).ok
    rows[1][3] = "33"
    rows[2][1] = "镇党政班子"

    report = run_import("units", csv_file(rows), filename="u.csv", by=office)

    assert report.updated == 2
    police, transport = _record_events()
    assert police.object_type == "registry.Unit"
    assert police.changes["fields"] == {"党员人数": ["31", "33"]}
    assert transport.changes["fields"] == {"单位类型": ["镇部门（支部）", "镇党政班子"]}


@pytest.mark.django_db
def test_it_audits_a_region_whose_code_changes(campaign, office):
    rows = [["上级区划", "名称", "层级", "区划代码"], ["锦溪镇", "三联村", "村", "320583106001"]]
    assert run_import("regions", csv_file(rows), filename="r.csv", by=office).ok
    rows[1][3] = "320583106009"

    report = run_import("regions", csv_file(rows), filename="r.csv", by=office)

    assert report.updated == 1
    [event] = _record_events()
    assert event.object_type == "regions.Region"
    assert event.changes["fields"] == {"区划代码": ["320583106001", "320583106009"]}


@pytest.mark.django_db
def test_it_audits_each_fixed_quota_a_table_changes_or_no_longer_holds(campaign, office):
    for name in ("马援庄村", "干家甸社区"):
        region(name, Region.Level.VILLAGE, campaign.scope)
    leadership = Unit.objects.get(name="镇党政班子")
    for name in ("王文", "吴洁"):
        Cadre.objects.create(name=name, unit=leadership, role=Cadre.Role.TOWN_LEADER)
    rows = [row[:] for row in test_import_leaders.ANNEX31]
    assert run_import("leader_households", csv_file(rows), filename="附件3-1.csv", campaign=campaign, by=office).ok
    rows[2][3] = "15"  # 王文 in 周家浜村: 10 → 15
    del rows[5]  # 吴洁 in 干家甸社区 (0) gone
    rows[-1][2] = "105户"

    report = run_import("leader_households", csv_file(rows), filename="附件3-1.csv", campaign=campaign, by=office)

    assert (report.updated, report.deleted) == (1, 1), report.errors
    assert [str(change) for change in report.changes] == [
        "第3行 王文在周家浜村的户籍户：走访数“10”→“15”", "原第6行 吴洁在干家甸社区的户籍户：已不在表中，删除（走访数“0”→“”）"]
    updated, deleted = _record_events()
    assert (updated.action, updated.object_type) == (AuditEvent.Action.UPDATE, "planning.FixedQuota")
    assert updated.changes["fields"] == {"走访数": ["10", "15"]}
    assert deleted.action == AuditEvent.Action.DELETE
    assert deleted.changes["fields"] == {"走访数": ["0", ""]}
    assert audit.verify().ok
