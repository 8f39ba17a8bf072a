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
