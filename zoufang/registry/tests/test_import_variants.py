"""Spreadsheets as other towns and offices export them (WPS, old Excel, other systems): each accepted as the clerk
meant it, or refused naming the row, the column and the rule; never stored wrong, never written in part."""

import io
from pathlib import Path

import pytest
import xlwt
from openpyxl import Workbook

from zoufang.planning.models import FixedQuota
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.imports.runner import KINDS
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import (
    SEED_VILLAGES,
    add_registered_households,
    annex2_rows,
    csv_file,
    id_number,
    make_town,
    region,
    xlsx_file,
)

FILES = Path(__file__).parent / "files"


@pytest.fixture
def campaign(db):
    return make_town()


def _row(number: object, name: str = "张三", village: object = "上下塘社区", phone: object = "") -> list[object]:
    return ["户籍户", village, "", "", name, "", phone, number, f"{name}家", ""]


def _stored() -> list[tuple[str, str, str, str]]:
    return sorted(Target.objects.values_list("name", "id_number", "phone", "region__name"))


@pytest.mark.django_db
def test_a_wps_register_with_a_title_a_two_row_header_merged_villages_and_a_total_imports_as_meant(campaign):
    one, two, three = id_number(11), id_number(12), id_number(13)
    rows = [
        ["锦溪镇户籍户花名册"],
        ["序号", "户别", "村（社区）", "户主信息", None, None, "家庭住址", "困难户\n情况"][:7],
        [None, None, None, "户主\n姓名", "身份证号码（18位）", "联系电话（手机）", None],
        [1, "户籍户", "上下塘社区", "张三", one, "138 1234 5678", "上下塘街1号"],
        [2, "户籍户", None, "李 四", two, "+86 13812345679", "上下塘街2号"],
        [3, "户籍户", None, "王五", three, "13812345680.0", "上下塘街3号"],
        [4], [5],  # the numbered form's unused lines
        ["合  计", None, None, "3户"],
    ]
    book = xlsx_file(rows, ["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:G3", "C4:C6"])
    report = run_import("households", book, filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    assert report.notes == ["已忽略列：序号", "第9行是合计行，未导入"]
    assert _stored() == [("张三", one, "13812345678", "上下塘社区"), ("李四", two, "13812345679", "上下塘社区"),
                         ("王五", three, "13812345680", "上下塘社区")]

    book.seek(0)
    again = run_import("households", book, filename="花名册.xlsx", campaign=campaign)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert Target.objects.count() == 3


@pytest.mark.django_db
def test_other_offices_column_names_are_understood(campaign):
    rows = [["姓名", "户口类别", "村/社区", "组别", "身份证", "联系方式", "门牌地址", "人口"],
            ["张三", "户籍户", "上下塘社区", "", id_number(14), "0512-57223456", "上下塘街4号", "3人"]]
    report = run_import("households", xlsx_file(rows), filename="h.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    target = Target.objects.get()
    assert (target.name, target.phone, target.member_count) == ("张三", "0512-57223456", 3)


def test_no_two_columns_of_an_import_answer_to_the_same_header():
    for kind, spec in KINDS.items():
        seen: dict[str, str] = {}
        for column in spec.columns:
            for name in column.names():
                assert seen.setdefault(name, column.header) == column.header, (kind, name)


@pytest.mark.django_db
def test_invisible_characters_do_not_make_a_second_household(campaign):
    number = id_number(15)
    run_import("households", csv_file([HEADER, _row(number)]), filename="h.csv", campaign=campaign)
    pasted = _row("\u200b" + number.lower() + "\u00a0", name="张\u200b三\ufeff")
    report = run_import("households", xlsx_file([HEADER, pasted]), filename="h.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.unchanged) == (0, 1)
    assert _stored() == [("张三", number, "", "上下塘社区")]


@pytest.mark.django_db
def test_an_error_value_or_an_uncomputed_formula_is_named_once_and_nothing_is_written(campaign):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(_row(id_number(16)))
    sheet.append(_row(id_number(17), name="李四"))
    sheet.append(_row("=VLOOKUP(E4,Sheet2!A:B,2,0)", name="王五"))
    sheet["E2"] = "#N/A"
    sheet["E2"].data_type = "e"
    sheet["G3"] = "#REF!"
    sheet["G3"].data_type = "e"
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    report = run_import("households", out, filename="h.xlsx", campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(2, "户主姓名"), (3, "联系电话"), (4, "身份证号码")]
    assert "错误值“#N/A”" in report.errors[0].message
    assert "错误值“#REF!”" in report.errors[1].message
    assert "没有保存它的计算结果" in report.errors[2].message
    assert not Target.objects.exists()

    exported = csv_file([HEADER, _row(id_number(18), name="#N/A")])  # Excel writes the code into a csv
    [error] = run_import("households", exported, filename="h.csv", campaign=campaign).errors
    assert (error.row, error.column) == (2, "户主姓名")
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_an_id_number_excel_made_a_number_is_refused_in_a_merged_layout_too(campaign):
    rows = [HEADER, _row(320583197001010011), _row(id_number(19), name="李四", village=None)]
    report = run_import("households", xlsx_file(rows, ["B2:B3"]), filename="h.xlsx", campaign=campaign)
    [error] = report.errors
    assert (error.row, error.column) == (2, "身份证号码")
    assert "Excel 把身份证号码当成了数字" in error.message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_an_old_xls_register_imports_once(campaign):
    for _attempt in range(2):
        report = run_import("households", FILES / "households.xls", campaign=campaign)
        assert report.ok, [str(e) for e in report.errors]
    assert (report.created, report.unchanged) == (0, 2)
    assert _stored() == [("张三", id_number(1), "13812345678", "上下塘社区"),
                         ("李四", id_number(2), "0512-57223456", "上下塘社区")]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "message"), [
    ([], "工作表“Sheet”中没有任何数据"),
    ([["锦溪镇户籍户登记表"]], "在工作表“Sheet”的前20行中找不到表头行"),
])
def test_an_empty_or_headless_workbook_is_refused_in_words(campaign, rows, message):
    [error] = run_import("households", xlsx_file(rows), filename="h.xlsx", campaign=campaign).errors
    assert message in error.message


@pytest.mark.django_db
def test_an_allocation_table_with_merged_units_stores_what_the_blank_continuation_does(campaign):
    for name, _total in SEED_VILLAGES:
        if name not in ("上下塘社区", "计家墩村"):  # the town's two villages already
            region(name, Region.Level.VILLAGE, campaign.scope)
    add_registered_households(dict(SEED_VILLAGES))
    for name in ("市交通局", "市府办", "市妇联", "市商务局", "市粮食局"):
        Unit.objects.create(name=name, kind=Unit.Kind.CITY_DEPARTMENT)
    rows = annex2_rows()
    report = run_import("allocation", csv_file(rows), filename="附件2.csv", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    blank = sorted(FixedQuota.objects.values_list("row_number", "count", "units__name", "region__name"))

    rows[4][:2] = [None, None]  # 顾家浜村 under 市府办: 序号 and 走访单位 merged over both rows, as Excel shows them
    report = run_import("allocation", xlsx_file(rows, ["A4:A5", "B4:B5"]), filename="附件2.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert sorted(FixedQuota.objects.values_list("row_number", "count", "units__name", "region__name")) == blank


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["xlsx", "xls"])
def test_a_figure_merged_over_rows_of_an_allocation_table_is_refused_not_counted_in_each(campaign, form):
    """走访户数 “60” merged over two villages' rows: each 60, or 60 between them? Read into every row it covers, as a
    village name merged beside its households is, it was counted twice; with no 合计 under the table nothing said so.
    A 序号 or unit merged over a unit's rows is still its continuation."""
    rows = _small_annex2()
    rows[3][4] = None
    merges = ["A3:A4", "B3:B4", "E3:E4"]
    report = run_import("allocation", _workbook(rows, merges, form), filename=f"附件2.{form}", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第3行【E列“走访户数”】：E3:E4是一个合并单元格，数字“20”跨了第3—4行，无法确定是每行各20，还是这几行共20。"
        "请取消合并，在每一行填写各自的数（相同的数也每行填写），保存后再导入"]
    assert not FixedQuota.objects.exists()

    rows[3][4] = 20
    report = run_import("allocation", _workbook(rows, merges[:2], form), filename=f"附件2.{form}", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert sorted(FixedQuota.objects.values_list("region__name", "count")) == [("上下塘社区", 20), ("计家墩村", 20)]


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["全镇合计", "本页合计", "总合计"])
def test_a_total_labelled_with_its_scope_is_checked_as_the_total(campaign, label):
    """“全镇合计” was read as a unit's row: refused, for the wrong reason (“不能为空”), and its figures never checked."""
    rows = [*_small_annex2(), [label, None, None, 70, 45]]
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == ["第5行【走访户数】：合计为45户，各行之和为40户，相差5户"]

    rows[-1][4] = 40
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]


def _small_annex2() -> list[list[object]]:
    """A unit's table of two villages, the second its continuation, in a town whose registry agrees with it."""
    add_registered_households({"上下塘社区": 40, "计家墩村": 30})
    Unit.objects.create(name="市交通局", kind=Unit.Kind.CITY_DEPARTMENT)
    return [["市交通局走访分配表"], ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"],
            [1, "市交通局", "上下塘社区", 40, 20], [None, None, "计家墩村", 30, 20]]


def _workbook(rows: list[list[object]], merges: list[str], form: str) -> io.BytesIO:
    """The rows with the cells `merges` names merged, as Excel saves them (.xlsx) or as an old Excel did (.xls)."""
    if form == "xlsx":
        return xlsx_file(rows, merges)
    book = xlwt.Workbook(encoding="utf-8")
    page = book.add_sheet("附件2")
    blocks = [(int(a[1:]) - 1, int(b[1:]) - 1, ord(a[0]) - 65, ord(b[0]) - 65) for a, b in (m.split(":") for m in merges)]
    for r, cells in enumerate(rows):
        for c, value in enumerate(cells):
            if value is not None and not any(top <= r <= bottom and left <= c <= right
                                             for top, bottom, left, right in blocks):
                page.write(r, c, value)
    for top, bottom, left, right in blocks:
        page.write_merge(top, bottom, left, right, rows[top][left])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out
