"""The demo's accounts share one published password (README): it is hashed once per load, not once per account
(≈0.25 s of PBKDF2 each, ≈35 accounts); a real account's password keeps its own salt."""

from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import demo_password, ensure_user

pytestmark = pytest.mark.django_db


class CountedPBKDF2(PBKDF2PasswordHasher):
    """PBKDF2 as in production, with few iterations (the test is about how often it runs, not how long)."""

    iterations = 1_000
    encoded: list[str] = []

    def encode(self, password: str, salt: str, iterations: int | None = None) -> str:
        made = super().encode(password, salt, iterations)
        CountedPBKDF2.encoded.append(made)
        return made


@pytest.fixture
def counted(settings: Any) -> list[str]:
    settings.PASSWORD_HASHERS = [f"{__name__}.CountedPBKDF2"]
    CountedPBKDF2.encoded = []
    return CountedPBKDF2.encoded


def test_demo_accounts_share_one_hash_made_once(town, counted, settings):
    accounts = [ensure_user(f"demo{n}", demo_password(), role=RoleGrant.Role.AUDITOR, region=town.town)
                for n in range(5)]

    assert len(counted) == 1
    assert {account.password for account in accounts} == {counted[0]}
    assert counted[0].startswith("pbkdf2_sha256$1000$")
    for account in accounts:
        account.refresh_from_db()
        assert account.check_password(settings.ZOUFANG_DEMO_PASSWORD)
        assert not account.check_password("another")


def test_another_demo_password_or_hasher_is_hashed_again(counted, settings):
    first = demo_password()
    settings.ZOUFANG_DEMO_PASSWORD = "another-demo"
    assert demo_password() != first
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert demo_password().encoded.startswith("md5$")


def test_a_real_accounts_password_has_its_own_salt(counted):
    one = ensure_user("clerk1", "Same-Password-1")
    two = ensure_user("clerk2", "Same-Password-1")

    assert len(counted) == 2
    assert one.password != two.password
