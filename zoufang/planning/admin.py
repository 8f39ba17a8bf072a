from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from zoufang.accounts import scope
from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.campaigns.models import Campaign
from zoufang.planning import proof
from zoufang.planning.models import Assignment, FixedQuota


@admin.register(FixedQuota)
class FixedQuotaAdmin(AuditedModelAdmin):
    list_display = ("source", "row_number", "label", "region", "cadre", "target_kind", "count", "campaign")
    list_filter = ("campaign", "table", "source", "target_kind")
    search_fields = ("label", "note")
    autocomplete_fields = ("units", "cadre", "region")
    list_select_related = ("campaign", "region", "cadre__unit")


@admin.register(Assignment)
class AssignmentAdmin(AuditedModelAdmin):
    list_display = ("target", "unit", "cadre", "pinned", "campaign")
    list_filter = ("campaign", "pinned", "target__kind")
    search_fields = ("target__name", "cadre__name", "unit__name")
    autocomplete_fields = ("target", "unit", "cadre")
    list_select_related = ("campaign", "target", "unit", "cadre__unit")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assignment]:
        # An assignment names a resident: only those the user may see.
        visible = scope.visible_targets(request.user).values("pk")
        return super().get_queryset(request).filter(target__in=visible)

    # An assignment changed by hand here moves the plan: its campaign's stored proof is out of date.
    def save_model(self, request: HttpRequest, obj: Assignment, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        proof.mark_stale(Campaign.objects.filter(pk=obj.campaign_id))

    def delete_model(self, request: HttpRequest, obj: Assignment) -> None:
        super().delete_model(request, obj)
        proof.mark_stale(Campaign.objects.filter(pk=obj.campaign_id))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Assignment]) -> None:
        campaigns = Campaign.objects.filter(pk__in=list(queryset.values_list("campaign_id", flat=True).distinct()))
        super().delete_queryset(request, queryset)
        proof.mark_stale(campaigns)
