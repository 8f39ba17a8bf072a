import json
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from zoufang.accounts.admin_audit import AuditedAdminMixin, AuditedModelAdmin, ReadOnlyAdminMixin
from zoufang.accounts.models import ApiToken, AuditEvent, RoleGrant

User = get_user_model()

# django-axes names its app "Axes" and ships no Chinese; the admin index shows this name.
apps.get_app_config("axes").verbose_name = _("登录安全")


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "region", "unit")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "region__name", "unit__name")
    autocomplete_fields = ("user", "region", "unit")
    list_select_related = ("user", "region", "unit")


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ("region", "unit")


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = (RoleGrantInline,)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ("user", "created_at", "expires_at", "last_used_at")
    search_fields = ("user__username",)
    readonly_fields = ("user", "digest", "created_at", "last_used_at")
    list_select_related = ("user",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A token's secret is shown once, by the API that creates it; the admin can only expire or revoke.
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "summary")
    list_filter = ("action", "object_type")
    search_fields = ("summary", "object_id", "actor__username")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    fields = ("at", "actor", "action", "object_type", "object_id", "summary", "changes_table")
    readonly_fields = fields

    @admin.display(description="变更内容")
    def changes_table(self, event: AuditEvent) -> str:
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>",
                           json.dumps(event.changes, ensure_ascii=False, indent=2))
