"""The plan printed in the seed's own tables (附件1 … 附件4-2), plus 各单位分村 and the walk lists."""

import re
from collections import defaultdict
from pathlib import Path
from typing import IO, Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from openpyxl import Workbook

from zoufang.campaigns.models import Campaign
from zoufang.core.progress import Progress
from zoufang.core.sheetwriter import ExportWorkbook, fitting_width
from zoufang.planning.issued import (
    DRIFT_COLUMNS,
    DRIFT_SHEET,
    IssuedRow,
    drift,
    issued_rows,
    kind_heading,
    source_order,
    split_kinds,
)
from zoufang.planning.models import FixedQuota, Quota
from zoufang.planning.printing import (
    boxed_rows,
    docx_document,
    docx_heading,
    docx_table,
    merge_across,
    new_sheet,
    sheet_name,
    stream_docx,
)
from zoufang.planning.walklists import (
    UNIT_KIND_ORDER,
    add_walk_list_sheets,
    assignments_count,
    walk_list_xml,
)
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


def build_workbook(campaign: Campaign, *, walk_lists: bool = True, streaming: bool = False,
                   progress: Progress | None = None) -> Workbook:
    """The tables in the seed's layout, 各单位分村, and (unless asked not to) the walk lists.

    `streaming` writes each sheet to disk as it is built (one visitor's list in memory at once); the
    workbook can then only be saved, not read back. Without it the workbook stays in memory: for the docx,
    which reads the tables (a few hundred rows) back, and for tests."""
    figures = Figures(campaign)
    book = ExportWorkbook(streaming=streaming)
    if not streaming:
        book.remove(book.active)
    fixed = list(FixedQuota.objects.filter(campaign=campaign).select_related("cadre", "region")
                 .prefetch_related("units").order_by("source", "row_number", "part"))
    upper = [q for q in fixed if q.table == FixedQuota.Table.UPPER_LEVEL]
    for source in sorted({q.source for q in upper}, key=source_order):  # every table the plan applies
        _upper_level_sheet(book, source, issued_rows(q for q in upper if q.source == source), figures)
    _leader_sheets(book, campaign, fixed, figures)
    _department_sheets(book, campaign, figures)
    _unit_village_sheet(book, figures)
    _drift_sheet(book, campaign)
    if walk_lists:
        add_walk_list_sheets(book, campaign, walk_lists_of(campaign), progress=progress,
                             total=assignments_count(campaign))
    return book


def write_workbook(campaign: Campaign, out: Path | IO[bytes], *, progress: Progress | None = None) -> None:
    """One sheet per table in the seed's layout, 各单位分村, and every cadre's 走访名单, streamed to `out`."""
    build_workbook(campaign, streaming=True, progress=progress).save(out)


def _upper_level_sheet(book: Workbook, source: str, rows: list[IssuedRow], figures: Figures) -> None:
    """The table as its issuer wrote it: 户籍总户数, 走访户数, 合计 and 备注 as imported, whatever happened since."""
    titles = {r.title for r in rows if r.title}
    labels = {r.label for r in rows if r.serial}
    who = labels.pop() if len(labels) == 1 else "上级机关部门"
    title = titles.pop() if len(titles) == 1 else _("%(who)s%(marker)s走访调研居民户、企业分配表") % {
        "who": who, "marker": figures.marker,
    }
    households = [r for r in rows if r.region_id is not None]
    lines = [r for r in rows if r.region_id is None]
    kinds = split_kinds(households)
    extra = [""] if any(r.note for r in rows) else []
    heading = ["序号", "走访单位", "村、社区名称", "户籍总户数（户）", *_count_heading(kinds), *(["备注"] if extra else [])]
    widths = [6, 16, 16, 16] + [10] * max(len(kinds), 1) + [24] * len(extra)
    # A heading on one line: 户籍总户数（户） in 16 printed its “）” alone on a second.
    sheet = new_sheet(book, sheet_name(source, book.sheetnames), title, [max(width, fitting_width(text) if text else 0)
                                                        for width, text in zip(widths, heading, strict=True)])
    table: list[list[Any]] = [heading] + ([["", "", "", "", *map(kind_heading, kinds), *extra]] if kinds else [])
    stated: dict[int, int] = {}
    for r in households:
        stated.setdefault(r.region_id or 0, r.stated_region_total or 0)
        table.append([r.serial, r.label if r.serial else "", figures.villages[r.region_id].name if r.region_id
                      in figures.villages else "", r.stated_region_total, *_row_counts(r, kinds)]
                     + ([r.note] if extra else []))
    table.append(["合    计", "", "", _("%(stated)s户") % {"stated": sum(stated.values())},
                  *_total_counts(households, kinds), *extra])
    blanks = [""] * (max(len(kinds), 1) - 1)
    for r in lines:
        table.append([_("%(label)s走访企业") % {"label": r.label}, "", "", "", _("%(count)s家") % {"count": r.count},
                      *blanks] + ([r.note] if extra else []))
    # 合计 spans the columns before its figures, a “…走访企业” line those before its one, as in the seed.
    total_at = len(households) + (2 if kinds else 1)
    boxed_rows(sheet, table, header=2 if kinds else 1,
               spans={total_at: 3} | {at: 4 for at in range(total_at + 1, len(table))})
    _merge_split_heading(sheet, kinds, first=5, columns=4 + len(kinds) + len(extra))


