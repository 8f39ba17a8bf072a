"""The suite's own machinery for PostgreSQL test databases (zoufang/core/testdb.py)."""

import pytest
from django.core.management import call_command
from django.db import connection

from zoufang.accounts.audit import record
from zoufang.core import testdb
from zoufang.regions.models import Region


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
