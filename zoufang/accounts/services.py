"""Account actions: creating users with their roles."""

import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from zoufang.accounts import audit
from zoufang.accounts.duties import check_grant
from zoufang.accounts.models import AuditEvent, RoleGrant
from zoufang.regions.models import Region
from zoufang.registry.models import Cadre, Unit


@dataclass(frozen=True)
class Hashed:
    """A password already hashed (Django's encoded form), set as it is."""

    encoded: str


def demo_password() -> Hashed:
    """The demo accounts' one password (ZOUFANG_DEMO_PASSWORD), hashed once per process and hasher.

    For the demo only: every demo account shares a password printed in the README, so one salt for all of them
    hides nothing a salt per account would (the salt keeps equal passwords from looking equal and defeats
    precomputed tables; this one is public). It saves ≈0.25 s of PBKDF2 per account, ≈35 per demo load. Real
    accounts never pass through here: a password a person sets or the office issues is hashed with its own salt
    (`set_password`), and a demo account's own new password too once its user changes it."""
    return _hashed(settings.ZOUFANG_DEMO_PASSWORD, tuple(settings.PASSWORD_HASHERS))


@functools.lru_cache(maxsize=4)
def _hashed(password: str, hashers: tuple[str, ...]) -> Hashed:
    return Hashed(make_password(password))  # `hashers` keys the cache: a test's other hasher hashes again


@transaction.atomic
def ensure_user(
    username: str, password: "str | Hashed", *, full_name: str = "", role: str | None = None, region: Region | None = None,
    unit: Unit | None = None, cadre: Cadre | None = None, by: Any = None,
) -> Any:
    """Create the user (or reset its password) with one role grant and an optional cadre link."""
    User = get_user_model()
    full_name = full_name or (cadre.name if cadre is not None else "")
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": full_name})
    if isinstance(password, Hashed):
        user.password = password.encoded
    else:
        user.set_password(password)
    user.first_name = full_name or user.first_name
    user.save()
    if role is not None:
        if not RoleGrant.objects.filter(user=user, role=role, region=region, unit=unit).exists():
            check_grant(user, role)
        RoleGrant.objects.get_or_create(user=user, role=role, region=region, unit=unit)
    if cadre is not None and cadre.user_id != user.pk:
        Cadre.objects.filter(user=user).exclude(pk=cadre.pk).update(user=None)
        cadre.user = user
        cadre.save(update_fields=["user"])
    audit.record(
        by, AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE, user,
        object_type="auth.User", summary=_("账号 %(username)s：%(role)s") % {
            "username": username, "role": role or _("走访干部"),
        },
    )
    return user


# The three administrators (三权分立, zoufang.accounts.duties); the first two work in the admin site.
ADMIN_SITE_ROLES = {RoleGrant.Role.SYSADMIN, RoleGrant.Role.SECURITY_ADMIN}


def ensure_administrator(username: str, password: "str | Hashed", *, full_name: str, role: str, by: Any = None) -> Any:
    """An administrator account: its one role, no region (so no residents), the admin site if its duty is there."""
    user = ensure_user(username, password, full_name=full_name, role=role, by=by)
    if user.is_staff != (role in ADMIN_SITE_ROLES):
        user.is_staff = role in ADMIN_SITE_ROLES
        user.save(update_fields=["is_staff"])
    return user
