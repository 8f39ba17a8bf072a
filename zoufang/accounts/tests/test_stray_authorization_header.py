"""An Authorization header is the API's: a page ignores one it does not use and goes on with the session, while the
API answers a broken one with its Chinese 401."""

import pytest

BROKEN = ["Bearer", "Bearer not-a-token", "Basic b2ZmaWNlOnh4eA==", "Negotiate YIIG", "garbage \u00e9\u00e9"]


@pytest.mark.parametrize("header", BROKEN)
def test_a_signed_in_page_goes_on_with_its_session(client, town, header):
    client.force_login(town.users["office"])
    page = client.get("/plan/", HTTP_AUTHORIZATION=header)
    assert page.status_code == 200
    assert page.wsgi_request.user == town.users["office"]


@pytest.mark.parametrize("header", BROKEN)
def test_the_api_answers_a_broken_header_with_its_401_in_chinese(client, town, header):
    client.force_login(town.users["office"])  # a session is no credential for the API
    answer = client.get("/api/v1/auth/tokens", HTTP_AUTHORIZATION=header)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "未登录，或令牌无效、已过期", "code": "unauthorized", "errors": {}}
