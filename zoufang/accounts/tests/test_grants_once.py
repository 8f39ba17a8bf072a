"""A role grant is given once: the add form sent twice (a double click, a browser's resend) makes one grant, so
revoking it revokes the role; a grant without a unit or a region is no exception."""

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
def test_the_add_form_sent_twice_makes_one_grant_and_says_so(town: Any, security_admin: Client, role: str,
                                                              region: str | None, unit: str | None) -> None:
    outsider = town.users["outsider"]
    form = form_values(security_admin.get(ADD).content.decode(), "rolegrant_form")
    sent = {**form, "user": outsider.pk, "role": role, "region": getattr(town, region).pk if region else "",
            "unit": getattr(town, unit).pk if unit else "", "_save": "保存"}
    assert security_admin.post(ADD, sent).status_code == 302
    again = security_admin.post(ADD, sent)
    assert again.status_code == 200
    assert "该账号已有这一授权" in again.content.decode()
    assert RoleGrant.objects.filter(user=outsider, role=role).count() == 1
