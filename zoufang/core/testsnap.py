"""Big fixture states built once a test run and written back in bulk (tests only, never the product).

The 锦溪镇 demo takes the better part of a minute to load (imports of its tables, the plan, visits, cases and
documents), and every pytest-xdist worker that runs a test using it used to load it again, on SQLite and again on
PostgreSQL; 孟河镇 on top of it likewise, once a module. `built(name, build)` runs `build` once a run: the first
worker to get there builds the state inside its open transaction, under a file lock, and records the rows the
build added or changed, table by table; every other worker, and the same worker the next time, writes those rows
back in bulk inside its own transaction (COPY on PostgreSQL, executemany on SQLite), in a few seconds. Rolling
back removes them as it removed the built ones.

What is recorded is exactly what the database held: PostgreSQL's text COPY format, SQLite's stored values read
without Django's converters. Only the database is recorded: a build may leave nothing else behind that a test
needs (files, caches). A build that deletes rows, or changes rows of a table without a primary key, is not
recorded (the state is still built, only not kept), so a snapshot never differs from the build.

A small state that most tests start from (the `town` fixture, about a thousand tests a run) is built with
`fresh=True`: only onto a database that holds nothing but what a new test database holds, compared row by row, so a
test whose other fixtures wrote first builds its own. Writing it back costs a tenth of building it.
"""

import fcntl
import hashlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection

ENV = "ZOUFANG_TESTSNAP_DIR"
Row = Any  # a PostgreSQL COPY text line (bytes) or a SQLite row (tuple of stored values)


@dataclass
class Table:
    columns: list[str]
    pk: int | None  # the primary key's position among the columns
    rows: set[Row] = field(default_factory=set)


@dataclass
class Change:
    table: str
    columns: list[str]
    pk_column: str | None
    removed: list[Any]  # primary-key values of rows to delete first (the build changed them)
    added: list[Row]


@dataclass
class Snapshot:
    result: Any
    base: dict[str, int]  # rows a table held before the build: a snapshot is written back only onto the same
    changes: list[Change]


class NotRecordable(Exception):
    """The build did something a snapshot cannot replay (deleted rows, changed a row without a key)."""


_recorded: dict[Path, bytes] = {}  # the snapshot files this process has read


@contextmanager
def run_folder() -> Iterator[Path]:
    """The run's folder for snapshots, shared with the pytest-xdist workers through the environment (they are
    started after pytest_configure, from the controller's environment); removed at the end of the run."""
    folder = Path(tempfile.mkdtemp(prefix="zoufang-testsnap-"))
    os.environ[ENV] = str(folder)
    try:
        yield folder
    finally:
        os.environ.pop(ENV, None)
        shutil.rmtree(folder, ignore_errors=True)


# The tables a new test database holds rows in: Django's content types and permissions (post_migrate), the applied
# migrations, the audit chain's head (made by a migration on PostgreSQL).
SEEDED = ("auth_permission", "django_content_type", "django_migrations", "accounts_auditchain")


def built(name: str, build: Callable[[], Any], *, fresh: bool = False) -> Any:
    """`build()`'s result, with the rows it writes in the database: built here, or written back from the run's
    snapshot of an earlier build from the same starting point. Call it inside a transaction: the rows go when it
    is rolled back, and SQLite checks the written rows' foreign keys at its end (they are written table by
    table, in no order of references).

    The starting point is known by each table's count of rows. With `fresh`, the snapshot is taken and written
    back only where the database holds no row but those a new test database holds (`SEEDED`), and those are
    compared row for row; elsewhere the state is built. Put in `name` what else the build depends on (the day)."""
    from zoufang.core.testdb import is_superuser, migrations_digest

    folder = os.environ.get(ENV)
    if not folder or (connection.vendor == "postgresql" and not is_superuser(connection)):
        return build()
    # One snapshot for each starting point: the same build on top of the demo and in an empty database (a live
    # server's test) are two records, each written back only where its build started.
    counts = _counts()
    start = repr(sorted(counts.items()))
    if fresh:
        if any(count for table, count in counts.items() if table not in SEEDED):
            return build()
        start += repr(sorted((table, sorted(map(repr, _rows_of_table(table)))) for table in SEEDED if counts.get(table)))
    digest = hashlib.sha256(start.encode()).hexdigest()[:12]
    path = Path(folder) / f"{name}-{connection.vendor}-{migrations_digest()}-{digest}.pickle"
    if path in _recorded:  # a snapshot file is final once it exists: read once a process, then without the lock
        return _written_back(_recorded[path], counts, build)
    with _locked(path.with_suffix(".lock")):
        if path.exists():
            _recorded[path] = path.read_bytes()
            return _written_back(_recorded[path], counts, build)
        before = _read()
        result = build()
        try:
            changes = _changes(before, _read())
        except NotRecordable:
            return result
        snapshot = Snapshot(result, {name: len(table.rows) for name, table in before.items()}, changes)
        partial = path.with_suffix(".part")
        partial.write_bytes(pickle.dumps(snapshot, protocol=pickle.HIGHEST_PROTOCOL))
        partial.rename(path)
        return result


def made_once(name: str, make: Callable[[], bytes]) -> bytes:
    """The bytes `make()` returns, made once a run and read back by every other worker and caller: a file the
    tests write from the same rows wherever they ask (the demo's plan workbook, for two modules). Put in `name`
    everything the bytes depend on besides the database's vendor and migrations."""
    from zoufang.core.testdb import migrations_digest

    folder = os.environ.get(ENV)
    if not folder:
        return make()
    path = Path(folder) / f"{name}-{connection.vendor}-{migrations_digest()}.bin"
    with _locked(path.with_suffix(".lock")):
        if path.exists():
            return path.read_bytes()
        data = make()
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.rename(path)
        return data


