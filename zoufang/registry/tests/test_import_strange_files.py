"""Another town's spreadsheets, made the ways a real office makes them: a title and a blank row over the header, a
group name merged over it, columns in another order, a 备注 column, full-width digits, non-breaking and trailing
spaces, the data on a second sheet above 10,000 formatted empty rows, a GBK csv, an old .xls. Every import reads
each exactly as the plain file (importing the plain file afterwards changes nothing), or refuses it whole naming
the row and the column: an ID number that lost digits, a hidden row."""

import csv
import io
from collections.abc import Callable
from copy import copy

import pytest
import xlwt
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from zoufang.planning.models import FixedQuota
from zoufang.registry.identifiers import credit_code_check_digit
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target, Unit
from zoufang.registry.tests.test_import_other_towns import TABLES, _tables_town
from zoufang.registry.tests.test_import_support import id_number, make_town, xlsx_file

Rows = list[list[object]]
ONE, TWO = id_number(21), id_number(22)


def _credit(first17: str) -> str:
    return first17 + credit_code_check_digit(first17)


# Each register as the plain file of its template's columns, every value registered in the test town.
REGISTERS: dict[str, Rows] = {
    "households": [["户别", "村（社区）", "户主姓名", "家庭人口", "联系电话", "身份证号码", "地址"],
                   ["户籍户", "上下塘社区", "张三", 4, "13812345678", ONE, "上下塘街1号"],
                   ["非户籍常住户", "计家墩村", "李四", 2, "0512-57223456", TWO, "计家墩2号"]],
    "enterprises": [["企业名称", "统一社会信用代码", "村（社区）", "联系电话"],
                    ["昆山锦溪甲有限公司", _credit("91320583MA1N00010"), "上下塘社区", "0512-57223456"],
                    ["昆山锦溪乙有限公司", _credit("91320583MA1N00020"), "计家墩村", "13812345678"]],
    "projects": [["项目名称", "村（社区）", "重点项目"], ["古镇保护二期", "上下塘社区", "是"], ["长云路拓宽", "计家墩村", "否"]],
    "notable_persons": [["姓名", "村（社区）", "领域", "联系电话"], ["赵六", "上下塘社区", "文化", "13912345678"],
                        ["钱七", "计家墩村", "教育", "13912345679"]],
    "units": [["单位名称", "类型", "区划", "党员数"], ["市商务局", "市级机关部门", "锦溪镇", 12], ["市粮食局", "市级机关部门", "锦溪镇", 8]],
    "cadres": [["姓名", "单位", "角色", "手机号码"], ["孙八", "机关二支部", "部门党员干部", "13712345678"],
               ["周九", "招商中心", "部门党员干部", "13712345679"]],
}
TABLE_LABEL = "附件9"


def _plain(kind: str) -> tuple[Rows, int]:
    """The plain file of `kind` and how many rows of data it holds."""
    if kind in REGISTERS:
        return [list(row) for row in REGISTERS[kind]], len(REGISTERS[kind]) - 1
    (header, data, total), _at, _column = TABLES[kind]
    return [list(header), *(list(row) for row in data), list(total)], len(data)


def _spaced(value: object) -> object:
    """Text as pasted from a web page or a chat: a leading space, a trailing non-breaking one."""
    return f" {value}\u00a0" if isinstance(value, str) and value else value


def _wide(value: object) -> object:
    """A number typed with a Chinese input method: full-width digits, a full-width space inside a long one."""
    text = str(value)
    if isinstance(value, bool) or not text.replace("-", "").isdigit():
        return value
    wide = text.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}).replace("－", "-").replace("-", "－")
    return wide[:3] + "\u3000" + wide[3:] if len(text) >= 11 else wide


def _titled(rows: Rows) -> Rows:
    return [[TABLE_LABEL], ["某某镇2018年走访登记表"], [], *rows]


def _reordered(rows: Rows) -> Rows:
    """The columns after the first (where a 合计 stays) in the other order, every text cell with stray spaces, and a
    备注 column at the end, written on the last row only (a register's last household, a table's 合计)."""
    notes = ["备注", *[""] * (len(rows) - 2), "已核对"]
    return _titled([[_spaced(c) for c in [row[0], *row[:0:-1]]] + [note] for row, note in zip(rows, notes, strict=True)])


