from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoufang.accounts.admin_audit import AuditedModelAdmin, ReadOnlyAdminMixin
from zoufang.documents.models import Document, Issuer, SummaryReminder


@admin.register(Issuer)
class IssuerAdmin(AuditedModelAdmin):
    list_display = ("name", "abbreviation", "briefing_name", "region")
    search_fields = ("name", "abbreviation")
    autocomplete_fields = ("region",)


@admin.register(Document)
class DocumentAdmin(AuditedModelAdmin):
    """A list to look things up: drafts are edited and documents issued on the office's pages, never here."""

    list_display = ("reference", "title", "kind", "status", "signed_on", "campaign")
    list_filter = ("kind", "status", "campaign")
    search_fields = ("title", "reference")
    exclude = ("content", "sections")
    list_select_related = ("campaign",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SummaryReminder)
class SummaryReminderAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    """The 工作总结 reminders the daily run sent (decision 0073): to look up who was told when, never edited."""

    list_display = ["campaign", "unit", "kind", "on", "recipients", "sent_at"]
    list_filter = ["kind", "on", "campaign"]
    list_select_related = ["campaign", "unit"]
    search_fields = ["unit__name"]
