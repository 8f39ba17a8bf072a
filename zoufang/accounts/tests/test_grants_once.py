"""A role grant is given once: the same grant added from two add forms (two tabs, two administrators) makes one,
so revoking it revokes the role; a grant without a unit or a region is no exception. (One form sent twice is
caught earlier, by the add form's request key: web/tests/test_admin_add_once.py.)"""

from typing import Any

import pytest
from django.test import Client

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_administrator
from zoufang.conftest import PASSWORD
from zoufang.core.testforms import form_values

Role = RoleGrant.Role
ADD = "/admin/accounts/rolegrant/add/"


@pytest.fixture
def security_admin(town: Any) -> Client:
    client = Client()
    client.force_login(ensure_administrator("sec1", PASSWORD, full_name="安全管理员甲", role=Role.SECURITY_ADMIN))
    return client


@pytest.mark.parametrize(("role", "region", "unit"), [
    (Role.ASSESSOR, "town", None),  # a region, no unit
    (Role.UNIT_HANDLER, None, "police"),  # a unit, no region
])
def test_the_same_grant_added_from_two_forms_is_given_once_and_the_second_says_so(town: Any, security_admin: Client, role: str,
                                                              region: str | None, unit: str | None) -> None:
    outsider = town.users["outsider"]
    grant = {"user": outsider.pk, "role": role, "region": getattr(town, region).pk if region else "",
             "unit": getattr(town, unit).pk if unit else "", "_save": "保存"}

    def new_form() -> dict[str, Any]:  # a page opened afresh: another tab, or the add page opened twice
        return {**form_values(security_admin.get(ADD).content.decode(), "rolegrant_form"), **grant}

    first, second = new_form(), new_form()
    assert security_admin.post(ADD, first).status_code == 302
    again = security_admin.post(ADD, second)
    assert again.status_code == 200
    assert "该账号已有这一授权" in again.content.decode()
    assert RoleGrant.objects.filter(user=outsider, role=role).count() == 1
