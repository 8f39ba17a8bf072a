"""Importing units, and town departments from the 附件4-1 / 附件4-2 layouts."""

import pytest

from zoufang.registry.imports import run_import
from zoufang.registry.models import Unit
from zoufang.registry.tests.test_import_support import csv_file, make_town, xlsx_file

HEADER = ["单位名称", "单位类型", "所属区划", "党员人数", "排序"]
ANNEX41 = [
    ["镇各部门党员干部“六个一”走访调研分配表（居民户）"],
    ["序号", "单  位", "党员人数", "走访户数"],
    ["", "", "", "户籍户口", "外来常住户"],
    ["1", "机关二支部", "43", "215", "387"],
    ["2", "政法综治", "10", "50", "90"],
    ["3", "派出所", "31", "155", "248"],
    ["合计", "84", "420户", "725户"],
]


@pytest.fixture
def campaign(db):
    return make_town()


@pytest.mark.django_db
def test_it_imports_units_by_name_once(campaign):
    rows = [HEADER, ["镇党政班子", "镇党政班子", "锦溪镇", "", "1"], ["市交通局", "市级机关部门", "", "", "102"],
            ["上下塘社区居委会", "村（居）委会", "锦溪镇/上下塘社区", "12", ""]]
    report = run_import("units", csv_file(rows), filename="units.csv")
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0), report.errors
    committee = Unit.objects.get(name="上下塘社区居委会")
    assert (committee.kind, committee.region.name, committee.party_member_count) == (
        Unit.Kind.VILLAGE_COMMITTEE, "上下塘社区", 12)
    again = run_import("units", csv_file(rows), filename="units.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.django_db
def test_it_refuses_unknown_kinds_and_regions(campaign):
    rows = [HEADER, ["某局", "局", "", "", ""], ["某站", "镇部门", "不存在", "-1", ""]]
    report = run_import("units", csv_file(rows), filename="units.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "单位类型"), (3, "所属区划"), (3, "党员人数")]
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_it_imports_departments_from_the_annex_4_1_layout(campaign):
    report = run_import("departments", csv_file(ANNEX41), filename="附件4-1.csv", campaign=campaign)
    assert (report.total_rows, report.created) == (3, 3), report.errors
    police = Unit.objects.get(name="派出所")
    assert (police.kind, police.party_member_count, police.sort_order, police.region) == (
        Unit.Kind.TOWN_DEPARTMENT, 31, 3, campaign.scope)
    again = run_import("departments", csv_file(ANNEX41), filename="附件4-1.csv", campaign=campaign)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


@pytest.mark.django_db
def test_it_refuses_a_department_table_whose_total_disagrees(campaign):
    rows = [*ANNEX41[:-1], ["合计", "84", "420户", "700户"]]
    report = run_import("departments", csv_file(rows), filename="附件4-1.csv", campaign=campaign)
    assert [str(e) for e in report.errors] == ["第7行【外来常住户】：合计为700户，各行之和为725户，相差25户"]
    assert not Unit.objects.exists()


@pytest.mark.django_db
def test_it_refuses_to_turn_another_kind_of_unit_into_a_department(campaign):
    Unit.objects.create(name="派出所", kind=Unit.Kind.CITY_DEPARTMENT)
    report = run_import("departments", csv_file(ANNEX41), filename="附件4-1.csv", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(6, "单位")]



@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "header", "row"), [
    ("units", ["单位名称", "单位类型", "所属区划"], ["水利站", "镇部门", "锦溪镇"]),
    ("regions", ["名称", "层级", "上级区划"], ["水利村", "村", "锦溪镇"])])
def test_a_name_holding_a_nul_is_refused_before_any_look_up(campaign, kind, header, row):
    """Both kinds look their rows' names up before checking them: PostgreSQL would refuse the query (a 500). The
    NUL comes escaped in an xlsx (_x0000_), as another system writes it."""
    rows = [header, row, ["水_x0000_务站" if kind == "units" else "水_x0000_乡村", *row[1:]]]
    report = run_import(kind, xlsx_file(rows), filename=f"{kind}.xlsx")
    assert [(error.row, error.column) for error in report.errors] == [(3, header[0])]
    assert "空字符 NUL" in report.errors[0].message


@pytest.mark.django_db
def test_a_count_typed_in_full_width_digits_is_told_the_rule_its_half_width_twin_is(campaign):
    typed = ["1234567890", "１２３４５６７８９０", "1234567890.0", "１２３４５６７８９０．０", "12.5", "１２．５"]
    rows = [HEADER, *([f"某站{n}", "镇部门", "", count, ""] for n, count in enumerate(typed))]
    report = run_import("units", csv_file(rows), filename="units.csv")
    rules = [e.message.split("，表中为")[0] for e in report.errors]
    assert rules == ["应为0到99999999之间的整数"] * 4 + ["应为不小于0的整数"] * 2
    assert not Unit.objects.exists()
