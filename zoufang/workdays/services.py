"""Loading the official holiday schedule of a year: all rows or none."""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent
from zoufang.core.tabular import DATE_FORMS, RowError, TabularError, parse_date, read_rows
from zoufang.workdays.models import DayOverride, OfficialYear

DATE_HEADER = "日期"
TYPE_HEADER = "类型"
NAME_HEADER = "说明"
REST_WORDS = {"休息", "放假", "休息日", "节假日", "假日"}
WORK_WORDS = {"上班", "工作日", "调休上班", "补班"}


@dataclass
class ScheduleReport:
    years: list[int] = field(default_factory=list)
    days: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def import_schedule(source: Path | IO[bytes], *, filename: str | None = None, by: Any = None) -> ScheduleReport:
    """A file of 日期 / 类型 (放假 or 上班) / 说明 rows: every day that differs from a plain week.

    Importing a year replaces that year's entries and marks it official, so the weekends-only
    fallback stops for it.
    """
    report = ScheduleReport()
    try:
        rows = read_rows(source, filename)
    except TabularError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    if not rows:
        report.errors.append(RowError(None, "", _("文件是空的")))
        return report
    header = [cell.strip() for cell in rows[0].cells]
    missing = [h for h in (DATE_HEADER, TYPE_HEADER) if h not in header]
    if missing:
        report.errors.append(RowError(rows[0].number, "、".join(missing), _("缺少必填列")))
        return report
    at = {name: header.index(name) for name in header}
    entries: dict[dt.date, tuple[bool, str, int]] = {}
    for row in rows[1:]:
        if not any(row.cells):
            continue
        day = parse_date(row.cell(at[DATE_HEADER]))
        kind = row.cell(at[TYPE_HEADER])
        if day is None:
            report.errors.append(RowError(row.number, DATE_HEADER, _("日期应写成 %(forms)s，或 Excel 日期格式") % {"forms": DATE_FORMS}))
            continue
        if kind not in REST_WORDS | WORK_WORDS:
            report.errors.append(RowError(row.number, TYPE_HEADER, _("类型应为“放假”或“上班”")))
            continue
        if day in entries:
            report.errors.append(
                RowError(row.number, DATE_HEADER, _("与第%(row)d行日期重复") % {"row": entries[day][2]})
            )
            continue
        name = row.cell(at.get(NAME_HEADER))
        entries[day] = (kind in WORK_WORDS, name, row.number)
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


def set_day(day: dt.date, *, is_workday: bool, name: str = "", by: Any = None) -> DayOverride:
    """One office override (a local adjustment, or a correction to the published schedule)."""
    with transaction.atomic():
        override, _created = DayOverride.objects.update_or_create(
            date=day, defaults={"is_workday": is_workday, "name": name}
        )
        audit.record(by, AuditEvent.Action.UPDATE, override, summary=str(override))
    return override
