"""The calendar periods a pace rule counts in (`pace.every`): weeks (Monday to Sunday), two weeks, months,
quarters. A period is counted from the one that holds the rule's start, a first part-period included, and has
ended on its last day. The campaign checks and the oversight figures both count with these."""

import calendar
import datetime as dt
import functools

from django.utils.translation import gettext_noop

# The periods a share per period may be stated for, as the format writes them and as a sentence says them.
PACE_PERIODS = {
    "week": gettext_noop("每周"),
    "two_weeks": gettext_noop("每两周"),
    "month": gettext_noop("每月"),
    "quarter": gettext_noop("每季度"),
}
# The period as a noun (“一个完整的季度”) and counted (“6 个月”, “21 周”).
PERIOD_NOUNS = {
    "week": gettext_noop("周"),
    "two_weeks": gettext_noop("两周"),
    "month": gettext_noop("月"),
    "quarter": gettext_noop("季度"),
}
PERIOD_COUNTED = {
    "week": gettext_noop("%(n)s 周"),
    "two_weeks": gettext_noop("%(n)s 个两周"),
    "month": gettext_noop("%(n)s 个月"),
    "quarter": gettext_noop("%(n)s 个季度"),
}


@functools.lru_cache(maxsize=512)  # pure, and asked once per row of a table of thousands
def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _index(every: str, start: dt.date, day: dt.date) -> int:
    """The number of `day`'s period on a count where `start`'s period is 0 (negative before it)."""
    if every == "month":
        return (day.year - start.year) * 12 + day.month - start.month
    if every == "quarter":
        return (day.year - start.year) * 4 + (day.month - 1) // 3 - (start.month - 1) // 3
    if every == "week":
        return (_monday(day) - _monday(start)).days // 7
    if every == "two_weeks":  # fortnights from the Monday of the start's week
        return (day - _monday(start)).days // 14
    raise ValueError(every)


def period_end(every: str, start: dt.date, day: dt.date) -> dt.date:
    """The last day of the period that holds `day`, on the count that begins with `start`'s period."""
    if every == "month":
        return month_end(day)
    if every == "quarter":
        return month_end(day.replace(month=(day.month - 1) // 3 * 3 + 3, day=1))
    if every == "week":
        return _monday(day) + dt.timedelta(days=6)
    if every == "two_weeks":
        return _monday(start) + dt.timedelta(days=14 * (_index(every, start, day) + 1) - 1)
    raise ValueError(every)


@functools.lru_cache(maxsize=2048)
def periods_ended(every: str, start: dt.date, day: dt.date) -> int:
    """Periods from `start`'s whose last day is on or before `day` (seed 000: the months from May ended by D)."""
    if day < start:
        return 0
    return _index(every, start, day) + (1 if day == period_end(every, start, day) else 0)


def period_start(every: str, start: dt.date, day: dt.date) -> dt.date:
    """The first day of the period that holds `day` (the rule's start, for its first part-period)."""
    previous = {"week": 7, "two_weeks": 14}
    if every in previous:
        first = period_end(every, start, day) - dt.timedelta(days=previous[every] - 1)
    else:
        first = day.replace(month=(day.month - 1) // 3 * 3 + 1 if every == "quarter" else day.month, day=1)
    return max(first, start) if day >= start else first
