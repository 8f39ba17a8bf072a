from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def office_admin(town: Any) -> Client:
    """The town's office let into the admin, as the demo's 锦溪镇 office is: its role keeps it to its own town's master
    data there (web/tests/test_admin_area.py, decision 0043)."""
    user = town.users["office"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client
