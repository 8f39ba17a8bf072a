"""走访台账 as xlsx, per cadre and per unit (seed 002 §五1), with the 民情走访日记 on a second sheet."""

from io import BytesIO
from typing import Any

from django.db.models import Count
from openpyxl.styles import Alignment, Font

from zoufang import clock
from zoufang.campaigns.models import Campaign
from zoufang.cases.models import Case
from zoufang.core.progress import Progress, report
from zoufang.core.tabular import ExportWorkbook
from zoufang.planning.models import Assignment
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit
from zoufang.registry.presenters import TargetPresenter
from zoufang.visits.models import DiaryEntry, Visit

COLUMNS = ["序号", "走访时间", "走访方式", "村（社区）", "村（居）民小组", "网格", "走访对象", "对象类型", "地址", "联系电话", "走访人",
           "单位", "同行人员", "走访情况", "问题意见（条）", "当场解决", "登记期限", "逾期登记"]
WIDTHS = [6, 17, 10, 14, 12, 10, 22, 10, 24, 14, 10, 14, 12, 40, 8, 8, 12, 8]


def cadre_campaigns(cadre: Cadre) -> list[Campaign]:
    """The campaigns that assign targets to the cadre, latest first."""
    ids = Assignment.objects.filter(cadre=cadre).values_list("campaign_id", flat=True).distinct()
    return list(Campaign.objects.filter(pk__in=ids).order_by("-starts_on"))


def unit_visits(unit: Unit) -> Any:
    return (Visit.objects.filter(cadre__unit=unit).select_related("target__region", "cadre__unit", "campaign")
            .order_by("cadre__name", "visited_at"))


def _regions_by_id(visits: list[Visit]) -> dict[int, Region]:
    ids = {int(part) for v in visits for part in v.target.region.path.split(".") if part}
    return Region.objects.in_bulk(ids)


PLACE_LEVELS = (Region.Level.VILLAGE, Region.Level.GROUP, Region.Level.GRID)


def _place(visit: Visit, regions: dict[int, Region]) -> list[str]:
    """The target's 村（社区）, 村（居）民小组 and 网格, each in its own column ("" where the target has none)."""
    names = dict.fromkeys(PLACE_LEVELS, "")
    for part in visit.target.region.path.split("."):
        region = regions.get(int(part)) if part else None
        if region is not None and region.level in names:
            names[Region.Level(region.level)] = region.name
    return list(names.values())


def ledger_workbook(title: str, visits: list[Visit], user: Any, progress: Progress | None = None) -> bytes:
    report(progress, 0, len(visits))
    presenter = TargetPresenter(user)
    presenter.record_list_read({v.target for v in visits}, summary="走访台账导出完整电话")
    regions = _regions_by_id(visits)
    opinions = {
        row["source_visit"]: row["n"]
        for row in Case.objects.filter(source_visit__in=visits).values("source_visit").annotate(n=Count("id"))
    }
    workbook = ExportWorkbook()
    sheet = workbook.active
    sheet.title = "走访台账"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for number, visit in enumerate(visits, start=1):
        target = visit.target
        sheet.append([
            number, clock.minute(visit.visited_at), visit.get_mode_display(), *_place(visit, regions), target.name,
            target.get_kind_display(), target.address, presenter.phone(target), visit.cadre.name,
            visit.cadre.unit.name, presenter.masker.text(visit.co_visitors, visit),
            presenter.masker.text(visit.summary, visit), opinions.get(visit.pk, 0),
            "是" if visit.settled_on_spot else "", visit.registration_due, "逾期" if visit.recorded_late else "",
        ])
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    cadre_ids = {v.cadre_id for v in visits}
    diary = workbook.create_sheet("民情走访日记")
    diary.append(["日期", "走访干部", "内容"])
    for entry in DiaryEntry.objects.filter(cadre_id__in=cadre_ids).select_related("cadre").order_by("entry_date"):
        diary.append([entry.entry_date, entry.cadre.name, presenter.masker.text(entry.text, entry)])
    diary.column_dimensions["C"].width = 80
    buffer = BytesIO()
    workbook.save(buffer)
    report(progress, len(visits), len(visits))
    return buffer.getvalue()
