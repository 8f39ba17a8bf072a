"""Plain rows into a table at the database's bulk speed: COPY on PostgreSQL, batched executemany on SQLite.

For writers of many thousands of rows inside one transaction (the planner's quotas and assignments, the kept
coverage counts it rebuilds): no model instances, no signals, no per-field preparation of bulk_create.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from zoufang.core.rawrows import prepared_statement

BATCH = 10_000  # rows an executemany (or a COPY chunk built by a caller) carries


def write_rows(model: type[Any], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Rows of plain values into the model's table: COPY on PostgreSQL, batched executemany on SQLite.

    No model instances, no signals, no bulk_create's per-field preparation: the values must already be what
    the columns hold (ids, text, numbers, booleans; UUIDs as hex; datetimes prepared for the database).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


ADD_PARAMS = 7000  # values an INSERT … ON CONFLICT carries (SQLite ≥ 3.32 takes 32,766 parameters)

# The statement of each (database, table, columns, returning): written once per process.
_ADD_SQL: dict[tuple[Any, ...], tuple[str, str, list[Any], list[bool]]] = {}


def _add_statement(model: type[Any], keys: list[str], sums: list[str],
                   returning: bool) -> tuple[str, str, list[Any], list[bool]]:
    """(head, tail, fields, integer) of `add_to_rows`'s statement. On PostgreSQL the rows come as one array per
    column (`unnest`): the statement's text and its parameters are the same for any number of rows, so psycopg
    converts it once (it caches no statement of more than 50 parameters, and a tally write of fifteen rows
    carried a hundred) and the server parses one short statement."""
    key = (connection.vendor, model, tuple(keys), tuple(sums), returning)
    found = _ADD_SQL.get(key)
    if found is not None:
        return found
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in [*keys, *sums]]
    # An int bound to an integer column is what the database takes already: only the other values are prepared
    # (the counts' keys and sums are mostly ints, and preparing each one cost more than the statement).
    integer = [isinstance(f.target_field if f.is_relation else f, models.IntegerField) for f in fields]
    names = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        # Rows in the order given (WITH ORDINALITY): the order their locks are taken in.
        head = (f"INSERT INTO {table} ({names}) SELECT {names} FROM unnest({arrays}) "  # noqa: S608
                f"WITH ORDINALITY AS given ({names}, given_order) ORDER BY given_order")
    else:
        head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608
    tail = (f" ON CONFLICT ({', '.join(quote(f.column) for f in fields[:len(keys)])}) DO UPDATE SET "
            + ", ".join(f"{quote(f.column)} = {table}.{quote(f.column)} + excluded.{quote(f.column)}"
                        for f in fields[len(keys):]))
    if returning:
        tail += " RETURNING " + ", ".join(f"{table}.{quote(f.column)}" for f in fields)
    found = _ADD_SQL[key] = (head, tail, fields, integer)
    return found


def add_to_rows(model: type[Any], keys: list[str], sums: list[str], rows: Iterable[tuple[Any, ...]],
                returning: bool = False) -> list[tuple[Any, ...]]:
    """Add counts to rows found by their unique key, creating the rows that are missing: `INSERT … ON CONFLICT
    (keys) DO UPDATE SET n = n + excluded.n` for each of `sums`, in bounded statements, rows in the order given.

    Each row holds the values of `keys` then of `sums` (attnames of `model`'s fields, `keys` naming one unique
    constraint). The database adds under its row lock: no increment is lost between concurrent writers, and
    writers that give shared rows in the same (key) order lock them in the same order. Kept counts use it
    (oversight.counters, oversight.case_counters); SQLite ≥ 3.24 and PostgreSQL alike. With `returning` (SQLite ≥
    3.35), each row's keys and sums as they are after the addition, read under the same row lock.
    """
    head, tail, fields, integer = _add_statement(model, keys, sums, returning)
    per_statement = max(1, ADD_PARAMS // len(fields))
    by_arrays = connection.vendor == "postgresql"
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch: list[tuple[Any, ...]] = []
    result: list[tuple[Any, ...]] = []

    def flush() -> None:
        prepared = [[value if plain and type(value) is int else field.get_db_prep_value(value, connection)
                     for field, plain, value in zip(fields, integer, row, strict=True)] for row in batch]
        params: list[Any]
        if by_arrays:
            sql, params = head + tail, [list(column) for column in zip(*prepared, strict=True)]
        else:
            sql, params = head + ", ".join([one] * len(batch)) + tail, [v for row in prepared for v in row]
        result.extend(tuple(row) for row in prepared_statement(connection, sql, params, fetch=returning))
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= per_statement:
            flush()
    if batch:
        flush()
    return result
