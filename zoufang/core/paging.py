"""Pages that cost what they show (issue 14): keyset cursors and counts that stop at a bound.

A list ordered by fields ending in a unique one (the id) is read a page at a time after the last row shown: the
database walks its index from there, so the hundredth page costs what the first does and no page aggregates over
every visible row. Where a total is shown it is counted only up to COUNT_CAP rows ("超过 10000 条").
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext_noop

from zoufang.core.queryparams import Asked

COUNT_CAP = 10_000
# The OpenAPI description of a bounded `count` (built once, in the project's language: marked for translation).
COUNT_DESCRIPTION = gettext_noop("符合条件的条数，最多数到 %(cap)s（%(more)s 表示更多）") % {"cap": COUNT_CAP, "more": COUNT_CAP + 1}
# The longest cursor a list takes back (the API's `after`); a longer one names its row by the id alone.
CURSOR_MAX = 500
BY_ID_ATTEMPTS = 3  # `sliced(by_id=True)` reads a slice again when rows left it between its two queries


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
        if value is None:  # through an empty relation
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value


def _nullable(model: Any, field: str) -> bool:
    """Whether an ordering field can be NULL in a row: a nullable column, or reached through a nullable relation."""
    for part in field.split("__"):
        found = model._meta.pk if part == "pk" else model._meta.get_field(part)
        if found.null:
            return True
        model = found.related_model
        if model is None:
            return False
    return False


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
            moment = dt.datetime.fromisoformat(value["t"])
            if moment.tzinfo is None:
                raise ValueError(value)
            return moment
        if "d" in value:
            return dt.date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
        raise ValueError(value)
    if isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses a NUL in a query parameter
        raise ValueError(value)
    if value is not None and not isinstance(value, str | int | float | bool):
        raise ValueError(value)
    return value


class BadCursor(ValueError):
    """A cursor that was not written by this list (tampered, or from another ordering)."""


def _signer(fields: list[str]) -> signing.Signer:
    # A cursor is signed for its list's ordering: changed by hand, or given to a list of another order, it is
    # refused before any of its values reaches a query. "." keeps it URL-safe as it stands.
    return signing.Signer(salt="zoufang.paging:" + ",".join(fields), sep=".")


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


def following(keys: list[tuple[str, bool, bool]], values: list[Any] | tuple[Any, ...],
              nulls_largest: bool = True) -> list[Q]:
    """The rows strictly after the row whose values of a multi-column order are `values`, as the OR of these
    conditions: equal on the first i columns and beyond on the (i+1)-th, for each i. `keys` are the columns
    (name, descending, nullable) in the order's sequence; a nullable column takes its NULL rows in where the
    database sorts them (`nulls_largest`: after the others ascending, as PostgreSQL does). Shared by the keyset
    lists (`after`) and the figures' tables cut in the database (`oversight.figures`)."""
    branches = []
    for index, (name, descending, nullable) in enumerate(keys):
        equal = Q(**{key[0]: values[i] for i, key in enumerate(keys[:index])})
        nulls_after = nullable and nulls_largest != descending
        if values[index] is None:
            if nullable and not nulls_after:
                branches.append(equal & Q(**{f"{name}__isnull": False}))
            continue
        beyond = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[index]})
        if nulls_after:
            beyond |= Q(**{f"{name}__isnull": True})
        branches.append(equal & beyond)
    return branches


def after(queryset: QuerySet[Any], cursor: str) -> QuerySet[Any]:
    """The rows after the one the cursor names, in the queryset's order; BadCursor for any cursor this list's
    `cursor_for` did not write."""
    fields = ordering_of(queryset)
    try:
        values = _signer(fields).unsign_object(cursor)
        if isinstance(values, dict) and set(values) == {"row"}:
            values = _values_of_row(queryset, fields, _decode(values["row"]))
        if not isinstance(values, list) or len(values) != len(fields):
            raise BadCursor(cursor)
        values = [_decode(v) for v in values]
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadCursor(cursor) from error
    # Where NULLs sort depends on the database (last ascending on PostgreSQL, first on SQLite): a nullable key
    # takes its NULL rows in, before or after the others, the way the database orders them.
    nulls_largest = connections[queryset.db].features.nulls_order_largest
    branches = following([(f.lstrip("-"), f.startswith("-"), _nullable(queryset.model, f.lstrip("-")))
                          for f in fields], values, nulls_largest)
    if not branches:
        raise BadCursor(cursor)
    # The same bound once more on the first key alone: a condition the database can start its index scan at, so
    # a deep page does not walk every row before it (PostgreSQL reads the OR of the branches only as a filter).
    first, descending = fields[0].lstrip("-"), fields[0].startswith("-")
    if values[0] is not None and not (_nullable(queryset.model, first) and nulls_largest != descending):
        branches = [Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & reduce(or_, branches)]
    try:
        return queryset.filter(reduce(or_, branches))
    except (ValidationError, ValueError, TypeError) as error:  # a signed value of another type than the field's
        raise BadCursor(cursor) from error


def cursor_for(row: Any, fields: list[str]) -> str:
    """The cursor after `row`: its values of the ordering, signed; where they run past CURSOR_MAX (an address of 300
    characters, sort key and JSON escapes), its id alone, the values read back from the row by `after`."""
    values = [_encode(_value(row, f.lstrip("-"))) for f in fields]
    cursor = _signer(fields).sign_object(values)
    if len(cursor) <= CURSOR_MAX:
        return cursor
    return _signer(fields).sign_object({"row": _encode(_value(row, fields[-1].lstrip("-")))})


