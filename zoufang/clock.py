"""The product's notion of today: the real date, or the day pinned by ZOUFANG_TODAY.

One clock: every moment the product records (a visit's or a case's created/modified time, an audit row, an
import's stamp) comes from `now()`, so with a pinned day a visit recorded now is stamped on that day, at the
real time of day. Model fields get it through `RecordedAtField` (auto_now / auto_now_add) in core.models.
Security clocks stay real: API-token and session expiry, password age, login lockouts and upload staging
compare against the machine's time, because pinning a day must not make a token or a password live forever; so
does the job queue (heartbeats, a file's expiry), whose moments a page shows through `from_machine` (decision 0040).
`frozen(moment)` pins the whole moment for a block (the demo records each visit as on its own evening).
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.translation import gettext as _

_FROZEN: ContextVar[dt.datetime | None] = ContextVar("zoufang_clock_frozen", default=None)
# Added to the real time of day on a pinned day: none in the product. The suite's conftest sets it so that every
# pinned day's clock starts at a hard hour (00:30, when a fixed hour of that day is still to come and the UTC date is
# the day before), whatever the hour the machine runs the suite at (decision 0072).
PINNED_TIME_SHIFT = dt.timedelta(0)


@contextmanager
def frozen(moment: dt.datetime) -> Iterator[None]:
    """Within the block, `now()` is `moment` and `today()` its Beijing date (an aware datetime)."""
    token = _FROZEN.set(moment)
    try:
        yield
    finally:
        _FROZEN.reset(token)


def today() -> dt.date:
    moment = _FROZEN.get()
    if moment is not None:
        return timezone.localdate(moment)
    pinned = settings.ZOUFANG_TODAY
    if not pinned:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise ImproperlyConfigured(f"ZOUFANG_TODAY must be a date like 2017-06-15, not {pinned!r}") from None


def now() -> dt.datetime:
    """The current moment, shifted onto the pinned day when one is set."""
    moment = _FROZEN.get()
    if moment is not None:
        return moment
    current = timezone.localtime()
    if not settings.ZOUFANG_TODAY:
        return current
    return timezone.make_aware(dt.datetime.combine(today(), (current + PINNED_TIME_SHIFT).time()))


def from_machine(moment: dt.datetime) -> dt.datetime:
    """A moment the machine's clock stamped (a job asked for, a file's expiry) as the product's calendar reads it:
    moved by as many days as the pinned day lies from the real one (unmoved on the real day), so a page does not
    print the machine's year beside the pinned one. Stored and compared, it stays the machine's."""
    pinned = _FROZEN.get()
    if pinned is not None:
        return moment + (pinned - timezone.now())
    return moment + dt.timedelta(days=(today() - timezone.localdate()).days)


def machine_moment(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment the machine's clock stamped (a job's, an API token's), or none, on the product's calendar
    (`from_machine`): what a page writes with `|minute` and the API answers."""
    return from_machine(moment) if moment is not None else None


def machine_minute(moment: dt.datetime | None) -> str:
    """A machine's moment as a line of text says it (`restore`'s): on the product's calendar, to the minute (`minute`);
    "" for none."""
    shown = machine_moment(moment)
    return minute(shown) if shown is not None else ""


def local(moment: dt.datetime) -> dt.datetime:
    """A stored moment as Beijing wall-clock time (settings.TIME_ZONE) without tzinfo.

    What a page, an xlsx cell or a docx line shows: every datetime written for a user goes through here
    (templates go through Django's own localtime). A moment's UTC date or hour is never shown.
    """
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def minute(moment: dt.datetime, *, short: bool = False) -> str:
    """“2017年6月14日 23:46”: a moment in Beijing time, to the minute, its day said as `day` says it, for every
    title, cell and line a person reads; `short` (a table of many rows) drops the year of this year (decision 0045)."""
    shown = local(moment)
    return f"{day(shown.date(), short=short)} {shown:%H:%M}"


def second(moment: dt.datetime, *, short: bool = False) -> str:
    """“2017年6月14日 23:46:05”: as `minute`, to the second, where the order of moments matters (an audit trail)."""
    shown = local(moment)
    return f"{day(shown.date(), short=short)} {shown:%H:%M:%S}"


def time_of_day(moment: dt.datetime) -> str:
    """“23:46”: a moment's Beijing time of day, where its day is said beside it or is today."""
    return f"{local(moment):%H:%M}"


def month(value: dt.date) -> str:
    """“2017年3月”: the month of a day, as `day` says a day."""
    return _("%(year)s年%(month)s月") % {"year": value.year, "month": value.month}


def day(value: dt.date, *, short: bool = False) -> str:
    """“2017年6月15日”: a day as every title, sentence and printed cell says it to people (GB/T 9704: Arabic
    numerals, no leading zeros). A spreadsheet cell keeps the date itself, shown so (sheetwriter.DAY_FORMAT).
    `short`: a day of the product's current year as `month_day` says it, where a table of many rows is short of
    room (decision 0045); another year's day keeps its year. A moment says its Beijing day."""
    if isinstance(value, dt.datetime):
        value = local(value).date()
    if short and value.year == today().year:
        return month_day(value)
    return _("%(year)s年%(month)s月%(day)s日") % {"year": value.year, "month": value.month, "day": value.day}


def month_day(value: dt.date) -> str:
    """“6月15日”: a day without its year, where the year is said beside it (a range's end, a checkpoint this year)."""
    return _("%(month)s月%(day)s日") % {"month": value.month, "day": value.day}


def period_end(start: dt.date, end: dt.date) -> str:
    """The end of a span of days as said after its start (2017年6月5日—“6月11日”): its year only where it differs."""
    return month_day(end) if end.year == start.year else day(end)


def span(start: dt.date, end: dt.date) -> str:
    """“2017年6月1日至6月30日”: a span of days in a title (a file's, a job's), its end as `period_end` says it."""
    return _("%(start)s至%(end)s") % {"start": day(start), "end": period_end(start, end)}
