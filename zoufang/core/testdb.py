"""The test databases on PostgreSQL, made cheap (zoufang/conftest.py uses both; tests only, never the product).

- **One migrated template.** Every pytest-xdist worker used to run all migrations into its own test database
  (minutes on a busy machine, each DDL statement a round trip). Now a template database is migrated once, under
  an advisory lock (by the pytest controller while the workers start, `template_ahead`; else by the first worker
  to get there), and every worker's test database is `CREATE DATABASE … TEMPLATE` of it (seconds), through
  Django's own `TEST["TEMPLATE"]` setting; Django's migrate on the copy then finds nothing to apply. The
  template's name carries a digest of every installed app's migration files, so a changed migration builds a new
  one (and older ones of the same database are dropped).
- **SQLite: tables from the models.** An in-memory SQLite test database was migrated by every worker: 114
  migrations, about 20 s of CPU each time, the same on both cores at the start of the run. Django's own
  `TEST["MIGRATE"] = False` makes its tables from the current models instead (about a second). The migrations
  are still run on SQLite by `make test`'s set-up (the project database in var/), on PostgreSQL by the template
  above, their data steps by core/tests/test_crypto.py, and `makemigrations --check` holds models and migrations
  equal (decision 0014).
- **SQLite: a file in shared memory, not an in-memory database.** The suite keeps big states (the demo, the
  authorization matrix's town) in a transaction it rolls back, and each test or request inside runs in a savepoint
  rolled back after it. In SQLite's in-memory databases, rolling back a savepoint costs time in proportion to the
  pages the enclosing transaction changed, not to what the savepoint did: about 1.5–2 ms for one changed row with
  the matrix's town open (7,500 pages), against 0.02 ms in a database file. Each worker's test database is a file
  in the user's own folder of /dev/shm (memory, no disk), named after its process and removed by Django at the
  end as any file test database; where /dev/shm is missing, in memory as before.
- **No waiting for the disk.** The test databases' sessions commit with `synchronous_commit = off`.
- **Flush by DELETE.** A transactional test (live server, browser) ends with Django's flush, on PostgreSQL one
  TRUNCATE of every table: new files for every table and index, seconds each time. On tables that hold a
  test's few rows, DELETE with triggers and foreign-key checks off for that transaction
  (`session_replication_role = replica`, which needs a superuser, as the suite's PostgreSQL has) leaves the
  same empty tables at a fraction of the cost; otherwise the TRUNCATE as before. The content types and
  permissions, which the flush's post_migrate signal would recreate at once, are kept.
"""

import functools
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

POSTGRESQL = "django.db.backends.postgresql"
# What the flush's post_migrate signal would write back at once, row for row: kept, so that it finds them there
# (no test makes content types or permissions of its own).
KEPT = frozenset({"django_content_type", "auth_permission"})
# The way a template is built (here, below): a change to it builds new templates, as a changed migration does.
TEMPLATE_BUILD = 2  # 2: without autovacuum
MAX_NAME = 63  # PostgreSQL's identifier length
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - a tmpfs on Linux; the files go into a folder only the user may open


