"""Requests an attacker would send around the login: a `next` that leaves the site, the second factor stepped
around, a lockout dodged by spelling the name otherwise, a session or a token outliving its account or password."""

from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from zoufang.conftest import PASSWORD, second_factor_code

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.23"
AWAY = ["//evil.example/", "/\\evil.example/", "https://evil.example/", "/\t/evil.example/", "\\\\evil.example",
        "%2F%2Fevil.example", "http:evil.example", "///evil.example", " //evil.example"]


def _password_login(client: Client, username: str, password: str = PASSWORD, **data: str) -> Any:
    return client.post("/login/", {"username": username, "password": password, **data}, REMOTE_ADDR=ADDRESS)


def _stays_here(response: Any) -> None:
    """Where a browser goes from the answer's Location: this site, whatever the spelling."""
    assert response.status_code == 302
    location = response["Location"]
    assert "\\" not in location.split("?")[0], location  # browsers read a backslash as a slash
    assert urlsplit(urljoin("https://zoufang.example/login/", location)).netloc == "zoufang.example", location


@pytest.mark.parametrize("away", AWAY)
def test_the_login_never_sends_a_cadre_off_the_site(client, town, away):
    _stays_here(_password_login(client, "village", next=away))


@pytest.mark.parametrize("away", AWAY)
def test_the_second_factor_never_sends_the_office_off_the_site(client, town, away):
    assert _password_login(client, "office").status_code == 302
    code = second_factor_code(town.users["office"])
    _stays_here(client.post(f"/account/2fa/?next={away}", {"code": code, "next": away}))


@pytest.mark.parametrize("path", ["/downloads/", "/cases/", "/audit/", "/account/password/", "/account/tokens/",
                                  "/oversight/jinxi-test/", "/imports/"])
def test_a_password_alone_reaches_no_page_of_the_office(client, town, path):
    assert _password_login(client, "office").status_code == 302
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/")


def test_a_locked_name_is_not_unlocked_by_spelling_it_otherwise(client, town, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _password_login(client, "village", "wrong")
    for spelling in ["Village", " village", "village ", "ｖｉｌｌａｇｅ", "VILLAGE"]:
        response = _password_login(client, spelling)
        assert response.status_code in (200, 429), spelling
        assert "_auth_user_id" not in client.session, spelling
    assert _password_login(client, "village").status_code == 429


def test_a_deactivated_account_loses_its_session_and_its_token_at_once(client, town, api_token):
    headers = api_token("village")
    browser = Client()
    browser.force_login(town.users["village"])
    assert browser.get("/me/").status_code == 200
    town.users["village"].is_active = False
    town.users["village"].save(update_fields=["is_active"])
    assert browser.get("/me/").status_code == 302
    assert client.get("/api/v1/me/targets", **headers).status_code == 401


def test_a_password_changed_elsewhere_ends_the_other_sessions_and_tokens(client, town, api_token):
    headers = api_token("village")
    browser = Client()
    browser.force_login(town.users["village"])
    changer = Client()
    changer.force_login(town.users["village"])
    response = changer.post("/account/password/", {"old_password": PASSWORD, "new_password1": "Another-pass-2017!x",
                                                    "new_password2": "Another-pass-2017!x"})
    assert response.status_code == 302, response.content[:500]
    assert changer.get("/me/").status_code == 200
    assert browser.get("/me/").status_code == 302
    assert client.get("/api/v1/me/targets", **headers).status_code == 401
