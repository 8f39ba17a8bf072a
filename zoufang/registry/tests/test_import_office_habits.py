"""Office habits a register arrives with: rows hidden instead of deleted, a filter left on, a column hidden for
printing, the header written again over a second table below the first. None of them imports or loses a row
without a word (docs/decisions/0029)."""

import io

import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font

from zoufang.core.tabular import not_a_count
from zoufang.regions.models import Region
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import (
    as_excel_saves,
    csv_file,
    id_number,
    make_town,
    region,
    village,
    xlsx_file,
)


@pytest.fixture
def campaign(db):
    return make_town()


def _row(seq: int, village: str = "上下塘社区", kind: str = "户籍户") -> list[object]:
    return [kind, village, "", "", f"户主{seq}", 3, "", id_number(seq), f"幸福路{seq}号", ""]


def _book(rows: list[list[object]], setup) -> io.BytesIO:
    return xlsx_file(rows, setup=setup)


@pytest.mark.django_db
def test_it_refuses_a_register_with_hidden_rows_naming_them_then_imports_it_unhidden(campaign):
    rows = [HEADER, _row(1), _row(2), _row(3), _row(4), _row(5)]

    def hide(sheet):
        sheet.row_dimensions[3].hidden = True
        sheet.row_dimensions[4].hidden = True
        sheet.row_dimensions[6].hidden = True
        sheet.row_dimensions[9].hidden = True  # a hidden blank row under the table says nothing

    report = run_import("households", _book(rows, hide), filename="花名册.xlsx", campaign=campaign)
    assert not report.ok
    assert [str(error) for error in report.errors] == [
        "第3、4、6行在表格中是隐藏的（手动隐藏，或被筛选隐去），无法确定是否要导入。要导入的，请取消隐藏"
        "（选中上下两行→右键“取消隐藏”）或取消筛选（再点一次“数据→筛选”）；不要导入的，请整行删除。保存后再导入"]
    assert not Target.objects.exists()

    report = run_import("households", _book([rows[0], rows[1], rows[4]], lambda sheet: None), filename="花名册.xlsx",
                        campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert sorted(Target.objects.values_list("name", flat=True)) == ["户主1", "户主4"]


@pytest.mark.django_db
def test_rows_a_filter_left_out_refuse_the_file_too(campaign):
    rows = [HEADER, _row(1), _row(2, "计家墩村"), _row(3)]

    def filter_village(sheet):
        sheet.auto_filter.ref = "A1:J4"
        sheet.auto_filter.add_filter_column(1, ["上下塘社区"])
        sheet.row_dimensions[3].hidden = True

    report = run_import("households", _book(rows, filter_village), filename="花名册.xlsx", campaign=campaign)
    assert len(report.errors) == 1
    assert report.errors[0].message.startswith("第3行在表格中是隐藏的（手动隐藏，或被筛选隐去）")
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_hidden_column_is_read_and_said_and_an_unknown_hidden_one_is_named_as_hidden(campaign):
    def hide_ids(sheet):
        sheet.column_dimensions["H"].hidden = True

    report = run_import("households", _book([HEADER, _row(1)], hide_ids), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert "H列“身份证号码”在表格中是隐藏的，照常读取；如不应导入，请删除该列后重新导入" in report.notes
    assert Target.objects.get().id_number == id_number(1)

    def hide_old(sheet):
        sheet.column_dimensions["K"].hidden = True

    report = run_import("households", _book([[*HEADER, "旧村名"], [*_row(2), "陈墓"]], hide_old), filename="花名册.xlsx",
                        campaign=campaign)
    assert [(e.row, e.column) for e in report.errors] == [(1, "旧村名")]
    assert report.errors[0].message.startswith("K列在表格中是隐藏的（选中两侧的列→右键“取消隐藏”可见）。未知列")


@pytest.mark.django_db
def test_a_second_table_of_the_same_columns_below_the_first_is_read_under_its_own_header(campaign):
    rows = [HEADER, _row(1), _row(2), [], ["非户籍常住户"], HEADER, _row(3, "计家墩村", "非户籍常住户"),
            HEADER, _row(4)]  # the header again, as an export repeats it on every page
    report = run_import("households", xlsx_file(rows), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert report.notes == ["第6、8行重复了表头，未导入", "第5行是表头上方的小标题，未导入"]
    assert sorted(Target.objects.values_list("name", "kind")) == [
        ("户主1", Target.Kind.REGISTERED_HOUSEHOLD), ("户主2", Target.Kind.REGISTERED_HOUSEHOLD),
        ("户主3", Target.Kind.RESIDENT_HOUSEHOLD), ("户主4", Target.Kind.REGISTERED_HOUSEHOLD)]


@pytest.mark.django_db
def test_the_header_of_another_table_below_is_refused_not_read_as_a_household(campaign):
    rows = [HEADER, _row(1), [], ["户主姓名", "村（社区）", "走访日期"], ["张三", "上下塘社区", "2017-05-03"]]
    report = run_import("households", xlsx_file(rows), filename="花名册.xlsx", campaign=campaign)
    assert str(report.errors[0]) == (
        "第4行：这一行是另一张表的表头（“户主姓名”、“村（社区）”），与第1行的表头不同：一个工作表只能导入一张表。"
        "请把下面的表移到另一个工作表或另一个文件，分别导入")
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_system_export_keeping_ids_as_text_in_csv_imports_them(campaign):
    row = _row(1)
    row[7] = f'="{row[7]}"'
    row[6] = "'13912345678"
    report = run_import("households", csv_file([HEADER, row], "gb18030"), filename="导出.csv", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert Target.objects.values_list("id_number", "phone").get() == (id_number(1), "13912345678")


@pytest.mark.django_db
def test_a_cover_sheet_before_the_register_says_where_the_data_may_be(campaign):
    def cover_first(sheet):
        cover = sheet.parent.create_sheet("填表说明", 0)
        cover.append(["请各村于5月10日前报送"])

    report = run_import("households", _book([HEADER, _row(1)], cover_first), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "在工作表“填表说明”的前20行中找不到表头行，表头应包含：户别、村（社区）、户主姓名、地址。数据如果在工作表“Sheet”中，"
        "请把那张工作表拖到最前面，或删去“填表说明”，保存后再导入"]


@pytest.mark.django_db
def test_a_line_struck_through_refuses_the_file_a_struck_note_does_not(campaign):
    rows = [[*HEADER, "备注"], [*_row(1), ""], [*_row(2), ""], [*_row(3), "旧号码 13800000000"]]

    def strike(sheet):
        for cell in sheet[3]:  # 户主2 struck through: moved away, the office's way to void a line
            cell.font = Font(strike=True)
        sheet["K4"].font = Font(strike=True)  # a voided note, in a column the import does not read

    report = run_import("households", _book(rows, strike), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第3行有加了删除线的文字（通常表示作废），无法确定是否要导入。作废的行请整行删除；仍然有效的，"
        "请选中这些单元格按 Ctrl+5 去掉删除线。保存后再导入"]
    assert not Target.objects.exists()

    del rows[2]
    report = run_import("households", _book(rows, lambda sheet: setattr(sheet["K3"], "font", Font(strike=True))),
                        filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert Target.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("saved_by", ["openpyxl", "excel"])
def test_a_cell_struck_through_in_part_refuses_the_file_naming_the_cell_a_struck_note_does_not(campaign, saved_by):
    """docs/decisions/0029 addendum: the old number struck, the new one typed after it, in one cell."""
    rows = [[*HEADER, "备注"], [*_row(1), ""], [*_row(2), ""]]

    def correct(sheet):
        sheet["G3"] = CellRichText([TextBlock(InlineFont(strike=True), "13800000000"), " 13912345678"])
        sheet["K2"] = CellRichText([TextBlock(InlineFont(strike=True), "低保"), "（已退出）"])  # not a column read

    def saved(book: io.BytesIO) -> io.BytesIO:
        return as_excel_saves(book) if saved_by == "excel" else book

    report = run_import("households", saved(_book(rows, correct)), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [  # one message for the cell, not also “联系电话格式不对”
        "第3行【联系电话】：单元格中有一部分文字加了删除线（划掉），无法确定哪些文字有效。请双击这个单元格：划掉的文字作废的，"
        "把它删去；仍然有效的，选中它按 Ctrl+5 去掉删除线。保存后再导入"]
    assert not Target.objects.exists()

    rows[2][6] = "13912345678"  # the struck number deleted
    report = run_import("households", saved(_book(rows, lambda sheet: setattr(sheet["K2"], "value", CellRichText(
        [TextBlock(InlineFont(strike=True), "低保"), "（已退出）"])))), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert Target.objects.get(name="户主2").phone == "13912345678"


@pytest.mark.django_db
def test_a_csv_saved_from_merged_village_cells_says_why_the_village_is_blank(campaign):
    """Excel's “CSV (逗号分隔)” keeps a merged cell's value in its first row only: 上下塘社区 merged over rows 2–4,
    计家墩村 over 5–6. The blanks are refused (never filled in by guess) and the first of each run says why."""
    rows = [HEADER, _row(1), _row(2), _row(3), _row(4, "计家墩村"), _row(5, "计家墩村")]
    for merged_below in (2, 3, 5):
        rows[merged_below][1] = ""
    rows[1][4] = ""  # a name left blank right under the header: no merge to blame

    report = run_import("households", csv_file(rows, "gb18030"), filename="花名册.csv", campaign=campaign)
    hint = "合并单元格另存为 CSV 后只有第一行有值，请取消合并并填满，或直接导入 xlsx 文件"
    assert [str(e) for e in report.errors] == [
        "第2行【户主姓名】：不能为空",
        f"第3行【村（社区）】：不能为空。第3—4行的这一列都是空的，紧接在第2行的“上下塘社区”之下：{hint}",
        "第4行【村（社区）】：不能为空",
        f"第6行【村（社区）】：不能为空。这一格紧接在第5行的“计家墩村”之下：{hint}"]
    assert not Target.objects.exists()

    report = run_import("households", xlsx_file([[*row[:1], row[1] or None, *row[2:]] for row in rows],
                                                merges=["B2:B4", "B5:B6"]), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == ["第2行【户主姓名】：不能为空"]  # the workbook keeps the merges


@pytest.mark.django_db
def test_a_name_cell_holding_a_second_line_or_a_number_is_refused_not_glued_into_one_name(campaign):
    """Offices write 姓名 and 电话 in one cell, a line apart (Alt+Enter), or two people in one cell. Whitespace is
    taken out of a Chinese name (“王  文” is 王文), so each became one name — “张三13912345678” stored unmasked, “王五李六”
    a person nobody is — without a word."""
    rows = [HEADER, _row(1), _row(2), _row(3), _row(4), _row(5), _row(6)]
    rows[1][4] = "张三\n13912345678"
    rows[2][4] = "李四 13912345678"
    rows[3][4] = "王五\n李六"
    rows[4][4] = "赵  六"  # two characters spread to the width of three: one name, as before
    rows[5][4] = "阿卜杜·热合曼\n"  # a line break closing the cell leaves one line
    rows[6][4] = "户主0512572"  # a phone typed after the name, no space

    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    line = ("户主姓名中有换行（单元格内按了 Alt+Enter），是两段文字，无法确定哪段是姓名。一格只填一个人的姓名：电话、"
            "身份证号码等请填在各自的列，说明请填在“备注”列；确是一个姓名的，请删去换行")
    number = ("户主姓名中有一串数字（7位以上），像是电话或证件号码：一格只填一个人的姓名，电话、身份证号码等请填在各自的列")
    assert [str(e) for e in report.errors] == [
        f"第2行【户主姓名】：{line}", f"第3行【户主姓名】：{number}", f"第4行【户主姓名】：{line}",
        f"第7行【户主姓名】：{number}"]
    assert "13912345678" not in str([str(e) for e in report.errors])
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_a_total_or_subtotal_labelled_with_its_scope_is_left_out_and_named(campaign):
    rows = [HEADER, _row(1), _row(2), ["本页小计", "", "", "", "", 6], _row(3), ["全镇合计", "", "", "", "", 9]]
    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert "第4、6行是合计行，未导入" in report.notes
    assert Target.objects.count() == 3


@pytest.mark.django_db
def test_a_group_written_by_its_number_otherwise_is_the_registered_group(campaign):
    """The registry has 一组 and 第十一村民小组; another office writes 1组, 第1组, 第一村民小组, 11组. A number names
    one group of the village; a number two groups share, or none has, is refused as before."""
    jjd = village("计家墩村")
    one, eleven = region("一组", Region.Level.GROUP, jjd), region("第十一村民小组", Region.Level.GROUP, jjd)
    sxt = village("上下塘社区")
    region("1组", Region.Level.GROUP, sxt)
    region("第一居民小组", Region.Level.GROUP, sxt)
    rows = [HEADER, *([*_row(seq, "计家墩村")[:2], group, *_row(seq)[3:]] for seq, group in enumerate(
        ["1组", "第1组", "第一村民小组", "一组", "11组", "十一组"], 1))]
    refused = [HEADER, [*_row(7, "计家墩村")[:2], "3组", *_row(7)[3:]], [*_row(8)[:2], "一组", *_row(8)[3:]]]

    report = run_import("households", _book(refused, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【村民小组】：计家墩村没有名为“3组”的村（居）民小组，请先导入行政区划",
        "第3行【村民小组】：上下塘社区没有名为“一组”的村（居）民小组；按编号，“1组”、“第一居民小组”都可能是它，无法确定是哪一个，"
        "请写成其中一个的名称"]

    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert [t.region for t in Target.objects.order_by("name")] == [one, one, one, one, eleven, eleven]


@pytest.mark.django_db
def test_a_village_written_as_its_committee_or_under_the_towns_name_is_the_registered_village(campaign):
    """Offices write the committee for the place (计家墩村委会, 上下塘社区居委会) or the town before it, as addresses
    are (锦溪镇计家墩村). A bare 计家墩 may be a natural village of another name: refused, the registered name offered."""
    written = ["计家墩村委会", "计家墩村民委员会", "上下塘社区居委会", "上下塘居委会", "锦溪镇计家墩村", "昆山市锦溪镇上下塘社区"]
    rows = [HEADER, *(_row(seq, name) for seq, name in enumerate(written, 1))]
    report = run_import("households", _book([HEADER, _row(7, "计家墩"), _row(8, "锦溪镇")], lambda sheet: None),
                        filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【村（社区）】：锦溪镇没有名为“计家墩”的村（社区），请先导入行政区划。是不是“计家墩村”？如是，请改成登记的名称",
        "第3行【村（社区）】：锦溪镇没有名为“锦溪镇”的村（社区），请先导入行政区划"]

    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert [t.region.name for t in Target.objects.order_by("name")] == [
        "计家墩村", "计家墩村", "上下塘社区", "上下塘社区", "计家墩村", "上下塘社区"]
    assert [note for note in report.notes if "读作" in note] == [
        "村（社区）“计家墩村委会”读作“计家墩村”", "村（社区）“计家墩村民委员会”读作“计家墩村”",
        "村（社区）“上下塘社区居委会”读作“上下塘社区”", "村（社区）“上下塘居委会”读作“上下塘社区”",
        "村（社区）“锦溪镇计家墩村”读作“计家墩村”", "村（社区）“昆山市锦溪镇上下塘社区”读作“上下塘社区”"]


@pytest.mark.django_db
def test_a_line_of_required_and_optional_marks_under_the_header_is_left_out_and_named(campaign):
    """Other systems' templates say under each column whether it must be filled. That line was read as a household:
    “必填” refused as a 户别 and looked up as a village, six errors for a line the clerk never meant as data."""
    marks = ["必填", "（必填）", "选填", "", "【必填】", "选填", "*选填", "非必填", "必填*", "可不填"]
    rows = [HEADER, marks, _row(1)]
    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert "第2行是各列的填写要求（必填、选填），未导入" in report.notes
    assert Target.objects.count() == 1

    rows[1][4] = "张三"  # a name among the marks: a row of data, checked as one
    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert str(report.errors[0]) == "第2行【户别】：应为“户籍户”或“非户籍常住户”，表中为“必填”"


@pytest.mark.django_db
def test_a_dash_or_none_for_nought_is_refused_saying_to_write_0_and_two_phones_to_write_one(campaign):
    rows = [HEADER, _row(1), _row(2), _row(3)]
    rows[1][5], rows[2][5] = "—", "无"
    rows[3][6] = "13912345678/13812345678"
    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第2行【家庭人口】：应为0到99之间的整数，表中为“—”；没有的请填0", "第3行【家庭人口】：应为0到99之间的整数，表中为“无”；没有的请填0",
        "第4行【联系电话】：电话号码应为11位手机号或带区号的固定电话（如0512-57223456），表中为“139****************5678”；"
        "一格只填一个号码，其余的可写在“备注”列"]
    assert not_a_count("／") == "应为不小于0的整数，表中为“／”；没有的请填0"


@pytest.mark.django_db
def test_a_quote_typed_before_a_number_with_a_chinese_input_method_is_not_part_of_it(campaign):
    """To keep an ID number as text the clerk types ' before it; with a Chinese input method on, that is ‘ or ’,
    which Excel keeps as text: “‘320583…” was refused as 19 characters long."""
    rows = [HEADER, _row(1), _row(2), _row(3)]
    rows[1][7], rows[1][6] = "‘" + str(rows[1][7]), "’13912345678"
    rows[2][7] = "＇" + str(rows[2][7])
    rows[3][7] = "`" + str(rows[3][7])
    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert report.ok, [str(e) for e in report.errors]
    assert sorted(Target.objects.values_list("id_number", "phone")) == sorted(
        [(id_number(1), "13912345678"), (id_number(2), ""), (id_number(3), "")])


@pytest.mark.django_db
def test_two_tables_side_by_side_are_refused_as_such_not_told_to_delete_columns(campaign):
    """Two villages' registers side by side on one sheet: each column was refused as doubled, with the advice to
    delete the extra one — the second table's data, if the clerk did so."""
    rows = [[*HEADER, "", *HEADER], [*_row(1), "", *_row(2, "计家墩村")], [*_row(3), "", *_row(4, "计家墩村")]]
    report = run_import("households", _book(rows, lambda sheet: None), filename="花名册.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "第1行：表头出现了两次（A—J列、L—U列），是两张表并排在一个工作表中：一个工作表只能导入一张表。请把右边的表剪切到"
        "左边的表下方（各列对齐），或移到另一个工作表，分别导入"]
    assert not Target.objects.exists()
