"""Loading the official holiday schedule of a year: all rows or none."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core.table_reading import SheetReading, Table, read_table
from zoufang.core.tabular import DATE_FORMS, Column, RowError, TabularError, as_found, parse_date, read_sheet
from zoufang.workdays.models import DayOverride, OfficialYear

DATE_HEADER = "日期"
TYPE_HEADER = "类型"
NAME_HEADER = "说明"
NAME_LENGTH = 100  # DayOverride.name
REST_WORDS = {"休息", "放假", "休息日", "节假日", "假日"}
WORK_WORDS = {"上班", "工作日", "调休上班", "补班"}


@dataclass
class ScheduleReport:
    years: list[int] = field(default_factory=list)
    days: int = 0
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # columns ignored, 合计 and note lines left out

    @property
    def ok(self) -> bool:
        return not self.errors


COLUMNS = (
    Column(DATE_HEADER, True, aliases=("放假日期", "调休日期")),
    Column(TYPE_HEADER, True, aliases=("类别", "安排", "放假或上班")),
    Column(NAME_HEADER, False, aliases=("节日", "节假日名称", "名称")),
)


def import_schedule(source: Path | IO[bytes], *, filename: str | None = None, by: Any = None) -> ScheduleReport:
    """A file of 日期 / 类型 (放假 or 上班) / 说明 rows: every day that differs from a plain week.

    Read as every import reads a sheet (core.table_reading.read_table): a title over the header, columns in any
    order, hidden rows and unreadable cells refused. Importing a year replaces that year's entries and marks it
    official, so the weekends-only fallback stops for it.
    """
    report = ScheduleReport()
    ctx = SheetReading()
    try:
        ctx.sheet = read_sheet(source, filename)
    except TabularError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    table = read_table(ctx, ctx.sheet.rows, COLUMNS)
    entries: dict[dt.date, tuple[bool, str, int]] = {}
    if table is not None:
        _read_entries(ctx, table, entries)
    report.errors = sorted(ctx.errors, key=lambda error: error.row or 0)  # file-wide first, then by row
    report.notes = ctx.notes
    if table is None:
        return report
    if not entries and not report.errors:
        report.errors.append(RowError(None, "", _("文件中没有任何日期")))
    if report.errors:
        return report
    years = sorted({day.year for day in entries})
    with transaction.atomic():
        DayOverride.objects.filter(date__year__in=years).delete()
        DayOverride.objects.bulk_create(
            DayOverride(date=day, is_workday=working, name=name) for day, (working, name, _row) in entries.items()
        )
        for year in years:
            OfficialYear.objects.update_or_create(year=year, defaults={"source": filename or str(source)})
        audit.record(
            by, AuditEvent.Action.IMPORT, object_type="workdays.schedule",
            summary=_("导入放假安排：%(map)s年，共%(n_entries)s天") % {
                "map": '、'.join(map(str, years)), "n_entries": len(entries),
            },
        )
    report.years, report.days = years, len(entries)
    return report


def _read_entries(ctx: SheetReading, table: Table, entries: dict[dt.date, tuple[bool, str, int]]) -> None:
    """Each row's day, whether it is worked and its name; each bad cell an error on `ctx`."""
    for row in table.rows:
        day = parse_date(table.value(row, DATE_HEADER))
        kind = table.value(row, TYPE_HEADER)
        if day is None:
            ctx.error(row.number, DATE_HEADER, _("日期应写成 %(forms)s，或 Excel 日期格式") % {"forms": DATE_FORMS}
                      + as_found(table.value(row, DATE_HEADER)))
        elif kind not in REST_WORDS | WORK_WORDS:
            ctx.error(row.number, TYPE_HEADER, _("类型应为“放假”或“上班”") + as_found(kind))
        elif day in entries:
            ctx.error(row.number, DATE_HEADER, _("与第%(row)d行日期重复") % {"row": entries[day][2]})
        else:
            entries[day] = (kind in WORK_WORDS, table.value(row, NAME_HEADER), row.number)
        if len(name := table.value(row, NAME_HEADER)) > NAME_LENGTH:  # refused, never cut to fit
            ctx.error(row.number, NAME_HEADER, _("不能超过%(n)d个字，表中为%(length)d个字") % {
                "n": NAME_LENGTH, "length": len(name)})


def set_day(day: dt.date, *, is_workday: bool, name: str = "", by: Any = None) -> DayOverride:
    """One office override (a local adjustment, or a correction to the published schedule)."""
    with transaction.atomic():
        override, _created = DayOverride.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "name": name}
        )
        audit.record(by, AuditEvent.Action.UPDATE, override, summary=str(override))
    return override
