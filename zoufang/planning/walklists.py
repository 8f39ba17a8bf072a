"""Walk lists (走访名单): each visitor's named targets in walking order, as printed sheets and pages.

A visitor is a cadre, or a unit that the upper level sends only as a count (its block of named targets is
reserved for it and it places its own people). The lists carry names and addresses only: no phone or ID
number goes on paper.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _
from docx.document import Document as DocxDocument
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from zoufang.campaigns.models import Campaign
from zoufang.core.progress import Progress, report
from zoufang.core.sheetwriter import ExportWorkbook, fitted_height
from zoufang.core.xmltext import xml_text
from zoufang.planning.models import Assignment
from zoufang.planning.printing import (
    BOLD,
    LEFT,
    TableXml,
    body_xml,
    boxed_rows,
    docx_document,
    docx_heading,
    docx_table,
    new_sheet,
    sheet_name,
)
from zoufang.planning.snapshot import address_key
from zoufang.regions.models import Region
from zoufang.registry.models import Target, Unit

COLUMNS = ["序号", "类型", "户主/名称", "村（社区）", "村民小组/网格", "地址", "走访日期", "备注"]
XLSX_WIDTHS = [6, 12, 20, 12, 14, 30, 12, 10]
# 15.6 cm: A4 within the notice margins. 序号 holds its header and a four-digit number on one line (a list runs
# to thousands of rows), 走访日期 and 备注 theirs; names and addresses wrap in any case.
DOCX_WIDTHS_CM = [1.3, 2.0, 2.9, 1.7, 1.9, 3.0, 1.7, 1.1]
LEFT_COLUMNS = (3, 6)  # 户主/名称 and 地址 read better flush left
UNIT_KIND_ORDER = ["outside_body", "city_department", "town_leadership", "town_department", "village_committee"]
_KIND_RANK: dict[str, int] = {str(kind): i for i, kind in enumerate(Target.Kind)}


@dataclass
class WalkItem:
    kind: str
    name: str
    village: str
    group: str
    address: str
    sort_key: tuple[Any, ...] = ()


@dataclass
class WalkList:
    unit: str
    visitor: str  # the cadre's name; empty when the unit places its own people
    items: list[WalkItem] = field(default_factory=list)

    @property
    def who(self) -> str:
        return f"{self.unit} {self.visitor}" if self.visitor else _("%(unit)s（由本单位落实到人）") % {"unit": self.unit}

    @property
    def villages(self) -> list[str]:
        return list(dict.fromkeys(i.village for i in self.items if i.village))

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        return counts

    def summary(self) -> str:
        """“上下塘社区　户籍户 5 户，企业 3 家，共 8 个”."""
        return _("%(villages)s　%(total)s") % {"villages": "、".join(self.villages), "total": self.total()}

    def total(self) -> str:
        """“户籍户 5 户，企业 3 家，共 8 个”: the list's 合计."""
        parts = [f"{_label(kind)} {n} {_measure(kind)}" for kind, n in self.counts().items()]
        return _("%(parts)s，共 %(n_items)s 个") % {"parts": "，".join(parts), "n_items": len(self.items)}

    def rows(self) -> list[list[Any]]:
        return [[n, _label(i.kind), i.name, i.village, i.group, i.address, "", ""]
                for n, i in enumerate(self.items, start=1)]


def _label(kind: str) -> str:
    """The seed's own short word for non-registered resident households (附件4-1's 外来常住户) fits a column."""
    return "外来常住户" if kind == Target.Kind.RESIDENT_HOUSEHOLD else str(Target.Kind(kind).label)


def _measure(kind: str) -> str:
    return {"enterprise": "家", "project": "个", "notable_person": "人", "cadre": "人"}.get(kind, "户")