@functools.cache
def migrations_digest() -> str:
    """Of every installed app's migration files: a template built from other migrations is not reused. Read once a
    process (the fixture snapshots name their files by it, once a test of the `town`)."""
    from django.apps import apps

    digest = hashlib.sha256()
    for config in sorted(apps.get_app_configs(), key=lambda c: c.label):
        folder = Path(config.path) / "migrations"
        for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
            digest.update(f"{config.label}/{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def template_name(database: str, digest: str) -> tuple[str, str]:
    """(the template's name, the prefix all of this database's templates share)."""
    prefix = f"test_{database}"[:MAX_NAME - len("_tpl_") - len(digest)] + "_tpl_"
    return prefix + digest, prefix


def build_sqlite_from_models() -> None:
    """SQLite's test database: its tables made from the models rather than by running every migration, in a file
    in shared memory rather than an in-memory database (savepoints roll back cheaply)."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        settings_dict["TEST"]["MIGRATE"] = False
        folder = _shared_memory_folder()
        if folder is not None and not settings_dict["TEST"].get("NAME"):
            settings_dict["TEST"]["NAME"] = str(folder / f"{os.getpid()}.sqlite3")


def _shared_memory_folder() -> Path | None:
    """The user's own folder in /dev/shm for test databases (None without one), cleared of the files of runs
    that were killed (their process is gone)."""
    if not SHARED_MEMORY.is_dir():
        return None
    folder = SHARED_MEMORY / f"zoufang-tests-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        return None
    info = folder.lstat()
    if not folder.is_dir() or folder.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        return None
    for path in folder.glob("*.sqlite3*"):
        pid = path.name.split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
    return folder


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def use_migrated_template() -> None:
    """Point the default test database at a migrated template, building it first if no worker has."""
    from django.db import connections

    connection = connections["default"]
    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"] != POSTGRESQL or settings_dict["TEST"].get("TEMPLATE"):
        return
    template, prefix = _template_of(settings_dict["NAME"])
    with connection._nodb_cursor() as cursor:  # noqa: SLF001 - Django's own way to reach the server
        _ensure_template(cursor, connection.ops.quote_name, template, prefix)
    settings_dict["TEST"]["TEMPLATE"] = template
    # A test database is thrown away: its commits (transactional tests, live servers) need not wait for the
    # write-ahead log to reach the disk.
    options = settings_dict.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


def _template_of(database: str) -> tuple[str, str]:
    build = hashlib.sha256(f"{migrations_digest()} {TEMPLATE_BUILD}".encode()).hexdigest()[:12]
    return template_name(database, build)


def _ensure_template(cursor: Any, quote: Any, template: str, prefix: str) -> None:
    """The template, built unless it is there, under an advisory lock that every builder takes (held until the
    cursor's session ends): one builds, the others wait and find it built."""
    cursor.execute("SELECT pg_advisory_lock(hashtext(%s))", [prefix])
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
    if cursor.fetchone() is None:
        _build(cursor, quote, template)
        cursor.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
                       [prefix, template])
        for (stale,) in cursor.fetchall():
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(stale)}")


@contextmanager
def template_ahead() -> Iterator[None]:
    """While open, the migrated template is built in a thread of the pytest controller (PostgreSQL only).

    The pytest-xdist workers take seconds to start and collect before their first test asks for a database; the
    first of them then migrated the template (about 20 s of a core) while the other waited for it, its core
    idle. Built from the controller's start, the migrations run beside the workers' start-up; a worker that
    asks first waits on the same advisory lock, and finds the template there. The thread talks to the server
    through its own psycopg connection: pytest-django blocks Django's connections outside the tests."""
    import threading

    from django.db import connections

    settings_dict = connections["default"].settings_dict
    url = os.environ.get("DATABASE_URL", "")
    if settings_dict["ENGINE"] != POSTGRESQL or settings_dict["TEST"].get("TEMPLATE") or not url:
        yield
        return
    template, prefix = _template_of(settings_dict["NAME"])
    quote = connections["default"].ops.quote_name
    failed: list[BaseException] = []

    def build() -> None:
        import psycopg

        try:
            with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True) as session:
                _ensure_template(session.cursor(), quote, template, prefix)
        except Exception as error:  # noqa: BLE001 - the workers build it again, and report what fails
            failed.append(error)

    thread = threading.Thread(target=build, name="zoufang-template", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
        if failed:
            print(f"\nzoufang: the migrated template was not built ahead of the workers: {failed[0]!r}",
                  file=sys.stderr)


def _build(cursor: Any, quote: Any, template: str) -> None:
    """Migrate a fresh database in a child process (the test process is bound to its own database), then give
    it the template's name: a build cut short never passes for a template."""
    building = template[:MAX_NAME - 2] + "_b"
    cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)}")
    cursor.execute(f"CREATE DATABASE {quote(building)}")
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path=f"/{building}")),
           "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "zoufang.settings")}
    try:
        subprocess.run([sys.executable, "-m", "django", "migrate", "--noinput", "-v0"],  # noqa: S603
                       env=env, check=True)
    except BaseException:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(building)}")
        raise
    _without_autovacuum(urlunsplit(url._replace(path=f"/{building}")))
    cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")