def _written_back(recorded: bytes, counts: dict[str, int], build: Callable[[], Any]) -> Any:
    """The recorded state written back, and the build's result (unpickled afresh: each caller its own objects);
    built instead where the starting rows are not the snapshot's (the names' digests met by chance)."""
    snapshot = pickle.loads(recorded)  # noqa: S301 - written by this run, in its own folder
    if snapshot.base != counts:
        return build()
    _write(snapshot.changes)
    return snapshot.result


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_table_lists: dict[str, list[str]] = {}  # database → its tables, read once a process (as `_columns_of`'s columns)


def _tables() -> list[str]:
    """The database's tables: read from the catalogue once a process, not at every `town` (the suite's tests make
    rows, never tables)."""
    name = connection.settings_dict["NAME"]
    if name not in _table_lists:
        _table_lists[name] = sorted(t for t in connection.introspection.table_names() if not t.startswith("sqlite_"))
    return _table_lists[name]


def _counts() -> dict[str, int]:
    """Each table's count of rows, in one statement (one round trip: this runs for every test of the `town`)."""
    quote = connection.ops.quote_name
    tables = _tables()
    counted = " UNION ALL ".join(f"SELECT {n}, count(*) FROM {quote(table)}"  # noqa: S608 - the database's tables
                                 for n, table in enumerate(tables))
    with connection.cursor() as cursor:
        cursor.execute(counted)
        return {tables[n]: count for n, count in cursor.fetchall()}


_columns: dict[tuple[str, str], list[str]] = {}  # (database, table) → its columns, read once a process


def _columns_of(cursor: Any, table: str) -> list[str]:
    key = (connection.settings_dict["NAME"], table)
    if key not in _columns:
        _columns[key] = [c.name for c in connection.introspection.get_table_description(cursor, table)]
    return _columns[key]


def _rows_of_table(table: str) -> set[Row]:
    with connection.cursor() as cursor:
        return _rows(cursor, table, _columns_of(cursor, table))


def _read() -> dict[str, Table]:
    with connection.cursor() as cursor:
        tables = {}
        for table in _tables():
            columns = _columns_of(cursor, table)
            keys = connection.introspection.get_primary_key_columns(cursor, table) or []
            pk = columns.index(keys[0]) if len(keys) == 1 else None
            tables[table] = Table(columns, pk, _rows(cursor, table, columns))
    return tables


def _rows(cursor: Any, table: str, columns: list[str]) -> set[Row]:
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        listed = ", ".join(quote(c) for c in columns)
        data = bytearray()
        with cursor.cursor.copy(f"COPY {quote(table)} ({listed}) TO STDOUT") as copy:
            for block in copy:
                data += block
        return set(bytes(data).splitlines())
    # The stored values, not Django's converted ones: a unary plus makes each column an expression, which
    # sqlite3 does not convert by its declared type, and which changes no value.
    cursor.execute(f"SELECT {', '.join('+' + quote(c) for c in columns)} FROM {quote(table)}")  # noqa: S608
    return set(cursor.fetchall())


def _key(row: Row, position: int) -> Any:
    if isinstance(row, bytes):
        return row.split(b"\t")[position].decode()
    return row[position]


def _changes(before: dict[str, Table], after: dict[str, Table]) -> list[Change]:
    changes = []
    for name, table in after.items():
        old = before[name].rows if name in before else set()
        added, gone = table.rows - old, old - table.rows
        if not added and not gone:
            continue
        pk_column = table.columns[table.pk] if table.pk is not None else None
        removed = []
        if gone:
            if table.pk is None:
                raise NotRecordable(name)
            removed = [_key(row, table.pk) for row in gone]
            if set(removed) - {_key(row, table.pk) for row in added}:
                raise NotRecordable(name)  # a row deleted, not changed
        changes.append(Change(name, table.columns, pk_column, removed, list(added)))
    return changes


def _write(changes: list[Change]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The rows as recorded, derived rows included: no trigger may add to them or refuse them again.
            cursor.execute("SET session_replication_role = replica")
        try:
            for change in changes:
                table, listed = quote(change.table), ", ".join(quote(c) for c in change.columns)
                if change.removed:
                    cursor.execute(f"DELETE FROM {table} WHERE {quote(change.pk_column or '')} IN "  # noqa: S608
                                   f"({', '.join(['%s'] * len(change.removed))})", change.removed)
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
                        copy.write(b"\n".join(change.added) + b"\n")
                else:
                    cursor.executemany(f"INSERT INTO {table} ({listed}) VALUES "  # noqa: S608
                                       f"({', '.join(['%s'] * len(change.columns))})", change.added)
            if connection.vendor == "postgresql":
                _advance_sequences(cursor, changes)
        finally:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


_sequences: dict[tuple[str, str], str | None] = {}  # (table, id column) → its sequence, or None


def _advance_sequences(cursor: Any, changes: list[Change]) -> None:
    """The written rows carry their ids: each table's id sequence moves past them, as the build's did (the
    sequences looked up once a process, then moved in one statement)."""
    quote = connection.ops.quote_name
    moves = []
    for change in changes:
        if change.pk_column is None:
            continue
        key = (change.table, change.pk_column)
        if key not in _sequences:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [quote(change.table), change.pk_column])
            _sequences[key] = cursor.fetchone()[0]
        sequence = _sequences[key]
        if sequence:
            highest = f"(SELECT max({quote(change.pk_column)}) FROM {quote(change.table)})"  # noqa: S608 - ours
            moves.append((sequence, highest))
    if moves:
        listed = ", ".join(f"setval(%s, GREATEST({highest}, 1))" for _sequence, highest in moves)
        cursor.execute(f"SELECT {listed}", [sequence for sequence, _highest in moves])
