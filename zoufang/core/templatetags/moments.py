"""How a page writes a day or a moment (decision 0045): `clock` says it, in a <time> whose datetime stays ISO.

`{{ visit.visited_at|minute }}` → <time datetime="2017-06-14T23:46:05+08:00">2017年6月14日 23:46</time>;
`|day`, `|second`, `|month` alike. `|minute:"short"` (and day's, second's) is for a table of many rows: a moment of
the product's current year without its year (the datetime keeps it). None or "" writes nothing (so
`|default:"—"` follows); text (a paused deadline's words) is written as it is.
"""

import datetime as dt
from collections.abc import Callable

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from zoufang import clock

register = template.Library()

Value = dt.date | str | None


def _written(iso: str, text: str) -> SafeString:
    return format_html('<time datetime="{}">{}</time>', iso, text)


def _other(value: Value) -> SafeString | None:
    """What is not a date is written as it is: "" for none, text escaped."""
    if value is None or value == "":
        return SafeString("")
    if not isinstance(value, dt.date):
        return conditional_escape(value)
    return None


def _short(form: str) -> bool:
    if form not in ("", "short"):
        raise template.TemplateSyntaxError(f'a moment is written whole or "short", not {form!r}')
    return form == "short"


@register.filter
def day(value: Value, form: str = "") -> SafeString:
    """A day (a moment's Beijing day) as `clock.day` says it."""
    if (other := _other(value)) is not None:
        return other
    assert isinstance(value, dt.date)  # noqa: S101 - _other wrote everything else
    shown = clock.local(value).date() if isinstance(value, dt.datetime) else value
    return _written(shown.isoformat(), clock.day(shown, short=_short(form)))


def _moment(value: Value, form: str, say: Callable[..., str]) -> SafeString:
    if (other := _other(value)) is not None:
        return other
    assert isinstance(value, dt.datetime)  # noqa: S101 - _other wrote everything else
    return _written(timezone.localtime(value).isoformat(timespec="seconds"), say(value, short=_short(form)))


@register.filter
def minute(value: Value, form: str = "") -> SafeString:
    """A moment to the minute as `clock.minute` says it."""
    return _moment(value, form, clock.minute)


@register.filter
def second(value: Value, form: str = "") -> SafeString:
    """A moment to the second as `clock.second` says it (an audit trail)."""
    return _moment(value, form, clock.second)


@register.filter
def month(value: Value) -> SafeString:
    """A month as `clock.month` says it: 2017年6月."""
    if (other := _other(value)) is not None:
        return other
    assert isinstance(value, dt.date)  # noqa: S101
    shown = clock.local(value).date() if isinstance(value, dt.datetime) else value
    return _written(f"{shown:%Y-%m}", clock.month(shown))


@register.filter
def period(start: dt.date | None, end: dt.date | None) -> SafeString:
    """A span of days, `{{ start|period:end }}`: 2017年6月5日—6月11日, the end's year only where it differs."""
    if start is None or end is None:
        return SafeString("")
    return format_html('<time datetime="{}">{}</time>—<time datetime="{}">{}</time>', start.isoformat(),
                       clock.day(start), end.isoformat(), clock.period_end(start, end))
