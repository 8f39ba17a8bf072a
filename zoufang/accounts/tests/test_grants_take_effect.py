"""A role grant counts from its holder's very next request: the second factor is asked at once, a revoked role's
pages are gone at once, and an API token taken on a password alone stops — at no query of its own."""

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zoufang.accounts.models import RoleGrant
from zoufang.accounts.services import ensure_administrator
from zoufang.conftest import PASSWORD, api_token_for
from zoufang.core.testforms import form_values

Role = RoleGrant.Role


def _security_admin() -> Client:
    client = Client()
    client.force_login(ensure_administrator("sec1", PASSWORD, full_name="安全管理员甲", role=Role.SECURITY_ADMIN))
    return client


def _names(html: str) -> set[str]:
    return set(re.findall(r'<a href="/targets/[0-9a-f-]+/">([^<]+)</a>', html))


def test_an_office_grant_sends_the_holders_next_request_to_the_second_factor(town: Any) -> None:
    leader = Client()
    leader.force_login(town.users["leader"])  # a leader needs no second factor: a password session
    assert leader.get("/targets/").status_code == 200
    security = _security_admin()
    url = "/admin/accounts/rolegrant/add/"
    added = security.post(url, {**form_values(security.get(url).content.decode(), "rolegrant_form"),
                                "user": town.users["leader"].pk, "role": Role.OFFICE, "region": town.town.pk})
    assert added.status_code == 302, added.content.decode()[:2000]
    following = leader.get("/targets/")
    assert following.status_code == 302
    assert following["Location"].startswith("/account/2fa/")


def test_a_revoked_grant_no_longer_shows_on_the_next_request(town: Any) -> None:
    office = Client()
    office.force_login(town.users["office"])
    target = town.households["jijiadun"][0]
    assert len(_names(office.get("/targets/").content.decode())) == 6
    assert office.get(f"/targets/{target.public_id}/").status_code == 200
    security = _security_admin()
    grant = RoleGrant.objects.get(user=town.users["office"], role=Role.OFFICE)
    url = f"/admin/accounts/rolegrant/{grant.pk}/delete/"
    assert security.post(url, form_values(security.get(url).content.decode(), containing="post")).status_code == 302
    assert _names(office.get("/targets/").content.decode()) == set()
    assert office.get(f"/targets/{target.public_id}/").status_code == 404


def test_a_page_reads_the_grants_once_for_the_second_factor_and_the_scope_together(town: Any, login: Any) -> None:
    client = login(town.users["office"])
    for path in ("/targets/", "/targets/"):  # the first page after login, and a later one
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        # The user's own grants (a page's figures may join the grants of others: those name no user), read from the
        # account with its cadre; on PostgreSQL scope's read is a prepared statement, logged with its placeholder.
        own = [q["sql"] for q in queries.captured_queries if "rolegrant" in q["sql"]
               and re.search(rf'(user_id"?|\ba\.id) = (\$1|{town.users["office"].pk})\b', q["sql"])]
        assert len(own) == 1, (path, own)


def test_an_api_token_taken_on_a_password_alone_stops_when_the_account_comes_to_need_two_factors(town, client):
    leader = api_token_for(client, "leader")
    response = client.post("/api/v1/auth/token", {"username": "leader", "password": PASSWORD},
                           content_type="application/json")
    refresh = response.json()["refresh"]
    assert client.get("/api/v1/me/targets", **leader).status_code == 200
    office = api_token_for(client, "office")  # taken with the second factor
    RoleGrant.objects.create(user=town.users["leader"], role=Role.OFFICE, region=town.town)
    RoleGrant.objects.create(user=town.users["office"], role=Role.LEADER, region=town.town)
    refused = client.get("/api/v1/me/targets", **leader)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "此账号的角色现须双因素认证：请用用户名、密码和动态验证码重新取得令牌"
    again = client.post("/api/v1/auth/refresh", {"refresh": refresh}, content_type="application/json")
    assert again.status_code == 401
    assert client.get("/api/v1/me/targets", **office).status_code == 200


def test_a_token_taken_before_tokens_said_how_counts_as_taken_on_a_password_alone(town, client):
    """Migration 0008: a token from before 0007 cannot say whether a second factor was given, so it counts as
    taken on a password: a cadre's stops when the cadre comes to need two factors, an office account's at once."""
    from importlib import import_module

    from django.apps import apps

    from zoufang.accounts.models import ApiToken

    leader = api_token_for(client, "leader")
    office = api_token_for(client, "office")
    ApiToken.objects.update(password_only=False)  # as 0007 left every token taken before it
    import_module("zoufang.accounts.migrations.0008_existing_tokens_password_only").count_as_password_only(apps, None)
    assert client.get("/api/v1/me/targets", **leader).status_code == 200
    assert client.get("/api/v1/me/targets", **office).status_code == 401  # take a new one, with the code
    RoleGrant.objects.create(user=town.users["leader"], role=Role.OFFICE, region=town.town)
    assert client.get("/api/v1/me/targets", **leader).status_code == 401
