"""Every problem of a file in one report: a column the import does not know (or one written twice) is an error that
still leaves the rows to be checked against the columns found, the header's problem listed first and the rows' after
it, and nothing written. A required column missing is said once, not as the same error on every row."""

import pytest

from zoufang.accounts.models import AuditEvent
from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Cadre, Target, Unit
from zoufang.registry.tests.test_import_other_towns import TABLES, UNKNOWN, _register, _table, _tables_town
from zoufang.registry.tests.test_import_support import id_number, make_town, xlsx_file

REGISTERS = ["regions", "units", "cadres", "households", "enterprises", "projects", "notable_persons"]
NOT_CHECKED = "各行未逐一检查：改正表头后重新导入，将检查各行"


@pytest.fixture
def campaign(db):
    return make_town()


def _stored() -> list[int]:
    return [model.objects.count() for model in (Region, Unit, Cadre, Target, FixedQuota, AuditEvent)]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", REGISTERS)
def test_a_register_with_an_unknown_column_and_bad_rows_says_both_and_writes_nothing(campaign, kind):
    rows, blank = _register(kind, unknown=True)
    before = _stored()
    report = run_import(kind, xlsx_file(rows), filename="其他镇.xlsx", campaign=campaign)
    said = [(e.row, e.column) for e in report.errors]
    assert said[0] == (2, UNKNOWN), [str(e) for e in report.errors]  # the header first
    assert report.errors[0].message.startswith("未知列，可用的列为：")
    assert (4, blank) in said[1:]  # then the rows: the second left its first required value blank
    assert str(report.errors[said.index((4, blank))]) == f"第4行【{blank}】：不能为空"
    assert _stored() == before


@pytest.mark.django_db
@pytest.mark.parametrize("kind", list(TABLES))
def test_an_allocation_table_with_an_unknown_column_and_a_bad_row_says_both_and_writes_nothing(campaign, kind):
    _tables_town()
    before = _stored()
    report = run_import(kind, xlsx_file(_table(kind, bad=True, unknown=True)), filename="其他镇.xlsx",
                        campaign=campaign)
    messages = [str(e) for e in report.errors]
    assert len(messages) == 2, messages
    assert messages[0].startswith(f"第3行【{UNKNOWN}】：未知列，可用的列为：")
    assert messages[1] == f"第5行【{TABLES[kind][2]}】：应为不小于0的整数，表中为“五”"  # not also the 合计's difference
    assert _stored() == before


@pytest.mark.django_db
def test_forty_bad_id_numbers_are_said_with_the_misspelt_column_in_one_report(campaign):
    """The clerk's case: 联系电话 typed as 户主电话, and ID numbers mistyped further down."""
    rows = [["户别", "村（社区）", "户主姓名", "身份证号码", "户主电话", "地址"]]
    rows += [["户籍户", "上下塘社区", f"住户{n}", id_number(n)[:-1] + ("0" if id_number(n)[-1] != "0" else "1"),
              "13812345678", f"上下塘街{n}号"] for n in range(1, 41)]
    rows += [["户籍户", "计家墩村", "张三", id_number(41), "13812345679", "计家墩1号"]]
    report = run_import("households", xlsx_file(rows), filename="花名册.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(1, "户主电话"), *((n, "身份证号码") for n in range(2, 42))]
    assert "是不是“联系电话”？" in report.errors[0].message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_column_written_twice_leaves_the_rows_checked_without_it(campaign):
    rows = [["户别", "村（社区）", "户主姓名", "身份证号码", "联系电话", "联系电话", "地址"],
            ["户籍户", "上下塘社区", "张三", id_number(1), "13812345678", "13812345679", "上下塘街1号"],
            ["户籍户", "无此村", "李四", id_number(2), "", "", "无此村1号"]]
    report = run_import("households", xlsx_file(rows), filename="花名册.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(1, "联系电话"), (3, "村（社区）")], [
        str(e) for e in report.errors]
    assert "E列“联系电话”、F列“联系电话”都可作为“联系电话”" in report.errors[0].message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_required_column_missing_is_said_once_not_on_every_row(campaign):
    rows = [["户别", "村（社区）", "户主姓名", "身份证号码", "门牌"],
            *(["户籍户", "无此村", f"住户{n}", "x", f"{n}号"] for n in range(1, 31))]
    report = run_import("households", xlsx_file(rows), filename="花名册.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(1, "门牌"), (1, "地址")]  # no row's village or ID number
    assert report.errors[1].message == "缺少必填列"
    assert f"缺少或无法确定“地址”列，{NOT_CHECKED}" in report.notes
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_column_under_the_count_that_is_no_kind_leaves_the_total_checked_without_it(campaign):
    _tables_town()
    rows = [["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数", None],
            [None, None, None, None, "户籍户", "计划数"],
            ["1", "市交通局", "上下塘社区", "30", "10", "12"],
            ["2", "市交通局", "计家墩村", "20", "5", "8"],
            ["3", "市交通局", "无此村", "20", "3", "8"],
            ["合计", None, None, "70", "17", "28"]]
    merges = ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"]
    before = _stored()
    report = run_import("allocation", xlsx_file(rows, merges), filename="附件2.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【计划数】：“走访户数”下的F列“计划数”不是走访对象的类型，无法导入：“走访户数”只能按“户籍户”“外来常住户”分列"
        "（也可写作户籍户口、非户籍常住户），其他列请删去或移到“备注”",
        "第5行【村、社区名称】：锦溪镇没有名为“无此村”的村（社区），请先导入行政区划",
        "第6行【走访户数（户籍户）】：合计为17户，各行之和为18户，相差1户"]  # 计划数's 28 not read
    assert _stored() == before


@pytest.mark.django_db
def test_no_column_under_the_count_names_a_kind_the_rows_are_not_checked(campaign):
    _tables_town()
    rows = [["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数", None],
            [None, None, None, None, "计划数", "完成数"],
            ["1", "市交通局", "无此村", "30", "10", "12"]]
    report = run_import("allocation", xlsx_file(rows, ["A1:A2", "B1:B2", "C1:C2", "D1:D2", "E1:F1"]),
                        filename="附件2.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "计划数"), (2, "完成数")]
    assert f"“走访户数”下没有可读的列，{NOT_CHECKED}" in report.notes
