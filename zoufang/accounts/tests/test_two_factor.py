"""Two factors for the office and the administrators (等保 身份鉴别), on the pages and for API tokens."""

import re

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts import twofactor
from zoufang.accounts.demo import enrol_demo_accounts
from zoufang.accounts.models import AuditEvent
from zoufang.conftest import PASSWORD


def _password_login(client, username):
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_it_asks_the_office_to_enrol_before_any_page(town, client):
    _password_login(client, "office")
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/")
    page = client.get("/account/2fa/").content.decode()
    assert "启用双因素认证" in page
    assert "<svg" in page  # the QR code drawn on the server
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page)
    assert secret is not None


def test_it_enrols_with_a_code_and_shows_recovery_codes_once(town, client):
    _password_login(client, "office")
    client.get("/account/2fa/")
    device = TOTPDevice.objects.get(user=town.users["office"], confirmed=False)
    wrong = client.post("/account/2fa/", {"code": "000000" if twofactor.current_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp waits a second after a wrong code; the user would too
    response = client.post("/account/2fa/", {"code": twofactor.current_code(device)})
    page = response.content.decode()
    assert "双因素认证已启用" in page
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page)
    assert len(codes) == 10
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(summary="启用双因素认证").exists()

    client.post("/logout/")
    _password_login(client, "office")
    assert client.get("/")["Location"].startswith("/account/2fa/")
    assert "输入动态验证码" in client.get("/account/2fa/").content.decode()
    assert client.post("/account/2fa/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200

    client.post("/logout/")
    _password_login(client, "office")
    again = client.post("/account/2fa/", {"code": codes[0]})  # a recovery code works once
    assert again.status_code == 400


def test_a_leader_needs_no_second_factor(town, client):
    _password_login(client, "leader")
    assert client.get("/").status_code == 200


def test_the_api_token_takes_an_otp_where_two_factors_are_required(town, client):
    office = town.users["office"]
    TOTPDevice.objects.create(user=office, name="手机", confirmed=True)
    url = "/api/v1/auth/token"
    missing = client.post(url, {"username": "office", "password": PASSWORD}, content_type="application/json")
    assert missing.status_code == 401
    assert "动态验证码" in missing.json()["detail"]
    wrong = client.post(url, {"username": "office", "password": PASSWORD, "otp": "12"},
                        content_type="application/json")
    assert wrong.status_code == 401
    device = TOTPDevice.objects.get(user=office)
    device.throttle_reset()
    good = client.post(url, {"username": "office", "password": PASSWORD, "otp": twofactor.current_code(device)},
                       content_type="application/json")
    assert good.status_code == 200, good.content
    leader = client.post(url, {"username": "leader", "password": PASSWORD}, content_type="application/json")
    assert leader.status_code == 200


def test_the_demo_prints_a_demo_accounts_code_and_no_other(town, client, capsys):
    enrol_demo_accounts()
    call_command("demoaccounts", "--otp", "office")
    code = capsys.readouterr().out.strip()
    assert re.fullmatch(r"\d{6}", code)
    _password_login(client, "office")
    assert client.post("/account/2fa/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    with pytest.raises(CommandError):
        call_command("demoaccounts", "--otp", "leader")  # needs no second factor


def test_the_security_administrator_resets_a_lost_phone(town, client):
    office = town.users["office"]
    TOTPDevice.objects.create(user=office, name="手机", confirmed=True)
    twofactor.reset(office, by=None)
    assert not twofactor.is_enrolled(office)
    _password_login(client, "office")
    assert "启用双因素认证" in client.get("/account/2fa/").content.decode()


def test_the_admin_never_shows_an_authenticator_and_the_security_administrator_resets_one(town, client):
    from zoufang.accounts.services import ensure_administrator

    office = town.users["office"]
    TOTPDevice.objects.create(user=office, name="手机", confirmed=True)
    assert client.get("/admin/otp_totp/totpdevice/").status_code in (302, 404)
    security = ensure_administrator("security", PASSWORD, full_name="安全管理员", role="security_admin")
    client.force_login(security)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    response = client.post("/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [office.pk]})
    assert response.status_code == 302
    assert not twofactor.is_enrolled(office)
    assert AuditEvent.objects.filter(summary="重置账号 office 的双因素认证").exists()


def test_a_refused_enrolment_step_writes_no_authenticator(town, client):
    office = town.users["office"]
    _password_login(client, "office")
    early = client.post("/account/2fa/", {"code": "123456"})  # no QR page shown yet: nothing to confirm
    assert early.status_code == 400
    assert "请先用验证器扫描二维码" in early.content.decode()
    assert not TOTPDevice.objects.filter(user=office).exists()

    client.get("/account/2fa/")
    client.get("/account/2fa/")  # the page opened again shows the same key: one pending authenticator
    pending = TOTPDevice.objects.get(user=office)
    code = twofactor.current_code(pending)
    for _attempt in range(3):
        wrong = client.post("/account/2fa/", {"code": "000000" if code != "000000" else "111111"})
        assert wrong.status_code == 400
        assert twofactor.secret_text(pending) in wrong.content.decode()  # the same key, to try again
    assert list(TOTPDevice.objects.filter(user=office).values_list("pk", "key", "confirmed")) == [
        (pending.pk, pending.key, False)]


def test_an_account_that_needs_no_second_factor_is_sent_on_and_enrols_nothing(town, client):
    _password_login(client, "leader")
    assert client.get("/account/2fa/?next=/my/").status_code == 302
    assert client.post("/account/2fa/", {"code": "123456"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=town.users["leader"]).exists()


def test_new_recovery_codes_replace_the_old_ones_whole_or_not_at_all(town, monkeypatch):
    from django_otp.plugins.otp_static.models import StaticToken

    office = town.users["office"]
    old = twofactor.issue_recovery_codes(office)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(StaticToken.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        twofactor.issue_recovery_codes(office)
    assert sorted(StaticToken.objects.filter(device__user=office).values_list("token", flat=True)) == sorted(old)
