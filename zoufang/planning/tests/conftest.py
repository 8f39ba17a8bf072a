import pytest
from django.db import transaction

from zoufang.demo.loader import load_demo


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The 锦溪镇 2017 demo with its plan (the planner's demo extension runs inside load_demo)."""
    with django_db_blocker.unblock(), transaction.atomic():
        campaign = load_demo()
        yield campaign
        transaction.set_rollback(True)
