"""全覆盖 as tables (the xlsx, the API's `tables`) and as the rows behind a gap (the page, its xlsx, the API)."""

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from zoufang.core import paging, snapshot
from zoufang.oversight import fullcoverage as fc
from zoufang.oversight.access import Reach
from zoufang.oversight.drill import find
from zoufang.oversight.tables import Cell, PagedRows, Table, percent
from zoufang.regions.models import Region
from zoufang.registry.models import Target, Unit
from zoufang.registry.presenters import TargetPresenter

ROWS_SHOWN = 200  # on the rows page; its xlsx holds every row


def rows_url(campaign: Any, key: str, gap: str, *, region: Region | None = None, unit: Unit | None = None) -> str:
    params = {"requirement": key, "gap": gap}
    if region is not None:
        params["region"] = str(region.public_id)
    if unit is not None:
        params["unit"] = str(unit.public_id)
    return reverse("oversight:full_coverage_rows", args=[campaign.slug]) + "?" + urlencode(params)


def status(item: fc.Figure) -> str:
    if isinstance(item, fc.Requirement):
        return _("另行安排")
    return _("已全覆盖") if item.met else _("未全覆盖")


SUMMARY_HEADERS = ("全覆盖要求", "对象或范围", "应覆盖", "已落实", "未落实", "未落实到人", "已走访", "未走访", "走访完成率", "情况")


def summary_table(result: fc.FullCoverage) -> Table:
    """One row per requirement: for targets, 已落实 = assigned; for villages, 已落实 = linked (no visits)."""
    rows: list[list[Cell]] = []
    for item in result.items:
        if isinstance(item, fc.Requirement):
            rows.append([item.name, item.outside, None, None, None, None, None, None, None, status(item)])
        elif isinstance(item, fc.LinkFigure):
            rows.append([item.requirement.name, _("村（社区）"), len(item.villages), item.linked,
                         len(item.villages) - item.linked, None, None, None, None, status(item)])
        else:
            t = item.total
            rows.append([item.requirement.name, item.requirement.selection_text, t.targets, t.assigned,
                         t.unassigned if result.whole else None,
                         t.unnamed if item.requirement.named_cadre else None, t.visited, t.unvisited,
                         percent(t.percent), status(item)])
    return Table(key="full-coverage", title=_("全覆盖情况"), headers=[_(h) for h in SUMMARY_HEADERS], rows=rows,
                 numeric_from=2)


def _target_headers(item: fc.TargetFigure, first: str, *, unit: bool) -> list[str]:
    headers = [first, _("已分配")] if unit else [first, _("应覆盖"), _("已分配"), _("未分配")]
    if item.requirement.named_cadre:
        headers.append(_("未落实到人"))
    return [*headers, _("已走访"), _("未走访"), _("走访完成率")]


def _target_cells(item: fc.TargetFigure, row: fc.TargetRow, *, unit: bool) -> list[Cell]:
    cells: list[Cell] = [row.label, row.assigned] if unit else [row.label, row.targets, row.assigned, row.unassigned]
    if item.requirement.named_cadre:
        cells.append(row.unnamed)
    return [*cells, row.visited, row.unvisited, percent(row.percent)]


def village_table(item: fc.TargetFigure) -> Table:
    return Table(key=f"{item.requirement.key}-village", title=_("%(name)s：各村（社区）") % {"name": item.requirement.name},
                 headers=_target_headers(item, _("村（社区）"), unit=False),
                 rows=[_target_cells(item, row, unit=False) for row in item.villages],
                 total=_target_cells(item, item.total, unit=False))


def unit_table(item: fc.TargetFigure) -> Table:
    """Each unit's share, then 合计: the sum of the rows (a target is assigned once, to one unit)."""
    total = fc.summed(item.units, _("合计"))
    return Table(key=f"{item.requirement.key}-unit", title=_("%(name)s：各走访单位") % {"name": item.requirement.name},
                 headers=_target_headers(item, _("走访单位"), unit=True),
                 rows=[_target_cells(item, row, unit=True) for row in item.units],
                 total=_target_cells(item, total, unit=True) if item.units else None)


def links_table(item: fc.LinkFigure) -> Table:
    need = item.requirement.links
    rows: list[list[Cell]] = [
        [link.village.name, "、".join(link.leaders) or (_("无") if "town_leader" in need else ""),
         "、".join(link.units) or (_("无") if "unit" in need else ""),
         _("已挂钩") if all(item.has(link, what) for what in need) else _("未挂钩")]
        for link in item.villages]
    return Table(key=item.requirement.key, title=item.requirement.name,
                 headers=[_("村（社区）"), _("挂钩镇领导"), _("挂钩单位"), _("情况")], rows=rows, numeric_from=99)


def tables(result: fc.FullCoverage) -> list[Table]:
    """Every table of the 全覆盖 page, in its order: the summary, then each requirement's."""
    found = [summary_table(result)]
    for item in result.counted:
        if isinstance(item, fc.LinkFigure):
            found.append(links_table(item))
        else:
            if result.whole:
                found.append(village_table(item))
            found.append(unit_table(item))
    return found


# -- the rows behind a gap ------------------------------------------------------------------------------------------

