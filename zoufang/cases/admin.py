"""Cases change only through their actions, so the admin shows them read-only; Open311 keys are issued,
rotated and revoked by the security administrator with `zoufang open311 keys` (audited), and only listed here."""

from django.contrib import admin

from zoufang.accounts.admin_audit import AuditedAdminMixin, AuditedModelAdmin, ReadOnlyAdminMixin
from zoufang.cases.models import Case, CaseEvent, CaseReminder, Open311Key


class CaseEventInline(ReadOnlyAdminMixin, AuditedAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["version", "at", "action", "from_status", "to_status", "actor", "note"]
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ["description", "kind", "status", "unit", "handling_due", "overdue_since", "raised_at"]
    list_filter = ["status", "kind", "priority", "source", "campaign"]
    list_select_related = ["unit"]
    search_fields = ["description"]
    exclude = ["raiser_phone"]
    raw_id_fields = ["target", "source_visit", "region", "merged_into"]
    inlines = [CaseEventInline]


@admin.register(CaseReminder)
class CaseReminderAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ["case", "kind", "on", "recipients", "sent_at"]
    list_filter = ["kind", "on"]
    list_select_related = ["case"]


@admin.register(Open311Key)
class Open311KeyAdmin(ReadOnlyAdminMixin, AuditedModelAdmin):
    list_display = ["name", "region", "campaign", "prefix", "created_at", "issued_by", "disabled_on", "revoked_by",
                    "last_used_at"]
