"""One reader of the parameters a query string carries (year, month, day, page number, choice, object): decision 0035.

A page shown for a bad value shows its default instead and says so in a Chinese notice naming the parameter and
its rule; a download or the API, which cannot show a notice, refuses the request with a Chinese 400 naming them
(`BadParameter`). Never a 404 for a page that exists, never a server error for a value nobody checked.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

PAGE_NUMBER_MAX = 1_000_000_000  # past any list's last page: the page shows its last one
YEARS = (2000, 2100)  # a campaign's year
DAYS = (1900, 2999)  # weeks and months are counted from a day: 0001-01-01 or 9999-12-31 would leave the calendar
T = TypeVar("T")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: "²".isdigit() and "１２".isdigit() are true, int("²") fails


def in_calendar(day: dt.date) -> bool:
    """Whether a day is one the product counts weeks, months and time zones from (DAYS)."""
    return DAYS[0] <= day.year <= DAYS[1]


def calendar_rule() -> str:
    return _("须在 %(low)s–%(high)s 年间") % {"low": DAYS[0], "high": DAYS[1]}


class BadParameter(ValueError):
    """A query parameter whose value breaks its rule: a download's or the API's 400."""

    def __init__(self, name: str, rule: str) -> None:
        super().__init__(name, rule)
        self.name, self.rule = name, rule

    @property
    def message(self) -> str:
        return _("参数“%(name)s”有误：%(rule)s。") % {"name": self.name, "rule": self.rule}


def page_number(value: Any) -> int | None:
    """A page number as typed (≥ 1; a huge one is the last page), or None when it is not a number at all."""
    text = str(value if value is not None else "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    return max(1, min(int(text[:12]), PAGE_NUMBER_MAX))


def year_of(value: str) -> int | None:
    if not _DIGITS.fullmatch(value) or not YEARS[0] <= int(value[:6]) <= YEARS[1]:
        return None
    return int(value)


def day_of(value: str) -> dt.date | None:
    """An ISO day (2017-06-15) within DAYS, or None."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:  # 2026-02-30, 2026-13-01
        return None
    return day if in_calendar(day) else None


class Asked:
    """A request's query string read through checked parsers. `strict` (a download, the API): a bad value raises
    BadParameter. Otherwise (a page) the default is used and a notice naming the parameter is shown on the page."""

    def __init__(self, query: Any, request: HttpRequest | None = None, *, strict: bool = False) -> None:
        self.query, self.request, self.strict = query, request, strict
        self.notices: list[str] = []

    @classmethod
    def of(cls, query: Any) -> "Asked":
        """`query` as it is if already read through Asked; a plain mapping (a service's caller), strictly."""
        return query if isinstance(query, Asked) else cls(query, strict=True)

    @classmethod
    def page(cls, request: HttpRequest) -> "Asked":
        return cls(request.GET, request)

    @classmethod
    def download(cls, request: HttpRequest) -> "Asked":
        return cls(request.GET, request, strict=True)

    def text(self, name: str) -> str:
        return str(self.query.get(name) or "")

    def bad(self, name: str, rule: str, instead: str) -> None:
        """`name`'s value breaks `rule`: refused (strict), or noted, the page showing `instead`."""
        if self.strict:
            raise BadParameter(name, rule)
        notice = _("参数“%(name)s”有误：%(rule)s；已按默认（%(instead)s）显示。") % {"name": name, "rule": rule, "instead": instead}
        if notice not in self.notices:
            self.notices.append(notice)
            if self.request is not None:
                messages.warning(self.request, notice)

    def year(self, name: str = "year") -> int | None:
        """A year within YEARS, or None (the default: this year)."""
        value = self.text(name)
        found = year_of(value) if value else None
        if value and found is None:
            self.bad(name, _("须是 %(low)s–%(high)s 之间的年份") % {"low": YEARS[0], "high": YEARS[1]}, _("今年"))
        return found

    def day(self, name: str, default: dt.date) -> dt.date:
        return self.day_or_none(name, _("%(day)s") % {"day": default.isoformat()}) or default

    def month(self, name: str, default: dt.date) -> dt.date:
        """The first day of the month asked (2017-05), or `default`."""
        value = self.text(name)
        found = day_of(f"{value}-01") if value else None
        if value and found is None:
            self.bad(name, _("须是 %(low)s–%(high)s 年间的月份，如 2017-05") % {"low": DAYS[0], "high": DAYS[1]},
                     _("%(month)s") % {"month": month_value(default)})
        return found or default

    def number(self, name: str, default: int = 1) -> int:
        """A page number: a huge one is the caller's last page; anything but digits is `default`."""
        value = self.text(name)
        found = page_number(value) if value else None
        if value and found is None:
            self.bad(name, _("须是正整数"), _("第 %(n)s 页") % {"n": default})
        return found or default

    def choice(self, name: str, choices: Iterable[str], default: str, labels: Callable[[str], str] | None = None) -> str:
        """One of `choices` (URL values), or `default` ("": all). A page's notice lists the choices by their labels
        (Chinese, as the page's own menu shows them), never by their URL spelling."""
        value = self.text(name)
        choices = list(choices)
        if value and value not in choices:
            shown = labels(default) if labels and default else (default or _("全部"))
            # Two URL values may share a label (a stage and a status both 待交办): each label once.
            listed = list(dict.fromkeys(labels(choice) for choice in choices)) if labels and not self.strict else choices
            self.bad(name, _("须是以下之一：%(choices)s") % {"choices": "、".join(listed)}, shown)
            return default
        return value or default

    def day_or_none(self, name: str, instead: str) -> dt.date | None:
        """An optional day (a period's open end): None when left out or bad; `instead` says what None shows."""
        value = self.text(name)
        found = day_of(value) if value else None
        if value and found is None:
            self.bad(name, _("须是 %(low)s–%(high)s 年间的有效日期，如 2017-06-15") % {"low": DAYS[0], "high": DAYS[1]},
                     instead)
        return found

    def cursor(self, name: str, read: Callable[[str | None], T]) -> T:
        """A keyset page after the cursor `name` (`read(cursor)`, raising paging.BadCursor for a cursor this list
        did not write: an old bookmark, a hand-edited link): such a cursor is the list's first page, noted."""
        from zoufang.core.paging import BadCursor

        value = self.text(name)
        if value:
            try:
                return read(value)
            except BadCursor:
                self.bad(name, _("须是本列表翻页链接给出的位置"), _("第一页"))
        return read(None)

    def unseen(self, name: str, what: str) -> None:
        """An object parameter naming nothing the user may see (malformed, unknown or out of scope: one answer)."""
        self.bad(name, unseen_rule(what), _("全部"))


def month_value(day: dt.date) -> str:
    """A month as `Asked.month` reads it back from a query (2017-05): for links to a month's page."""
    return f"{day:%Y-%m}"


def unseen_rule(what: str) -> str:
    return _("所指的%(what)s不存在或不在您的可见范围内") % {"what": what}


def refused(request: HttpRequest, error: BadParameter) -> HttpResponse:
    """A download's answer to a bad parameter: the error page, in Chinese, naming it."""
    return render(request, "400.html", {"message": error.message}, status=400)
