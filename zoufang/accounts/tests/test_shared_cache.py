"""The cache that counts the per-address login rate: Redis when REDIS_URL is set, so N web workers count one rate
(issue 14); in the process's memory otherwise. Against the local Redis (ZOUFANG_TEST_REDIS_URL), skipped without."""

import os
import subprocess
import sys
import uuid
from typing import Any

import pytest
from django.test import RequestFactory

from zoufang.accounts.lockout import login_rate_exceeded

REDIS_URL = os.environ.get("ZOUFANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"
ADDRESS = "203.0.113.7"
# Another web worker: a process of its own, with the settings the environment gives it.
OTHER_WORKER = (
    "import django; django.setup()\n"
    "from django.conf import settings; from django.test import RequestFactory\n"
    "from zoufang.accounts.lockout import login_rate_exceeded\n"
    "print(settings.CACHES['default']['BACKEND'])\n"
    f"request = RequestFactory().post('/accounts/login/', REMOTE_ADDR='{ADDRESS}')\n"
    "print(*(login_rate_exceeded(request) for _ in range(int(__import__('sys').argv[1]))))\n"
)


def _redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - any failure means no Redis here
        return False


def _other_worker(attempts: int, **env: str) -> list[str]:
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update({"DJANGO_SETTINGS_MODULE": "zoufang.settings", "ZOUFANG_AXES_ENABLED": "true", **env})
    done = subprocess.run([sys.executable, "-c", OTHER_WORKER, str(attempts)], env=environment,  # noqa: S603
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_without_redis_url_each_process_keeps_its_own_cache():
    assert _other_worker(0) == ["django.core.cache.backends.locmem.LocMemCache"]


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis at ZOUFANG_TEST_REDIS_URL")
def test_with_redis_url_two_workers_count_one_login_rate(settings: Any):
    prefix = f"zoufang-test-{uuid.uuid4().hex}"  # this test's keys only: nothing else in the Redis is touched
    settings.CACHES = {"default": {"BACKEND": REDIS_CACHE, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}}
    settings.RATELIMIT_ENABLE = True
    settings.ZOUFANG_LOGIN_RATE = "3/d"
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ADDRESS)
    try:
        assert login_rate_exceeded(request) is False  # the first attempt, in this worker
        other = _other_worker(2, REDIS_URL=REDIS_URL, ZOUFANG_CACHE_PREFIX=prefix, ZOUFANG_LOGIN_RATE="3/d")
        assert other == [REDIS_CACHE, "False", "False"]  # the second and third, in the other
        assert login_rate_exceeded(request) is True  # the fourth over both: refused here
        assert _other_worker(1, REDIS_URL=REDIS_URL, ZOUFANG_CACHE_PREFIX=prefix,
                             ZOUFANG_LOGIN_RATE="3/d")[1:] == ["True"]  # and there
    finally:
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
