"""Issue 9 item 11: messages that say what happened, for the forms offices really send."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from zoufang.core.tabular import parse_date, password_message
from zoufang.registry.imports import run_import
from zoufang.registry.models import Target
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import csv_file, id_number, make_town, xlsx_file
from zoufang.workdays.models import DayOverride
from zoufang.workdays.services import import_schedule


@pytest.fixture
def campaign(db):
    return make_town()


def _row(number: object, name: str = "张三") -> list[object]:
    return ["户籍户", "上下塘社区", "", "", name, "", "", number, f"{name}家", ""]


def _workbook(sheets: dict[str, list[list[object]]]) -> io.BytesIO:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


@pytest.mark.django_db
def test_it_says_excel_turned_the_id_number_into_a_number(campaign):
    good = id_number(1)
    rows = [HEADER, _row(int(good), "张三"), _row("3.20583E+17", "李四")]
    report = run_import("households", xlsx_file(rows), filename="h.xlsx", campaign=campaign)
    assert [e.row for e in report.errors] == [2, 3]
    for error in report.errors:
        assert "Excel 把身份证号码当成了数字" in error.message
        assert "文本" in error.message
        assert "校验码" not in error.message
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_it_reads_full_width_digits_as_digits(campaign):
    good = id_number(2)
    full_width = good.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    rows = [HEADER, ["户籍户", "上下塘社区", "", "", "张三", "４", "１３８１２３４５６７８", full_width, "某路1号", ""]]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert report.ok, report.errors
    target = Target.objects.get()
    assert (target.id_number, target.phone, target.member_count) == (good, "13812345678", 4)


@pytest.mark.django_db
def test_it_gives_every_bad_id_number_its_reason(campaign):
    old = "320583700101123"  # 15 digits, issued before 1999
    rows = [HEADER, _row(old, "甲"), _row("32058319700101", "乙"), _row("320583197013011232", "丙"),
            _row("999999197001011232", "丁"), _row(id_number(3)[:17] + "0" if id_number(3)[-1] != "0" else "1", "戊")]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    messages = {e.row: e.message for e in report.errors}
    upgraded = "32058319" + old[6:]
    assert "15位的旧身份证号码" in messages[2]
    assert upgraded in messages[2]
    assert "应为18位，表中为14位" in messages[3]
    assert "出生日期19701301不是有效日期" in messages[4]
    assert "地区码999999" in messages[5]
    assert "末位校验码应为" in messages[6]


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "name"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.xls"),
    (b"PK\x03\x04 not a workbook", "h.xlsx"),
    (b"\x00\x01\x02binary", "h.csv"),
])
def test_it_refuses_a_junk_file_in_chinese(campaign, data, name):
    report = run_import("households", io.BytesIO(data), filename=name, campaign=campaign)
    [error] = report.errors
    assert error.message.startswith("文件无法读取：不是有效的 xlsx/csv 文件，或文件设置了密码")
    assert "Cannot" not in error.message


@pytest.mark.django_db
def test_it_names_a_password_protected_workbook(campaign):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    [error] = run_import("households", io.BytesIO(data), filename="h.xlsx", campaign=campaign).errors
    assert error.message == password_message()  # the one message of an open password (0069)


@pytest.mark.django_db
def test_it_finds_or_names_data_on_another_sheet(campaign):
    data = [HEADER, _row(id_number(4))]
    report = run_import("households", _workbook({"Sheet1": [], "户籍户": data}), filename="h.xlsx",
                        campaign=campaign)
    assert report.ok, report.errors
    assert report.created == 1

    report = run_import("households", _workbook({"封面": [["锦溪镇居民户登记表"]], "Sheet2": data}),
                        filename="h.xlsx", campaign=campaign)
    [error] = report.errors
    assert "在工作表“封面”的前20行中找不到表头行" in error.message
    assert report.notes == ["读取的是工作表“封面”；工作表“Sheet2”也有数据，未读取（每次只导入一个工作表）"]


@pytest.mark.django_db
def test_the_same_table_on_another_sheet_refuses_the_file_a_different_one_is_named(campaign):
    """One sheet per village, as offices keep a register: the first was imported, the others only named in a note the
    clerk could miss, and their households never registered."""
    first, second = [HEADER, _row(id_number(7))], [["计家墩村户籍户"], HEADER, _row(id_number(8), "李四")]
    report = run_import("households", _workbook({"上下塘 社区": first, "计家墩村": second, "汇总": [["村", "户数"]]}),
                        filename="h.xlsx", campaign=campaign)
    assert [str(e) for e in report.errors] == [
        "工作表“计家墩村”与读取的工作表“上下塘 社区”是同样的表（表头相同），没有读取：每次只导入一个工作表。请把各工作表的"
        "行复制到同一个工作表中，或把每个工作表另存为一个文件，分别导入"]
    assert not Target.objects.exists()

    report = run_import("households", _workbook({"上下塘 社区": first, "汇总": [["村", "户数"]]}), filename="h.xlsx",
                        campaign=campaign)
    assert report.ok, report.errors
    assert report.notes == ["读取的是工作表“上下塘 社区”；工作表“汇总”也有数据，未读取（每次只导入一个工作表）"]


@pytest.mark.django_db
def test_it_ignores_and_names_harmless_columns_and_refuses_unknown_ones_with_a_guess(campaign):
    rows = [["序号", *HEADER, "登记日期", "备注"], [1, *_row(id_number(5)), "2017-05-03", "新迁入"]]
    report = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign)
    assert report.ok, report.errors
    assert report.created == 1
    assert report.notes == ["已忽略列：序号、登记日期、备注"]

    rows = [[*HEADER[:9], "困难户"], _row(id_number(6))]
    [error] = run_import("households", csv_file(rows), filename="h.csv", campaign=campaign).errors
    assert error.column == "困难户"
    assert "是不是“困难家庭”" in error.message


def test_it_reads_dates_as_offices_write_them():
    may3 = dt.date(2017, 5, 3)
    for text in ("2017-05-03", "2017/5/3", "2017.5.3", "2017年5月3日", "20170503", "42858", "2017-05-03 00:00:00"):
        assert parse_date(text) == may3, text
    assert [parse_date(t) for t in ("2017.13.3", "5/3/2017", "明天", "")] == [None, None, None, None]


@pytest.mark.django_db
def test_it_takes_every_date_form_in_the_holiday_schedule_and_says_which():
    rows = [["日期", "类型", "说明"], ["2017.10.1", "放假", "国庆节"], ["2017年10月2日", "放假", "国庆节"],
            [dt.date(2017, 10, 3), "放假", "国庆节"], [43012, "放假", "国庆节"], ["2017/9/30", "上班", "调休"]]
    report = import_schedule(xlsx_file(rows), filename="schedule.xlsx")
    assert report.ok, report.errors
    assert sorted(DayOverride.objects.values_list("date", flat=True)) == [
        dt.date(2017, 9, 30), dt.date(2017, 10, 1), dt.date(2017, 10, 2), dt.date(2017, 10, 3), dt.date(2017, 10, 4)]

    [error] = import_schedule(xlsx_file([["日期", "类型"], ["十月一日", "放假"]]), filename="s.xlsx").errors
    assert "2017年10月1日" in error.message
    assert "2027" not in error.message
