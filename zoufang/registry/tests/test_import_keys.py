"""Issue 9 items 9 and 10: an official key never renames, moves or re-kinds what it names by surprise."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import csv_file, id_number, make_town, region
from zoufang.registry.tests.test_import_targets import ENTERPRISE_HEADER, credit_code


@pytest.fixture
def campaign(db):
    return make_town()


def _household(kind: str, village: str, name: str, number: str, address: str = "幸福路1号") -> list[object]:
    return [kind, village, "", "", name, "", "", number, address, ""]


@pytest.mark.django_db
def test_it_refuses_a_known_id_number_under_another_name_and_village_unless_updating(campaign):
    number = id_number(7)
    assert run_import("households", csv_file([HEADER, _household("户籍户", "上下塘社区", "张三", number)]),
                      filename="h.csv", campaign=campaign).ok
    changed = [HEADER, _household("户籍户", "计家墩村", "李四", number)]

    refused = run_import("households", csv_file(changed), filename="h.csv", campaign=campaign)
    [error] = refused.errors
    assert (error.row, error.column) == (2, "身份证号码")
    assert "320583********" in error.message
    assert number not in error.message
    assert "户主姓名由“张三”改为“李四”" in error.message
    assert "村（社区）由“上下塘社区”改为“计家墩村”" in error.message
    assert "--update" in error.message
    stored = Target.objects.get(id_number=number)
    assert (stored.name, stored.region.name, stored.version) == ("张三", "上下塘社区", 1)

    preview = run_import("households", csv_file(changed), filename="h.csv", campaign=campaign, update=True,
                         dry_run=True)
    assert preview.ok
    assert preview.updated == 1
    assert [str(c) for c in preview.changes] == [
        "第2行 身份证号码320583********" + number[-4:] + "：户主姓名“张三”→“李四”；村（社区）“上下塘社区”→“计家墩村”"]
    assert Target.objects.get(id_number=number).name == "张三"

    applied = run_import("households", csv_file(changed), filename="h.csv", campaign=campaign, update=True)
    assert applied.ok
    assert applied.updated == 1
    stored.refresh_from_db()
    assert (stored.name, stored.region.name) == ("李四", "计家墩村")
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(stored.public_id))
    assert event.changes["fields"] == {"户主姓名": ["张三", "李四"], "村（社区）": ["上下塘社区", "计家墩村"]}
    assert event.changes["row"] == 2


@pytest.mark.django_db
def test_it_keeps_a_move_inside_the_village_an_ordinary_update(campaign):
    sxt = Region.objects.get(name="上下塘社区")
    region("第1居民小组", Region.Level.GROUP, sxt)
    number = id_number(8)
    run_import("households", csv_file([HEADER, _household("户籍户", "上下塘社区", "张三", number)]),
               filename="h.csv", campaign=campaign)
    row = _household("户籍户", "上下塘社区", "张 三", number, "幸福路2号")
    row[2] = "第1居民小组"
    report = run_import("households", csv_file([HEADER, row]), filename="h.csv", campaign=campaign)
    assert report.ok, report.errors
    [change] = report.changes  # listed and audited as any change is, not as a rename to confirm
    assert (report.updated, change.renamed) == (1, False)
    assert change.fields == [("所在区划", "上下塘社区", "第1居民小组"), ("地址", "幸福路1号", "幸福路2号")]
    assert Target.objects.get(id_number=number).region.name == "第1居民小组"


@pytest.mark.django_db
def test_it_refuses_one_id_number_as_both_kinds_naming_both_rows(campaign):
    number = id_number(9)
    rows = [HEADER, _household("户籍户", "上下塘社区", "张三", number),
            _household("非户籍常住户", "计家墩村", "张三", number, "计家墩路1号")]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    [error] = report.errors
    assert (error.row, error.column) == (3, "身份证号码")
    assert "与第2行身份证号码相同" in error.message
    assert "户籍户" in error.message
    assert "非户籍常住户" in error.message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_id_number_stored_as_the_other_kind(campaign):
    number = id_number(10)
    run_import("households", csv_file([HEADER, _household("户籍户", "上下塘社区", "张三", number)]),
               filename="h.csv", campaign=campaign)
    rows = [HEADER, _household("非户籍常住户", "上下塘社区", "张三", number)]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    [error] = report.errors
    assert error.row == 2
    assert "户别由“户籍户”改为“非户籍常住户”" in error.message
    assert Target.objects.filter(id_number=number).count() == 1
    assert Target.objects.get(id_number=number).kind == Target.Kind.REGISTERED_HOUSEHOLD


@pytest.mark.django_db
def test_it_renames_or_moves_an_enterprise_by_credit_code_only_as_an_update(campaign):
    code = credit_code(11)
    first = [ENTERPRISE_HEADER, ["甲有限公司", code, "上下塘社区", "", "", "", "", ""]]
    assert run_import("enterprises", csv_file(first), filename="e.csv", campaign=campaign).ok
    moved = [ENTERPRISE_HEADER, ["甲有限公司", code, "计家墩村", "", "", "", "", ""]]
    refused = run_import("enterprises", csv_file(moved), filename="e.csv", campaign=campaign)
    [error] = refused.errors
    assert "村（社区）由“上下塘社区”改为“计家墩村”" in error.message
    blank_village = [ENTERPRISE_HEADER, ["甲有限公司", code, "", "新地址", "", "", "", ""]]
    assert run_import("enterprises", csv_file(blank_village), filename="e.csv", campaign=campaign).ok
    assert Target.objects.get(credit_code=code).region.name == "上下塘社区"  # a blank cell keeps the village

    applied = run_import("enterprises", csv_file(moved), filename="e.csv", campaign=campaign, update=True)
    assert applied.ok
    assert [c.fields for c in applied.changes] == [[("村（社区）", "上下塘社区", "计家墩村")]]
    target = Target.objects.get(credit_code=code)
    assert target.region.name == "计家墩村"
    addressed, event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE,
                                                 object_id=str(target.public_id)).order_by("seq")
    assert addressed.changes["fields"] == {"地址": ["", "新地址"]}
    assert event.changes["fields"] == {"村（社区）": ["上下塘社区", "计家墩村"]}


@pytest.mark.django_db
def test_it_renames_a_region_by_code_only_as_an_update(campaign):
    rows = [["上级区划", "名称", "层级", "区划代码"], ["锦溪镇", "上下塘社区", "社区", "320583106001"]]
    assert run_import("regions", csv_file(rows), filename="r.csv").ok
    rows[1][1] = "下塘社区"
    refused = run_import("regions", csv_file(rows), filename="r.csv")
    assert [(e.row, e.column) for e in refused.errors] == [(2, "名称")]
    assert "名称由“上下塘社区”改为“下塘社区”" in refused.errors[0].message
    assert run_import("regions", csv_file(rows), filename="r.csv", update=True).ok
    assert Region.objects.get(code="320583106001").name == "下塘社区"


@pytest.mark.django_db
def test_it_does_not_move_a_household_from_another_town_by_surprise(campaign):
    other_town = region("周庄镇", Region.Level.TOWN, campaign.scope.parent)
    elsewhere = region("祁浜村", Region.Level.VILLAGE, other_town)
    number = id_number(12)
    Target.objects.create(kind=Target.Kind.REGISTERED_HOUSEHOLD, region=elsewhere, name="张三", address="祁浜1号",
                          id_number=number)
    report = run_import("households", csv_file([HEADER, _household("户籍户", "上下塘社区", "张三", number)]),
                        filename="h.csv", campaign=campaign)
    [error] = report.errors
    assert "村（社区）由“昆山市周庄镇祁浜村”改为“上下塘社区”" in error.message
    assert Target.objects.get(id_number=number).region == elsewhere
