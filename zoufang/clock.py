"""The product's notion of today: the real date, or the day pinned by ZOUFANG_TODAY."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def today() -> dt.date:
    pinned = settings.ZOUFANG_TODAY
    if not pinned:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(pinned)
    except ValueError:
        raise ImproperlyConfigured(f"ZOUFANG_TODAY must be a date like 2017-06-15, not {pinned!r}") from None


def now() -> dt.datetime:
    """The current moment, shifted onto the pinned day when one is set."""
    current = timezone.localtime()
    if not settings.ZOUFANG_TODAY:
        return current
    return timezone.make_aware(dt.datetime.combine(today(), current.time().replace(tzinfo=None)))


def local(moment: dt.datetime) -> dt.datetime:
    """A stored moment as Beijing wall-clock time (settings.TIME_ZONE) without tzinfo.

    What a page, an xlsx cell or a docx line shows: every datetime written for a user goes through here
    (templates go through Django's own localtime). A moment's UTC date or hour is never shown.
    """
    return timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)


def minute(moment: dt.datetime) -> str:
    """“2017-06-14 23:46”: a moment in Beijing time, to the minute, as the ledgers and exports print it."""
    return f"{local(moment):%Y-%m-%d %H:%M}"
