"""The plan printed in the seed's own tables (附件1 … 附件4-2), plus 各单位分村 and the walk lists."""

import re
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, Sum
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from zoufang.campaigns.models import Campaign
from zoufang.planning.models import Assignment, FixedQuota, Quota
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
HOUSEHOLD_KINDS = (Target.Kind.REGISTERED_HOUSEHOLD, Target.Kind.RESIDENT_HOUSEHOLD)


class Figures:
    """The plan's counts, summed the ways the tables need them."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.by_row: dict[tuple[str, int, int | None, int | None, str], int] = defaultdict(int)
        self.by_visitor: dict[tuple[int, int | None, str], int] = defaultdict(int)
        self.by_unit_village: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for source, unit, cadre, region, kind, n in (
                Quota.objects.filter(campaign=campaign).order_by()
                .values_list("source", "unit_id", "cadre_id", "region_id", "target_kind").annotate(n=Sum("count"))):
            self.by_row[(source, unit, cadre, region, kind)] += n
            self.by_visitor[(unit, cadre, kind)] += n
            if region is not None:
                self.by_unit_village[(unit, region)][kind] += n
        town = campaign.scope
        villages = Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE)
        self.villages = {v.pk: v for v in villages.order_by("sort_order", "path")}
        self.villages[town.pk] = town  # cadres and notable persons of the town itself
        self.town_id = town.pk
        quoted = re.search(r"“[^”]+”", campaign.name)  # 锦溪镇2017年度常态化推进“六个一”… → “六个一”
        self.marker = quoted.group(0) if quoted else ""
        self.registered = {v.pk: Target.objects.filter(
            kind=Target.Kind.REGISTERED_HOUSEHOLD, archived_on__isnull=True, region__path__startswith=v.path).count()
            for v in self.villages.values() if v.pk != town.pk}

    def row(self, quota: FixedQuota) -> int:
        """A decided row's figure as planned: its unit (or leader) in its village, for its table."""
        unit, cadre = _row_visitor(quota)
        if quota.region_id is None:
            return self.by_visitor.get((unit, cadre, quota.target_kind), 0) if unit else 0
        return sum(n for (source, u, c, r, k), n in self.by_row.items()
                   if source == quota.source and u == unit and c == cadre and r == quota.region_id
                   and k == quota.target_kind)


def _row_visitor(quota: FixedQuota) -> tuple[int | None, int | None]:
    if quota.cadre is not None:
        return quota.cadre.unit_id, quota.cadre_id
    units = sorted(u.pk for u in quota.units.all())
    return (units[0] if units else None), None


def build_workbook(campaign: Campaign, *, walk_lists: bool = True) -> Workbook:
    figures = Figures(campaign)
    book = Workbook()
    book.remove(book.active)
    fixed = list(FixedQuota.objects.filter(campaign=campaign).select_related("cadre", "region")
                 .prefetch_related("units").order_by("source", "row_number"))
    for source in ("附件1", "附件2"):
        rows = [q for q in fixed if q.source == source and q.table == FixedQuota.Table.UPPER_LEVEL]
        if rows:
            _upper_level_sheet(book, source, rows, figures)
    _leader_sheets(book, campaign, fixed, figures)
    _department_sheets(book, campaign, figures)
    _unit_village_sheet(book, figures)
    if walk_lists:
        _walk_lists(book, campaign)
    return book


def write_workbook(campaign: Campaign, out: Path | IO[bytes]) -> None:
    """One sheet per table in the seed's layout, 各单位分村, and every cadre's 走访名单."""
    build_workbook(campaign).save(out)


def _sheet(book: Workbook, name: str, title: str, widths: list[int]) -> Worksheet:
    sheet = book.create_sheet(name)
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(widths))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(1, 1).alignment = CENTRE
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    return sheet


def _rows(sheet: Worksheet, rows: list[list[Any]], *, header: int = 1) -> None:
    for i, row in enumerate(rows):
        sheet.append(row)
        r = sheet._current_row  # noqa: SLF001 - max_row scans every cell; this is the row just written
        for c in range(1, len(row) + 1):
            cell = sheet.cell(r, c)
            cell.border = BOX
            cell.alignment = CENTRE
            if i < header:
                cell.font = Font(bold=True)


