"""A refusal says why it refused: a plain 403 names the role, a CSRF failure names the expired form."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

EXPIRED_FORM = "如果是表单停留太久"
ROLE = "您的账号角色不能打开此页面"


@pytest.fixture
def sysadmin(demo: Any, db: Any) -> Any:
    return get_user_model().objects.get(username="sysadmin")


def test_it_says_the_role_does_not_reach_the_page_on_a_plain_refusal(sysadmin, client):
    client.force_login(sysadmin)
    response = client.get("/admin/accounts/rolegrant/")
    assert response.status_code == 403
    html = response.content.decode()
    assert ROLE in html
    assert "安全管理员" in html  # whom to ask: the security administrator grants roles
    assert EXPIRED_FORM not in html


def test_it_says_the_form_expired_on_a_csrf_failure(sysadmin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(sysadmin)
    response = client.post("/admin/auth/user/add/", {"username": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert EXPIRED_FORM in html
    assert ROLE not in html
    assert 'class="who-name"' in html  # the site's own page with the account's name, not Django's English one
    assert "Forbidden" not in html
