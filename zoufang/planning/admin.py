from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from zoufang import clock
from zoufang.accounts import scope
from zoufang.accounts.admin_area import AreaAdminMixin, AreaChoicesMixin
from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.planning.models import Assignment, FixedQuota


@admin.register(FixedQuota)
class FixedQuotaAdmin(AreaAdminMixin, AuditedModelAdmin):
    region_field, shared_when_null = "campaign__scope", False  # an office reads and changes its own town's tables
    list_display = ("source", "row_number", "label", "region", "cadre", "target_kind", "count", "campaign")
    list_filter = ("campaign", "table", "source", "target_kind")
    search_fields = ("label", "note")
    autocomplete_fields = ("units", "cadre", "region")
    list_select_related = ("campaign", "region", "cadre__unit")


@admin.register(Assignment)
class AssignmentAdmin(AreaChoicesMixin, AuditedModelAdmin):
    list_display = ("target", "unit", "cadre", "pinned", "given_on", "campaign")
    list_filter = ("campaign", "pinned", "target__kind")
    readonly_fields = ("given_on",)
    search_fields = ("target__name", "cadre__name", "unit__name")
    autocomplete_fields = ("target", "unit", "cadre")
    list_select_related = ("campaign", "target", "unit", "cadre__unit")
    show_full_result_count = False

    def save_model(self, request: HttpRequest, obj: Assignment, form: Any, change: bool) -> None:
        # A target given here, or given to another cadre or unit, is given today: the pace counts it from today.
        if not change or (form is not None and {"cadre", "unit"} & set(form.changed_data)):
            obj.given_on = clock.today()
        super().save_model(request, obj, form, change)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        # An assignment names a resident: only those the user may see.
        visible = scope.visible_targets(request.user).values("pk")
        return super().get_queryset(request).filter(target__in=visible)
