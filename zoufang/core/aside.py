"""A connection of its own beside the one a long read holds: writes that must be kept as they happen (a job's
progress, the audit of what a download shows) while a statement of the default connection is still being read."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def through(connection: Any) -> Iterator[None]:
    """Everything inside — the ORM, `transaction.atomic`, `django.db.connection` — uses `connection` as the
    default database connection (this thread or task only; Django keeps connections per thread)."""
    current = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = connection
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS] = current


class Aside:
    """A copy of the default connection, opened at its first use, for writes committed at once whatever the
    default connection is doing (`with aside.used():`); inside a transaction (the tests', an atomic view) the
    writes go where everything else does. `close()` when done."""

    def __init__(self) -> None:
        self.connection: Any = None

    @contextmanager
    def used(self) -> Iterator[None]:
        from zoufang.core import snapshot

        if snapshot.is_held():  # a download's read snapshot has its writer already: one side connection, not two
            with snapshot.writes():
                yield
            return
        default = connections[DEFAULT_DB_ALIAS]
        if default is self.connection or default.in_atomic_block or not default.get_autocommit():
            yield
            return
        if self.connection is None:
            self.connection = default.copy()
        with through(self.connection):
            yield

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
