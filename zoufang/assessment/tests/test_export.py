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
    assert rows[0][-6:] == ("走访真实性问题查实\n（权重10）", "指标得分", "加减分", "总分", "名次", "备注")
    assert rows[1] == (1, "派出所", 33.3, 50, 66.7, 33.3, 33.3, 33.3, 100, "—", "—", 43.73, 2, 45.73, 2,
                       "+2分：获市级表彰")
    assert rows[2] == (2, "镇党政班子", 66.7, 100, 100, 0, 0, 100, 0, "—", "—", 56.26, None, 56.26, 1, None)
    notes = [row[0] for row in units.iter_rows(min_row=7, values_only=True) if row[0]]
    assert any("第三方回访抽查查实问题（10）、走访真实性问题查实（10）：数据未接入" in note for note in notes)
    detail = [row for row in book["明细-派出所"].iter_rows(min_row=4, values_only=True)]
    assert detail[0] == (1, "走访任务完成（不少于分配数量）", 30, "已走访 1 / 应走访 3", 33.3, 12.49)
    assert detail[7][3] == "数据未接入"
    assert ("", "总分（名次）", "", "", "", "45.73（2）") in [tuple("" if v is None else v for v in r) for r in detail]
    assert [(row[0], row[1], row[4]) for row in book["明细-派出所"].iter_rows(values_only=True)
            if row[1] == "派出所党员甲"] == [(1, "派出所党员甲", 46.86)]
    assert units.page_setup.orientation == "landscape"
    assert units.print_title_rows == "$3:$3"


def test_it_prints_its_days_in_chinese_and_every_row_as_tall_as_its_text(assessed: Any) -> None:
    """The period and 制表时间 as people say them; a long 备注 or 计算口径 wraps inside its row, never over the next;
    a unit's cadres list their 备注 in the sheet's wide column."""
    from zoufang.core.sheetwriter import fitted_height

    assessment = run_assessment(assessed.campaign, starts_on=dt.date(2017, 5, 1), ends_on=dt.date(2017, 12, 31),
                                title="2017年度考核", by=assessed.users["assessor"])
    add_adjustment(assessment, assessment.scores.get(level="unit", unit=assessed.police), points="2",
                   reason="获市级表彰：走访台账规范完整，群众反映的问题按时办结并逐一回复，经领导小组研究决定加分",
                   by=assessed.users["assessor"])
    book = load_workbook(io.BytesIO(workbook(assessment)))
    units = book["单位考核表"]
    assert units["A2"].value.startswith("考核期：2017年5月1日 至 2017年12月31日　数据截至：2017年7月15日")
    notes = [row[0] for row in units.iter_rows(min_row=7, values_only=True) if row[0]]
    assert any(note.startswith("制表：考核管理组　　制表时间：2017年7月15日 ") for note in notes), notes
    for sheet in book.worksheets:
        widths = [sheet.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOP"]
        for row in sheet.iter_rows(min_row=4):
            merged = any(row[0].coordinate in cells for cells in sheet.merged_cells.ranges)
            values = [cell.value if cell.alignment.wrap_text else None for cell in row]  # a label runs on
            if merged or not any(values):
                continue
            needed = fitted_height(values, widths)
            if needed:
                assert (sheet.row_dimensions[row[0].row].height or 0) >= needed, (sheet.title, row[0].row, values)
    detail = book["明细-派出所"]
    rows = [[cell.value for cell in row] for row in detail.iter_rows()]
    header = next(row for row in rows if row[1] == "走访干部")
    assert header == ["序号", "走访干部", None, "备注", "总分", "名次"]
    cadre = next(row for row in rows if row[1] == "派出所党员甲")
    assert cadre[0] == 1
    assert cadre[4] == 46.86