def _values_of_row(queryset: QuerySet[Any], fields: list[str], pk: Any) -> list[Any]:
    """The ordering's values of the row a short cursor names by its id, as they stand (the cursor was signed for
    this ordering: nothing read here is shown); BadCursor when the row is gone."""
    found = queryset.model._default_manager.filter(pk=pk).values_list(*(f.lstrip("-") for f in fields)).first()
    if found is None:
        raise ValueError(pk)
    return list(found)


def sliced(queryset: QuerySet[Any], start: int, stop: int, *, by_id: bool = False) -> list[Any]:
    """The rows of `queryset[start:stop]`; `by_id`: in two queries, the slice's ids in the list's order, then those
    rows (with what they select_related) by id.

    For a list that joins many related tables to rows chosen by a subquery of ids (a department's cases, decision
    0015): in one query PostgreSQL plans every join together with what chooses the rows, and past
    `join_collapse_limit` (8 tables) it stops reordering them, so the few rows were picked only after every row had
    been joined to its regions and target (0.7 s for a page of a city's cases). Alone, the ids come from the table's
    own indexes (0.4 ms), and the rows by their primary key."""
    if not by_id:
        return list(queryset[start:stop])
    for _attempt in range(BY_ID_ATTEMPTS):
        ids = list(queryset.values_list("pk", flat=True)[start:stop])
        found = queryset.order_by().filter(pk__in=ids).in_bulk() if ids else {}
        if len(found) == len(ids):
            break
        # A row left the list between the two queries (deleted, or changed out of the filter): read the slice again,
        # or the caller, one row short, would take the page for the last and never show the rows after it.
    return [found[pk] for pk in ids if pk in found]


def keyset_page(queryset: QuerySet[Any], cursor: str | None, size: int, *, by_id: bool = False) -> KeysetPage:
    """One page of `size` rows after `cursor` (the first page without one), and the cursor for the next page.
    One query (two `by_id`, see `sliced`): size + 1 rows are read to know whether another page follows."""
    fields = ordering_of(queryset)
    rows = sliced(after(queryset, cursor) if cursor else queryset, 0, size + 1, by_id=by_id)
    more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(rows, cursor_for(rows[-1], fields) if more and rows else None, first=not cursor)


# A list read in parts (`keyset_parts`): each part a callable that makes its queryset when a page reaches it, or
# None for an empty part.
Part = Callable[[], "QuerySet[Any] | None"]
PART_MARK = "~"  # "1~<cursor>": a cursor in the second part; no signed cursor holds it


def _read_parts(parts: list[Part], at: int, cursor: str | None, skip: int, limit: int,
                size: int) -> tuple[list[Any], str | None]:
    """Up to `size` rows of the parts from part `at`, after `cursor` in it, `skip` rows left out first (a part
    skipped whole is counted: the API's bounded offsets only), and the cursor after the last of them when more
    follow (`limit` = size + 1 rows are read to know)."""
    found: list[tuple[int, Any]] = []
    fields: list[str] = []
    for number in range(at, len(parts)):
        part = parts[number]()
        if part is not None:
            fields = fields or ordering_of(part)
            rows = after(part, cursor) if cursor else part
            read = list(rows[skip:skip + limit - len(found)])
            skip = skip - min(skip, rows.count()) if skip and not read else 0
            found += [(number, row) for row in read]
        cursor = None
        if len(found) >= limit:
            break
    shown = found[:size]
    following = None
    if len(found) > size and shown:
        number, last = shown[-1]
        following = (f"{number}{PART_MARK}" if number else "") + cursor_for(last, fields)
    return [row for _number, row in shown], following


def keyset_parts(parts: list[Part], cursor: str | None, size: int) -> KeysetPage:
    """`keyset_page` over a list read in parts one after the other (each in the same ordering, ending in the id):
    for a list whose rows come from different indexes, each cheap alone, where one query over all of them would
    walk more than a page (oversight.drill). A part's query is made only when a page reaches it."""
    at, inner = 0, cursor or None
    if inner and PART_MARK in inner:
        number, _mark, inner = inner.partition(PART_MARK)
        if not number.isdigit() or not 0 < int(number) < len(parts) or not inner:
            raise BadCursor(cursor)
        at = int(number)
    rows, following = _read_parts(parts, at, inner, 0, size + 1, size)
    return KeysetPage(rows, following, first=not cursor)


def sliced_parts(parts: list[Part], start: int, size: int) -> tuple[list[Any], str | None]:
    """`size` rows of the parts from the `start`-th, and the cursor after the last of them when more follow."""
    return _read_parts(parts, 0, None, start, size + 1, size)


def shown_page(queryset: QuerySet[Any], cursor: "str | None | Asked", size: int, *, name: str = "after",
               by_id: bool = False) -> KeysetPage:
    """The pages' keyset_page: a cursor that is not this list's (an old bookmark, a hand-edited link) shows the
    list's first page rather than an error, and a page's query (`Asked`) says so in a notice naming `name`
    (decision 0035); the API answers such a cursor with a 400."""
    asked = cursor if isinstance(cursor, Asked) else Asked({name: cursor or ""})
    return asked.cursor(name, lambda after: keyset_page(queryset, after, size, by_id=by_id))


class Listing:
    """A list the API's Page slices (registry.api.Page): the queryset in its keyset order, and how the page's rows
    are presented — one at a time (`row`), or a whole page at once (`page`: for what a page looks up in one query).
    Only the page's rows are presented, never the whole list."""

    def __init__(self, queryset: QuerySet[Any], row: Callable[[Any], Any] | None = None,
                 page: Callable[[list[Any]], list[Any]] | None = None, *, by_id: bool = False) -> None:
        self.queryset, self.row, self.page, self.by_id = queryset, row, page, by_id  # by_id: see `sliced`

    def present(self, rows: list[Any]) -> list[Any]:
        if self.page is not None:
            return self.page(rows)
        return [self.row(item) for item in rows] if self.row is not None else rows
