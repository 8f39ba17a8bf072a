import json
from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import router, transaction
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from zoufang.accounts import audit, duties, passwords, twofactor
from zoufang.accounts.admin_audit import AuditedAdminMixin, AuditedModelAdmin, ReadOnlyAdminMixin
from zoufang.accounts.models import ApiToken, AuditEvent, RoleGrant

User = get_user_model()

# django-axes names its app "Axes" and ships no Chinese; the admin index shows this name. So do django-tasks' database
# backend (its task results) and django-otp.
apps.get_app_config("axes").verbose_name = _("登录安全")
apps.get_app_config("django_tasks_database").verbose_name = _("任务队列")
apps.get_app_config("otp_totp").verbose_name = _("动态验证码")
apps.get_app_config("otp_static").verbose_name = _("恢复码")
# What an account may do comes from its role grants, the security administrator's (decision 0043). Django's own
# permissions and groups grant nothing here (duties.PasswordBackend), so no form offers them, a superuser's neither;
# making an account a superuser is a superuser's.
RAW_PERMISSION_FIELDS = ("groups", "user_permissions")
SUPERUSER_FIELDS = ("is_superuser",)
STAFF_HELP = _("可以登录管理后台。在后台能做什么只由下方的角色授权决定：系统管理员、安全管理员各管其职责，"
               "走访办只管本镇的区划、单位、干部、走访对象、走访活动和分配；其他角色在后台什么也不能做。")


class RoleGrantForm(forms.ModelForm):
    """The model's own rules (one administrator role, none with a business role) plus: never to oneself."""

    granted_by: Any = None

    def clean(self) -> Any:
        cleaned = super().clean() or {}
        if cleaned.get("user") is not None and not getattr(self.granted_by, "is_superuser", False):
            duties.check_not_self(self.granted_by, cleaned["user"])
        return cleaned


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "region", "unit")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "region__name", "unit__name")
    autocomplete_fields = ("user", "region", "unit")
    list_select_related = ("user", "region", "unit")

    form = RoleGrantForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.granted_by = request.user  # a class made for this request by modelform_factory
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _own_grant(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _own_grant(request, obj) and super().has_delete_permission(request, obj)


def _own_grant(request: HttpRequest, grant: RoleGrant | None) -> bool:
    user: Any = request.user
    return grant is not None and grant.user_id == user.pk and not user.is_superuser


class RoleGrantInline(AuditedAdminMixin, admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ("region", "unit")


admin.site.unregister(User)
# Authenticators are never shown in the admin (their QR code is the secret): the security administrator
# resets them with the action on the user list, and the owner enrols again at the next login.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = (RoleGrantInline,)
    list_filter = ("is_staff", "is_superuser", "is_active")  # not Django's groups: they grant nothing
    actions = ("reset_two_factor",)

    @admin.action(description=_("重置双因素认证（手机丢失或换机；下次登录重新绑定）"))
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        if not (request.user.is_superuser or RoleGrant.Role.SECURITY_ADMIN in duties.admin_roles(request.user)):
            self.message_user(request, _("只有安全管理员可以重置双因素认证。"), level=messages.ERROR)
            return
        for account in queryset:
            duties.check_not_self(request.user, account)
            twofactor.reset(account, by=request.user)
        self.message_user(request, _("已重置 %(n)d 个账号的双因素认证。") % {"n": queryset.count()})

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:  # noqa: A002 - Django's name
        """Setting another account's password sets a state (the last one set counts): audited like every admin write.
        One transaction, as Django's change form has: the account locked while its password is set (get_object),
        and the password, its audit row and the change required at the next login kept together."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                account = self.get_object(request, unquote(id))
                audit.record(request.user, AuditEvent.Action.SECURITY, account, object_type="auth.User",
                             summary=_("管理后台重设账号 %(username)s 的密码") % {"username": account.get_username()})
                passwords.require_change(account)
        return response

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A new account's password is the administrator's: its owner replaces it at the first login."""
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            passwords.require_change(obj)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if "is_staff" in form.base_fields:  # a class made for this request by modelform_factory
            form.base_fields["is_staff"].help_text = STAFF_HELP
        return form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        hidden = RAW_PERMISSION_FIELDS + (() if getattr(request.user, "is_superuser", False) else SUPERUSER_FIELDS)
        return [(name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
                for name, options in super().get_fieldsets(request, obj)]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not duties.may_change_account(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and not duties.may_change_account(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)


admin.site.unregister(Group)  # groups grant nothing (decision 0043): not offered


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ("user", "created_at", "expires_at", "last_used_at")
    search_fields = ("user__username",)
    readonly_fields = ("user", "digest", "refresh_digest", "created_at", "last_used_at", "password_only")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A token's secret is shown once, by the API that creates it; the admin can only expire or revoke.
        return False


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AuditedAdminMixin, AccessAttemptAdmin):
    """Unlocking an account is deleting its failed attempts; the security administrator's, and audited."""

    actions = ["delete_selected"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """For a superuser only: the audit administrator reads the trail on the 审计记录 page (zoufang.accounts.audit_views)."""

    list_display = ("seq", "at", "actor_display", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor_username", "actor_name")
    date_hierarchy = "at"
    fields = ("seq", "at", "actor_display", "action", "object_type", "object_id", "summary", "changes_table",
              "prev_hash", "hash")
    readonly_fields = fields

    @admin.display(description="变更内容")
    def changes_table(self, event: AuditEvent) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>",
                           json.dumps(event.changes, ensure_ascii=False, indent=2))
