"""Password rules (身份鉴别): length and character classes, no reuse of recent ones, expiry, change at first login."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from zoufang.accounts.models import AccountSecurity, PasswordHistory

CLASSES = (
    (str.islower, "小写字母"),
    (str.isupper, "大写字母"),
    (str.isdigit, "数字"),
)


def character_classes(password: str) -> int:
    found = {label for test, label in CLASSES for char in password if char.isascii() and test(char)}
    symbols = any(not (char.isascii() and char.isalnum()) for char in password)
    return len(found) + int(symbols)


class CharacterClassesValidator:
    """At least `minimum` of the four classes: lower case, upper case, digits, symbols."""

    def __init__(self, minimum: int = 3) -> None:
        self.minimum = minimum

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.minimum:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号四类中的至少 %(n)d 类。") % {"n": self.minimum}


class PasswordHistoryValidator:
    """Not the current password nor any of the last `remember` ones; remembers each new password's hash."""

    def __init__(self, remember: int = 5) -> None:
        self.remember = remember

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        earlier = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.remember])
        if user.password:
            earlier.append(user.password)
        if any(check_password(password, hashed) for hashed in earlier):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or user.pk is None:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.remember:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        AccountSecurity.objects.update_or_create(user=user, defaults={"password_changed_at": timezone.now()})
        # Django calls this on every change of a password (the user's page, the admin, `changepassword`): the API
        # tokens taken with the old password stop with it, as a session elsewhere does.
        from zoufang.accounts import tokens

        tokens.revoke_all(user, summary="密码已修改，吊销接口令牌")

    def get_help_text(self) -> str:
        return _("不能与最近 %(n)d 次用过的密码相同。") % {"n": self.remember}


def security_of(user: Any) -> AccountSecurity:
    state, _created = AccountSecurity.objects.get_or_create(user=user)
    return state


def must_change_password(user: Any) -> str:
    """Why the user must change the password now ("" when they need not)."""
    state = AccountSecurity.objects.filter(user=user).first()
    if state is not None and state.demo_account:
        return ""
    if state is not None and state.must_change_password:
        return _("这是管理员设置的初始密码，请先修改为只有您自己知道的密码。")
    max_age = settings.ZOUFANG_PASSWORD_MAX_AGE_DAYS
    if not max_age:
        return ""
    changed = (state.password_changed_at if state else None) or user.date_joined
    if timezone.now() - changed > dt.timedelta(days=max_age):
        return _("密码已使用超过 %(n)d 天，请修改密码。") % {"n": max_age}
    return ""


def require_change(user: Any, *, required: bool = True) -> None:
    """Set (an administrator set the password) or clear (the owner changed it) the first-login change."""
    AccountSecurity.objects.update_or_create(user=user, defaults={"must_change_password": required})
