"""千灯镇 (昆山市), a third town with its own campaign (tests/files/qiandeng-2019.yaml) and its own offices'
tables: workbooks laid out as other offices lay them out, for the import and planner tests."""

from collections.abc import Sequence
from pathlib import Path

import openpyxl

from zoufang.demo.loader import SeedFigures
from zoufang.demo.synthetic import VillageShape

TOWN = "千灯镇"
SLUG = "qiandeng-2019"
CONFIG = Path(__file__).resolve().parent / "files" / "qiandeng-2019.yaml"
VILLAGES = [VillageShape("歇马桥村", False, 260, 90, 30), VillageShape("石浦社区", True, 420, 160, 40),
            VillageShape("大唐村", False, 180, 60, 20), VillageShape("炎武社区", True, 300, 120, 30)]
DEPARTMENTS = [("党政办", 6), ("经济发展服务局", 10), ("社会事业局", 5), ("统战办", 3)]
FILES = {
    "units.csv": "单位名称,单位类型,所属区划,党员人数,排序\n镇党政班子,镇党政班子,千灯镇,,1\n"
                 "苏州市总工会,市级机关部门,,,101\n市住建局（人防办）,市级机关部门,,,102\n市农业农村局,市级机关部门,,,103\n",
    "departments.csv": "序号,单位,党员人数\n" + "".join(f"{i},{u},{n}\n" for i, (u, n) in enumerate(DEPARTMENTS, 1)),
    "leaders.csv": "姓名,单位,角色,职务,手机号码,上一级,挂钩村（社区）\n"
                   "沈  斌,镇党政班子,镇党政领导,党委书记,,,歇马桥村、石浦社区\n"
                   "周晓东,镇党政班子,镇党政领导,镇长,,镇党政班子/沈斌,大唐村\n"
                   "陆雯,镇党政班子,镇党政领导,副镇长,,镇党政班子/沈斌,炎武社区\n",
}
FIGURES = SeedFigures(VILLAGES, DEPARTMENTS)


def write_workbook(path: Path, rows: Sequence[Sequence[object]], merges: Sequence[str] = (),
                   sheet: str = "Sheet1") -> Path:
    """The rows as a workbook's first sheet, with cells merged as the office merged them."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)
    return path