def _count_heading(kinds: list[str]) -> list[str]:
    """走访户数 over one column, or over one column per kind (the cells to its right merged with it)."""
    return ["走访户数", *[""] * (len(kinds) - 1)]


def _row_counts(row: IssuedRow, kinds: list[str]) -> list[int]:
    return [row.count_of(kind) for kind in kinds] or [row.count]


def _total_counts(rows: list[IssuedRow], kinds: list[str]) -> list[str]:
    return [_("%(households)s户") % {"households": sum(_row_counts(r, kinds)[i] for r in rows)}
            for i in range(max(len(kinds), 1))]


def _merge_split_heading(sheet: Any, kinds: list[str], *, first: int, columns: int) -> None:
    """A split table's two header rows as the office drew them: 走访户数 merged over its kinds, every other
    heading over both rows."""
    if not kinds:
        return
    sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=first + len(kinds) - 1)
    for column in (*range(1, first), *range(first + len(kinds), columns + 1)):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)


def _leader_sheets(book: Workbook, campaign: Campaign, fixed: list[FixedQuota], figures: Figures) -> None:
    """附件3-1 and 附件3-2: a decided table as it was decided, else the plan's figures per leader."""
    leaders = list(Cadre.objects.filter(role=Cadre.Role.TOWN_LEADER, archived_on__isnull=True,
                                        unit__region__path__startswith=campaign.scope.path)
                   .order_by("sort_order", "id"))
    decided = issued_rows(q for q in fixed if q.table == FixedQuota.Table.LEADER_HOUSEHOLDS)
    kinds = split_kinds(decided)
    sheet = new_sheet(book, "附件3-1", _("镇党政班子领导%(marker)s走访调研分配表（居民户）") % {"marker": figures.marker},
                      [6, 12, 16] + [10] * max(len(kinds), 1) + [10])
    table: list[list[Any]] = [["序号", "走访领导", "走访村、社区", *_count_heading(kinds), "备 注"]] + (
        [["", "", "", *map(kind_heading, kinds), ""]] if kinds else [])
    if decided:
        for r in decided:
            table.append([r.serial, r.label if r.serial else "", figures.villages[r.region_id].name
                          if r.region_id in figures.villages else "", *_row_counts(r, kinds), r.note])
        totals = _total_counts(decided, kinds)
    else:
        total = 0
        for serial, leader in enumerate(leaders, start=1):
            rows = [(r, n) for (s, u, c, r, k), n in sorted(figures.by_row.items(), key=str)
                    if c == leader.pk and k == Target.Kind.REGISTERED_HOUSEHOLD and r is not None]
            for i, (region, n) in enumerate(rows):
                total += n
                table.append([serial if i == 0 else "", leader.name if i == 0 else "",
                              figures.villages[region].name, n, ""])
        totals = [_("%(total)s户") % {"total": total}]
    table.append(["合计", "", "", *totals, ""])
    boxed_rows(sheet, table, header=2 if kinds else 1, spans={len(table) - 1: 3})
    _merge_split_heading(sheet, kinds, first=4, columns=4 + len(kinds))
    decided = issued_rows(q for q in fixed if q.table == FixedQuota.Table.LEADER_ENTERPRISES)
    sheet = new_sheet(book, "附件3-2", _("镇党政班子领导%(marker)s走访调研分配表（企业）") % {"marker": figures.marker}, [6, 12, 12, 10])
    table = [["序号", "走访领导", "走访企业数", "备 注"]]
    written = [(r.serial, r.label, r.count, r.note) for r in decided] or [
        (str(serial), leader.name, figures.by_visitor.get((leader.unit_id, leader.pk, Target.Kind.ENTERPRISE), 0), "")
        for serial, leader in enumerate(leaders, start=1)]
    for number, name, n, note in written:
        table.append([int(number) if number.isdigit() else number, name, n, note])
    table.append(["合计", "", _("%(enterprises)s家") % {"enterprises": sum(n for _s, _l, n, _n in written)}, ""])
    boxed_rows(sheet, table, spans={len(table) - 1: 2})


