"""Statements sent together: psycopg's pipeline mode on PostgreSQL, so writes whose answers nobody reads cost one
round trip between them, not one each.

Inside `sent_together()` a statement is sent without waiting for its answer; the answers are collected when a
result is read (a fetch) or when the block ends, and an error is raised there, inside the same transaction, as
any error of the statement would be. A transaction's last writes use it (the kept counts of a visit submission,
the audit chain's head): rows shared by every submission stay locked for fewer round trips (decision 0010).
SQLite has no such mode and runs the block as it is.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def sent_together() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    # A statement's error is raised when the pipeline syncs (at a fetch, or here as the block ends): translated to
    # Django's exceptions there too, as the statement's own would be (an IntegrityError, not psycopg's).
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield
