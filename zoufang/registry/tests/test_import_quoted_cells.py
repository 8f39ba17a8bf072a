"""A refused cell's message says what the table held (“表中为“十户””), as the unit and region messages do; an ID or
phone number is quoted as every page shows it to an office, masked."""

import pytest

from zoufang.registry.imports import run_import
from zoufang.registry.tests.test_import_households import HEADER
from zoufang.registry.tests.test_import_support import make_town, xlsx_file
from zoufang.workdays.services import import_schedule


@pytest.fixture
def campaign(db):
    return make_town()


def _household(**cells: object) -> list[object]:
    row: dict[str, object] = {"户别": "户籍户", "村（社区）": "上下塘社区", "户主姓名": "张三", "地址": "上下塘街12号"}
    row.update(cells)
    return [row.get(header, "") for header in HEADER]


@pytest.mark.django_db
@pytest.mark.parametrize(("cells", "message"), [
    ({"家庭人口": "四口"}, "第2行【家庭人口】：应为0到99之间的整数，表中为“四口”"),
    ({"户别": "本地户"}, "第2行【户别】：应为“户籍户”或“非户籍常住户”，表中为“本地户”"),
    ({"困难家庭": "低保"}, "第2行【困难家庭】：应填“是”或“否”，表中为“低保”"),
    ({"联系电话": "1381234567"}, "第2行【联系电话】：电话号码应为11位手机号或带区号的固定电话（如0512-57223456），"
                               "表中为“138***4567”"),
    ({"身份证号码": "32058319700101123"}, "第2行【身份证号码】：身份证号码不符合 GB 11643：应为18位，出生日期和地区码有效，"
                                      "末位校验码正确，表中为“320583*******1123”；应为18位，表中为17位"),
    ({"户主姓名": "张" * 201}, "第2行【户主姓名】：不能超过200个字，表中为201个字"),
])
def test_a_household_cell_refused_is_quoted(campaign, cells, message):
    report = run_import("households", xlsx_file([HEADER, _household(**cells)]), filename="x.xlsx", campaign=campaign)
    assert [str(error) for error in report.errors] == [message]


@pytest.mark.django_db
def test_an_enterprise_cell_refused_is_quoted(campaign):
    rows = [["企业名称", "统一社会信用代码", "企业规模", "经度", "纬度"],
            ["昆山锦溪某某有限公司", "91320583MA1N000104", "大型", "东经120", "31.1"]]
    report = run_import("enterprises", xlsx_file(rows), filename="x.xlsx", campaign=campaign)
    assert [str(error) for error in report.errors] == [
        "第2行【企业规模】：应为“规模以上”或“中小”，表中为“大型”",
        "第2行【经度】：应为数字（度，小数形式），如 120.901234，表中为“东经120”"]


@pytest.mark.django_db
def test_a_region_unit_and_cadre_cell_refused_is_quoted(campaign):
    report = run_import("regions", xlsx_file([["上级区划", "名称", "级别", "区划代码"],
                                              ["锦溪镇", "新村", "片区", "32058"]]), filename="x.xlsx")
    assert sorted(str(error) for error in report.errors) == [
        "第2行【区划代码】：应为6到12位数字，表中为“32058”",
        "第2行【层级】：应为：市、区县、镇、村、社区、村民小组、居民小组 或 网格，表中为“片区”"]
    report = run_import("units", xlsx_file([["单位名称", "单位类型", "所属区划"], ["派出所", "公安", "锦溪镇"]]),
                        filename="x.xlsx")
    assert str(report.errors[0]).endswith("，表中为“公安”")
    report = run_import("cadres", xlsx_file([["姓名", "单位", "角色"], ["王文", "派出所", "民警"]]), filename="x.xlsx")
    assert [str(error) for error in report.errors if error.column == "角色"][0].endswith("，表中为“民警”")


@pytest.mark.django_db
def test_a_holiday_schedule_cell_refused_is_quoted():
    report = import_schedule(xlsx_file([["日期", "类型", "说明"], ["十月一日", "放假", "国庆节"],
                                        ["2018-10-02", "休", "国庆节"]]), filename="x.xlsx")
    assert [str(error) for error in report.errors] == [
        "第2行【日期】：日期应写成 2017-10-01、2017/10/1、2017.10.1、2017年10月1日、20171001，或 Excel 日期格式，"
        "表中为“十月一日”",
        "第3行【类型】：类型应为“放假”或“上班”，表中为“休”"]


@pytest.mark.django_db
def test_a_count_in_an_allocation_table_refused_is_quoted(campaign):
    rows = [["附件2"], ["走访分配表"], ["序号", "走访单位", "村、社区名称", "户籍总户数", "走访户数"],
            [1, "市交通局", "上下塘社区", 30, "十户"]]
    report = run_import("allocation", xlsx_file(rows), filename="附件2.xlsx", campaign=campaign, source_label="附件2")
    assert "第4行【走访户数】：应为不小于0的整数，表中为“十户”" in [str(error) for error in report.errors]
