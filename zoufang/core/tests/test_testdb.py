"""The suite's own machinery for PostgreSQL test databases (zoufang/core/testdb.py)."""

import os
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection

from zoufang.accounts.audit import record
from zoufang.core import testdb
from zoufang.regions.models import Region

# Some tests read the database settings without a database fixture: they run in both halves of `make test`.
pytestmark = pytest.mark.every_database


def test_a_template_is_named_by_its_database_and_its_migrations():
    digest = testdb.migrations_digest()
    assert len(digest) == 12
    assert testdb.migrations_digest() == digest
    name, prefix = testdb.template_name("zoufang_ci_1234", digest)
    assert name == f"test_zoufang_ci_1234_tpl_{digest}"
    assert name.startswith(prefix)
    long_name, _prefix = testdb.template_name("x" * 80, digest)
    assert len(long_name) <= testdb.MAX_NAME
    assert long_name.endswith(digest)


@pytest.mark.django_db(transaction=True)
def test_a_flush_leaves_every_table_empty_even_the_append_only_audit():
    from zoufang.accounts.models import AuditEvent

    town = Region.objects.create(name="锦溪镇", level=Region.Level.TOWN, parent=None)
    record(None, AuditEvent.Action.CREATE, town)
    assert AuditEvent.objects.exists()
    call_command("flush", verbosity=0, interactive=False)  # what a transactional test's teardown runs
    assert not Region.objects.exists()
    assert not AuditEvent.objects.exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the trigger is back on for everyone else
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the template database is PostgreSQL's")
def test_builders_asking_at_once_build_the_template_once_and_all_find_it(monkeypatch: Any) -> None:
    """The pytest controller's thread and the workers ask for the template at once (`template_ahead`): the
    advisory lock lets one build it while the others wait, and they find it built. The migrations are left out
    (`_build` makes an empty database, slowly enough for the others to ask meanwhile); the lock is the server's."""
    import psycopg

    prefix = f"zoufang_tpl_test_{uuid.uuid4().hex[:8]}_"
    template = prefix + "x"
    built: list[str] = []

    def build(cursor: Any, quote: Any, name: str) -> None:
        time.sleep(0.3)
        cursor.execute(f"CREATE DATABASE {quote(name)}")
        built.append(name)

    monkeypatch.setattr(testdb, "_build", build)
    server = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres"))
    found: list[bool] = []

    def ask() -> None:
        with psycopg.connect(server, autocommit=True) as session:
            testdb._ensure_template(session.cursor(), connection.ops.quote_name, template, prefix)  # noqa: SLF001
            found.append(session.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
                         is not None)

    askers = [threading.Thread(target=ask) for _ in range(3)]
    try:
        for asker in askers:
            asker.start()
        for asker in askers:
            asker.join()
        assert built == [template]
        assert found == [True, True, True]
    finally:
        with psycopg.connect(server, autocommit=True) as session:
            session.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")