def _book(rows: Rows, merges: tuple[str, ...] = (), *, cover: bool = False, formatted: int = 0) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    if cover:  # an empty first sheet, the data on the second one, named otherwise
        sheet.title = "封面"
        sheet = workbook.create_sheet("花名册")
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    if formatted:  # rows formatted down the sheet, never filled: each cell given one cell's style, as Excel stores it
        first = sheet.cell(len(rows) + 1, 1)
        first.font = Font(name="宋体", sz=12)
        first.number_format = "@"
        for number in range(len(rows) + 1, len(rows) + 1 + formatted):
            for column in range(1, 9):
                sheet.cell(number, column)._style = copy(first._style)  # openpyxl's own copy_worksheet does this
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def _grouped(rows: Rows) -> tuple[Rows, tuple[str, ...]]:
    """A header of two rows: the first column merged down them, a group name merged over the others."""
    width = len(rows[0])
    last = get_column_letter(width)
    header = [[rows[0][0], "基本情况", *[None] * (width - 2)], [None, *rows[0][1:]]]
    return [*_titled(header), *rows[1:]], ("A4:A5", f"B4:{last}4")


def _csv(rows: Rows) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([["" if c is None else c for c in row] for row in rows])
    return io.BytesIO(text.getvalue().encode("gbk"))  # Excel's “CSV” on a Chinese Windows


def _xls(rows: Rows) -> io.BytesIO:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


LAYOUTS: dict[str, Callable[[Rows], tuple[io.BytesIO, str]]] = {
    "title_order_remarks_spaces": lambda rows: (_book(_reordered(rows)), "x.xlsx"),
    "full_width_digits": lambda rows: (_book(_titled([[_wide(c) for c in row] for row in rows])), "x.xlsx"),
    "group_merged_over_header": lambda rows: (_book(*_grouped(rows)), "x.xlsx"),
    "second_sheet_over_10000_formatted_rows": lambda rows: (_book(_titled(rows), cover=True, formatted=10000),
                                                            "x.xlsx"),
    "gbk_csv": lambda rows: (_csv(_titled(rows)), "x.csv"),
    "old_xls": lambda rows: (_xls(_titled(rows)), "x.xls"),
}
KINDS_TRIED = [*REGISTERS, *TABLES]


@pytest.fixture
def campaign(db):
    town = make_town()
    _tables_town()
    return town


def _stored() -> list[tuple[object, ...]]:
    return sorted([*Target.objects.values_list("kind", "name", "region__name", "phone", "id_number", "address",
                                               "credit_code", "member_count"),
                   *Unit.objects.values_list("kind", "name", "party_member_count", "region__name"),
                   *FixedQuota.objects.values_list("source", "row_number", "count", "region__name", "target_kind")],
                  key=repr)


@pytest.mark.django_db
@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("kind", KINDS_TRIED)
def test_it_reads_another_offices_layout_as_the_plain_file(campaign, kind, layout):
    plain, count = _plain(kind)
    data, filename = LAYOUTS[layout](plain)
    report = run_import(kind, data, filename=filename, campaign=campaign, source_label=TABLE_LABEL)
    assert report.ok, [str(e) for e in report.errors]
    stored = _stored()
    if kind in REGISTERS:
        assert report.created == count, report.summary()

    again = run_import(kind, xlsx_file(_titled(plain)), filename="plain.xlsx", campaign=campaign, source_label=TABLE_LABEL)
    assert again.ok, [str(e) for e in again.errors]
    assert (again.created, again.updated, again.deleted) == (0, 0, 0), [str(c) for c in again.changes]
    assert _stored() == stored


