"""For tests of what happens between two connections (tests only, never the product): the test's SQLite database
copied into a file in WAL mode, as `make run` has it — the in-memory test database's shared cache refuses a second
writer while a reader holds its tables, where a file's readers keep their snapshot and the writer goes on — and a
second connection for what another person does meanwhile (on PostgreSQL both are the test database's own)."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from zoufang.core.aside import through


@contextmanager
def another_connection() -> Iterator[None]:
    """What runs inside goes through a connection of its own, committed at once: a cadre's phone, not the worker."""
    phone = connections[DEFAULT_DB_ALIAS].copy()
    try:
        with through(phone):
            yield
    finally:
        phone.close()


@pytest.fixture
def on_a_file(transactional_db: Any, tmp_path: Path) -> Iterator[None]:
    """SQLite: the test's database copied into a file in WAL mode, used for the test's every connection."""
    if connection.vendor != "sqlite":
        yield
        return
    memory = connections[DEFAULT_DB_ALIAS]
    memory.ensure_connection()
    path = tmp_path / "snapshot.sqlite3"
    copy = sqlite3.connect(path)
    memory.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    on_file = memory.copy()
    on_file.settings_dict["NAME"] = str(path)
    try:
        with through(on_file):
            yield
    finally:
        on_file.close()
