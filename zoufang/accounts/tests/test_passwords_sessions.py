"""Passwords, sessions and API tokens (等保 身份鉴别): rules that hold, limits that end, tokens that can be taken back."""

import datetime as dt
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from zoufang.accounts import passwords
from zoufang.accounts.middleware import LOGIN_AT, SEEN_AT
from zoufang.accounts.models import AccountSecurity, ApiToken, AuditEvent
from zoufang.conftest import PASSWORD


@pytest.mark.parametrize("password", ["abcdefgh", "abcd1234", "ABCDEFGH1", "Ab1!", "锦溪镇锦溪镇锦溪镇"])
def test_it_refuses_a_weak_password(town, password):
    with pytest.raises(ValidationError):
        validate_password(password, town.users["leader"])


@pytest.mark.parametrize("password", ["Jinxi2017!", "jinxi-2017-zf", "JINXI_zoufang"])
def test_it_takes_eight_characters_of_three_classes(town, password):
    validate_password(password, town.users["leader"])


def test_it_refuses_the_last_five_passwords(town):
    leader = town.users["leader"]
    used = [f"Zoufang-{n}x" for n in range(6)]
    for password in used:
        validate_password(password, leader)
        leader.set_password(password)
        leader.save()
    for recent in used[1:]:
        with pytest.raises(ValidationError, match="最近 5 次"):
            validate_password(recent, leader)
    validate_password(used[0], leader)  # six changes ago: allowed again


def test_a_password_older_than_the_limit_must_change(town, login, settings):
    settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS = 90
    AccountSecurity.objects.filter(user=town.users["leader"]).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91))
    client = login(town.users["leader"])
    response = client.get("/")
    assert response["Location"].startswith("/account/password/")
    page = client.get("/account/password/").content.decode()
    assert "超过 90 天" in page
    bad = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "short",
                                            "new_password2": "short"})
    assert bad.status_code == 400
    good = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Jinxi-2017-new",
                                             "new_password2": "Jinxi-2017-new"})
    assert good.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(summary="修改了自己的密码").exists()


def test_a_change_sent_twice_is_made_once_and_said_so(town, login):
    """The form sent again (a double click, a resend: decision 0058): its old password is no longer the user's, its new
    one is; told it was changed, not that the old password is wrong. Another old password stays wrong."""
    client = login(town.users["leader"])
    change = {"old_password": PASSWORD, "new_password1": "Jinxi-2017-new", "new_password2": "Jinxi-2017-new"}
    assert [client.post("/account/password/", change)["Location"] for _sent in range(2)] == ["/", "/"]
    assert AuditEvent.objects.filter(summary="修改了自己的密码").count() == 1
    assert "重复提交" in client.get("/").content.decode()
    wrong = client.post("/account/password/", {**change, "new_password1": "Jinxi-2017-other",
                                               "new_password2": "Jinxi-2017-other"})
    assert wrong.status_code == 400


def test_an_initial_password_set_by_an_administrator_changes_at_first_login(town, login):
    passwords.require_change(town.users["leader"])
    client = login(town.users["leader"])
    response = client.get("/")
    assert response["Location"].startswith("/account/password/")
    assert "初始密码" in client.get("/account/password/").content.decode()


def test_a_demo_account_never_expires(town, login, settings):
    settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS = 90
    AccountSecurity.objects.filter(user=town.users["leader"]).update(
        password_changed_at=timezone.now() - dt.timedelta(days=400), demo_account=True)
    assert login(town.users["leader"]).get("/").status_code == 200


