"""Working days on China's official calendar: holidays and adjusted weekend workdays.

Sources, in order: the office's overrides (DayOverride), then chinesecalendar's published
schedules, then — for a year neither knows — weekends only, reported as a fallback so every
caller can warn that the deadline may move once the official schedule is imported.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import chinese_calendar
from django.db import connection
from django.utils.translation import gettext as _

from zoufang.core.rawrows import prepared_rows
from zoufang.workdays.models import DayOverride, OfficialYear


@dataclass
class WorkdayResult:
    date: dt.date
    fallback_years: set[int] = field(default_factory=set)

    @property
    def used_fallback(self) -> bool:
        return bool(self.fallback_years)

    def warning(self) -> str:
        if not self.fallback_years:
            return ""
        years = "、".join(str(y) for y in sorted(self.fallback_years))
        return _(
            "警告：尚未掌握 %(years)s 年的法定节假日安排，已按仅周末休息计算；"
            "请用 `zoufang workdays import` 导入国务院办公厅公布的放假安排。"
        ) % {"years": years}


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class Calendar:
    """The calendar over some years, loaded once: counting 2 working days costs one query, not ten."""

    def __init__(self, years: Iterable[int]) -> None:
        self.years = set(years)
        self.overrides, official = _office_entries(self.years)
        self.from_package = {y for y in self.years if y not in official and package_knows(y)}
        self.unknown = {y for y in self.years if y not in official and y not in self.from_package}
        self.fallback_years: set[int] = set()

    @classmethod
    def around(cls, start: dt.date, days: int) -> "Calendar":
        # n working days always fit in 2n + 30 calendar days, Spring Festival week included.
        reach = dt.timedelta(days=abs(days) * 2 + 30)
        end = start + reach if days >= 0 else start - reach
        return cls(range(min(start, end).year, max(start, end).year + 1))

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise ValueError(f"calendar loaded for {sorted(self.years)}, asked about {day}")
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.from_package:
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.unknown:
            self.fallback_years.add(day.year)
        return day.weekday() < 5


def _office_entries(years: set[int]) -> tuple[dict[dt.date, bool], set[int]]:
    """The office's overrides of the years' days and which of the years were imported: one statement (every
    submission's deadline asks), over the date range, so the date index serves it."""
    if not years:
        return {}, set()
    quote = connection.ops.quote_name
    day_table, year_table = quote(DayOverride._meta.db_table), quote(OfficialYear._meta.db_table)
    marks = ", ".join(["%s"] * len(years))
    rows = prepared_rows(  # every submission's deadline asks: planned once per connection (decision 0013)
        connection,
        f"SELECT {quote('date')}, is_workday, NULL FROM {day_table} WHERE {quote('date')} >= %s AND "  # noqa: S608
        f"{quote('date')} < %s UNION ALL SELECT NULL, NULL, {quote('year')} FROM {year_table} "
        f"WHERE {quote('year')} IN ({marks})",
        [dt.date(min(years), 1, 1), dt.date(max(years) + 1, 1, 1), *sorted(years)])
    found: dict[dt.date, bool] = {}
    for day, is_workday, year in rows:
        if year is None:
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)  # SQLite answers text
            if day.year in years:
                found[day] = bool(is_workday)
    return found, {int(year) for _day, _working, year in rows if year is not None}


def add_working_days(start: dt.date, days: int) -> WorkdayResult:
    """The date `days` working days after `start` (counting from the next day); negative counts back."""
    calendar = Calendar.around(start, days)
    step = dt.timedelta(days=1 if days >= 0 else -1)
    current, remaining = start, abs(days)
    while remaining:
        current += step
        if calendar.is_workday(current):
            remaining -= 1
    return WorkdayResult(current, set(calendar.fallback_years))


@dataclass
class WorkdayCount:
    days: int
    fallback_years: set[int] = field(default_factory=set)


def working_days_between(start: dt.date, end: dt.date) -> WorkdayCount:
    """Working days after `start` up to and including `end`; 0 when `end` is not after `start`."""
    if end <= start:
        return WorkdayCount(0)
    calendar = Calendar(range(start.year, end.year + 1))
    days = sum(1 for n in range(1, (end - start).days + 1) if calendar.is_workday(start + dt.timedelta(days=n)))
    return WorkdayCount(days, set(calendar.fallback_years))
