from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.documents.models import Document, Issuer


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
