"""The guard against locks taken outside the code's own transaction (zoufang/core/testatomic.py, decision 0056): the
test's transaction, a module's savepoint and a fixture's block do not count; a block the code opens does."""

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.urls import path

from zoufang.core import locks, testatomic
from zoufang.core.testatomic import OutsideItsTransaction
from zoufang.regions.models import Region

pytestmark = pytest.mark.django_db


def lock_the_towns() -> list[Region]:
    return list(Region.objects.select_for_update().filter(level=Region.Level.TOWN))


@transaction.atomic
def lock_the_towns_atomically() -> list[Region]:
    return lock_the_towns()


def swallowing() -> str:
    try:
        lock_the_towns()
    except Exception:  # noqa: BLE001 - what careless code does
        return "caught"
    return "locked"


def locking_view(request):
    lock_the_towns()
    return HttpResponse("locked")


urlpatterns = [path("locking/", locking_view)]


def test_it_refuses_select_for_update_under_the_tests_transaction_alone():
    with pytest.raises(OutsideItsTransaction, match=r"select_for_update on regions\.Region .*transaction\.atomic"):
        lock_the_towns()
    assert len(testatomic.taken()) == 1


def test_it_lets_code_lock_inside_its_own_transaction():
    assert lock_the_towns_atomically() == []
    with transaction.atomic():
        assert lock_the_towns() == []


def test_it_fails_the_test_even_when_the_code_catches_the_error():
    assert swallowing() == "caught"
    assert "regions.Region" in testatomic.taken()[0]


def test_what_the_code_caught_fails_the_phase():
    assert swallowing() == "caught"
    with pytest.raises(pytest.fail.Exception, match=r"^call: select_for_update on regions\.Region"):
        testatomic.reported("call")
    assert testatomic.found == []


def test_it_refuses_a_view_that_locks_outside_a_transaction(client, settings):
    settings.ROOT_URLCONF = __name__
    with pytest.raises(OutsideItsTransaction):
        client.get("/locking/")
    assert testatomic.taken()


def test_it_refuses_an_advisory_lock_outside_a_transaction():
    with pytest.raises(OutsideItsTransaction, match=r"advisory lock \(7, 1\)"):
        locks.hold(7, 1)
    with transaction.atomic():
        locks.hold(7, 1)
    assert len(testatomic.taken()) == 1


@pytest.fixture(scope="module")
def module_state(django_db_blocker):
    """A module's state, built inside the harness's rolled-back block, as the demo's fixture builds it."""
    from zoufang.conftest import rolled_back

    with rolled_back(django_db_blocker):
        outside = swallowing()
        testatomic.found.clear()
        yield outside, lock_the_towns_atomically()


def test_a_fixtures_rolled_back_block_is_not_the_codes_transaction(module_state):
    assert module_state == ("caught", [])


def test_it_refuses_under_a_module_savepoint_opened_before_the_test(module_state):
    with pytest.raises(OutsideItsTransaction):
        lock_the_towns()
    assert testatomic.taken()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_under_real_autocommit_on_every_engine():
    with pytest.raises(OutsideItsTransaction):
        lock_the_towns()
    assert lock_the_towns_atomically() == []
    assert len(testatomic.taken()) == 1
