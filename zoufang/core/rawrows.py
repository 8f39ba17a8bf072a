"""Model rows read by a hand-written SELECT, for the few statements every request of a hot path makes.

A queryset is compiled to SQL again on each evaluation; for a visit submission that compilation cost more CPU
than the database spent answering (issue 14, decision 0010). A hot path can instead write its SELECT once per
process, naming its columns with `Columns`, and turn each row back into model instances here: the same
database converters the ORM applies (encrypted fields, UUIDs and dates on SQLite …), the same `from_db`, and the
columns left out deferred, so a forgotten one costs a query (which the query-count tests catch) and never a
wrong value.
"""

import functools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connection, connections
from django.db.models import Field, Model
from django.db.models.base import DEFERRED
from django.db.models.expressions import Col

Converter = Callable[[Any, Any, Any], Any]
M = TypeVar("M", bound=Model)


@dataclass
class Columns(Generic[M]):
    """Some columns of `model` under the SQL alias `alias`: `sql` names them for a SELECT, `load` builds the
    instance from the row's values at `start` (the other columns deferred)."""

    model: type[M]
    alias: str
    names: Sequence[str]  # attnames; the primary key is always read
    fields: list[Field] = field(init=False)
    _converters: dict[str, list[tuple[int, list[tuple[Converter, Col]]]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        wanted = {*self.names, self.model._meta.pk.attname}
        # In the model's field order: from_db fills the deferred ones in between.
        self.fields = [f for f in self.model._meta.concrete_fields if f.attname in wanted]
        unknown = wanted - {f.attname for f in self.fields}
        if unknown:
            raise ValueError(f"{self.model.__name__} has no column {sorted(unknown)}")
        # Every concrete field's value for `from_db`, the ones not read DEFERRED: it then builds the instance at once
        # instead of matching each field against the names read (a cadre table builds tens a request).
        concrete = list(self.model._meta.concrete_fields)
        self._attnames = [f.attname for f in self.fields]
        self._slots = [concrete.index(f) for f in self.fields]
        self._deferred = [DEFERRED] * len(concrete)
        self._pk_index = self.fields.index(self.model._meta.pk)

    @classmethod
    def every(cls, model: type[M], alias: str, *, but: Sequence[str] = ()) -> "Columns[M]":
        """All of the model's columns except those named in `but` (by field name)."""
        return cls(model, alias, [f.attname for f in model._meta.concrete_fields if f.name not in but])

    @property
    def sql(self) -> str:
        quote = connection.ops.quote_name
        return ", ".join(f"{self.alias}.{quote(f.column)}" for f in self.fields)

    @property
    def width(self) -> int:
        return len(self.fields)

    def load(self, row: Sequence[Any], start: int = 0, *, using: Any = None) -> M:
        """The instance of the row's values from `start`, read on the connection `using` (default: default)."""
        db = using or connection
        values = list(row[start:start + len(self.fields)])
        for index, converters in self._converters_for(db):
            for convert, expression in converters:
                values[index] = convert(values[index], expression, db)
        every = self._deferred.copy()
        for slot, value in zip(self._slots, values, strict=True):
            every[slot] = value
        return self.model.from_db(db.alias, self._attnames, every)

    def load_joined(self, row: Sequence[Any], start: int = 0, *, using: Any = None) -> M | None:
        """`load` for a LEFT JOIN's columns: None when the row has no match."""
        return self.load(row, start, using=using) if self.matched(row, start) else None

    def matched(self, row: Sequence[Any], start: int = 0) -> bool:
        """Whether a LEFT JOIN found a row for these columns (its primary key is not NULL)."""
        return row[start + self._pk_index] is not None

    def _converters_for(self, db: Any) -> list[tuple[int, list[tuple[Converter, Col]]]]:
        """The ORM's converters of each column on this database (compiler.get_converters)."""
        found = self._converters.get(db.vendor)
        if found is None:
            found = []
            for index, column in enumerate(self.fields):
                expression = Col(self.alias, column)
                converters = db.ops.get_db_converters(expression) + expression.get_db_converters(db)
                if converters:
                    found.append((index, [(convert, expression) for convert in converters]))
            self._converters[db.vendor] = found
        return found


def prepared(model: type[Model], name: str, value: Any) -> Any:
    """A parameter as the database takes it for `model`'s field `name` (a UUID as hex on SQLite …)."""
    return model._meta.get_field(name).get_db_prep_value(value, connection)  # type: ignore[union-attr]


MAX_COMPILED = 64  # (database, thread) pairs kept; a server's threads are a handful


class CompiledValues:
    """A `values_list` queryset compiled to SQL once per database and thread, run again with other values.

    `build(*markers)` makes the queryset; each marker (an integer no row holds) must reach the SQL as a
    parameter of its own. Later runs put their values where the markers were and convert the rows as the
    queryset would, so the statement is the ORM's own, compiled once: for a read whose shape never changes that
    a hot path makes on every request (one case's contribution, read for every case drafted). On PostgreSQL it
    is a prepared statement (`prepared_rows`): its values are equalities on keys, so a generic plan serves."""

    MARKER_BASE = -7_340_000_000_000_000_000

    def __init__(self, build: Callable[..., Any], arity: int) -> None:
        self.build, self.arity = build, arity
        self._compiled: dict[tuple[str, int], tuple[str, list[Any], dict[int, int], Any]] = {}

    def _compile(self) -> tuple[str, list[Any], dict[int, int], Any]:
        # Per thread: the compiler converts rows with the connection it was made on, and each thread has its own.
        key = (connection.vendor, threading.get_ident())
        found = self._compiled.get(key)
        if found is None:
            if len(self._compiled) >= MAX_COMPILED:
                self._compiled.clear()
            markers = [self.MARKER_BASE - n for n in range(self.arity)]
            queryset = self.build(*markers)
            compiler = queryset.query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            params = list(params)
            slots = {index: markers.index(value) for index, value in enumerate(params)
                     if isinstance(value, int) and value in markers}
            if sorted(set(slots.values())) != list(range(self.arity)):
                raise ValueError("each marker must reach the SQL as a parameter of its own")
            found = self._compiled[key] = (sql, params, slots, compiler)
        return found

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        sql, template, slots, compiler = self._compile()
        params = [values[slots[index]] if index in slots else value for index, value in enumerate(template)]
        # Its shape never changes: planned once per connection too (`prepared_rows`).
        fetched = prepared_rows(connection, sql, params)
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))


