"""Bounded tables of figures: a page of ≤ 200 rows at a time, in the API (a keyset cursor) and on the pages.

A campaign of 2,000 units would otherwise send 2,000 rows of its by-unit table in every answer. The figures' rows
are in their table's order (`figures.coverage_order`, `case_order`); the API's `after` cursor names the last row
shown by that order and its id, so the next page starts after it even if rows were added before it meanwhile,
as the registry's lists do (core.paging); the figures count the rows up to it in the database where they cut the
page there (by unit, cadre, village). The behind-pace lists are cut in the database (`figures.behind`); their
cursor names how many rows came before.
"""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from ninja.errors import HttpError

PAGE_MAX = 200  # rows a page at most: the API's page_size and the pages' tables
Row = TypeVar("Row")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"d"}:
        return dt.date.fromisoformat(value["d"])
    if isinstance(value, list):
        return tuple(_typed(v) for v in value)
    return value


def encode(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(_plain(list(values)), separators=(",", ":"),
                                               ensure_ascii=False).encode()).decode().rstrip("=")


def bad_cursor() -> HttpError:
    return HttpError(400, _("after：不是本列表返回的 next 值"))


def decode(cursor: str) -> tuple[Any, ...]:
    """The values a cursor holds; HttpError 400 for anything this module did not write."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
        if not isinstance(values, list):
            raise ValueError(cursor)
        return tuple(_typed(v) for v in values)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise bad_cursor() from None


def next_cursor(rows: Sequence[Row], order: Callable[[Row], tuple[Any, ...]], start: int, count: int) -> str | None:
    """The cursor after the last of `rows` (the page starting after `start` rows of a table of `count`) in
    `order`; None on the last page."""
    return encode(order(rows[-1])) if rows and start + len(rows) < count else None


def offset(after: str | None) -> int:
    """How many rows came before, from a cursor written by `offset_cursor`."""
    if not after:
        return 0
    values = decode(after)
    if len(values) != 1 or not isinstance(values[0], int) or values[0] < 0:
        raise bad_cursor()
    return values[0]


def offset_cursor(start: int, shown: int, count: int) -> str | None:
    return encode([start + shown]) if start + shown < count else None


def page_of(rows: Sequence[Row], number: int, size: int = PAGE_MAX) -> tuple[list[Row], int, int]:
    """The pages' numbered page of a table: its rows, the page number (clamped) and the number of pages."""
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    return list(rows[(number - 1) * size:number * size]), number, pages
