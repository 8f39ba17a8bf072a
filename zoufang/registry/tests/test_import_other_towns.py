"""Files from other towns, laid out their own way: columns in another order, a column the import does not know,
a title over the header, a 合计 row under the table. Every kind names the row and the column of each problem in
Chinese, counting rows as the clerk sees them, and says nothing of the title or the 合计 but what they are."""

import re

import pytest

from zoufang.planning.models import FixedQuota
from zoufang.registry.imports import run_import
from zoufang.registry.imports.runner import KINDS
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.tests.test_import_support import add_registered_households, make_town, xlsx_file

UNKNOWN = "统计人"  # a column of the other town's own


@pytest.fixture
def campaign(db):
    return make_town()


def _in_chinese(message: str) -> bool:
    """Worded for the clerk: Chinese, every placeholder filled, nothing of Python's."""
    return bool(re.search(r"[\u4e00-\u9fff]", message)) and not re.search(r"%\(|\{|None|Error", message)


def _register(kind: str, unknown: bool) -> tuple[list[list[object]], str]:
    """The kind's template columns in reverse order under a title, two rows of its examples (the second without its
    first required value) and a 合计 line; with `unknown`, a column of the other town's own second."""
    columns = [c for c in KINDS[kind].columns if c.example or c.required][::-1]
    blank = next(c.header for c in columns if c.required)
    header = [c.header for c in columns]
    rows = [[c.example for c in columns], [("" if c.header == blank else c.example) for c in columns]]
    if unknown:
        for row in (header, *rows):
            row.insert(1, UNKNOWN if row is header else "")
    return [[f"某某镇{KINDS[kind].label}"], header, *rows, ["合计", "2"]], blank


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["regions", "units", "cadres", "households", "enterprises", "projects",
                                  "notable_persons"])
def test_a_register_laid_out_otherwise_is_refused_naming_row_and_column(campaign, kind):
    rows, blank = _register(kind, unknown=False)
    plain = run_import(kind, xlsx_file(rows), filename="其他镇.xlsx", campaign=campaign, dry_run=True)
    assert (4, blank, "不能为空") in [(e.row, e.column, e.message) for e in plain.errors]
    assert all(e.row in (3, 4) and e.column and _in_chinese(e.message) for e in plain.errors), [
        str(e) for e in plain.errors]  # the examples may name what this town has not registered: in those rows
    assert "第5行是合计行，未导入" in plain.notes

    rows, _blank = _register(kind, unknown=True)
    report = run_import(kind, xlsx_file(rows), filename="其他镇.xlsx", campaign=campaign, dry_run=True)
    assert (report.errors[0].row, report.errors[0].column) == (2, UNKNOWN)  # the header row, the column as written
    assert report.errors[0].message.startswith("未知列，可用的列为：")
    # then every row's problems, as the file without that column has them: one report says all
    assert [str(e) for e in report.errors[1:]] == [str(e) for e in plain.errors]


def _tables_town() -> None:
    add_registered_households({"上下塘社区": 30, "计家墩村": 20})
    Unit.objects.create(name="市交通局", kind=Unit.Kind.CITY_DEPARTMENT)
    leaders = Unit.objects.create(name="镇党政班子", kind=Unit.Kind.TOWN_LEADERSHIP)
    for name in ("王文", "吴恽"):
        Cadre.objects.create(name=name, unit=leaders, role=Cadre.Role.TOWN_LEADER)
    for name in ("机关二支部", "招商中心"):
        Unit.objects.create(name=name, kind=Unit.Kind.TOWN_DEPARTMENT)


_DEPARTMENTS = (["单位", "党员人数", "户籍户口", "外来常住户", "序号"],  # 序号 last: not a count column
                [["机关二支部", 43, 10, 20, 1], ["招商中心", 12, 5, 6, 2]], ["合计", 55, 15, 26, ""])
# Each table kind in another town's column order: header, two rows, 合计; then the cell made bad, and its column.
TABLES = {
    "allocation": ((["走访单位", "村、社区名称", "走访户数", "户籍总户数（户）", "序号"],
                    [["市交通局", "上下塘社区", 10, 30, 1], ["市交通局", "计家墩村", 10, 20, 2]], ["合计", "", 20, 50, ""]),
                   2, "走访户数"),
    "leader_households": ((["走访村、社区", "走访领导", "走访户数", "序号"],
                           [["上下塘社区", "王文", 5, 1], ["计家墩村", "吴恽", 5, 2]], ["合计", "", 10, ""]),
                          2, "走访户数"),
    "leader_enterprises": ((["走访企业数", "走访领导", "序号"], [[5, "王文", 1], [5, "吴恽", 2]], ["合计", 10, ""]),
                           0, "走访企业数"),
    "departments": (_DEPARTMENTS, 1, "党员人数"),
    "department_quotas": (_DEPARTMENTS, 2, "户籍户口"),
}


def _table(kind: str, *, bad: bool = False, unknown: bool = False) -> list[list[object]]:
    (header, data, total), at, _column = TABLES[kind]
    rows = [list(header), *(list(row) for row in data), list(total)]
    if bad:
        rows[2][at] = "五"  # the second row's figure in words
    if unknown:
        for row in rows:
            row.insert(1, UNKNOWN if row is rows[0] else "")
    return [["附件9"], ["某某镇“六个一”走访分配表"], *rows]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(TABLES))
def test_an_allocation_table_laid_out_otherwise_is_read_or_refused_naming_row_and_column(campaign, kind):
    _tables_town()
    column = TABLES[kind][2]
    report = run_import(kind, xlsx_file(_table(kind, unknown=True)), filename="其他镇.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(3, UNKNOWN)], [str(e) for e in report.errors]
    assert report.errors[0].message.startswith("未知列，可用的列为：")

    report = run_import(kind, xlsx_file(_table(kind, bad=True)), filename="其他镇.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [  # not also the 合计's difference from the rows read without it
        f"第5行【{column}】：应为不小于0的整数，表中为“五”"]

    report = run_import(kind, xlsx_file(_table(kind)), filename="其他镇.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert not any("序号" in note for note in report.notes), report.notes
    if kind != "departments":
        assert sorted(FixedQuota.objects.values_list("row_number", "count")) == {
            "allocation": [(4, 10), (5, 10)], "leader_households": [(4, 5), (5, 5)],
            "leader_enterprises": [(4, 5), (5, 5)], "department_quotas": [(4, 10), (4, 20), (5, 5), (5, 6)]}[kind]
    else:
        assert dict(Unit.objects.filter(kind=Unit.Kind.TOWN_DEPARTMENT).values_list("name", "party_member_count")) == {
            "机关二支部": 43, "招商中心": 12}


@pytest.mark.django_db
def test_a_department_table_with_a_column_of_its_own_before_the_party_members_names_it(campaign):
    """Every column after 党员人数 is a count column; one before it the import does not know was dropped silently."""
    _tables_town()
    report = run_import("departments", xlsx_file(_table("departments", unknown=True)), filename="其他镇.xlsx",
                        campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第3行【统计人】：未知列，可用的列为：序号、单位、党员人数、走访户数、户籍户口、外来常住户、走访企业数、备注、合计。"
        "不需要的列请删除（序号、登记日期、备注等列会自动忽略）"]
    assert not Unit.objects.filter(party_member_count=43).exists()
