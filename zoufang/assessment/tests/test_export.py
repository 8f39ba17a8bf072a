"""The 考核 xlsx: the official layout of the units' table, the cadres' and villages' tables, a sheet per unit."""

import datetime as dt
import io
from typing import Any

from openpyxl import load_workbook

from zoufang.assessment.export import workbook
from zoufang.assessment.services import add_adjustment, run_assessment


def test_it_writes_the_years_table_and_a_detail_sheet_per_unit(assessed: Any, tmp_path: Any) -> None:
    assessment = run_assessment(assessed.campaign, starts_on=dt.date(2017, 5, 1), ends_on=dt.date(2017, 12, 31),
                                title="2017年度考核", by=assessed.users["assessor"])
    add_adjustment(assessment, assessment.scores.get(level="unit", unit=assessed.police), points="2",
                   reason="获市级表彰", by=assessed.users["assessor"])

    data = workbook(assessment)
    (tmp_path / "kaohe.xlsx").write_bytes(data)
    book = load_workbook(io.BytesIO(data))

    assert book.sheetnames == ["单位考核表", "走访干部考核表", "村（社区）考核表", "明细-派出所", "明细-镇党政班子"]
    units = book["单位考核表"]
    assert units["A1"].value == "锦溪镇测试走访\n2017年度考核单位考核表"
    assert "第1版" in units["A2"].value
    assert "待审定" in units["A2"].value
    rows = list(units.iter_rows(min_row=3, max_row=5, values_only=True))
    assert rows[0][:3] == ("序号", "单位", "走访任务完成（不少于分配数量）\n（权重30）")
    assert rows[0][-6:] == ("廉洁纪律问题查实\n（权重10）", "指标得分", "加减分", "总分", "名次", "备注")
    assert rows[1] == (1, "派出所", 33.3, 50, 66.7, 33.3, 33.3, 33.3, 100, "—", "—", 43.73, 2, 45.73, 2,
                       "+2分：获市级表彰")
    assert rows[2] == (2, "镇党政班子", 66.7, 100, 100, 0, 0, 100, 0, "—", "—", 56.26, None, 56.26, 1, None)
    notes = [row[0] for row in units.iter_rows(min_row=7, values_only=True) if row[0]]
    assert any("第三方回访抽查查实问题（10）、廉洁纪律问题查实（10）：数据未接入" in note for note in notes)
    detail = [row for row in book["明细-派出所"].iter_rows(min_row=4, values_only=True)]
    assert detail[0] == (1, "走访任务完成（不少于分配数量）", 30, "已走访 1 / 应走访 3", 33.3, 12.49)
    assert detail[7][3] == "数据未接入"
    assert ("", "总分（名次）", "", "", "", "45.73（2）") in [tuple("" if v is None else v for v in r) for r in detail]
    assert [row[:3] for row in book["明细-派出所"].iter_rows(values_only=True) if row[1] == "派出所党员甲"] == [
        (1, "派出所党员甲", 46.86)]
    assert units.page_setup.orientation == "landscape"
    assert units.print_title_rows == "$3:$3"
