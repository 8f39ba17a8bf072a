"""Plain rows into a table at the database's bulk speed: COPY on PostgreSQL, batched executemany on SQLite.

For writers of many thousands of rows inside one transaction (the planner's quotas and assignments, the kept
coverage counts it rebuilds): no model instances, no signals, no per-field preparation of bulk_create.
"""

from collections.abc import Iterable
from typing import Any

from django.db import connection

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
