from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html

from zoufang.accounts import audit, scope
from zoufang.accounts.admin_area import AreaAdminMixin, AreaChoicesMixin, several_towns
from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.accounts.models import AuditEvent
from zoufang.core.names import canonical_dots
from zoufang.registry import unitnames
from zoufang.registry.identifiers import mask_id_number, mask_phone
from zoufang.registry.models import Cadre, Target, Unit


class CanonicalNamesMixin:
    """A person's name saved here is written with the standard's separator dot, as an import writes it (0069)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        fields = ["name"] if isinstance(obj, Cadre) else ["contact_name", "legal_representative"]
        if isinstance(obj, Target) and obj.kind in Target.PERSON_NAMED_KINDS:
            fields.append("name")
        for field in fields:
            setattr(obj, field, canonical_dots(getattr(obj, field)))
        super().save_model(request, obj, form, change)  # type: ignore[misc]


@admin.register(Unit)
class UnitAdmin(AreaAdminMixin, AuditedModelAdmin):
    list_display = ("name", "kind", "region", "party_member_count", "sort_order", "archived_on")
    list_filter = ("kind", "archived_on")
    search_fields = ("name", "region__name")
    autocomplete_fields = ("region",)

    # Every town has its own 派出所 (decision 0032): where the admin's user sees several towns, the list has a
    # 镇 column and each unit is offered (a cadre's unit, autocomplete) as “锦溪镇 派出所”.
    def get_queryset(self, request: HttpRequest) -> QuerySet[Unit]:
        units = super().get_queryset(request)
        return unitnames.with_town(units) if several_towns(request.user) else units

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = super().get_list_display(request)
        return ("name", "town", *shown[1:]) if several_towns(request.user) else shown

    @admin.display(description="镇", ordering="town_name")
    def town(self, unit: Unit) -> str:
        # One line on a phone too: a town's name is short, and broken a character a line it reads as nothing.
        return format_html('<span style="white-space: nowrap">{}</span>', getattr(unit, "town_name", None) or "—")


@admin.register(Cadre)
class CadreAdmin(CanonicalNamesMixin, AreaAdminMixin, AuditedModelAdmin):
    region_field = "unit__region"
    list_display = ("name", "unit", "role", "title", "phone", "user", "archived_on", "is_demo")
    list_filter = ("role", "unit__kind", "is_demo")
    search_fields = ("name", "title", "unit__name")
    autocomplete_fields = ("unit", "supervisor", "user", "linked_regions")
    list_select_related = ("unit", "user")


@admin.register(Target)
class TargetAdmin(CanonicalNamesMixin, AreaChoicesMixin, AuditedModelAdmin):
    list_display = ("name", "kind", "region", "masked_phone", "masked_id_number", "hardship", "is_key", "is_demo")
    list_filter = ("kind", "hardship", "is_key", "scale", "is_demo")
    search_fields = ("name", "address", "=credit_code", "=id_number")
    autocomplete_fields = ("region", "cadre")
    list_select_related = ("region",)
    show_full_result_count = False

    @admin.display(description="联系电话")
    def masked_phone(self, target: Target) -> str:
        return mask_phone(target.phone) if target.phone else ""

    @admin.display(description="身份证号码")
    def masked_id_number(self, target: Target) -> str:
        return mask_id_number(target.id_number) if target.id_number else ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Target]:
        # The admin shows residents by the same rule as every other page: a sysadmin alone sees none.
        visible = scope.visible_targets(request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=visible)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            target = self.get_object(request, object_id)
            if target is not None and (target.id_number or target.phone):
                audit.record(request.user, AuditEvent.Action.READ, target, summary="管理后台查看走访对象完整信息")
        return response