def _age_session(client, *, login_ago: float, seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[LOGIN_AT] = now - login_ago
    session[SEEN_AT] = now - seen_ago
    session.save()


def test_an_idle_session_ends(town, login, settings):
    settings.ZOUFANG_SESSION_IDLE_MINUTES = 30
    client = login(town.users["leader"])
    _age_session(client, login_ago=40 * 60, seen_ago=29 * 60)
    assert client.get("/").status_code == 200
    _age_session(client, login_ago=40 * 60, seen_ago=31 * 60)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    login_page = client.get(response["Location"]).content.decode()
    assert login_page.count("超过 30 分钟未操作，已自动退出") == 1  # said once, in the login box
    assert client.get("/").status_code == 302  # signed out, not merely redirected once


def test_a_busy_session_still_ends_at_the_absolute_limit(town, login, settings):
    settings.ZOUFANG_SESSION_ABSOLUTE_HOURS = 12
    client = login(town.users["leader"])
    _age_session(client, login_ago=12 * 3600 + 5, seen_ago=10)
    response = client.get("/")
    assert response["Location"].startswith("/login/")


def _token(client, username="leader"):
    response = client.post("/api/v1/auth/token", {"username": username, "password": PASSWORD},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_api_tokens_are_short_lived_and_refresh(town, client, settings):
    settings.ZOUFANG_API_TOKEN_MINUTES = 30
    issued = _token(client)
    expires = dt.datetime.fromisoformat(issued["expires_at"])
    assert expires - timezone.now() <= dt.timedelta(minutes=30)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issued['token']}"}
    assert client.get("/api/v1/auth/tokens", **auth).status_code == 200

    refreshed = client.post("/api/v1/auth/refresh", {"refresh": issued["refresh"]}, content_type="application/json")
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["id"] == issued["id"]
    assert client.get("/api/v1/auth/tokens", **auth).status_code == 401  # the old access secret is gone
    again = client.post("/api/v1/auth/refresh", {"refresh": issued["refresh"]}, content_type="application/json")
    assert again.status_code == 401  # and so is the old refresh secret

    ApiToken.objects.filter(public_id=new["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {new['token']}").status_code == 401


def test_a_user_lists_and_revokes_their_tokens(town, client):
    first, second = _token(client), _token(client)
    other = _token(client, "village")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {second['token']}"}
    listed = client.get("/api/v1/auth/tokens", **auth).json()
    assert {row["id"] for row in listed} == {first["id"], second["id"]}
    assert [row["current"] for row in listed if row["id"] == second["id"]] == [True]
    assert client.delete(f"/api/v1/auth/tokens/{other['id']}", **auth).status_code == 404
    assert client.delete(f"/api/v1/auth/tokens/{first['id']}", **auth).status_code == 204
    assert client.get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {first['token']}").status_code == 401
    refresh = client.post("/api/v1/auth/refresh", {"refresh": first["refresh"]}, content_type="application/json")
    assert refresh.status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN, summary="吊销接口令牌").count() == 1


def test_the_tokens_page_lists_and_revokes(town, client, login):
    issued = _token(client)
    page = login(town.users["leader"]).get("/account/tokens/").content.decode()
    assert "我的接口令牌" in page
    assert "有效" in page
    client.post(f"/account/tokens/{issued['id']}/revoke/")
    assert "已吊销" in client.get("/account/tokens/").content.decode()


def test_a_changed_password_revokes_every_api_token_taken_with_the_old_one(town, client, login):
    """A token or refresh secret taken with a stolen password would otherwise outlive the owner's change by 12 h."""
    issued, other = _token(client), _token(client, "village")
    changed = login(town.users["leader"]).post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "Jinxi-2017-new", "new_password2": "Jinxi-2017-new"})
    assert changed.status_code == 302
    assert client.get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {issued['token']}").status_code == 401
    refresh = client.post("/api/v1/auth/refresh", {"refresh": issued["refresh"]}, content_type="application/json")
    assert refresh.status_code == 401
    assert ApiToken.objects.get(public_id=issued["id"]).revoked_at is not None
    assert ApiToken.objects.get(public_id=other["id"]).revoked_at is None  # another user's are theirs
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TOKEN, summary="密码已修改，吊销接口令牌",
                                     object_id=issued["id"]).count() == 1


def test_a_password_set_by_an_administrator_revokes_the_users_api_tokens(town, client):
    issued = _token(client)
    leader = town.users["leader"]
    leader.set_password("Jinxi-2017-reset")
    leader.save()
    assert client.get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=f"Bearer {issued['token']}").status_code == 401


@pytest.mark.parametrize("path", ["/account/password/", "/account/tokens/"])
def test_a_password_alone_reaches_neither_the_password_page_nor_the_tokens(town, client, path):
    """Before the second factor only the code page opens: with a stolen password one could change the password and
    lock the owner out, or revoke their tokens."""
    assert client.post("/login/", {"username": "office", "password": PASSWORD}).status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/")
    changed = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Jinxi-2017-new",
                                                "new_password2": "Jinxi-2017-new"})
    assert changed.status_code == 302
    assert changed["Location"].startswith("/account/2fa/")
    town.users["office"].refresh_from_db()
    assert town.users["office"].check_password(PASSWORD)


def test_a_password_due_opens_its_own_page_and_sends_the_tokens_page_to_it(town, login):
    passwords.require_change(town.users["leader"])
    client = login(town.users["leader"])
    assert client.get("/account/password/").status_code == 200
    assert client.get("/account/tokens/")["Location"].startswith("/account/password/")


def test_a_password_due_gets_no_api_token_nor_a_refresh_until_it_is_changed(town, client, login, settings):
    settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS = 90
    issued = _token(client)
    AccountSecurity.objects.filter(user=town.users["leader"]).update(
        password_changed_at=timezone.now() - dt.timedelta(days=91))
    credentials = {"username": "leader", "password": PASSWORD}
    refused = client.post("/api/v1/auth/token", credentials, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "password_change_required"
    assert "超过 90 天" in refused.json()["detail"]
    kept = client.post("/api/v1/auth/refresh", {"refresh": issued["refresh"]}, content_type="application/json")
    assert kept.status_code == 403
    assert ApiToken.objects.get(public_id=issued["id"]).refresh_digest == ApiToken.digest_of(issued["refresh"])

    web = login(town.users["leader"])
    assert web.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Jinxi-2017-new",
                                           "new_password2": "Jinxi-2017-new"}).status_code == 302
    assert client.post("/api/v1/auth/token", {"username": "leader", "password": "Jinxi-2017-new"},
                       content_type="application/json").status_code == 200


def test_an_administrators_initial_password_gets_no_api_token(town, client):
    passwords.require_change(town.users["leader"])
    refused = client.post("/api/v1/auth/token", {"username": "leader", "password": PASSWORD},
                          content_type="application/json")
    assert refused.status_code == 403
    assert "初始密码" in refused.json()["detail"]


def test_a_password_change_whose_audit_row_cannot_be_written_changes_nothing(town, login, monkeypatch):
    """The new password, its history, the cleared 'must change' and the audit row land together or not at all: a
    change the audit trail does not hold would be a change nobody can account for."""
    from zoufang.accounts import audit

    def unwritable(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    leader = town.users["leader"]
    passwords.require_change(leader)
    client = login(leader)
    client.raise_request_exception = False
    monkeypatch.setattr(audit, "record", unwritable)
    failed = client.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Jinxi-2017-new",
                                               "new_password2": "Jinxi-2017-new"})
    assert failed.status_code == 500
    leader.refresh_from_db()
    assert leader.check_password(PASSWORD)
    assert passwords.must_change_password(leader)
