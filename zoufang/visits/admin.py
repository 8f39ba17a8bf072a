"""Visits in the admin: read only. Records come from the phone (idempotent action); the admin only looks."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.visits.models import DiaryEntry, Visit


class ReadOnlyAdmin(AuditedModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ("visited_at", "target", "cadre", "mode", "campaign", "recorded_late")
    list_filter = ("mode", "recorded_late", "campaign")
    search_fields = ("target__name", "cadre__name", "=client_uuid")
    list_select_related = ("target", "cadre__unit", "campaign")
    show_full_result_count = False


@admin.register(DiaryEntry)
class DiaryEntryAdmin(ReadOnlyAdmin):
    list_display = ("entry_date", "cadre", "campaign")
    search_fields = ("cadre__name", "text")
    list_select_related = ("cadre__unit", "campaign")
