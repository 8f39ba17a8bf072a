"""The demo's accounts: no password expiry nor forced change, and an authenticator already enrolled."""

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts import twofactor
from zoufang.accounts.models import AccountSecurity


def enrol_demo_accounts() -> int:
    """Mark every account of the demo database as a demo account; returns how many need two factors."""
    enrolled = 0
    for user in get_user_model().objects.all():
        AccountSecurity.objects.update_or_create(user=user, defaults={"demo_account": True})
        if twofactor.requires_two_factor(user):
            enrolled += 1
            if not twofactor.is_enrolled(user):
                TOTPDevice.objects.create(user=user, name="演示验证器", confirmed=True)
    return enrolled


def demo_code(username: str) -> str | None:
    """The current authenticator code of a demo account (None for any other account)."""
    device = TOTPDevice.objects.filter(
        user__username=username, confirmed=True, user__security__demo_account=True
    ).first()
    return twofactor.current_code(device) if device is not None else None
