"""Working days on China's official calendar: holidays and adjusted weekend workdays.

Sources, in order: the office's overrides (DayOverride), then chinesecalendar's published
schedules, then — for a year neither knows — weekends only, reported as a fallback so every
caller can warn that the deadline may move once the official schedule is imported.
"""

import datetime as dt
import functools
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
    return package_workdays(year) is not None


@functools.cache
def package_workdays(year: int) -> frozenset[dt.date] | None:
    """The year's working days by chinesecalendar's published schedule (None for a year it does not know), read
    once a process: the package checks a day's year against its whole table on each call, which was a fifth of a
    page crawl's CPU where a list of cases counts working days to deadlines (decision 0070)."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return None
    first = dt.date(year, 1, 1)
    days = (first + dt.timedelta(days=n) for n in range((dt.date(year + 1, 1, 1) - first).days))
    return frozenset(day for day in days if chinese_calendar.is_workday(day))


@functools.cache
def _package_totals(year: int) -> list[int]:
    """The package's working days among the year's first n days, n = 0 … its length (a year it knows)."""
    workdays, first, running = package_workdays(year) or frozenset(), dt.date(year, 1, 1), [0]
    for n in range((dt.date(year + 1, 1, 1) - first).days):
        running.append(running[-1] + (first + dt.timedelta(days=n) in workdays))
    return running


class Calendar:
    """The calendar over some years, loaded once: counting 2 working days costs one query, not ten."""

    def __init__(self, years: Iterable[int]) -> None:
        self.years = set(years)
        self.overrides, official = _office_entries(self.years)
        self.package = {y: days for y in self.years if y not in official and (days := package_workdays(y)) is not None}
        self.from_package = set(self.package)
        self.unknown = {y for y in self.years if y not in official and y not in self.from_package}
        self.fallback_years: set[int] = set()
        self._running: dict[int, list[int]] = {}  # year → working days among its first n days, n = 0 … its length

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
        if day.year in self.package:
            return day in self.package[day.year]
        if day.year in self.unknown:
            self.fallback_years.add(day.year)
        return day.weekday() < 5

    def count(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; 0 when `end` is not after `start`. From each
        year's running totals, built once a calendar: a span of years costs what a span of days did (decision 0070)."""
        if end <= start:
            return 0
        if (end - start).days <= 31:  # a short span: cheaper day by day than a year's totals
            return sum(self.is_workday(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))
        self.fallback_years |= self.unknown & set(range((start + dt.timedelta(days=1)).year, end.year + 1))
        return self._up_to(end) - self._up_to(start)

    def _up_to(self, day: dt.date) -> int:
        """Working days from 1 January of the first year loaded up to and including `day`."""
        if day.year not in self.years:
            raise ValueError(f"calendar loaded for {sorted(self.years)}, asked about {day}")
        earlier = sum(self._totals(year)[-1] for year in self.years if year < day.year)
        return earlier + self._totals(day.year)[day.timetuple().tm_yday]

    def _totals(self, year: int) -> list[int]:
        if year not in self._running and year in self.package and all(day.year != year for day in self.overrides):
            self._running[year] = _package_totals(year)  # the package's year as published: the same every calendar
        if year not in self._running:
            marked = set(self.fallback_years)  # a count marks the years it crosses, not every year it reads
            first, running = dt.date(year, 1, 1), [0]
            for n in range((dt.date(year + 1, 1, 1) - first).days):
                running.append(running[-1] + self.is_workday(first + dt.timedelta(days=n)))
            self.fallback_years, self._running[year] = marked, running
        return self._running[year]


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
    return WorkdayCount(calendar.count(start, end), set(calendar.fallback_years))
