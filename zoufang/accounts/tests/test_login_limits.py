"""Lockout per account and per address, a rate limit on every login endpoint, the real client address behind a
trusted proxy, every login event audited, and the headers a browser needs (等保 身份鉴别, 安全审计)."""

import datetime as dt
import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.utils import timezone

from zoufang.accounts.lockout import client_address
from zoufang.accounts.models import AuditEvent
from zoufang.conftest import PASSWORD
from zoufang.core.backup import new_key
from zoufang.registry.tests.factories import CadreFactory


def _post_login(client, username, password, address="198.51.100.7", **extra):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def test_one_address_trying_many_accounts_is_locked(town, client, settings):
    settings.ZOUFANG_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    from zoufang.accounts.services import ensure_user

    names = [ensure_user(f"cadre{n}", PASSWORD, cadre=CadreFactory()).username for n in range(12)]
    for attempt in range(24):  # 2 failures each on 12 accounts: under the per-account limit
        _post_login(client, names[attempt % 12], "wrong-password")
    response = _post_login(client, "leader", PASSWORD)  # a valid login from that address is refused too
    assert response.status_code == 429
    assert _post_login(client, "leader", PASSWORD, address="203.0.113.9").status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LOCKOUT).exists()


def test_attempts_during_a_lockout_do_not_keep_it_alive(town, client, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "leader", "wrong")
    assert _post_login(client, "leader", PASSWORD).status_code == 429
    started = AccessAttempt.objects.get(username="leader").attempt_time
    for _attempt in range(5):
        _post_login(client, "leader", "wrong")
    assert AccessAttempt.objects.get(username="leader").attempt_time == started
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(hours=settings.AXES_COOLOFF_TIME, seconds=1))
    assert _post_login(client, "leader", PASSWORD).status_code == 302


def _clear_of_the_window_edge(address: str, period: int, margin: int) -> None:
    """django-ratelimit counts in fixed windows, each ending at a second of the period set by the key (the crc32 of
    the address): attempts on both sides of that second are counted apart, and the limit is not reached. Wait
    until the next `margin` seconds hold no edge (at most `margin` seconds)."""
    edge = zlib.crc32(address.encode()) % period
    while (edge - int(time.time())) % period < margin:
        time.sleep(0.5)


def test_every_login_endpoint_shares_one_rate_limit(town, client, settings):
    settings.ZOUFANG_LOGIN_RATE = "6/m"
    _clear_of_the_window_edge("198.51.100.7", 60, margin=5)
    for _attempt in range(3):
        _post_login(client, "leader", PASSWORD)
        client.post("/api/v1/auth/token", {"username": "leader", "password": PASSWORD},
                    content_type="application/json", REMOTE_ADDR="198.51.100.7")
    page = _post_login(client, "leader", PASSWORD)
    assert page.status_code == 429
    assert "过于频繁" in page.content.decode()
    api = client.post("/api/v1/auth/token", {"username": "leader", "password": PASSWORD},
                      content_type="application/json", REMOTE_ADDR="198.51.100.7")
    assert api.status_code == 429


def test_the_client_address_is_believed_only_from_a_trusted_proxy(rf, settings):
    settings.ZOUFANG_TRUSTED_PROXIES = ["10.0.0.2"]
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(spoofed) == "198.51.100.7"
    proxied = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_address(proxied) == "203.0.113.9"  # the hop the proxy saw, not what the client claimed


def test_logins_logouts_and_failures_are_audited(town, client):
    _post_login(client, "leader", "wrong")
    _post_login(client, "leader", PASSWORD)
    client.post("/logout/")
    client.post("/api/v1/auth/token", {"username": "leader", "password": PASSWORD}, content_type="application/json")
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.LOGIN, AuditEvent.Action.LOGOUT,
            AuditEvent.Action.TOKEN} <= actions
    failure = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failure.changes == {"username": "leader", "address": "198.51.100.7"}


def test_pages_carry_a_policy_with_no_inline_script(town, login):
    response = login(town.users["leader"]).get("/")
    policy = response["Content-Security-Policy"]
    script = re.search(r"script-src ([^;]+)", policy)
    assert script is not None
    assert "'unsafe-inline'" not in script.group(1)
    assert "frame-ancestors 'none'" in policy


def test_no_template_holds_inline_script():
    root = Path(django_settings.BASE_DIR) / "zoufang"
    offenders = []
    for template in root.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+\s*=", text):
            offenders.append(str(template.relative_to(root)))
    assert offenders == []


def test_the_production_settings_pass_check_deploy(tmp_path):
    env = {**os.environ, "ZOUFANG_SECRET_KEY": "k" * 20 + "production-secret-0123456789-abcdefghij",
           "ZOUFANG_SECURE_COOKIES": "true", "ZOUFANG_DEBUG": "false",
           "ZOUFANG_ALLOWED_HOSTS": "zoufang.example.gov.cn", "ZOUFANG_VAR_DIR": str(tmp_path),
           "ZOUFANG_DATA_KEYS": f"k1:{new_key()}", "ZOUFANG_INDEX_KEY": new_key(),
           "ZOUFANG_BACKUP_KEY": new_key()}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process, never in production
    done = subprocess.run([sys.executable, "-m", "zoufang.cli", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.parametrize("path", ["/", "/targets/", "/cases/", "/login/"])
def test_pages_are_never_stored_by_a_browser_or_proxy(town, login, path):
    response = login(town.users["leader"]).get(path)
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_api_answers_are_never_stored_by_a_browser_or_proxy(town, client, api_token):
    response = client.get("/api/v1/targets", **api_token("leader"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    refused = client.get("/api/v1/targets")
    assert "no-store" in refused["Cache-Control"]


def test_the_https_scheme_is_believed_only_from_a_trusted_proxy(client, settings):
    settings.ZOUFANG_TRUSTED_PROXIES = ["10.0.0.2"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    spoofed = client.get("/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_PROTO="https")
    assert spoofed.status_code == 301
    assert spoofed["Location"].startswith("https://")
    proxied = client.get("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_PROTO="https")
    assert proxied.status_code == 200
