"""The holiday schedule as an office types it from the State Council's notice: a title over the header, dates as
Excel dates, serials or “2018.2.15”, stray spaces, a GBK csv; hidden rows and unreadable dates refused, naming
the row and the column, with nothing written."""

import csv
import datetime as dt
import io

import pytest

from zoufang.registry.tests.test_import_support import xlsx_file
from zoufang.workdays.models import DayOverride, OfficialYear
from zoufang.workdays.services import import_schedule

TITLE = [["国务院办公厅关于2018年部分节假日安排的通知"], ["（根据通知整理，供计算工作日使用）"], []]


def _stored() -> list[tuple[dt.date, bool, str]]:
    return list(DayOverride.objects.order_by("date").values_list("date", "is_workday", "name"))


@pytest.mark.django_db
def test_it_reads_a_schedule_under_a_title_with_dates_as_offices_write_them():
    rows = [*TITLE, ["序号", "日 期", "类别", "说明", "备注"],
            [1, dt.date(2018, 2, 11), "上班\u00a0", "春节调休", ""],
            [2, "2018.2.15", " 放假", " 春节 ", "除夕"],
            [3, 43147, "放假", "春节", ""],  # an Excel serial: 2018-02-16
            [4, "２０１８年２月１７日", "放假", "春节", ""],
            ["注：以国务院通知为准"]]
    report = import_schedule(xlsx_file(rows), filename="2018年放假安排.xlsx")
    assert report.ok, [str(e) for e in report.errors]
    assert (report.years, report.days) == ([2018], 4)
    assert _stored() == [(dt.date(2018, 2, 11), True, "春节调休"), (dt.date(2018, 2, 15), False, "春节"),
                         (dt.date(2018, 2, 16), False, "春节"), (dt.date(2018, 2, 17), False, "春节")]
    assert OfficialYear.objects.filter(year=2018).exists()


@pytest.mark.django_db
def test_it_reads_a_gbk_csv_with_a_title():
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows([*TITLE, ["日期", "类型", "说明"], ["2018/10/1", "放假", "国庆节"]])
    report = import_schedule(io.BytesIO(text.getvalue().encode("gbk")), filename="2018.csv")
    assert report.ok, [str(e) for e in report.errors]
    assert _stored() == [(dt.date(2018, 10, 1), False, "国庆节")]


@pytest.mark.django_db
def test_a_hidden_row_refuses_the_schedule_naming_it():
    rows = [["日期", "类型", "说明"], ["2018-10-01", "放假", "国庆节"], ["2018-10-02", "放假", "国庆节"]]

    def hide(sheet):
        sheet.row_dimensions[3].hidden = True

    report = import_schedule(xlsx_file(rows, setup=hide), filename="x.xlsx")
    assert [str(e) for e in report.errors] == [
        "第3行在表格中是隐藏的（手动隐藏，或被筛选隐去），无法确定是否要导入。要导入的，请取消隐藏（选中上下两行→右键“取消隐藏”）"
        "或取消筛选（再点一次“数据→筛选”）；不要导入的，请整行删除。保存后再导入"]
    assert not DayOverride.objects.exists()


@pytest.mark.django_db
def test_a_schedule_without_its_columns_or_with_a_bad_date_is_refused_naming_them():
    report = import_schedule(xlsx_file([*TITLE, ["时间", "情况"], ["2018-10-01", "放假"]]), filename="x.xlsx")
    assert [str(e) for e in report.errors] == ["在工作表“Sheet”的前20行中找不到表头行，表头应包含：日期、类型"]

    rows = [*TITLE, ["日期", "类型", "未知"], ["2018.2.30", "放假", ""], ["#N/A", "放假", ""]]
    report = import_schedule(xlsx_file(rows), filename="x.xlsx")
    assert [str(e) for e in report.errors] == [
        "第4行【未知】：未知列，可用的列为：日期、类型、说明。不需要的列请删除（序号、登记日期、备注等列会自动忽略）",
        "第5行【日期】：日期应写成 2017-10-01、2017/10/1、2017.10.1、2017年10月1日、20171001，或 Excel 日期格式，"
        "表中为“2018.2.30”",
        "第6行【日期】：单元格是 Excel 的错误值“#N/A”（通常是公式出错，如 VLOOKUP 找不到），请改成实际内容或清空"]
    assert not DayOverride.objects.exists()


@pytest.mark.django_db
def test_a_note_longer_than_a_day_keeps_is_refused_naming_its_row_not_cut():
    rows = [["日期", "类型", "说明"], ["2018-10-01", "放假", "国庆节"], ["2018-09-29", "上班", "调" * 101]]
    report = import_schedule(xlsx_file(rows), filename="2018年放假安排.xlsx")
    assert [str(error) for error in report.errors] == ["第3行【说明】：不能超过100个字，表中为101个字"]
    assert not DayOverride.objects.exists()