def _upper_level_sheet(book: Workbook, source: str, rows: list[FixedQuota], figures: Figures) -> None:
    labels = {q.label for q in rows if q.serial}
    who = labels.pop() if len(labels) == 1 else "上级机关部门"
    title = f"{who}{figures.marker}走访调研居民户、企业分配表"
    sheet = _sheet(book, source, title, [6, 16, 16, 16, 10])
    table: list[list[Any]] = [["序号", "走访单位", "村、社区名称", "户籍总户数（户）", "走访户数"]]
    households = [q for q in rows if q.region_id is not None]  # region_id set below
    lines = [q for q in rows if q.region_id is None]
    households_total = 0
    for q in households:
        figure = figures.row(q)
        households_total += figure
        village = figures.villages[q.region_id] if q.region_id else None
        table.append([q.serial, q.label if q.serial else "", village.name if village else "",
                      figures.registered.get(village.pk, 0) if village else "", figure])
    town_total = sum(figures.registered.values())
    table.append(["合    计", "", "", f"{town_total}户", f"{households_total}户"])
    for q in lines:
        table.append([f"{q.label}走访企业", "", "", "", f"{figures.row(q)}家"])
    _rows(sheet, table)
    for r in range(sheet.max_row - len(lines), sheet.max_row + 1):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3 if r == sheet.max_row - len(lines)
                          else 4)


def _leader_sheets(book: Workbook, campaign: Campaign, fixed: list[FixedQuota], figures: Figures) -> None:
    leaders = list(Cadre.objects.filter(role=Cadre.Role.TOWN_LEADER, archived_on__isnull=True,
                                        unit__region__path__startswith=campaign.scope.path)
                   .order_by("sort_order", "id"))
    decided = [q for q in fixed if q.table == FixedQuota.Table.LEADER_HOUSEHOLDS]
    sheet = _sheet(book, "附件3-1", f"镇党政班子领导{figures.marker}走访调研分配表（居民户）", [6, 12, 16, 10, 10])
    table: list[list[Any]] = [["序号", "走访领导", "走访村、社区", "走访户数", "备 注"]]
    total = 0
    if decided:
        for q in decided:
            figure = figures.row(q)
            total += figure
            table.append([q.serial, q.label if q.serial else "", figures.villages[q.region_id].name
                          if q.region_id else "", figure, q.note])
    else:
        for serial, leader in enumerate(leaders, start=1):
            rows = [(r, n) for (s, u, c, r, k), n in sorted(figures.by_row.items(), key=str)
                    if c == leader.pk and k == Target.Kind.REGISTERED_HOUSEHOLD and r is not None]
            for i, (region, n) in enumerate(rows):
                total += n
                table.append([serial if i == 0 else "", leader.name if i == 0 else "",
                              figures.villages[region].name, n, ""])
    table.append(["合计", "", f"{total}户", "", ""])
    _rows(sheet, table)
    sheet = _sheet(book, "附件3-2", f"镇党政班子领导{figures.marker}走访调研分配表（企业）", [6, 12, 12, 10])
    table = [["序号", "走访领导", "走访企业数", "备 注"]]
    total = 0
    for serial, leader in enumerate(leaders, start=1):
        n = figures.by_visitor.get((leader.unit_id, leader.pk, Target.Kind.ENTERPRISE), 0)
        total += n
        table.append([serial, leader.name, n, ""])
    table.append(["合计", f"{total}家", "", ""])
    _rows(sheet, table)


def _department_sheets(book: Workbook, campaign: Campaign, figures: Figures) -> None:
    units = list(Unit.objects.filter(kind=Unit.Kind.TOWN_DEPARTMENT, archived_on__isnull=True,
                                     region__path__startswith=campaign.scope.path)
                 .annotate(members=Count("cadres", filter=_active_party_members())).order_by("sort_order", "name"))
    sheet = _sheet(book, "附件4-1", f"镇各部门党员干部{figures.marker}走访调研分配表（居民户）", [6, 16, 10, 12, 12])
    table: list[list[Any]] = [["序号", "单  位", "党员人数", "走访户数", ""], ["", "", "", "户籍户口", "外来常住户"]]
    totals = [0, 0, 0]
    for serial, unit in enumerate(units, start=1):
        values = [unit.members] + [_unit_total(figures, unit.pk, k) for k in HOUSEHOLD_KINDS]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.append([serial, unit.name, *values])
    table.append(["合计", "", totals[0], f"{totals[1]}户", f"{totals[2]}户"])
    _rows(sheet, table, header=2)
    sheet.merge_cells("D2:E2")
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=2)
    sheet = _sheet(book, "附件4-2", f"镇各部门党员干部{figures.marker}走访调研分配表（企业）", [6, 16, 10, 12, 10])
    table = [["序号", "单  位", "党员人数", "走访企业数", "备注"]]
    members = enterprises = 0
    for serial, unit in enumerate(units, start=1):
        n = _unit_total(figures, unit.pk, Target.Kind.ENTERPRISE)
        members += unit.members
        enterprises += n
        table.append([serial, unit.name, unit.members, n, ""])
    table.append(["合计", "", members, f"{enterprises}家", ""])
    _rows(sheet, table)


