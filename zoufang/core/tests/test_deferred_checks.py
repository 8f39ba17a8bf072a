"""The demo's foreign keys are checked once, when the demo is loaded (zoufang/conftest.py, pytest_fixture_setup);
what a test of the demo writes is still checked as Django checks it at each test's end."""

import pytest
from django.db import IntegrityError, connection, transaction

from zoufang.registry.models import Target


def test_a_dangling_key_a_test_of_the_demo_writes_is_still_caught(demo, db):
    target = Target.objects.filter(region__isnull=False).first()
    with pytest.raises(IntegrityError):
        _write_a_dangling_key_and_check(target)
    connection.check_constraints()  # the demo's own rows pass, and the dangling key went with the savepoint
    target.refresh_from_db()
    assert target.region_id != 10**9


def _write_a_dangling_key_and_check(target: Target) -> None:
    with transaction.atomic():
        Target.objects.filter(pk=target.pk).update(region_id=10**9)
        connection.check_constraints()  # what TestCase does at the end of each test
