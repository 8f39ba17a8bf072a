"""A unit's 排序 between the units register and the departments table: 单位.xlsx's 序号 numbers the sheet's rows, it is
not an order the office chose (an explicit 排序 column is); 附件4-1's 序号 gives a department its place only while it
has none. Re-importing the two files, one after the other, changes nothing (the 千灯镇 walk: 党政办 flipped 1↔2)."""

import pytest
from django.db.models import Max

from zoufang.accounts.models import AuditEvent
from zoufang.registry.imports import run_import
from zoufang.registry.models import Unit
from zoufang.registry.tests.test_import_support import xlsx_file

pytestmark = pytest.mark.django_db

# As 千灯镇's clerk keeps them: 序号 numbering the register's rows, and 附件4-1 numbering its departments.
UNITS = [["序号", "单位", "类型", "区划"], [1, "镇党政班子", "镇党政班子", "锦溪镇"], [2, "党政办", "镇部门", "锦溪镇"],
         [3, "经发局", "镇部门", "锦溪镇"]]
DEPARTMENTS = [["序号", "部门", "党员人数"], [1, "党政办", 3], [2, "经发局", 2], ["合计", None, 5]]


def _import(kind: str, rows: list[list[object]], town, **options):
    report = run_import(kind, xlsx_file(rows), filename=f"{kind}.xlsx", campaign=town.campaign,
                        by=town.users["office"], **options)
    assert report.ok, [str(e) for e in report.errors]
    return report


def _orders() -> dict[str, int]:
    return dict(Unit.objects.filter(name__in=["镇党政班子", "党政办", "经发局"]).values_list("name", "sort_order"))


def test_it_changes_nothing_when_the_units_and_departments_tables_are_imported_again(town):
    _import("units", UNITS, town)
    _import("departments", DEPARTMENTS, town)
    assert _orders() == {"镇党政班子": 0, "党政办": 1, "经发局": 2}  # 附件4-1's order, the units' 序号 left alone
    audited = AuditEvent.objects.aggregate(last=Max("pk"))["last"] or 0  # a count is no pk: ids have gaps
    for kind, rows in (("units", UNITS), ("departments", DEPARTMENTS), ("units", UNITS), ("departments", DEPARTMENTS)):
        report = _import(kind, rows, town)
        assert (report.created, report.updated, report.changes) == (0, 0, []), [str(c) for c in report.changes]
    assert _orders() == {"镇党政班子": 0, "党政办": 1, "经发局": 2}
    assert set(AuditEvent.objects.filter(pk__gt=audited).values_list("action", flat=True)) == {AuditEvent.Action.IMPORT}


def test_it_reads_an_explicit_order_column_of_the_units_register_as_the_offices_order(town):
    rows = [["序号", "单位名称", "单位类型", "所属区划", "排序"], [1, "党政办", "镇部门", "锦溪镇", 20],
            [2, "经发局", "镇部门", "锦溪镇", 10]]
    _import("units", rows, town)
    assert (_orders()["党政办"], _orders()["经发局"]) == (20, 10)
    report = _import("departments", DEPARTMENTS, town)  # the table's 序号 does not overrule the order chosen
    assert (_orders()["党政办"], _orders()["经发局"]) == (20, 10)
    assert not [str(c) for c in report.changes if "排序" in str(c)]  # only 党员人数 is the table's to change
    assert any("序号" in note and "排序" in note for note in report.notes), report.notes


def test_a_department_the_table_registers_takes_its_place_in_the_table(town):
    _import("departments", DEPARTMENTS, town)
    assert (_orders()["党政办"], _orders()["经发局"]) == (1, 2)
    moved = [DEPARTMENTS[0], [1, "经发局", 2], [2, "党政办", 3], DEPARTMENTS[-1]]  # a row moved: layout, not content
    report = _import("departments", moved, town)
    assert (report.updated, report.changes) == (0, [])
    assert (_orders()["党政办"], _orders()["经发局"]) == (1, 2)
