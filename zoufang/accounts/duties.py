"""Separation of duties (三权分立): what each of the three administrators may do. Decided here, nowhere else.

- 系统管理员 (sysadmin): user accounts and the town's configuration (regions, units, campaigns and their
  phases and categories, survey forms, working days) in the admin. No residents' data (targets, visits,
  cases, assignments), no role grants, no audit trail.
- 安全管理员 (security_admin): role grants, login lockouts, API tokens, Open311 partner keys. Reads the
  user list, regions and units only to choose whom and where a grant is for. No residents' data, no audit.
- 审计管理员 (audit_admin): reads the audit trail (the 审计记录 page and its xlsx export). Nothing else.

An account holds at most one of the three, never together with a role that sees residents, and nobody
grants a role to themselves. The roles give no region: scope (zoufang.accounts.scope) shows them no resident.
The admin's model permissions come from here (DutiesBackend); no superuser is needed to run a town.

Permissions come only from roles (decision 0043): Django's own per-account permissions and groups grant nothing
(PasswordBackend checks passwords and answers no permission question; zoufang.accounts.checks refuses a backend
that would). `is_staff` only lets an account into the admin site; what it may do there is its roles' duty below.
"""

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zoufang.accounts.models import RoleGrant

Role = RoleGrant.Role
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
ALL = ("view", "add", "change", "delete")

# Django model permissions ("app_label.model": actions) each administrator holds in the admin.
DUTIES: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SYSADMIN: {
        "auth.user": ("view", "add", "change"),
        "regions.region": ALL,
        "registry.unit": ALL,
        "campaigns.campaign": ALL,
        "campaigns.phase": ALL,
        "campaigns.casecategory": ALL,
        "forms.form": ALL,
        "forms.formversion": ("view", "add", "change"),
        "workdays.dayoverride": ALL,
        "workdays.officialyear": ALL,
    },
    Role.SECURITY_ADMIN: {
        "accounts.rolegrant": ALL,
        "accounts.apitoken": ("view", "change", "delete"),
        "axes.accessattempt": ("view", "delete"),
        "axes.accesslog": ("view",),
        "axes.accessfailurelog": ("view",),
        "cases.open311key": ALL,
        "auth.user": ("view",),
        "regions.region": ("view",),
        "registry.unit": ("view",),
    },
    Role.AUDIT_ADMIN: {},
    # A town office let into the admin (is_staff, as the demo's 锦溪镇 office is) keeps its own town's master data
    # there: each of these admins shows and changes the rows of the office's regions only (accounts/admin_area.py,
    # scope.visible_targets).
    Role.OFFICE: {
        "regions.region": ALL,
        "registry.unit": ALL,
        "registry.cadre": ALL,
        "registry.target": ALL,
        "campaigns.campaign": ALL,
        "campaigns.phase": ALL,
        "campaigns.casecategory": ALL,
        "planning.fixedquota": ALL,
        "planning.assignment": ALL,
    },
}

# Accounts only a superuser may change: the other administrators' (a sysadmin resetting the security or
# audit administrator's password could act as them).
GUARDED_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def _roles(user: Any) -> set[str]:
    from zoufang.accounts import scope

    return scope.roles(user)


def admin_roles(user: Any) -> set[str]:
    return _roles(user) & ADMIN_ROLES


def permissions_for(user: Any) -> set[str]:
    perms: set[str] = set()
    for role in _roles(user) & DUTIES.keys():
        for label, actions in DUTIES[role].items():
            app_label, model = label.split(".")
            perms.update(f"{app_label}.{action}_{model}" for action in actions)
    return perms


def may_read_audit(user: Any) -> bool:
    """Only the audit administrator reads the trail; not the office, not the other administrators."""
    return bool(getattr(user, "is_active", False)) and Role.AUDIT_ADMIN in _roles(user)


def may_change_account(by: Any, account: Any) -> bool:
    """A superuser's or another security/audit administrator's account is a superuser's to change."""
    if getattr(by, "is_superuser", False):
        return True
    if account.is_superuser:
        return False
    return not (set(RoleGrant.objects.filter(user=account).values_list("role", flat=True)) & GUARDED_ROLES)


def check_not_self(by: Any, user: Any) -> None:
    if getattr(user, "pk", None) is not None and getattr(by, "pk", None) == user.pk:
        raise ValidationError(_("不能给自己授予或修改角色：须由另一名安全管理员办理。"))


def check_grant(user: Any, role: str, *, replacing: RoleGrant | None = None) -> None:
    """ValidationError (Chinese) if granting `role` to `user` would break the separation of duties."""
    held = RoleGrant.objects.filter(user=user)
    if replacing is not None and replacing.pk is not None:
        held = held.exclude(pk=replacing.pk)
    others = set(held.values_list("role", flat=True)) - {role}
    if role in ADMIN_ROLES and others & ADMIN_ROLES:
        raise ValidationError(_("三权分立：系统管理员、安全管理员、审计管理员不能由同一账号兼任（该账号已是%(held)s）。")
                              % {"held": "、".join(str(Role(r).label) for r in sorted(others & ADMIN_ROLES))})
    if role in ADMIN_ROLES and others:
        raise ValidationError(_("管理员账号不能同时持有业务角色（该账号已是%(held)s）。")
                              % {"held": "、".join(str(Role(r).label) for r in sorted(others))})
    if role not in ADMIN_ROLES and others & ADMIN_ROLES:
        raise ValidationError(_("该账号是%(held)s，不能再授予业务角色：管理员不接触走访对象的信息。")
                              % {"held": "、".join(str(Role(r).label) for r in sorted(others & ADMIN_ROLES))})


class DutiesBackend(BaseBackend):
    """Admin model permissions from the administrator roles above; authenticates nobody."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if obj is not None or not getattr(user_obj, "is_active", False):
            return set()
        return permissions_for(user_obj)

    def get_user_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self.get_all_permissions(user_obj, obj)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(perm.split(".", 1)[0] == app_label for perm in self.get_all_permissions(user_obj))


class PasswordBackend(BaseBackend):
    """Django's password check (active accounts only) and nothing more: an account's `user_permissions` and `groups`
    are never read, so only DutiesBackend (roles) and a superuser's flag decide what an account may do. Every
    permission question is left to BaseBackend's answers, which are empty (zoufang.accounts.checks holds to it)."""

    authenticate = ModelBackend.authenticate
    aauthenticate = ModelBackend.aauthenticate
    get_user = ModelBackend.get_user
    aget_user = ModelBackend.aget_user
    user_can_authenticate = ModelBackend.user_can_authenticate