def _without_autovacuum(url: str) -> None:
    """No autovacuum on the template's tables, nor so on the test databases copied from it (`refresh_statistics`
    says why)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as session:
        tables = session.execute("SELECT oid::regclass::text FROM pg_class WHERE relkind = 'r' AND "
                                 "relnamespace = 'public'::regnamespace").fetchall()
        for (table,) in tables:
            session.execute(sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = off, toast.autovacuum_enabled = off)")
                            .format(sql.SQL(table)))


# Rows a table gains, loses or changes in a fixture before `refresh_statistics` analyses it.
ANALYZE_AFTER = 1000
Changes = tuple[str, dict[str, int]]  # (the transaction's id, rows each table gained, lost or changed in it)


def table_changes(connection: Any) -> Changes:
    """What the open transaction has written so far, table by table (PostgreSQL's pg_stat_xact_user_tables)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text, coalesce(json_object_agg(relid::regclass::text, "
                       "n_tup_ins + n_tup_upd + n_tup_del), '{}') FROM pg_stat_xact_user_tables")
        xact, counts = cursor.fetchone()
    return xact, counts


def refresh_statistics(connection: Any, since: Changes | None = None) -> None:
    """ANALYZE, inside the open transaction, each table that changed by ANALYZE_AFTER rows or more since `since`
    (what a fixture wrote: the demo, the matrix's town), once.

    The demo's rows are written inside a transaction that is rolled back at its end, so autovacuum never analyses
    them: PostgreSQL guessed a handful of rows for 18,000 assignments (an equality on `campaign_id` estimated at
    0.5 % of the table) and planned nested loops over them; the admin's list of assignments took 16 s, the
    drill-down to the unvisited targets 2 s a request. The statistics are rows of pg_statistic, rolled back with
    the transaction or savepoint they were gathered in, as the rows they describe are: so the shared demo is
    analysed where it is loaded (conftest's SharedDemo), outside the savepoint of the module that first asks for it.
    ANALYZE also writes the tables' row and page counts in pg_class in place, and those stay after the rollback.
    Left alone, that is harmless (the next test's few rows are estimated as many). But autovacuum, seeing the
    rolled-back rows as dead, would vacuum the table and could leave "0 rows in N pages" where it cannot cut the
    empty pages off: PostgreSQL then estimates one row however many a later test writes (minutes of nested loops,
    seen in stop 27). Hence no autovacuum on the test databases (`_without_autovacuum`): one lives for one run.
    """
    xact, now = table_changes(connection)
    base = since[1] if since is not None and since[0] == xact else {}
    done: Changes = getattr(connection, "_zoufang_analysed", ("", {}))
    analysed = done[1] if done[0] == xact else {}
    changed = sorted(table for table, count in now.items()
                     if count - max(base.get(table, 0), analysed.get(table, 0)) >= ANALYZE_AFTER)
    if changed:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(changed))
        connection._zoufang_analysed = (xact, {**analysed, **{table: now[table] for table in changed}})  # noqa: SLF001


@contextmanager
def flush_by_delete() -> Iterator[None]:
    """While open, Django's flush on PostgreSQL deletes rows instead of truncating tables, where it can."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, *, reset_sequences: bool = False,
                  allow_cascade: bool = False) -> list[str]:
        if not tables or reset_sequences or allow_cascade or not is_superuser(self.connection):
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # Run by flush inside one transaction: SET LOCAL ends with it.
        return ["SET LOCAL session_replication_role = replica"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
            for table in tables if table not in KEPT]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = truncate  # type: ignore[method-assign]


def is_superuser(connection: Any) -> bool:
    known = getattr(connection, "_zoufang_superuser", None)
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
        known = connection._zoufang_superuser = bool(row and row[0])  # noqa: SLF001
    return bool(known)
