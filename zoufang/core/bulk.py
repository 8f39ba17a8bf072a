"""Plain rows into a table at the database's bulk speed: COPY on PostgreSQL, batched executemany on SQLite.

For writers of many thousands of rows inside one transaction (the planner's quotas and assignments, the kept
coverage counts it rebuilds): no model instances, no signals, no per-field preparation of bulk_create.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

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


ADD_PARAMS = 7000  # parameters an INSERT … ON CONFLICT carries (SQLite ≥ 3.32 takes 32,766; PostgreSQL 65,535)


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
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*keys, *sums]
    fields = [model._meta.get_field(name) for name in columns]
    # An int bound to an integer column is what the database takes already: only the other values are prepared
    # (the counts' keys and sums are mostly ints, and preparing each one cost more than the statement).
    integer = [isinstance(f.target_field if f.is_relation else f, models.IntegerField) for f in fields]
    per_statement = max(1, ADD_PARAMS // len(columns))
    head = (f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) VALUES ")  # noqa: S608
    tail = (f" ON CONFLICT ({', '.join(quote(f.column) for f in fields[:len(keys)])}) DO UPDATE SET "
            + ", ".join(f"{quote(f.column)} = {table}.{quote(f.column)} + excluded.{quote(f.column)}"
                        for f in fields[len(keys):]))
    if returning:
        tail += " RETURNING " + ", ".join(f"{table}.{quote(f.column)}" for f in fields)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    batch: list[tuple[Any, ...]] = []
    result: list[tuple[Any, ...]] = []

    def flush() -> None:
        params = [value if plain and type(value) is int else field.get_db_prep_value(value, connection)
                  for row in batch for field, plain, value in zip(fields, integer, row, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(head + ", ".join([one] * len(batch)) + tail, params)
            if returning:
                result.extend(tuple(row) for row in cursor.fetchall())
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= per_statement:
            flush()
    if batch:
        flush()
    return result
