"""千灯镇: a town the product has never seen, with the Excel tables its office keeps, made the way offices make
them — a title row, merged group headers, their own column order and synonyms, 合计 and 填表人 rows, and
in the households' first version two bad rows. Built with openpyxl at test time; nothing binary is committed."""

import random
from pathlib import Path

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from zoufang.campaigns.config import shipped_campaign_path
from zoufang.demo import synthetic

TOWN = "千灯镇"
SLUG = "qiandeng-2025"
YEAR = 2025
# (name, is_community, registered households, resident households, enterprises)
VILLAGES = [("歇马桥村", False, 14, 4, 2), ("大潭村", False, 12, 3, 2), ("石浦社区", True, 16, 5, 1)]
DEPARTMENTS = [("党政办", 3), ("经发局", 2)]
LEADERS = [("顾建国", "党委书记", "歇马桥村、大潭村"), ("沈丽华", "镇长", "石浦社区")]
VILLAGE_CADRES = {"歇马桥村": "陆小平", "大潭村": "周文娟", "石浦社区": "钱国强"}
CITY_UNIT = "市科技局"
CITY_HOUSEHOLDS = {"歇马桥村": 4, "石浦社区": 5}  # 附件1: the city body's households per village


def campaign_yaml(folder: Path) -> Path:
    """The shipped 锦溪镇 rules, renamed as a clerk would: the town, the slug and the year."""
    text = shipped_campaign_path("jinxi-2017").read_text(encoding="utf-8")
    text = text.replace("锦溪镇", TOWN).replace("jinxi-2017", SLUG).replace("2017", str(YEAR))
    path = folder / "千灯镇走访活动.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _title(sheet: Worksheet, text: str, width: int) -> None:
    sheet.append([text])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)


def _save(book: openpyxl.Workbook, folder: Path, name: str) -> Path:
    path = folder / name
    book.save(path)
    return path