# psycopg prepares a statement only while its connection's `prepare_threshold` is not None; Django sets it to None
# (for connection poolers) and reads through client-side binding cursors, which never prepare. A threshold no
# statement reaches keeps it that way for everything else while `prepared_rows` asks for preparing explicitly.
NEVER_BY_COUNT = 2**31 - 1


def prepared_rows(db: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a hot read (`%s` placeholders) on the connection `db`, planned once per connection.

    On PostgreSQL the statement is sent as a server-side prepared statement (psycopg's protocol-level Parse, then
    Bind/Execute in one round trip on every later read): the server plans it once per connection, and after five
    executions keeps one generic plan, instead of planning it on every read (decision 0013). Only for a few
    statements of a fixed shape that a page makes on every request: each holds a plan on every connection. The
    read goes through Django's cursor wrapper, so it is logged, counted and wrapped like any other query.
    Elsewhere, or with ZOUFANG_DB_PREPARED_READS off (a pooler that drops them), an ordinary statement."""
    return prepared_statement(db, sql, params, fetch=True)


def prepared_statement(db: Any, sql: str, params: Sequence[Any], *, fetch: bool) -> list[tuple[Any, ...]]:
    """`prepared_rows` for a statement of a fixed shape that writes (an INSERT written once per process): its rows
    when `fetch` (RETURNING), else none and nothing waited for, so that inside `pipeline.sent_together()` the
    statement goes with the others."""
    db = connections[db.alias]  # the `connection` proxy looks its wrapper up again on every attribute read
    if db.vendor != "postgresql" or not settings.ZOUFANG_DB_PREPARED_READS:
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if fetch else []
    db.close_if_health_check_failed()
    db.ensure_connection()
    raw = db.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = NEVER_BY_COUNT
    with db.wrap_database_errors:
        prepared = _preparing_cursor()(raw)
    db.validate_thread_sharing()
    wrapped = db.make_debug_cursor(prepared) if db.queries_logged else db.make_cursor(prepared)
    with wrapped as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


@functools.cache
def _preparing_cursor() -> type:
    """A server-side binding psycopg cursor whose every statement is prepared (see `prepared_rows`); made on first
    use, as psycopg is only imported on PostgreSQL."""
    import psycopg

    class PreparingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None,
                    binary: bool | None = None) -> "PreparingCursor":
            super().execute(query, params, prepare=True, binary=binary)
            return self

        def _convert_query(self, query: Any, params: Any = None) -> Any:
            # Kept as psycopg keeps an unprepared statement's: Django's query log reads its text from here.
            converted = super()._convert_query(query, params)
            self._query = converted
            return converted

    return PreparingCursor


class Inserts(Generic[M]):
    """New instances of `model` inserted as `save()` inserts one, by a statement written once per process.

    Django compiles an INSERT afresh for every `save()` and `bulk_create()`; on a visit submission that
    compilation (and bulk_create's checks) cost more CPU than the database spent on the rows (issue 14). `save`
    does what `Model.save()` does for a new row, for several rows in one statement: each field's `pre_save`
    (timestamps, defaults) and `get_db_prep_save`, the related objects' ids checked and taken, `pre_save` and
    `post_save` sent for each instance (as `save()` sends them, with `created=True`), the primary key set from
    RETURNING, `_state` moved to saved — all in one transaction with what the signals write. Only for a model
    with an automatic primary key, no parents, and fields with the plain `%s` placeholder (checked on first
    use); anything else goes through the ORM.
    """

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self._sql: dict[tuple[str, int], str] = {}

    @functools.cached_property
    def fields(self) -> list[Field]:
        meta = self.model._meta
        if meta.auto_field is None or meta.parents or any(
                hasattr(f, "get_placeholder") or f.generated for f in meta.local_concrete_fields):
            raise ValueError(f"{self.model.__name__} is not inserted by rawrows.Inserts")
        return [f for f in meta.local_concrete_fields if f is not meta.auto_field]

    def _statement(self, rows: int) -> str:
        key = (connection.vendor, rows)
        sql = self._sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            meta = self.model._meta
            one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            sql = self._sql[key] = (
                f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in self.fields)}) "  # noqa: S608
                f"VALUES {', '.join([one] * rows)} RETURNING {quote(meta.auto_field.column)}")  # type: ignore[union-attr]
        return sql

    def save(self, objs: Sequence[M]) -> None:
        if not objs:
            return
        from django.db import transaction
        from django.db.models.signals import post_save, pre_save

        using = connection.alias
        with transaction.atomic(using=using, savepoint=False):
            for obj in objs:
                obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
                pre_save.send(sender=self.model, instance=obj, raw=False, using=using, update_fields=None)
            params = [field.get_db_prep_save(field.pre_save(obj, True), connection)
                      for obj in objs for field in self.fields]
            keys = prepared_statement(connection, self._statement(len(objs)), params, fetch=True)
            pk = self.model._meta.auto_field.attname  # type: ignore[union-attr]
            for obj, (key,) in zip(objs, keys, strict=True):
                setattr(obj, pk, key)
                obj._state.adding, obj._state.db = False, using
            for obj in objs:
                post_save.send(sender=self.model, instance=obj, created=True, update_fields=None, raw=False,
                               using=using)