def gap_asked(reach: Reach, params: Any) -> dict[str, Any]:
    """The requirement, gap, village and unit a rows page or its API asks for; Http404 for anything outside the
    campaign's requirements or the reader's reach."""
    item = fc.requirement(reach.campaign, params.get("requirement") or "")
    gap = params.get("gap") or ""
    if item is None or item.way == fc.OUTSIDE or gap not in fc.GAPS:
        raise Http404
    if (gap == "unlinked") != (item.way == fc.VILLAGES) or (gap == "unlinked" and not reach.whole):
        raise Http404
    region = find(Region, params.get("region")) if params.get("region") else None
    unit = find(Unit, params.get("unit")) if params.get("unit") else None
    if params.get("region") and (region is None or not region.path.startswith(reach.campaign.scope.path)):
        raise Http404
    if params.get("unit") and (unit is None or not reach.may_read_unit(unit)):
        raise Http404
    return {"item": item, "gap": gap, "region": region, "unit": unit}



GAP_PARAMS = ("requirement", "gap", "region", "unit")  # what names a gap's rows (pages, API, the download job)
PAGE_ROWS = 2000  # rows a download reads and masks at a time


def gap_download(reach: Reach, item: fc.Requirement, gap: str, user: Any, *, region: Region | None = None,
                 unit: Unit | None = None) -> Table:
    """Every row behind a gap for the xlsx, read from one statement (a server-side cursor) PAGE_ROWS at a time
    (tables.PagedRows), each page masked and its full numbers audited as the page is: a town's unvisited
    households are not held in memory at once. Counted and read inside `snapshot.held()` (the job), the file is
    the gap at one moment: a target visited while it is written neither drops the row after it nor repeats one."""
    title = gap_title(item, gap, region, unit)
    if item.way == fc.VILLAGES:
        return gap_rows(reach, item, gap, user)[0]
    rows = fc.gap_targets(reach, item, gap, region=region, unit=unit)

    def page(start: int, size: int) -> list[list[Cell]]:
        return list(target_table(reach, list(rows[start:start + size]), user, title).rows)

    def pages() -> Iterator[list[list[Cell]]]:
        read = rows.iterator(chunk_size=PAGE_ROWS)
        while shown := list(islice(read, PAGE_ROWS)):
            yield list(target_table(reach, shown, user, title).rows)

    table = target_table(reach, [], user, title)
    table.rows = PagedRows(rows.count(), page, PAGE_ROWS, pages)
    return table


def gap_title(item: fc.Requirement, gap: str, region: Region | None, unit: Unit | None) -> str:
    parts = [part for part in (region.name if region else "", unit.name if unit else "") if part]
    return "·".join([*parts, item.name, str(fc.GAPS[gap])])


def gap_rows(reach: Reach, item: fc.Requirement, gap: str, user: Any, *, region: Region | None = None,
             unit: Unit | None = None, offset: int = 0, limit: int = ROWS_SHOWN) -> tuple[Table, int]:
    """The rows behind a gap (at most `limit` from `offset`) and how many in all (counted up to paging.COUNT_CAP + 1):
    villages not linked, or targets with their village, address, phone (masked unless the role may see it; a full
    number shown is audited) and who holds them."""
    title = gap_title(item, gap, region, unit)
    if item.way == fc.VILLAGES:
        figure = fc.LinkFigure(item, fc.village_links(reach.campaign))
        table = links_table(figure)
        table.rows = [row for row in table.rows if row[-1] == _("未挂钩")]
        table.title, table.key = title, "unlinked"
        return table, len(table.rows)
    rows: QuerySet[Target] = fc.gap_targets(reach, item, gap, region=region, unit=unit)
    shown = list(rows[offset:offset + limit])
    count = offset + len(shown) if len(shown) < limit else paging.bounded_count(rows, paging.COUNT_CAP + 1)
    return target_table(reach, shown, user, title), count


def target_table(reach: Reach, shown: list[Target], user: Any, title: str) -> Table:
    presenter = TargetPresenter(user)
    with snapshot.writes():  # the audit row is kept as it is written, not with a download's read transaction
        presenter.record_list_read(shown, summary=_("督查：全覆盖明细"))
    held = fc.holders(reach.campaign, shown)
    villages = Region.objects.filter(
        pk__in={int(part) for t in shown for part in t.region.path.split(".") if part},
        level=Region.Level.VILLAGE).in_bulk()

    def village(target: Target) -> str:
        return next((villages[int(p)].name for p in target.region.path.split(".") if p and int(p) in villages), "")

    rows: list[list[Cell]] = []
    for target in shown:
        assignment = held.get(target.pk)
        rows.append([
            str(target.get_kind_display()), target.name, village(target), target.address, presenter.phone(target),
            assignment.unit.name if assignment else _("未分配"),
            (assignment.cadre.name if assignment.cadre else _("未落实到人")) if assignment else "",
        ])
    headers = [_("对象类型"), _("姓名（名称）"), _("村（社区）"), _("地址"), _("联系电话"), _("走访单位"), _("走访人")]
    return Table(key="full-coverage-rows", title=title, headers=headers, rows=rows, numeric_from=99)


def towns_table(towns: list[tuple[str, fc.FullCoverage]]) -> Table:
    """The city page's 各镇全覆盖: each town's campaigns' requirements, one row each (the summary's rows with the
    town first), each linked to that campaign's 全覆盖 page."""
    rows: list[list[Cell]] = []
    links: list[str | None] = []
    for town, result in towns:
        link = reverse("oversight:full_coverage", args=[result.campaign.slug])
        for row in summary_table(result).rows:
            rows.append([town, *row])
            links.append(link)
    return Table(key="full-coverage-town", title=_("各镇全覆盖情况"), headers=[_("镇"), *[_(h) for h in SUMMARY_HEADERS]],
                 rows=rows, links=links, numeric_from=3)
