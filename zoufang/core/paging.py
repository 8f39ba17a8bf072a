"""Pages that cost what they show (issue 14): keyset cursors and counts that stop at a bound.

A list ordered by fields ending in a unique one (the id) is read a page at a time after the last row shown: the
database walks its index from there, so the hundredth page costs what the first does and no page aggregates over
every visible row. Where a total is shown it is counted only up to COUNT_CAP rows ("超过 10000 条").
"""

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property

COUNT_CAP = 10_000


def bounded_count(queryset: Any, cap: int = COUNT_CAP) -> int:
    """The number of rows, counted no further than `cap` (a sliced COUNT: the database stops at the bound)."""
    return int(queryset[:cap].count())


class BoundedPaginator(Paginator):
    """Django's paginator for the numbered pages, with the count stopping at COUNT_CAP; `capped` says whether it
    did (the page then reads "超过 10000 条"). Pages past the bound are not offered."""

    @cached_property
    def count(self) -> int:
        return bounded_count(self.object_list, COUNT_CAP + 1)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


def _value(row: Any, field: str) -> Any:
    value = row
    for part in field.split("__"):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return dt.datetime.fromisoformat(value["t"])
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
    return value


class BadCursor(ValueError):
    """A cursor that was not written by this list (tampered, or from another ordering)."""


@dataclass
class KeysetPage:
    rows: list[Any]
    next_cursor: str | None  # after the last row shown; None on the last page
    first: bool  # no cursor given: the list's first page


def ordering_of(queryset: QuerySet[Any]) -> list[str]:
    fields = [str(f) for f in (queryset.query.order_by or queryset.model._meta.ordering)]
    if not fields or fields[-1].lstrip("-") not in ("id", "pk"):
        raise ValueError(f"keyset pagination needs an ordering ending in the id: {fields}")
    return fields


def after(queryset: QuerySet[Any], cursor: str) -> QuerySet[Any]:
    """The rows after the one the cursor names, in the queryset's order."""
    fields = ordering_of(queryset)
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            raise BadCursor(cursor)
        values = [_decode(v) for v in values]
    except (ValueError, TypeError, binascii.Error) as error:
        raise BadCursor(cursor) from error
    branches = []
    for index, field in enumerate(fields):
        name = field.lstrip("-")
        equal = {f.lstrip("-"): values[i] for i, f in enumerate(fields[:index])}
        if values[index] is None:  # NULLs sort last ascending in PostgreSQL; rows with a NULL key are not paged on
            continue
        step = "lt" if field.startswith("-") else "gt"
        branches.append(Q(**equal, **{f"{name}__{step}": values[index]}))
    if not branches:
        raise BadCursor(cursor)
    return queryset.filter(reduce(or_, branches))


def cursor_for(row: Any, fields: list[str]) -> str:
    values = [_encode(_value(row, f.lstrip("-"))) for f in fields]
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def keyset_page(queryset: QuerySet[Any], cursor: str | None, size: int) -> KeysetPage:
    """One page of `size` rows after `cursor` (the first page without one), and the cursor for the next page.
    One query: size + 1 rows are read to know whether another page follows."""
    fields = ordering_of(queryset)
    rows = list((after(queryset, cursor) if cursor else queryset)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, cursor_for(rows[-1], fields) if more and rows else None, first=not cursor)