def _active_party_members() -> Any:
    from django.db.models import Q

    return Q(cadres__archived_on__isnull=True, cadres__role=Cadre.Role.PARTY_MEMBER)


def _unit_total(figures: Figures, unit_id: int, kind: str) -> int:
    return sum(n for (u, _c, k), n in figures.by_visitor.items() if u == unit_id and k == kind)


def _unit_village_sheet(book: Workbook, figures: Figures) -> None:
    kinds = [k for k in Target.Kind if any(k in v for v in figures.by_unit_village.values())]
    sheet = _sheet(book, "各单位分村", "各单位分村走访数", [18, 16, 8] + [12] * len(kinds))
    table: list[list[Any]] = [["走访单位", "村、社区名称", "村数", *[str(k.label) for k in kinds]]]
    units = {u.pk: u for u in Unit.objects.all()}
    order = sorted({u for u, _ in figures.by_unit_village},
                   key=lambda u: (_KIND_ORDER.get(units[u].kind, 9), units[u].sort_order, units[u].name))
    order_units = order
    order = list(figures.villages)
    for unit_id in order_units:
        villages = [r for (u, r) in figures.by_unit_village if u == unit_id]
        villages.sort(key=order.index)
        for i, region in enumerate(villages):
            counts = figures.by_unit_village[(unit_id, region)]
            table.append([units[unit_id].name if i == 0 else "", figures.villages[region].name,
                          len([v for v in villages if v != figures.town_id]) if i == 0 else "",
                          *[counts.get(k, 0) for k in kinds]])
    _rows(sheet, table)


_KIND_ORDER = {"outside_body": 0, "city_department": 1, "town_leadership": 2, "town_department": 3,
               "village_committee": 4}


def _walk_lists(book: Workbook, campaign: Campaign) -> None:
    """One list per cadre on one sheet, each starting a printed page; no phone or ID numbers."""
    sheet = _sheet(book, "走访名单", "走访名单", [6, 14, 24, 16, 22, 34])
    assignments = (Assignment.objects.filter(campaign=campaign, cadre__isnull=False)
                   .select_related("cadre", "unit", "target__region")
                   .order_by("unit__sort_order", "unit__name", "cadre__sort_order", "cadre_id",
                             "target__kind", "target__region__path", "target_id"))
    villages = {v.path: v.name for v in Region.objects.filter(path__startswith=campaign.scope.path,
                                                              level=Region.Level.VILLAGE)}
    depth = len(next(iter(villages), ""))
    current = None
    number = 0
    for a in assignments.iterator(chunk_size=5000):
        if a.cadre_id != current:
            if current is not None:
                sheet.row_breaks.append(Break(id=sheet._current_row))  # noqa: SLF001
                sheet.append([])
            current, number = a.cadre_id, 0
            sheet.append([f"{a.unit.name}  {a.cadre.name if a.cadre else ''}"])
            sheet.cell(sheet._current_row, 1).font = Font(bold=True)  # noqa: SLF001
            _rows(sheet, [["序号", "类型", "户主/名称", "村（社区）", "村民小组/网格", "地址"]])
        number += 1
        region = a.target.region
        village = villages.get(region.path[:depth], "")
        _rows(sheet, [[number, str(Target.Kind(a.target.kind).label), a.target.name, village, region.name,
                       a.target.address]], header=0)


def write_docx(campaign: Campaign, out: Path | IO[bytes]) -> None:
    """The same tables as the workbook, printable on A4, one table per page; walk lists stay in the xlsx."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    book = build_workbook(campaign, walk_lists=False)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    style = document.styles["Normal"]
    style.font.name = "仿宋_GB2312"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    for index, sheet in enumerate(book.worksheets):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        label = document.add_paragraph(sheet.title)
        label.runs[0].font.name = "黑体"
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(str(sheet.cell(1, 1).value or sheet.title))
        run.font.size = Pt(16)
        run.bold = True
        rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
        width = max((len(r) for r in rows), default=1)
        table = document.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, values in enumerate(rows):
            cells = table.rows[r].cells
            for c, value in enumerate(values):
                cells[c].text = value
                cells[c].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
                if r == 0:
                    for run in cells[c].paragraphs[0].runs:
                        run.bold = True
    document.save(str(out) if isinstance(out, Path) else out)
