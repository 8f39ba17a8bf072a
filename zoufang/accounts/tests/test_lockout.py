import os
import subprocess
import sys

import pytest


def _token(client, password):
    return client.post(
        "/api/v1/auth/token", {"username": "office", "password": password}, content_type="application/json"
    )


def test_it_locks_the_token_endpoint_after_repeated_failures(town, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _token(client, "wrong").status_code == 401
    assert _token(client, "wrong").status_code == 429
    response = _token(client, "zoufang-test-password")
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "锁定" in response.json()["detail"]


def test_it_shows_the_browser_a_chinese_lockout_page(town, client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "office", "password": "wrong"})
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ZOUFANG_DEBUG", "maybe", "ZOUFANG_DEBUG must be true or false"),
        ("ZOUFANG_PAGE_SIZE", "many", "ZOUFANG_PAGE_SIZE must be an integer"),
        ("DATABASE_URL", "mysql://root@localhost/x", "DATABASE_URL must point at PostgreSQL"),
        ("ZOUFANG_SECRET_KEY", "short", "at least 32 characters"),
    ],
)
def test_it_refuses_to_start_on_a_bad_setting(name, value, message):
    env = {**os.environ, name: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='zoufang.settings'; django.setup()"],
        env=env, capture_output=True, text=True, check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr
