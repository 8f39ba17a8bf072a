"""Start-up checks of the accounts' rules."""

from typing import Any

from django.contrib.auth import get_backends
from django.contrib.auth.backends import BaseBackend
from django.core import checks
from django.utils.translation import gettext as _

# Everything a backend can answer about permissions (Django 5.2, sync and async).
PERMISSION_METHODS = ("get_user_permissions", "aget_user_permissions", "get_group_permissions",
                      "aget_group_permissions", "get_all_permissions", "aget_all_permissions", "has_perm", "ahas_perm",
                      "has_module_perms", "ahas_module_perms", "with_perm")


def permissions_only_from_roles(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """Decision 0043: no authentication backend but DutiesBackend answers a permission question. Django's
    ModelBackend would grant whatever `user_permissions` and groups hold, across every town."""
    from zoufang.accounts.duties import DutiesBackend

    found: list[checks.CheckMessage] = []
    for backend in get_backends():
        cls = type(backend)
        if issubclass(cls, DutiesBackend):
            continue
        granting = [name for name in PERMISSION_METHODS
                    if getattr(cls, name, None) not in (None, getattr(BaseBackend, name, None))]
        if granting:
            found.append(checks.Error(
                _("认证后端 %(backend)s 会按账号的 Django 权限或用户组授权（%(methods)s）：权限只能来自角色授权。") % {
                    "backend": f"{cls.__module__}.{cls.__qualname__}", "methods": "、".join(granting)},
                hint=_("从 AUTHENTICATION_BACKENDS 中去掉它；要校验密码，用 zoufang.accounts.duties.PasswordBackend"
                       "（见 docs/decisions/0043）。"),
                id="zoufang.E001"))
    return found
