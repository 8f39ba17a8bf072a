"""Two factors (身份鉴别): who must use them, enrolment, verification, recovery codes and reset."""

from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts import audit
from zoufang.accounts.models import AuditEvent, RoleGrant

# The office, the city office and every administrator role (issue: 等保 身份鉴别 — two factors).
TWO_FACTOR_ROLES = frozenset({
    RoleGrant.Role.OFFICE, RoleGrant.Role.CITY_OFFICE, RoleGrant.Role.SYSADMIN,
    RoleGrant.Role.SECURITY_ADMIN, RoleGrant.Role.AUDIT_ADMIN,
})
RECOVERY_CODES = 10
ISSUER = "走访平台"


def requires_two_factor(user: Any) -> bool:
    """From the user's grants as this request reads them for scope anyway (no query of its own), so a grant given
    or revoked counts from the user's very next request."""
    from zoufang.accounts import scope

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(scope.roles(user) & TWO_FACTOR_ROLES)


def is_enrolled(user: Any) -> bool:
    """Has a confirmed device: an authenticator, or recovery codes left from one."""
    return any(True for _device in devices_for_user(user, confirmed=True))


def pending_device(user: Any) -> TOTPDevice | None:
    """The unconfirmed authenticator being enrolled, if the QR page has been shown."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


@transaction.atomic
def start_enrolment(user: Any) -> TOTPDevice:
    """The pending authenticator the QR page shows: kept until confirmed, so the key scanned before a logout or
    a timed-out session still enrols; one a user, however many times or tabs the page is opened in (decision 0060)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # the user's pages, one at a time
    device = pending_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG, drawn on the server (no third-party request)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def secret_text(device: TOTPDevice) -> str:
    """The key in base32, in groups of four, for typing into an app that cannot scan."""
    import base64

    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@transaction.atomic
def confirm_enrolment(user: Any, token: str) -> list[str] | None:
    """Confirm the pending authenticator with a code from it; returns fresh recovery codes, or None."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(normalise(token)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = issue_recovery_codes(user)
    audit.record(user, AuditEvent.Action.SECURITY, user, object_type="auth.User", summary="启用双因素认证")
    return codes


@transaction.atomic
def issue_recovery_codes(user: Any) -> list[str]:
    """Ten single-use recovery codes; earlier ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def normalise(token: str) -> str:
    return "".join(str(token or "").split()).lower()


def verify(user: Any, token: str) -> Any:
    """The device that accepts `token` (an authenticator code or an unused recovery code), or None."""
    token = normalise(token)
    if not token or len(token) > 16:
        return None
    device = match_token(user, token)
    if device is not None and isinstance(device, StaticDevice):
        audit.record(user, AuditEvent.Action.SECURITY, user, object_type="auth.User", summary="使用了一个恢复码")
    return device


def wait_seconds(user: Any) -> int:
    """How long a user must wait before the next code is tried (django-otp doubles it after each miss)."""
    from django.utils import timezone

    waits = []
    for device in devices_for_user(user, confirmed=None):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(int((data["locked_until"] - timezone.now()).total_seconds()) + 1)
    return max(waits, default=0)


@transaction.atomic
def reset(user: Any, *, by: Any) -> None:
    """Remove every device: the user enrols again at next login (security administrator's action)."""
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
    audit.record(by, AuditEvent.Action.SECURITY, user, object_type="auth.User",
                 summary=_("重置账号 %(username)s 的双因素认证") % {"username": user.username})


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
