"""The plan printed in the seed's own tables (附件1 … 附件4-2), plus 各单位分村 and the walk lists."""

import re
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, Sum
from openpyxl import Workbook

from zoufang.campaigns.models import Campaign
from zoufang.core.tabular import ExportWorkbook
from zoufang.planning.models import FixedQuota, Quota
from zoufang.planning.printing import boxed_rows, docx_document, docx_heading, docx_table, new_sheet
from zoufang.planning.walklists import UNIT_KIND_ORDER, add_walk_list_pages, add_walk_list_sheets
from zoufang.planning.walklists import walk_lists as walk_lists_of
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Target, Unit

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
    """The tables in the seed's layout, 各单位分村, and (unless asked not to) the walk lists."""
    figures = Figures(campaign)
    book = ExportWorkbook()
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
        add_walk_list_sheets(book, campaign, walk_lists_of(campaign))
    return book


def write_workbook(campaign: Campaign, out: Path | IO[bytes]) -> None:
    """One sheet per table in the seed's layout, 各单位分村, and every cadre's 走访名单."""
    build_workbook(campaign).save(out)


def _upper_level_sheet(book: Workbook, source: str, rows: list[FixedQuota], figures: Figures) -> None:
    titles = {q.table_title for q in rows if q.table_title}
    labels = {q.label for q in rows if q.serial}
    who = labels.pop() if len(labels) == 1 else "上级机关部门"
    title = titles.pop() if len(titles) == 1 else f"{who}{figures.marker}走访调研居民户、企业分配表"
    sheet = new_sheet(book, source, title, [6, 16, 16, 16, 10])
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
    boxed_rows(sheet, table)
    for r in range(sheet.max_row - len(lines), sheet.max_row + 1):
        sheet.merge_cells(start_row=r, start_column=1, end_row=r, end_column=3 if r == sheet.max_row - len(lines)
                          else 4)


def _leader_sheets(book: Workbook, campaign: Campaign, fixed: list[FixedQuota], figures: Figures) -> None:
    leaders = list(Cadre.objects.filter(role=Cadre.Role.TOWN_LEADER, archived_on__isnull=True,
                                        unit__region__path__startswith=campaign.scope.path)
                   .order_by("sort_order", "id"))
    decided = [q for q in fixed if q.table == FixedQuota.Table.LEADER_HOUSEHOLDS]
    sheet = new_sheet(book, "附件3-1", f"镇党政班子领导{figures.marker}走访调研分配表（居民户）", [6, 12, 16, 10, 10])
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
    boxed_rows(sheet, table)
    sheet = new_sheet(book, "附件3-2", f"镇党政班子领导{figures.marker}走访调研分配表（企业）", [6, 12, 12, 10])
    table = [["序号", "走访领导", "走访企业数", "备 注"]]
    total = 0
    for serial, leader in enumerate(leaders, start=1):
        n = figures.by_visitor.get((leader.unit_id, leader.pk, Target.Kind.ENTERPRISE), 0)
        total += n
        table.append([serial, leader.name, n, ""])
    table.append(["合计", f"{total}家", "", ""])
    boxed_rows(sheet, table)


def _department_sheets(book: Workbook, campaign: Campaign, figures: Figures) -> None:
    units = list(Unit.objects.filter(kind=Unit.Kind.TOWN_DEPARTMENT, archived_on__isnull=True,
                                     region__path__startswith=campaign.scope.path)
                 .annotate(members=Count("cadres", filter=_active_party_members())).order_by("sort_order", "name"))
    sheet = new_sheet(book, "附件4-1", f"镇各部门党员干部{figures.marker}走访调研分配表（居民户）", [6, 16, 10, 12, 12])
    table: list[list[Any]] = [["序号", "单  位", "党员人数", "走访户数", ""], ["", "", "", "户籍户口", "外来常住户"]]
    totals = [0, 0, 0]
    for serial, unit in enumerate(units, start=1):
        values = [unit.members] + [_unit_total(figures, unit.pk, k) for k in HOUSEHOLD_KINDS]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.append([serial, unit.name, *values])
    table.append(["合计", "", totals[0], f"{totals[1]}户", f"{totals[2]}户"])
    boxed_rows(sheet, table, header=2)
    sheet.merge_cells("D2:E2")
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=2)
    sheet = new_sheet(book, "附件4-2", f"镇各部门党员干部{figures.marker}走访调研分配表（企业）", [6, 16, 10, 12, 10])
    table = [["序号", "单  位", "党员人数", "走访企业数", "备注"]]
    members = enterprises = 0
    for serial, unit in enumerate(units, start=1):
        n = _unit_total(figures, unit.pk, Target.Kind.ENTERPRISE)
        members += unit.members
        enterprises += n
        table.append([serial, unit.name, unit.members, n, ""])
    table.append(["合计", "", members, f"{enterprises}家", ""])
    boxed_rows(sheet, table)


def _active_party_members() -> Any:
    from django.db.models import Q

    return Q(cadres__archived_on__isnull=True, cadres__role=Cadre.Role.PARTY_MEMBER)


def _unit_total(figures: Figures, unit_id: int, kind: str) -> int:
    return sum(n for (u, _c, k), n in figures.by_visitor.items() if u == unit_id and k == kind)


def _unit_village_sheet(book: Workbook, figures: Figures) -> None:
    kinds = [k for k in Target.Kind if any(k in v for v in figures.by_unit_village.values())]
    sheet = new_sheet(book, "各单位分村", "各单位分村走访数", [18, 16, 8] + [12] * len(kinds))
    table: list[list[Any]] = [["走访单位", "村、社区名称", "村数", *[str(k.label) for k in kinds]]]
    units = {u.pk: u for u in Unit.objects.all()}
    order = sorted({u for u, _ in figures.by_unit_village},
                   key=lambda u: (_unit_rank(units[u].kind), units[u].sort_order, units[u].name))
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
    boxed_rows(sheet, table)


def _unit_rank(kind: str) -> int:
    return UNIT_KIND_ORDER.index(kind) if kind in UNIT_KIND_ORDER else len(UNIT_KIND_ORDER)


def write_docx(campaign: Campaign, out: Path | IO[bytes], *, walk_lists: bool = True) -> None:
    """The same tables as the workbook, printable on A4, one table per page, then every visitor's walk list."""
    book = build_workbook(campaign, walk_lists=False)
    document = docx_document()
    for index, sheet in enumerate(book.worksheets):
        docx_heading(document, sheet.title, str(sheet.cell(1, 1).value or sheet.title), new_page=index > 0)
        rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
        width = max((len(r) for r in rows), default=1)
        rows = [r + [""] * (width - len(r)) for r in rows]
        docx_table(document, rows[0], rows[1:])
    if walk_lists:
        add_walk_list_pages(document, campaign, walk_lists_of(campaign))
    document.save(str(out) if isinstance(out, Path) else out)