def walk_lists(campaign: Campaign, *, unit: Unit | None = None) -> Iterator[WalkList]:
    """Every visitor's list, units in the order of the seed's tables, cadres in their units' order."""
    town = campaign.scope
    villages = {v.path: v.name for v in Region.objects.filter(path__startswith=town.path, level=Region.Level.VILLAGE)}
    depth = len(next(iter(villages), ""))
    assignments = Assignment.objects.filter(campaign=campaign)
    if unit is not None:
        assignments = assignments.filter(unit=unit)
    rows = (assignments.annotate(unit_rank=Case(*[When(unit__kind=k, then=Value(i)) for i, k in
                                                  enumerate(UNIT_KIND_ORDER)],
                                                default=Value(len(UNIT_KIND_ORDER)), output_field=IntegerField()))
            .order_by("unit_rank", "unit__sort_order", "unit__name", "unit_id", "cadre__sort_order", "cadre_id")
            .values_list("unit_id", "unit__name", "cadre_id", "cadre__name", "target_id", "target__kind",
                         "target__name", "target__address", "target__region__path", "target__region__name"))
    current: tuple[int, int | None] | None = None
    walk = WalkList("", "")
    for unit_id, unit_name, cadre_id, cadre_name, target_id, kind, name, address, path, region in (
            rows.iterator(chunk_size=5000)):
        if (unit_id, cadre_id) != current:
            if current is not None:
                yield _sorted(walk)
            current, walk = (unit_id, cadre_id), WalkList(unit_name, cadre_name or "")
        village = villages.get(path[:depth], "")
        group = region if len(path) > depth else ""
        walk.items.append(WalkItem(kind, name, village, group, address,
                                   (_KIND_RANK.get(kind, 9), path, address_key(address), target_id)))
    if current is not None:
        yield _sorted(walk)


def _sorted(walk: WalkList) -> WalkList:
    walk.items.sort(key=lambda i: i.sort_key)
    return walk


def add_walk_list_sheets(book: Workbook, campaign: Campaign, lists: Iterator[WalkList], *,
                         progress: Progress | None = None, total: int = 0) -> int:
    """A 走访名单 contents sheet linking to one sheet per visitor, each printable on its own; returns how many.

    In a streaming workbook each visitor's sheet is closed (written out) before the next is built, and the
    contents sheet is written a line at a time: one visitor's list in memory at once. `progress` is told
    the targets listed so far out of `total`."""
    streaming = isinstance(book, ExportWorkbook) and book.streaming
    index = new_sheet(book, "走访名单", _("%(campaign)s走访名单") % {"campaign": campaign.name}, CONTENTS_WIDTHS)
    contents: list[list[Any]] = [CONTENTS_COLUMNS]
    if streaming:
        boxed_rows(index, contents, left=CONTENTS_LEFT)
    links: list[str] = []
    listed = 0
    for number, walk in enumerate(lists, start=1):
        name = sheet_name(_("名单%(number)03d%(visitor)s") % {"number": number, "visitor": walk.visitor or walk.unit})
        counts = "，".join(f"{_label(k)}{n}" for k, n in walk.counts().items())
        line = [number, walk.unit, walk.visitor or "（本单位落实）", "、".join(walk.villages), counts, len(walk.items)]
        sheet = new_sheet(book, name, _("%(campaign)s走访名单") % {"campaign": campaign.name}, XLSX_WIDTHS, title_rows="1:3")
        heading = _("走访单位：%(unit)s　走访人：%(visitor)s　%(summary)s") % {
            "unit": walk.unit, "visitor": walk.visitor or _("由本单位落实到人"), "summary": walk.summary(),
        }
        # Wrapped within the table: a heading naming many villages ran on past it, and LibreOffice shrank the whole
        # list to fit it across the page.
        height = fitted_height([heading], [sum(XLSX_WIDTHS)])
        if streaming:
            sheet.append([heading], font=BOLD, alignment=LEFT, height=height)
        else:
            sheet.append([heading])
            sheet.cell(2, 1).font = BOLD
            sheet.cell(2, 1).alignment = LEFT
            sheet.row_dimensions[2].height = height
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(COLUMNS))
        boxed_rows(sheet, [COLUMNS, *walk.rows()], left=LEFT_COLUMNS)
        closing = [_("合计：%(total)s") % {"total": walk.total()}, *[None] * (len(COLUMNS) - 1)]
        boxed_rows(sheet, [closing], spans={0: len(COLUMNS)})  # bold and centred as a header, across the table
        listed += len(walk.items)
        report(progress, listed, total)
        if streaming:
            sheet.close()
            link = WriteOnlyCell(index, name)
            link.style = "Hyperlink"
            link.hyperlink = f"#'{name}'!A1"
            boxed_rows(index, [[*line, link]], header=0, left=CONTENTS_LEFT)
        else:
            contents.append([*line, name])
        links.append(name)
    if not streaming:
        boxed_rows(index, contents, left=CONTENTS_LEFT)
        for row, name in enumerate(links, start=3):
            cell = index.cell(row, len(contents[0]))
            cell.hyperlink = f"#'{name}'!A1"
            cell.style = "Hyperlink"
    return len(links)