def _department_sheets(book: Workbook, campaign: Campaign, figures: Figures) -> None:
    units = list(Unit.objects.filter(kind=Unit.Kind.TOWN_DEPARTMENT, archived_on__isnull=True,
                                     region__path__startswith=campaign.scope.path)
                 .annotate(members=Count("cadres", filter=_active_party_members())).order_by("sort_order", "name"))
    sheet = new_sheet(book, "附件4-1", _("镇各部门党员干部%(marker)s走访调研分配表（居民户）") % {"marker": figures.marker}, [6, 16, 10, 12, 12])
    table: list[list[Any]] = [["序号", "单  位", "党员人数", "走访户数", ""], ["", "", "", "户籍户口", "外来常住户"]]
    totals = [0, 0, 0]
    for serial, unit in enumerate(units, start=1):
        values = [unit.members] + [_unit_total(figures, unit.pk, k) for k in HOUSEHOLD_KINDS]
        totals = [a + b for a, b in zip(totals, values, strict=True)]
        table.append([serial, unit.name, *values])
    table.append(["合计", "", totals[0], _("%(totals)s户") % {"totals": totals[1]}, _("%(totals)s户") % {"totals": totals[2]}])
    boxed_rows(sheet, table, header=2, spans={len(table) - 1: 2})
    sheet.merge_cells("D2:E2")
    for column in "ABC":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet = new_sheet(book, "附件4-2", _("镇各部门党员干部%(marker)s走访调研分配表（企业）") % {"marker": figures.marker}, [6, 16, 10, 12, 10])
    table = [["序号", "单  位", "党员人数", "走访企业数", "备注"]]
    members = enterprises = 0
    for serial, unit in enumerate(units, start=1):
        n = _unit_total(figures, unit.pk, Target.Kind.ENTERPRISE)
        members += unit.members
        enterprises += n
        table.append([serial, unit.name, unit.members, n, ""])
    table.append(["合计", "", members, _("%(enterprises)s家") % {"enterprises": enterprises}, ""])
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


def _drift_sheet(book: Workbook, campaign: Campaign) -> None:
    """与登记数差异: where today's registry or plan differs from an issued table; no sheet when nothing does."""
    found = drift(campaign)
    if not found:
        return
    sheet = new_sheet(book, DRIFT_SHEET, "分配表与今天的登记库、分配计划的差异（分配表按原表导出，未改动）",
                      [10, 8, 18, 14, 16, 8, 8, 8])
    boxed_rows(sheet, [DRIFT_COLUMNS, *[d.cells() for d in found]], left=(3,))


def _unit_rank(kind: str) -> int:
    return UNIT_KIND_ORDER.index(kind) if kind in UNIT_KIND_ORDER else len(UNIT_KIND_ORDER)


def write_docx(campaign: Campaign, out: Path | IO[bytes], *, walk_lists: bool = True,
               progress: Progress | None = None) -> None:
    """The same tables as the workbook, printable on A4, one table per page, then every visitor's walk list,
    written a row at a time (printing.stream_docx)."""
    book = build_workbook(campaign, walk_lists=False)
    document = docx_document()
    for index, sheet in enumerate(book.worksheets):
        docx_heading(document, sheet.title, str(sheet.cell(1, 1).value or sheet.title), new_page=index > 0)
        rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
        width = max((len(r) for r in rows), default=1)
        rows = [r + [""] * (width - len(r)) for r in rows]
        table = docx_table(document, rows[0], rows[1:])
        for merged in sheet.merged_cells.ranges:  # 合计 and “…走访企业” labels span their columns, as in the xlsx
            if merged.min_row == merged.max_row > 1:
                merge_across(table, merged.min_row - 2, merged.min_col - 1, merged.max_col - 1)
    parts = walk_list_xml(campaign, walk_lists_of(campaign), progress=progress,
                          total=assignments_count(campaign)) if walk_lists else iter(())
    stream_docx(document, parts, out)