def regions(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇村（社区）、村民小组一览表", 4)
    sheet.append(["级别", "区划名称", "上级", "行政区划代码"])
    sheet.append(["镇", TOWN, "昆山市", "320583104"])
    for index, (village, community, *_sizes) in enumerate(VILLAGES, start=1):
        sheet.append(["社区" if community else "村", village, TOWN, f"320583104{index:03d}"])
    for village, community, *_sizes in VILLAGES:
        for group in (1, 2):
            sheet.append(["居民小组" if community else "村民小组", f"第{group}组", f"{TOWN}/{village}", ""])
    sheet.append(["填表人：千灯镇走访办"])
    return _save(book, folder, "区划.xlsx")


def units(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇走访单位名册", 4)
    sheet.append(["序号", "单位", "类型", "区划"])
    rows = [("镇党政班子", "镇党政班子", TOWN)]
    rows += [(name, "镇部门", TOWN) for name, _members in DEPARTMENTS]
    rows += [(f"{village}{'居委会' if community else '村委会'}", "村（居）委会", f"{TOWN}/{village}")
             for village, community, *_sizes in VILLAGES]
    rows.append((CITY_UNIT, "市级机关部门", ""))  # a body above the town: its region is not the office's to name
    for index, row in enumerate(rows, start=1):
        sheet.append([index, *row])
    return _save(book, folder, "单位.xlsx")


def departments(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇各部门党员干部走访分配表", 5)
    sheet.append(["序号", "部门", "党员人数", "走访户数", None])
    sheet.append([None, None, None, "户籍户", "非户籍常住户"])
    sheet.merge_cells("A2:A3")
    sheet.merge_cells("B2:B3")
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("D2:E2")
    for index, (name, members) in enumerate(DEPARTMENTS, start=1):
        sheet.append([index, name, members, None, None])
    sheet.append(["合计", None, sum(members for _name, members in DEPARTMENTS), None, None])
    return _save(book, folder, "镇部门.xlsx")


def cadres(folder: Path) -> Path:
    rng = random.Random(2025)  # noqa: S311 - synthetic test data
    names = synthetic.Names(rng)
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇走访干部花名册", 6)
    sheet.append(["姓名", "工作单位", "角色", "职务", "手机", "挂钩村"])
    for name, title, links in LEADERS:
        sheet.append([name, "镇党政班子", "镇党政领导", title, names.mobile(), links])
    taken = {name for name, _title_, _links in LEADERS} | set(VILLAGE_CADRES.values())
    for unit, members in DEPARTMENTS:
        for _index in range(members):
            name = names.person()
            while name in taken:
                name = names.person()
            taken.add(name)
            sheet.append([name, unit, "部门党员干部", "", names.mobile(), ""])
    for village, community, *_sizes in VILLAGES:
        committee = f"{village}{'居委会' if community else '村委会'}"
        sheet.append([VILLAGE_CADRES[village], committee, "村（社区）干部", "书记", names.mobile(), ""])
    return _save(book, folder, "干部.xlsx")


def household_rows() -> list[list[object]]:
    rng = random.Random(104)  # noqa: S311 - synthetic test data
    names, ids = synthetic.Names(rng), synthetic.Identities(rng)
    rows: list[list[object]] = []
    for village, _community, registered, resident, _enterprises in VILLAGES:
        for number in range(registered + resident):
            kind = "户籍户" if number < registered else "非户籍常住户"
            area = "320583" if kind == "户籍户" else "341221"
            rows.append([village, f"第{number % 2 + 1}组", names.person(), ids.id_number(area), names.mobile(), kind,
                         f"{village}{number + 1}号", rng.randint(1, 5), "是" if number == 3 else ""])
    return rows


def households(folder: Path, *, bad_rows: bool = False) -> Path:
    """Their own order: 村 first, the 户主信息 group merged over three columns, 户口性质 after the phone."""
    rows = household_rows()
    if bad_rows:
        rows[4] = [*rows[4][:3], rows[4][3][:-1] + ("0" if rows[4][3][-1] != "0" else "1"), *rows[4][4:]]
        rows[9] = ["马鞍山村", *rows[9][1:]]
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇2025年居民户走访花名册", 10)
    sheet.append(["序号", "所在村（社区）", "组别", "户主信息", None, None, "户口性质", "家庭住址", "人口数", "是否困难家庭"])
    sheet.append([None, None, None, "户主", "公民身份号码", "联系方式", None, None, None, None])
    for column in "ABCGHIJ":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("D2:F2")
    for index, row in enumerate(rows, start=1):
        sheet.append([index, *row])
    sheet.append(["合计", None, None, f"{len(rows)}户", None, None, None, None, None, None])
    sheet.append(["填表人：陆小平    审核人：顾建国"])
    return _save(book, folder, "居民户.xlsx" if not bad_rows else "居民户（初稿）.xlsx")


def enterprises(folder: Path) -> Path:
    rng = random.Random(201)  # noqa: S311 - synthetic test data
    names, ids = synthetic.Names(rng), synthetic.Identities(rng)
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇重点企业名录", 7)
    sheet.append(["序号", "企业全称", "信用代码", "所在村（社区）", "规模", "法人代表", "联系方式"])
    number = 0
    for village, _community, _registered, _resident, count in VILLAGES:
        for index in range(count):
            number += 1
            sheet.append([number, f"昆山千灯{village[:2]}精密机械{index + 1}厂", ids.credit_code(), village,
                          "规模以上" if index == 0 else "中小", names.person(), names.mobile()])
    sheet.append(["合计", f"{number}家"])
    return _save(book, folder, "企业.xlsx")


def projects(folder: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    _title(sheet, "千灯镇重点项目清单", 5)
    sheet.append(["序号", "项目名称", "所在村（社区）", "阶段", "项目负责人"])
    sheet.append([1, "千灯古镇游客中心改造项目", "石浦社区", "在建", "许明"])
    sheet.append([2, "大潭村高标准农田项目", "大潭村", "前期", "孙红"])
    return _save(book, folder, "项目.xlsx")


def households_per_village() -> dict[str, int]:
    return {village: registered for village, _community, registered, _resident, _enterprises in VILLAGES}


def annex1(folder: Path) -> Path:
    """The city body's allocation, in the seed's 附件1 layout with its 合计 row."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["附件1"])
    _title_row = f"{CITY_UNIT}走访调研居民户分配表"
    sheet.append([_title_row])
    sheet.append(["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"])
    registered = households_per_village()
    for index, (village, count) in enumerate(CITY_HOUSEHOLDS.items(), start=1):
        sheet.append([index, CITY_UNIT, village, registered[village], count])
    sheet.append(["合计", None, None, sum(registered[v] for v in CITY_HOUSEHOLDS), sum(CITY_HOUSEHOLDS.values())])
    return _save(book, folder, "附件1.xlsx")


def all_files(folder: Path) -> dict[str, Path]:
    return {"regions": regions(folder), "units": units(folder), "departments": departments(folder),
            "cadres": cadres(folder), "households_draft": households(folder, bad_rows=True),
            "households": households(folder), "enterprises": enterprises(folder), "projects": projects(folder),
            "allocation": annex1(folder)}