CONTENTS_COLUMNS = ["序号", "走访单位", "走访人", "村（社区）", "走访对象", "合计", "名单工作表"]
CONTENTS_WIDTHS = [6, 20, 12, 24, 34, 8, 16]
CONTENTS_LEFT = (2, 4, 5)


def _walk_heading(document: DocxDocument, campaign: Campaign, walk: WalkList, *, new_page: bool) -> None:
    docx_heading(document, "", _("%(campaign)s走访名单") % {"campaign": campaign.name}, new_page=new_page)
    line = document.add_paragraph()
    line.add_run(xml_text(_("走访单位：%(unit)s　走访人：%(visitor)s") % {
        "unit": walk.unit, "visitor": walk.visitor or _("由本单位落实到人"),
    })).bold = True
    document.add_paragraph(xml_text(walk.summary()))


def _walk_closing(document: DocxDocument, walk: WalkList) -> None:
    """合计 under the table, as the workbook's last row says it: what the clerk counts the list by."""
    document.add_paragraph().add_run(xml_text(_("合计：%(total)s") % {"total": walk.total()})).bold = True


def add_walk_list_pages(document: DocxDocument, campaign: Campaign, lists: Iterator[WalkList], *,
                        first_page: bool = False) -> int:
    """One visitor per page (or run of pages), with the header repeated, then its 合计; returns how many lists were
    added."""
    added = 0
    for walk in lists:
        _walk_heading(document, campaign, walk, new_page=not (first_page and added == 0))
        docx_table(document, COLUMNS, walk.rows(), widths_cm=DOCX_WIDTHS_CM, left=LEFT_COLUMNS, font_pt=9)
        _walk_closing(document, walk)
        added += 1
    return added


def walk_list_xml(campaign: Campaign, lists: Iterator[WalkList], *, progress: Progress | None = None,
                  total: int = 0) -> Iterator[bytes]:
    """Every visitor's pages as body XML for `printing.stream_docx`: the heading lines of one list built in
    a small document, its table written a row at a time (docs/decisions/0006)."""
    listed = 0
    document = docx_document()  # one scratch document for every list's heading, emptied as it is written
    table = TableXml(document, COLUMNS, widths_cm=DOCX_WIDTHS_CM, left=LEFT_COLUMNS, font_pt=9)
    for walk in lists:
        _walk_heading(document, campaign, walk, new_page=True)
        yield from body_xml(document, clear=True)
        yield from table.xml(walk.rows())
        _walk_closing(document, walk)
        yield from body_xml(document, clear=True)
        listed += len(walk.items)
        report(progress, listed, total)


def assignments_count(campaign: Campaign, unit: Unit | None = None) -> int:
    """How many targets the lists hold: the `total` of their progress."""
    assignments = Assignment.objects.filter(campaign=campaign)
    return (assignments.filter(unit=unit) if unit is not None else assignments).count()


def write_unit_walk_lists(campaign: Campaign, unit: Unit, out: Any, fmt: str, *,
                          progress: Progress | None = None) -> int:
    """One unit's lists alone, as a workbook (a sheet per cadre) or pages: what the unit prints for its people."""
    total = assignments_count(campaign, unit)
    if fmt == "docx":
        document = docx_document()
        added = add_walk_list_pages(document, campaign, walk_lists(campaign, unit=unit), first_page=True)
        if not added:
            docx_heading(document, "", _("%(campaign)s走访名单") % {"campaign": campaign.name}, new_page=False)
            document.add_paragraph(xml_text(_("%(unit)s在本次走访中没有分配走访对象。") % {"unit": unit.name}))
        document.save(out)
        report(progress, total, total)
        return added
    book = ExportWorkbook(streaming=True)
    added = add_walk_list_sheets(book, campaign, walk_lists(campaign, unit=unit), progress=progress, total=total)
    book.save(out)
    report(progress, 1, 1)
    return added
