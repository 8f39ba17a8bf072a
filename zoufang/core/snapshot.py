"""One download, one moment: every page of a long file read in one read-only transaction (decision 0024).

A long table's xlsx is written a page at a time while visits go on. Read page by page outside a transaction, a
target visited between two pages of a gap shifts the rows after it (one never written), and a table's figures mix
two moments (a total that is not the sum of its rows; a list ordered by a figure reorders). `held()` opens one read
transaction on the default connection around the whole file — REPEATABLE READ, READ ONLY on PostgreSQL; on SQLite a
deferred transaction, whose first read fixes the snapshot (WAL), with `query_only` — so every count, page and lookup
of the file sees the same committed data while the rows are still read a page at a time (memory stays flat).

The writes made while the file is written (the job's progress and heartbeat, the audit of full numbers shown) go
through `writes()`: on a second connection, each committed at once, so the progress bar moves, the sweep sees the
job alive, and the audit stays whatever becomes of the file. A write left outside `writes()` is refused by the
read-only transaction (an error, never a write silently rolled back). Inside a caller's transaction (the tests',
an atomic view) `held()` reads in that transaction and `writes()` writes in it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections, router

from zoufang.core.aside import through


@dataclass
class _Held:
    reader: Any  # the connection reads go to, inside the read transaction
    writer: Any = None  # its copy for the writes, opened at the first one

    def writing(self) -> Any:
        if self.writer is None:
            self.writer = self.reader.copy()
        return self.writer


_held: ContextVar[_Held | None] = ContextVar("zoufang_download_snapshot", default=None)


@contextmanager
def held() -> Iterator[None]:
    """Everything read inside reads one snapshot of the database: on the connection reads go to (the default one;
    the replica in a view that reads from it, decision 0007)."""
    reader = connections[router.db_for_read(ContentType)]  # any model: the router sends a request's reads alike
    if _held.get() is not None or reader.in_atomic_block or not reader.get_autocommit():
        yield  # already one snapshot, or the caller's own transaction
        return
    sqlite = reader.vendor == "sqlite"
    reader.set_autocommit(False)
    state = _Held(reader)
    token = _held.set(state)
    try:
        with reader.cursor() as cursor:
            if sqlite:
                cursor.execute("BEGIN DEFERRED")
                cursor.execute("PRAGMA query_only = ON")
                cursor.execute("SELECT count(*) FROM sqlite_master")  # the first read: the snapshot is taken here
            else:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT 1")  # the first statement: the snapshot is taken here
        yield
    finally:
        _held.reset(token)
        try:
            if state.writer is not None:
                state.writer.close()
            reader.rollback()  # nothing was written in it; first, so that a failed statement's error is the one told
            if sqlite:
                with reader.cursor() as cursor:
                    cursor.execute("PRAGMA query_only = OFF")
        finally:
            reader.set_autocommit(True)


def is_held() -> bool:
    return _held.get() is not None


@contextmanager
def writes() -> Iterator[None]:
    """Inside `held()`: what runs inside (reads too) goes through a connection of its own, committed as usual."""
    state = _held.get()
    if state is None:
        yield
        return
    if state.reader.alias != DEFAULT_DB_ALIAS:
        yield  # the snapshot is the replica's: writes go to the primary as always
        return
    with through(state.writing()):  # the writer already, for writes() inside writes()
        yield