def _households(header: list[str], *rows: list[object]) -> Rows:
    return [header, *(list(row) for row in rows)]


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["联系电话", "手机号码", "电话"])
@pytest.mark.parametrize("id_header", ["身份证号", "身份证号码", "公民身份号码"])
def test_it_reads_the_phone_and_id_number_columns_by_each_name_offices_give_them(campaign, phone, id_header):
    plain, _count = _plain("households")
    rows = [[{"联系电话": phone, "身份证号码": id_header}.get(c, c) for c in plain[0]], *plain[1:]]
    report = run_import("households", _book(_titled(rows)), filename="x.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert sorted(Target.objects.exclude(id_number="").values_list("phone", "id_number")) == [("0512-57223456", TWO), ("13812345678", ONE)]


@pytest.mark.django_db
@pytest.mark.parametrize(("group", "name"), [("联系方式", "手机号码"), ("联系方式", "电话"), ("身份证", "身份证号码")])
def test_a_group_name_that_is_also_a_name_of_the_column_under_it_is_read_as_a_header(campaign, group, name):
    """“联系方式” merged over “手机号码” (or written over it in a two-row header) names one column twice: a header,
    not a household whose phone is 手机号码."""
    header = ["户别", "村（社区）", "户主姓名", group, "地址"]
    under = [None, None, None, name, None]
    rows = [["锦溪镇居民户花名册"], header, under, ["户籍户", "上下塘社区", "张三", ONE if "身份" in name else "13812345678",
                                                    "上下塘街1号"]]
    report = run_import("households", _book(rows, ("A2:A3", "B2:B3", "C2:C3", "E2:E3")), filename="x.xlsx",
                        campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert Target.objects.filter(name="张三").exists()

    grouped = [["锦溪镇居民户花名册"], ["户主信息", None, None, group, "住址信息", None],
               ["户主姓名", "户别", "备注", name, "村（社区）", "地址"],
               ["李四", "户籍户", "", TWO if "身份" in name else "13812345679", "计家墩村", "计家墩2号"]]
    report = run_import("households", _book(grouped, ("A2:C2", "E2:F2")), filename="x.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert Target.objects.filter(name="李四").exists()


def _id_as_excel_number() -> io.BytesIO:
    """The ID number typed into a number cell: Excel keeps 15 digits (320583197001010021 → 3.20583197001010E+17)."""
    plain, _count = _plain("households")
    plain[2][5] = int(plain[2][5])
    return _book(_titled(plain))


def _csv_rows(id_text: str) -> io.BytesIO:
    plain, _count = _plain("households")
    plain[2][5] = id_text
    return _csv(_titled(plain))


@pytest.mark.django_db
@pytest.mark.parametrize(("make", "filename", "shown"), [
    (_id_as_excel_number, "x.xlsx", "Excel 把身份证号码当成了数字"),
    (lambda: _csv_rows("3.20583E+17"), "x.csv", "Excel 把身份证号码当成了数字（表中为3.20583E+17）"),
    (lambda: _csv_rows(TWO[:15] + "000"), "x.csv", "末尾是000"),
])
def test_an_id_number_that_lost_its_last_digits_is_refused_with_nothing_written(campaign, make, filename, shown):
    report = run_import("households", make(), filename=filename, campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(6, "身份证号码")], [str(e) for e in report.errors]
    assert shown in report.errors[0].message
    assert not Target.objects.exclude(id_number="").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS_TRIED)
def test_a_hidden_row_refuses_the_file_naming_it(campaign, kind):
    plain, _count = _plain(kind)
    before = _stored()

    def hide(sheet):
        sheet.row_dimensions[6].hidden = True  # the second data row, under the title lines

    report = run_import(kind, xlsx_file(_titled(plain), setup=hide), filename="x.xlsx", campaign=campaign,
                        source_label=TABLE_LABEL)
    assert [str(e) for e in report.errors] == [
        "第6行在表格中是隐藏的（手动隐藏，或被筛选隐去），无法确定是否要导入。要导入的，请取消隐藏（选中上下两行→右键“取消隐藏”）"
        "或取消筛选（再点一次“数据→筛选”）；不要导入的，请整行删除。保存后再导入"]
    assert _stored() == before



@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "rows", "column"), [
    ("allocation", [["序号", "走访单位", "村、社区名称", "户籍总户数", "走访户数"], [1, "市交通局", "上下塘社区", 30, "十"],
                    ["", "", "计家墩村", 20, 10]], "走访户数"),
    ("leader_households", [["序号", "走访领导", "走访村、社区", "走访户数"], [1, "王文", "上下塘社区", "十"],
                           ["", "", "计家墩村", 5]], "走访户数"),
])
def test_a_continuation_row_under_a_refused_row_is_not_said_to_have_nothing_above_it(campaign, kind, rows, column):
    report = run_import(kind, xlsx_file(_titled(rows)), filename="x.xlsx", campaign=campaign, source_label=TABLE_LABEL)
    assert [str(e) for e in report.errors] == [f"第5行【{column}】：应为不小于0的整数，表中为“十”"]
    assert not FixedQuota.objects.exists()
