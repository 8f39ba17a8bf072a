from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from zoufang.accounts.admin_area import AreaAdminMixin
from zoufang.accounts.admin_audit import AuditedModelAdmin
from zoufang.regions.models import Region


class RegionForm(forms.ModelForm):
    def clean(self) -> dict[str, Any] | None:
        """A second top region is refused while units without a region exist (decision 0032, addendum h15)."""
        from zoufang.registry.unitnames import second_top_region_refusal

        cleaned = super().clean() or {}
        if self.instance.pk is None and not cleaned.get("parent") and (
                refusal := second_top_region_refusal(cleaned.get("name") or "")):
            raise ValidationError({"parent": refusal})
        return cleaned


@admin.register(Region)
class RegionAdmin(AreaAdminMixin, AuditedModelAdmin):
    form = RegionForm
    region_field, shared_when_null = "", False
    list_display = ("indented_name", "level", "code", "parent", "sort_order", "is_demo")
    list_filter = ("level", "is_demo")
    search_fields = ("name", "code")
    ordering = ("path",)
    autocomplete_fields = ("parent", "centre_household")
    readonly_fields = ("path",)
    list_per_page = 100
    list_select_related = ("parent",)

    @admin.display(description="名称", ordering="path")
    def indented_name(self, region: Region) -> str:
        depth = max(0, region.path.count(".") - 1)
        return "\u3000" * min(depth, 5) + region.name

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Moving a region would leave its subtree's materialised paths behind: only set on creation.
        fields = tuple(super().get_readonly_fields(request, obj))
        return fields + ("parent", "level") if obj is not None else fields
