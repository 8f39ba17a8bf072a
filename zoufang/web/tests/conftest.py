from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client


@pytest.fixture
def office_admin(town: Any) -> Client:
    """The town's office given the admin's master data, as the demo gives 锦溪镇's (web/tests/test_admin_area.py)."""
    user = town.users["office"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="registry"))
    client = Client()
    client.force_login(user)
    return client
